"""Sheets v4 as the sandbox serves it, under ``/v4/`` (what google-api-python-client calls).

Contract: ``spreadsheets.get`` (properties and per-sheet grid properties; no grid data),
``spreadsheets.values.get`` and ``values:batchGet`` over A1 ranges (see `a1`), with
``majorDimension`` ROWS/COLUMNS and ``valueRenderOption``: ``UNFORMATTED_VALUE`` and
``FORMULA`` serve cells as stored (numbers stay numbers), ``FORMATTED_VALUE`` (the
default) renders every cell as text. Cells are stored values, not typed dates, so
``dateTimeRenderOption`` has nothing to change. A Drive file that is not a spreadsheet is
a 400 ``FAILED_PRECONDITION``; an unknown id is a 404.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from connectors.sandbox.data import DriveFileData
from connectors.sandbox.google.a1 import RangeError, parse_range
from connectors.sandbox.google.context import CONTEXT, google_error
from connectors.sandbox.google.world import SHEETS_MIME

__all__ = ["sheets_routes"]

PREFIX = "/v4/spreadsheets"


def _spreadsheet(request: web.Request) -> DriveFileData | web.Response:
    ctx = request.app[CONTEXT]
    sid = request.match_info["spreadsheetId"]
    f = ctx.world.files.get(sid)
    if f is None:
        return google_error(404, "Requested entity was not found.", reason="notFound")
    if f.mime_type != SHEETS_MIME:
        return google_error(
            400, "This operation is not supported for this document", reason="failedPrecondition"
        )
    return f


def _render(cell: Any, option: str) -> Any:
    if option != "FORMATTED_VALUE" or isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _value_range(
    request: web.Request, f: DriveFileData, text: str
) -> dict[str, Any] | web.Response:
    try:
        rng = parse_range(text, list(f.sheets))
    except RangeError:
        return google_error(400, f"Unable to parse range: {text}", reason="badRequest")
    grid = f.sheets[rng.sheet]
    option = request.query.get("valueRenderOption", "FORMATTED_VALUE")
    rows = [[_render(c, option) for c in row] for row in rng.values(grid)]
    dimension = request.query.get("majorDimension", "ROWS")
    if dimension == "COLUMNS":
        width = max((len(r) for r in rows), default=0)
        rows = [[r[i] if i < len(r) else "" for r in rows] for i in range(width)]
        for col in rows:
            while col and col[-1] == "":
                col.pop()
    body: dict[str, Any] = {"range": rng.a1(grid), "majorDimension": dimension}
    if rows:
        body["values"] = rows
    return body


async def get_spreadsheet(request: web.Request) -> web.Response:
    f = _spreadsheet(request)
    if isinstance(f, web.Response):
        return f
    sheets = []
    for index, (title, grid) in enumerate(f.sheets.items()):
        props = {
            "sheetId": index,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {
                "rowCount": max(len(grid), 1000),
                "columnCount": max(max((len(r) for r in grid), default=0), 26),
            },
        }
        sheets.append({"properties": props})
    return web.json_response(
        {
            "spreadsheetId": f.id,
            "properties": {"title": f.name, "locale": "en_US", "timeZone": "Etc/GMT"},
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{f.id}/edit",
        }
    )


async def get_values(request: web.Request) -> web.Response:
    f = _spreadsheet(request)
    if isinstance(f, web.Response):
        return f
    body = _value_range(request, f, request.match_info["range"])
    return body if isinstance(body, web.Response) else web.json_response(body)


async def batch_get_values(request: web.Request) -> web.Response:
    f = _spreadsheet(request)
    if isinstance(f, web.Response):
        return f
    ranges = request.query.getall("ranges", [])
    out = []
    for text in ranges:
        body = _value_range(request, f, text)
        if isinstance(body, web.Response):
            return body
        out.append(body)
    return web.json_response({"spreadsheetId": f.id, "valueRanges": out})


def sheets_routes() -> list[web.RouteDef]:
    return [
        web.get(f"{PREFIX}/{{spreadsheetId}}/values:batchGet", batch_get_values),
        web.get(f"{PREFIX}/{{spreadsheetId}}/values/{{range:.+}}", get_values),
        web.get(f"{PREFIX}/{{spreadsheetId}}", get_spreadsheet),
    ]
