"""Sandbox fixtures for the connector tests.

`google_sandbox` is a started Google sandbox (OAuth, Drive v3, Sheets v4) on an
ephemeral 127.0.0.1 port, fresh for every test and stopped afterwards; it serves
`google_sandbox_data`, which a test module can override by defining a fixture of the
same name. Other platforms keep their fixtures in their own modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from connectors.sandbox.data import DriveFileData, SandboxData
from connectors.sandbox.google import GoogleSandbox

PLAN_ROWS: list[list[object]] = [
    ["Northwind Q3 media plan"],
    [],
    ["Campaign ID", "q3-2026-northwind"],
    ["Campaign name", "Northwind Q3 always-on"],
    ["Objective", "revenue"],
    ["Total budget", 250000],
    ["Currency", "USD"],
    ["Start date", "2026-07-01"],
    ["End date", "2026-09-30"],
    ["Goal", "target ROAS"],
    ["Target", 3.0],
    ["Industry", "retail"],
    ["Region", "US"],
    [],
    ["Channel", "Min spend", "Max spend", "Fixed spend"],
    ["google_ads:search", 20000],
    ["meta:instagram_reels", None, 60000],
    ["meta:advantage_plus", None, None, 15000],
]


def _file(file_id: str, name: str, **fields: object) -> DriveFileData:
    when = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    return DriveFileData.model_validate(
        {"id": file_id, "name": name, "modified_time": when, **fields}
    )


@pytest.fixture
def google_sandbox_data() -> SandboxData:
    """A plan, a messy budget sheet and files discovery must skip."""
    return SandboxData(
        drive_files=[
            _file("plan-q3", "Q3 Media Plan", sheets={"Plan": PLAN_ROWS, "Notes": [["free text"]]}),
            _file("budget-2027", "Budget 2027", sheets={"Sheet1": [["Total budget", "$1,000"]]}),
            _file("notes-doc", "Campaign notes", mime_type="application/vnd.google-apps.document"),
            _file("old-plan", "Old media plan", trashed=True, sheets={"Plan": PLAN_ROWS}),
            _file("offsite", "Team offsite", sheets={"Sheet1": [["where", "when"]]}),
            _file("workplan", "Workplan", sheets={"Sheet1": [["task"]]}),
        ]
    )


@pytest.fixture
async def google_sandbox(google_sandbox_data: SandboxData) -> AsyncIterator[GoogleSandbox]:
    async with GoogleSandbox(google_sandbox_data) as sandbox:
        yield sandbox
