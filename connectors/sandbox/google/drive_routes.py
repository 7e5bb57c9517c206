"""Drive v3 as the sandbox serves it, under ``/drive/v3/`` (what google-api-python-client calls).

Contract: ``files.list`` (``q`` per `query.compile_query`, ``pageSize`` 1..1000 default
100, opaque ``pageToken``, ``orderBy`` on name/modifiedTime with ``desc``; ``fields`` is
accepted and ignored: full resources are returned), ``files.get``,
``changes.getStartPageToken``, ``changes.list`` (``pageToken`` required; the last page
carries ``newStartPageToken``; ``includeRemoved=false`` drops removals), ``changes.watch``
(a ``web_hook`` channel; expiration clamped to one week, default one hour; a ``sync``
notification follows the answer) and ``channels.stop`` (204). Errors use Google's JSON
envelope with Drive's reasons (``notFound``, ``invalid``, ``required``).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from operator import attrgetter
from typing import Any

from aiohttp import web

from connectors.sandbox.data import DriveFileData
from connectors.sandbox.google.context import CONTEXT, google_error
from connectors.sandbox.google.query import QueryError, compile_query
from connectors.sandbox.google.world import DriveChannel

__all__ = ["drive_routes", "file_json", "rfc3339"]

PREFIX = "/drive/v3"
MAX_CHANNEL_TTL = dt.timedelta(days=7)
DEFAULT_CHANNEL_TTL = dt.timedelta(hours=1)


def rfc3339(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def file_json(f: DriveFileData) -> dict[str, Any]:
    return {
        "kind": "drive#file",
        "id": f.id,
        "name": f.name,
        "mimeType": f.mime_type,
        "trashed": f.trashed,
        "modifiedTime": rfc3339(f.modified_time),
        "owners": [{"kind": "drive#user", "emailAddress": o, "displayName": o} for o in f.owners],
        "webViewLink": f"https://docs.google.com/spreadsheets/d/{f.id}/edit",
    }


def _invalid(message: str, location: str) -> web.Response:
    return google_error(400, message, reason="invalid", location=location)


def _not_found(file_id: str) -> web.Response:
    return google_error(404, f"File not found: {file_id}.", reason="notFound", location="fileId")


def _page_size(request: web.Request, default: int = 100) -> int | web.Response:
    raw = request.query.get("pageSize", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        return _invalid(
            f"Invalid value '{raw}'. Values must be within the range: [1, 1000]", "pageSize"
        )
    return int(raw)


async def list_files(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    size = _page_size(request)
    if isinstance(size, web.Response):
        return size
    try:
        predicate = compile_query(request.query.get("q"))
    except QueryError as exc:
        return _invalid(str(exc), "q")
    files = [f for f in ctx.world.files.values() if predicate(f)]
    for key in reversed(
        [k.strip() for k in request.query.get("orderBy", "").split(",") if k.strip()]
    ):
        field, _, direction = key.partition(" ")
        attr = {"name": "name", "modifiedTime": "modified_time"}.get(field)
        if attr is None:
            return _invalid(f"Invalid sort field: {field}", "orderBy")
        files.sort(key=attrgetter(attr), reverse=direction.strip() == "desc")
    token = request.query.get("pageToken", "o0")
    if not (token.startswith("o") and token[1:].isdigit()):
        return _invalid("Invalid Value", "pageToken")
    start = int(token[1:])
    page = files[start : start + size]
    body: dict[str, Any] = {
        "kind": "drive#fileList",
        "incompleteSearch": False,
        "files": [file_json(f) for f in page],
    }
    if start + size < len(files):
        body["nextPageToken"] = f"o{start + size}"
    return web.json_response(body)


async def get_file(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    file_id = request.match_info["fileId"]
    f = ctx.world.files.get(file_id)
    return _not_found(file_id) if f is None else web.json_response(file_json(f))


async def start_page_token(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    return web.json_response(
        {"kind": "drive#startPageToken", "startPageToken": ctx.world.next_page_token()}
    )


def _change_seq(request: web.Request) -> int | web.Response:
    token = request.query.get("pageToken")
    if token is None:
        return google_error(
            400, "Required parameter: pageToken", reason="required", location="pageToken"
        )
    ctx = request.app[CONTEXT]
    if not token.isdigit() or not 1 <= int(token) <= len(ctx.world.changes) + 1:
        return _invalid("Invalid Value", "pageToken")
    return int(token)


async def list_changes(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    seq = _change_seq(request)
    size = _page_size(request)
    if isinstance(seq, web.Response):
        return seq
    if isinstance(size, web.Response):
        return size
    include_removed = request.query.get("includeRemoved", "true") != "false"
    entries = ctx.world.changes_from(seq)
    page, rest = entries[:size], entries[size:]
    changes = []
    for entry in page:
        if entry.removed and not include_removed:
            continue
        change: dict[str, Any] = {
            "kind": "drive#change",
            "changeType": "file",
            "fileId": entry.file_id,
            "removed": entry.removed,
            "time": rfc3339(entry.time),
        }
        current = ctx.world.files.get(entry.file_id)
        if not entry.removed and current is not None:
            change["file"] = file_json(current)
        changes.append(change)
    body: dict[str, Any] = {"kind": "drive#changeList", "changes": changes}
    if rest:
        body["nextPageToken"] = str(rest[0].seq)
    else:
        body["newStartPageToken"] = ctx.world.next_page_token()
    return web.json_response(body)


async def watch_changes(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    seq = _change_seq(request)
    if isinstance(seq, web.Response):
        return seq
    try:
        spec = json.loads(await request.text())
    except ValueError:
        return _invalid("Invalid JSON payload received.", "body")
    if not isinstance(spec, dict) or not spec.get("id") or not spec.get("address"):
        return google_error(400, "Required: id and address", reason="required", location="body")
    if spec.get("type") not in ("web_hook", "webhook"):
        return _invalid(f"Invalid channel type: {spec.get('type')}", "type")
    if spec["id"] in ctx.world.channels:
        return google_error(400, f"Channel id {spec['id']} not unique", reason="channelIdNotUnique")
    now = ctx.world.now()
    expiration = now + DEFAULT_CHANNEL_TTL
    if spec.get("expiration") is not None:
        try:
            asked = dt.datetime.fromtimestamp(int(spec["expiration"]) / 1000, dt.UTC)
        except (TypeError, ValueError):
            return _invalid("Invalid expiration", "expiration")
        expiration = min(asked, now + MAX_CHANNEL_TTL)
    channel = DriveChannel(
        id=str(spec["id"]),
        resource_id=secrets.token_urlsafe(18),
        resource_uri=f"{ctx.base_url}{PREFIX}/changes?alt=json&pageToken={seq}",
        address=str(spec["address"]),
        token=None if spec.get("token") is None else str(spec["token"]),
        expiration=expiration,
    )
    ctx.world.add_channel(channel)
    ctx.schedule_push(channel, "sync")
    body = {
        "kind": "api#channel",
        "id": channel.id,
        "resourceId": channel.resource_id,
        "resourceUri": channel.resource_uri,
        "expiration": str(int(channel.expiration.timestamp() * 1000)),
    }
    if channel.token is not None:
        body["token"] = channel.token
    return web.json_response(body)


async def stop_channel(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    try:
        spec = json.loads(await request.text())
    except ValueError:
        return _invalid("Invalid JSON payload received.", "body")
    channel = ctx.world.channels.get(str(spec.get("id"))) if isinstance(spec, dict) else None
    if channel is None or channel.resource_id != spec.get("resourceId") or channel.stopped:
        message = f"Channel '{spec.get('id') if isinstance(spec, dict) else ''}' not found"
        return google_error(404, message, reason="notFound")
    channel.stopped = True
    return web.Response(status=204)


def drive_routes() -> list[web.RouteDef]:
    return [
        web.get(f"{PREFIX}/files", list_files),
        web.get(f"{PREFIX}/files/{{fileId}}", get_file),
        web.get(f"{PREFIX}/changes/startPageToken", start_page_token),
        web.get(f"{PREFIX}/changes", list_changes),
        web.post(f"{PREFIX}/changes/watch", watch_changes),
        web.post(f"{PREFIX}/channels/stop", stop_channel),
    ]
