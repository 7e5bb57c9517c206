"""The Google Drive/Sheets connector: campaign plans in spreadsheets, kept current by changes.

Contract: `GoogleDriveConnector` implements `connectors.base.Connector` for one connected
Google account (its `OAuthTokens`, which need `DRIVE_SCOPES`):

- `discover_resources`: non-trashed spreadsheets whose names match
  `DriveSettings.plan_name_terms` (Drive ``name contains``: case-insensitive word
  prefixes), every page of ``files.list``; ``Resource(type="spreadsheet")``.
- `read_resource(id)`: ``{"id", "title", "sheets": {title: rows}}`` with unformatted
  values (numbers stay numbers, dates are serial numbers); `read_campaign_brief(id)`
  parses that with `brief.parse_campaign_brief`.
- `list_changes(cursor)`: None returns no changes and the current start page token;
  otherwise every page of ``changes.list`` (up to `max_change_pages`, then the cursor
  resumes mid-feed) as one `Change` per spreadsheet (the latest; removed or trashed ->
  ``removed``, else ``updated``) and the next cursor (``newStartPageToken``).
- `start_watch(cursor, address, token)`: a ``changes.watch`` web-hook channel from
  `cursor` (a `list_changes` cursor; "" for now) living `watch_ttl` (Drive allows up
  to a week); `renew_watch` starts a new channel, then stops the old one (Drive never
  renews); `stop_watch` is idempotent. Notifications are parsed by
  `parse_push_notification`.
- `read_daily_performance`: always [] (Drive holds plans, not spend).

SDK calls run in threads with `timeout_s` per HTTP call (see `api`). When google-auth
refreshes the access token, `on_tokens_refreshed` receives the new `OAuthTokens` (persist
them); `tokens` is always current. Close with `aclose()` or ``async with``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from connectors.errors import MalformedResponseError, NotFoundError
from connectors.google_drive.api import PLATFORM, Api, GoogleApiSession
from connectors.google_drive.brief import parse_campaign_brief
from connectors.google_drive.cells import quote_sheet
from connectors.google_drive.push import (
    InvalidPushNotificationError,
    PushNotification,
    parse_push_notification,
)
from connectors.google_oauth import (
    GOOGLE_TOKEN_URL,
    SCOPE_DRIVE_METADATA_READONLY,
    SCOPE_SPREADSHEETS_READONLY,
)
from connectors.records import (
    CampaignBrief,
    Change,
    ChangePage,
    DailyPerformanceRow,
    OAuthTokens,
    Platform,
    Resource,
    WatchChannel,
)

__all__ = [
    "DEFAULT_PLAN_NAME_TERMS",
    "DRIVE_SCOPES",
    "SPREADSHEET_MIME",
    "DriveSettings",
    "GoogleDriveConnector",
    "plan_query",
]

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
DRIVE_SCOPES = (SCOPE_DRIVE_METADATA_READONLY, SCOPE_SPREADSHEETS_READONLY)
DEFAULT_PLAN_NAME_TERMS = ("plan", "media plan", "campaign", "budget", "flighting")
_FILE_FIELDS = "id, name, mimeType, trashed, modifiedTime, owners(emailAddress), webViewLink"


@dataclass(frozen=True)
class DriveSettings:
    drive_api: str = "https://www.googleapis.com/drive/v3/"
    sheets_api: str = "https://sheets.googleapis.com/"
    token_url: str = GOOGLE_TOKEN_URL
    timeout_s: float = 30.0
    plan_name_terms: tuple[str, ...] = DEFAULT_PLAN_NAME_TERMS
    page_size: int = 100
    watch_ttl: dt.timedelta = dt.timedelta(days=7)
    max_change_pages: int = 100


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "\\'") + "'"


def plan_query(terms: tuple[str, ...]) -> str:
    query = f"mimeType = '{SPREADSHEET_MIME}' and trashed = false"
    if terms:
        query += " and (" + " or ".join(f"name contains {_quote(t)}" for t in terms) + ")"
    return query


def _malformed(what: str) -> MalformedResponseError:
    return MalformedResponseError(f"Google answered an unexpected {what}", platform=PLATFORM)


def _time(value: object, what: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise _malformed(f"{what} time {value!r}") from exc


def _ms_time(value: object) -> dt.datetime | None:
    try:
        return None if value is None else dt.datetime.fromtimestamp(int(str(value)) / 1000, dt.UTC)
    except ValueError as exc:
        raise _malformed(f"channel expiration {value!r}") from exc


def _dict(value: object, what: str) -> dict[str, Any]:
    if isinstance(value, str):  # the client hands back bodies that are not JSON as text
        raise _malformed(f"{what} that is not JSON: {value[:60]!r}")
    if not isinstance(value, dict):
        raise _malformed(what)
    return value


def _list(body: Mapping[str, Any], key: str, what: str) -> list[dict[str, Any]]:
    items = body.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _malformed(what)
    return items


class GoogleDriveConnector:
    """See the module docstring."""

    platform: Platform = "google_drive"

    def __init__(
        self,
        tokens: OAuthTokens,
        *,
        client_id: str,
        client_secret: str,
        settings: DriveSettings | None = None,
        on_tokens_refreshed: Callable[[OAuthTokens], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings or DriveSettings()
        endpoints: dict[Api, str] = {
            "drive": self.settings.drive_api,
            "sheets": self.settings.sheets_api,
        }
        self._api = GoogleApiSession(
            tokens,
            client_id=client_id,
            client_secret=client_secret,
            token_url=self.settings.token_url,
            endpoints=endpoints,
            timeout_s=self.settings.timeout_s,
        )
        self._access_token = tokens.access_token
        self._on_tokens_refreshed = on_tokens_refreshed

    @property
    def tokens(self) -> OAuthTokens:
        return self._api.tokens()

    async def aclose(self) -> None:
        self._api.close()

    async def __aenter__(self) -> GoogleDriveConnector:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _call(self, api: Api, make: Callable[[Any], Any], what: str) -> Any:
        try:
            return await self._api.execute(api, make, what=what)
        finally:
            token = self._api.credentials.token
            if token != self._access_token and token:
                self._access_token = token
                if self._on_tokens_refreshed is not None:
                    await self._on_tokens_refreshed(self._api.tokens())

    # -- discovery and reading ------------------------------------------------------------

    def _files_page(self, query: str, page_token: str | None) -> Callable[[Any], Any]:
        return lambda d: d.files().list(
            q=query,
            pageSize=self.settings.page_size,
            pageToken=page_token,
            spaces="drive",
            fields=f"nextPageToken, files({_FILE_FIELDS})",
        )

    async def discover_resources(self) -> list[Resource]:
        query = plan_query(self.settings.plan_name_terms)
        found: dict[str, Resource] = {}
        page_token: str | None = None
        seen_tokens: set[str] = set()
        while True:
            body = _dict(
                await self._call("drive", self._files_page(query, page_token), "files.list"),
                "files.list page",
            )
            for f in _list(body, "files", "files.list page"):
                if not isinstance(f.get("id"), str) or not isinstance(f.get("name"), str):
                    raise _malformed("file without id or name in files.list")
                found[f["id"]] = Resource(
                    platform=PLATFORM,
                    id=f["id"],
                    name=f["name"],
                    type="spreadsheet",
                    last_modified=_time(f.get("modifiedTime"), "modified"),
                    metadata={
                        "owners": [o.get("emailAddress") for o in f.get("owners", [])],
                        "web_view_link": f.get("webViewLink"),
                    },
                )
            page_token = body.get("nextPageToken")
            if not page_token:
                return list(found.values())
            if page_token in seen_tokens:
                raise _malformed("files.list paging (a page token repeated)")
            seen_tokens.add(page_token)

    async def read_resource(self, resource_id: str) -> dict[str, object]:
        title, sheets = await self._read_sheets(resource_id)
        return {"id": resource_id, "title": title, "sheets": sheets}

    async def read_campaign_brief(self, spreadsheet_id: str) -> CampaignBrief:
        title, sheets = await self._read_sheets(spreadsheet_id)
        return parse_campaign_brief(spreadsheet_id, sheets, title=title)

    async def _read_sheets(self, spreadsheet_id: str) -> tuple[str | None, dict[str, list[Any]]]:
        """The spreadsheet's title and its grid sheets' rows, unformatted."""
        meta = _dict(
            await self._call(
                "sheets",
                lambda s: s.spreadsheets().get(
                    spreadsheetId=spreadsheet_id,
                    fields="spreadsheetId, properties.title, sheets.properties(title, sheetType)",
                ),
                "spreadsheets.get",
            ),
            "spreadsheets.get body",
        )
        titles = []
        for sheet in _list(meta, "sheets", "spreadsheets.get body"):
            props = _dict(sheet.get("properties"), "sheet properties")
            if props.get("sheetType", "GRID") == "GRID":
                titles.append(str(props.get("title")))
        sheets: dict[str, list[Any]] = {}
        if titles:
            ranges = [quote_sheet(t, always=True) for t in titles]
            body = _dict(
                await self._call(
                    "sheets",
                    lambda s: (
                        s.spreadsheets()
                        .values()
                        .batchGet(
                            spreadsheetId=spreadsheet_id,
                            ranges=ranges,
                            valueRenderOption="UNFORMATTED_VALUE",
                            dateTimeRenderOption="SERIAL_NUMBER",
                            majorDimension="ROWS",
                        )
                    ),
                    "values.batchGet",
                ),
                "values.batchGet body",
            )
            value_ranges = _list(body, "valueRanges", "values.batchGet body")
            if len(value_ranges) != len(titles):
                raise _malformed("number of value ranges in values.batchGet")
            for title, value_range in zip(titles, value_ranges, strict=True):
                rows = value_range.get("values", [])
                if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                    raise _malformed(f"values for sheet {title!r}")
                sheets[title] = rows
        properties = meta.get("properties")
        name = properties.get("title") if isinstance(properties, dict) else None
        return (name if isinstance(name, str) else None), sheets

    async def read_daily_performance(
        self, account_id: str, start: dt.date, end: dt.date
    ) -> list[DailyPerformanceRow]:
        return []

    # -- changes --------------------------------------------------------------------------

    async def _start_page_token(self) -> str:
        body = _dict(
            await self._call(
                "drive",
                lambda d: d.changes().getStartPageToken(fields="startPageToken"),
                "changes.getStartPageToken",
            ),
            "changes.getStartPageToken body",
        )
        token = body.get("startPageToken")
        if not isinstance(token, str) or not token:
            raise _malformed("changes.getStartPageToken body")
        return token

    def _changes_page(self, page_token: str) -> Callable[[Any], Any]:
        return lambda d: d.changes().list(
            pageToken=page_token,
            pageSize=self.settings.page_size,
            includeRemoved=True,
            spaces="drive",
            fields=(
                "nextPageToken, newStartPageToken, "
                f"changes(changeType, fileId, removed, time, file({_FILE_FIELDS}))"
            ),
        )

    async def list_changes(self, cursor: str | None) -> ChangePage:
        if cursor is None:
            return ChangePage(changes=[], next_cursor=await self._start_page_token())
        latest: dict[str, Change] = {}
        token = cursor
        for _ in range(self.settings.max_change_pages):
            body = _dict(
                await self._call("drive", self._changes_page(token), "changes.list"),
                "changes.list page",
            )
            for entry in _list(body, "changes", "changes.list page"):
                change = self._change(entry)
                if change is not None:
                    latest.pop(change.resource_id, None)
                    latest[change.resource_id] = change
            new_start = body.get("newStartPageToken")
            if isinstance(new_start, str) and new_start:
                return ChangePage(changes=list(latest.values()), next_cursor=new_start)
            next_token = body.get("nextPageToken")
            if not isinstance(next_token, str) or not next_token or next_token == token:
                raise _malformed("changes.list paging (no next or new start page token)")
            token = next_token
        return ChangePage(changes=list(latest.values()), next_cursor=token)

    def _change(self, entry: Mapping[str, Any]) -> Change | None:
        if entry.get("changeType", "file") != "file":
            return None
        file_id = entry.get("fileId")
        if not isinstance(file_id, str) or not file_id:
            raise _malformed("change without fileId in changes.list")
        f = entry.get("file")
        if isinstance(f, dict) and f.get("mimeType") not in (None, SPREADSHEET_MIME):
            return None  # not a spreadsheet: never a plan
        removed = bool(entry.get("removed")) or (isinstance(f, dict) and bool(f.get("trashed")))
        return Change(
            platform=PLATFORM,
            resource_id=file_id,
            change_type="removed" if removed else "updated",
            changed_at=_time(entry.get("time"), "change"),
        )

    # -- push ------------------------------------------------------------------------------

    async def start_watch(self, resource_id: str, address: str, token: str) -> WatchChannel:
        return await self._watch(resource_id, address, token)

    async def _watch(self, cursor: str, address: str, token: str | None) -> WatchChannel:
        page_token = cursor or await self._start_page_token()
        expiration = dt.datetime.now(dt.UTC) + self.settings.watch_ttl
        spec: dict[str, str] = {
            "id": f"mediaplan-{uuid.uuid4()}",
            "type": "web_hook",
            "address": address,
            "expiration": str(int(expiration.timestamp() * 1000)),
        }
        if token is not None:
            spec["token"] = token
        body = _dict(
            await self._call(
                "drive",
                lambda d: d.changes().watch(pageToken=page_token, body=spec, spaces="drive"),
                "changes.watch",
            ),
            "changes.watch body",
        )
        if not isinstance(body.get("resourceId"), str) or body.get("id") != spec["id"]:
            raise _malformed("changes.watch body (no resourceId or another channel id)")
        return WatchChannel(
            platform=PLATFORM,
            channel_id=spec["id"],
            resource_id=body["resourceId"],
            address=address,
            expires_at=_ms_time(body.get("expiration")) or expiration,
            token=token,
        )

    async def renew_watch(self, channel: WatchChannel) -> WatchChannel:
        fresh = await self._watch("", channel.address, channel.token)
        await self.stop_watch(channel)
        return fresh

    async def stop_watch(self, channel: WatchChannel) -> None:
        body = {"id": channel.channel_id, "resourceId": channel.resource_id}
        with contextlib.suppress(NotFoundError):  # already stopped or expired
            await self._call("drive", lambda d: d.channels().stop(body=body), "channels.stop")

    @staticmethod
    def parse_push_notification(
        headers: Mapping[str, str], channel: WatchChannel
    ) -> PushNotification:
        """Parse a notification for `channel`, checking its token and id."""
        notification = parse_push_notification(headers, expected_token=channel.token or "")
        if notification.channel_id != channel.channel_id:
            raise InvalidPushNotificationError(
                "Drive notification for another channel", platform=PLATFORM
            )
        return notification
