"""The Google sandbox's in-memory state: OAuth grants, Drive files, the changes feed, channels.

Contract: `GoogleWorld` is plain synchronous state with no I/O, owned by one event loop
(the sandbox server's). Time is the real UTC clock plus an offset that tests move with
`advance_clock`, so tokens and watch channels expire without waiting. Every mutation of
a file appends one entry to the changes feed (page tokens are the decimal sequence number
of the next entry, like Drive's) and returns the file; pushing notifications is the
server's job. Tokens are random and never reused.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from connectors.sandbox.data import DriveFileData, SandboxData

__all__ = [
    "SHEETS_MIME",
    "AccessToken",
    "AuthCode",
    "ChangeEntry",
    "DriveChannel",
    "GoogleWorld",
    "Grant",
]

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"


@dataclass
class Grant:
    """What one consent granted; the refresh token (if offline) and its access tokens."""

    client_id: str
    scopes: tuple[str, ...]
    refresh_token: str | None
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    grant: Grant
    expires_at: dt.datetime


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    offline: bool
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: dt.datetime


@dataclass
class ChangeEntry:
    seq: int
    file_id: str
    removed: bool
    time: dt.datetime


@dataclass
class DriveChannel:
    id: str
    resource_id: str
    resource_uri: str
    address: str
    token: str | None
    expiration: dt.datetime
    stopped: bool = False
    messages_sent: int = 0


@dataclass
class GoogleWorld:
    """All sandbox state; see the module docstring."""

    data: SandboxData
    clock_offset: dt.timedelta = dt.timedelta(0)
    files: dict[str, DriveFileData] = field(default_factory=dict)
    changes: list[ChangeEntry] = field(default_factory=list)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    grants_by_refresh: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    channels: dict[str, DriveChannel] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for f in self.data.drive_files:
            own = f.model_copy(deep=True)
            if own.modified_time.tzinfo is None:
                own.modified_time = own.modified_time.replace(tzinfo=dt.UTC)
            self.files[own.id] = own

    # -- time ---------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.clock_offset

    def advance_clock(self, delta: dt.timedelta) -> None:
        self.clock_offset += delta

    # -- OAuth --------------------------------------------------------------------------

    def issue_code(self, **fields: Any) -> AuthCode:
        code = AuthCode(
            code="4/" + secrets.token_urlsafe(24),
            expires_at=self.now() + dt.timedelta(minutes=10),
            **fields,
        )
        self.codes[code.code] = code
        return code

    def issue_access_token(self, grant: Grant, lifetime: dt.timedelta) -> AccessToken:
        token = AccessToken("ya29." + secrets.token_urlsafe(32), grant, self.now() + lifetime)
        self.access_tokens[token.token] = token
        return token

    def new_grant(self, client_id: str, scopes: tuple[str, ...], offline: bool) -> Grant:
        refresh = "1//" + secrets.token_urlsafe(32) if offline else None
        grant = Grant(client_id=client_id, scopes=scopes, refresh_token=refresh)
        if refresh is not None:
            self.grants_by_refresh[refresh] = grant
        return grant

    def valid_access_token(self, token: str) -> AccessToken | None:
        found = self.access_tokens.get(token)
        if found is None or found.grant.revoked or found.expires_at <= self.now():
            return None
        return found

    def expire_access_token(self, token: str) -> None:
        found = self.access_tokens.get(token)
        if found is not None:
            found.expires_at = self.now() - dt.timedelta(seconds=1)

    def revoke_grant(self, grant: Grant) -> None:
        grant.revoked = True

    def revoke_all_grants(self) -> None:
        for token in self.access_tokens.values():
            token.grant.revoked = True

    # -- Drive files and the changes feed ------------------------------------------------

    def next_page_token(self) -> str:
        return str(len(self.changes) + 1)

    def _record(self, file_id: str, *, removed: bool = False) -> None:
        self.changes.append(ChangeEntry(len(self.changes) + 1, file_id, removed, self.now()))

    def _touch(self, f: DriveFileData) -> DriveFileData:
        f.modified_time = self.now()
        self._record(f.id)
        return f

    def file(self, file_id: str) -> DriveFileData:
        """The file (KeyError when unknown)."""
        return self.files[file_id]

    def create_file(self, f: DriveFileData) -> DriveFileData:
        if f.id in self.files:
            raise ValueError(f"file {f.id!r} already exists")
        created = f.model_copy(deep=True)
        self.files[created.id] = created
        return self._touch(created)

    def set_trashed(self, file_id: str, trashed: bool) -> DriveFileData:
        f = self.file(file_id)
        f.trashed = trashed
        return self._touch(f)

    def rename_file(self, file_id: str, name: str) -> DriveFileData:
        f = self.file(file_id)
        f.name = name
        return self._touch(f)

    def delete_file(self, file_id: str) -> None:
        del self.files[file_id]
        self._record(file_id, removed=True)

    def set_cell(self, file_id: str, sheet: str, row: int, col: int, value: Any) -> DriveFileData:
        """Set the 0-based (row, col) cell of `sheet`, growing the grid as needed."""
        f = self.file(file_id)
        if sheet not in f.sheets:
            raise KeyError(f"no sheet {sheet!r} in file {file_id!r}")
        grid = f.sheets[sheet]
        while len(grid) <= row:
            grid.append([])
        cells = grid[row]
        while len(cells) <= col:
            cells.append(None)
        cells[col] = copy.deepcopy(value)
        return self._touch(f)

    def set_sheet(self, file_id: str, sheet: str, rows: list[list[Any]]) -> DriveFileData:
        f = self.file(file_id)
        f.sheets[sheet] = copy.deepcopy(rows)
        return self._touch(f)

    def changes_from(self, seq: int) -> list[ChangeEntry]:
        return self.changes[seq - 1 :]

    # -- watch channels ----------------------------------------------------------------

    def add_channel(self, channel: DriveChannel) -> None:
        self.channels[channel.id] = channel

    def active_channels(self) -> list[DriveChannel]:
        now = self.now()
        return [c for c in self.channels.values() if not c.stopped and c.expiration > now]
