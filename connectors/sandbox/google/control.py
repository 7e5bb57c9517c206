"""The Google sandbox's HTTP controls under ``/_sandbox/``: mutate data, move the clock.

Contract: every route answers JSON; unknown files are 404, bad payloads 400. Mutations
call the `GoogleSandbox` methods, so they record changes and push notifications exactly
like the Python API, and answer ``{"deliveries": [...]}`` once those are delivered:

- ``POST /_sandbox/files`` (a `DriveFileData`; ``modified_time`` defaults to now)
- ``POST /_sandbox/files/{id}/cells`` ``{"sheet", "cell": "B4", "value"}``
- ``PUT /_sandbox/files/{id}/sheet`` ``{"sheet", "rows"}``
- ``POST /_sandbox/files/{id}/trash`` ``{"trashed": true}``
- ``PATCH /_sandbox/files/{id}`` ``{"name"}``, ``DELETE /_sandbox/files/{id}``
- ``POST /_sandbox/clock`` ``{"advance_s"}``, ``POST /_sandbox/grants/revoke``,
  ``GET /_sandbox/deliveries``
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import ValidationError

from connectors.sandbox.data import DriveFileData
from connectors.sandbox.google.a1 import RangeError
from connectors.sandbox.google.drive_routes import file_json
from connectors.sandbox.google.push import PushDelivery

if TYPE_CHECKING:
    from connectors.sandbox.google.server import GoogleSandbox

__all__ = ["control_routes"]

Action = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


def control_routes(sandbox: GoogleSandbox) -> list[web.RouteDef]:
    async def guarded(request: web.Request, action: Action) -> web.Response:
        try:
            payload = await request.json() if request.can_read_body else {}
            result = await action(request.match_info.get("id", ""), payload)
        except KeyError as exc:
            return web.json_response({"error": f"not found: {exc}"}, status=404)
        except (ValueError, TypeError, RangeError, ValidationError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(result)

    def route(method: str, path: str, action: Action) -> web.RouteDef:
        async def handle(request: web.Request) -> web.Response:
            return await guarded(request, action)

        return web.route(method, "/_sandbox" + path, handle)

    def notified(deliveries: list[PushDelivery]) -> dict[str, Any]:
        return {"deliveries": [asdict(d) for d in deliveries]}

    async def create(_: str, p: dict[str, Any]) -> dict[str, Any]:
        f = DriveFileData.model_validate({"modified_time": sandbox.world.now(), **p})
        deliveries = await sandbox.create_file(f)
        return notified(deliveries) | {"file": file_json(sandbox.world.file(f.id))}

    async def cell(file_id: str, p: dict[str, Any]) -> dict[str, Any]:
        return notified(await sandbox.edit_cell(file_id, p["sheet"], p["cell"], p.get("value")))

    async def sheet_rows(file_id: str, p: dict[str, Any]) -> dict[str, Any]:
        return notified(await sandbox.set_sheet(file_id, p["sheet"], p["rows"]))

    async def trash(file_id: str, p: dict[str, Any]) -> dict[str, Any]:
        return notified(await sandbox.trash_file(file_id, bool(p.get("trashed", True))))

    async def rename(file_id: str, p: dict[str, Any]) -> dict[str, Any]:
        return notified(await sandbox.rename_file(file_id, p["name"]))

    async def delete(file_id: str, p: dict[str, Any]) -> dict[str, Any]:
        return notified(await sandbox.delete_file(file_id))

    async def clock(_: str, p: dict[str, Any]) -> dict[str, Any]:
        sandbox.advance_clock(float(p["advance_s"]))
        return {"now": sandbox.world.now().isoformat()}

    async def revoke(_: str, p: dict[str, Any]) -> dict[str, Any]:
        sandbox.revoke_all_grants()
        return {}

    async def deliveries(_: str, p: dict[str, Any]) -> dict[str, Any]:
        return notified(sandbox.deliveries)

    return [
        route("POST", "/files", create),
        route("POST", "/files/{id}/cells", cell),
        route("PUT", "/files/{id}/sheet", sheet_rows),
        route("POST", "/files/{id}/trash", trash),
        route("PATCH", "/files/{id}", rename),
        route("DELETE", "/files/{id}", delete),
        route("POST", "/clock", clock),
        route("POST", "/grants/revoke", revoke),
        route("GET", "/deliveries", deliveries),
    ]
