"""A1 notation for the Sheets emulator: parse ranges, cut them out of grids, render them.

Contract: `parse_range(text, sheet_titles)` resolves ``Plan!A1:C10``, ``'Media Plan'!B:B``,
``'It''s'!2:5``, ``Plan`` (the whole sheet), ``A1:B2`` (the first sheet) and single cells
to a `GridRange` with 0-based inclusive bounds (None: open) or raises `RangeError`
(Sheets' "Unable to parse range"). `GridRange.values(grid)` returns the rows in the range
with trailing empty cells and rows dropped, as Sheets does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "GridRange",
    "RangeError",
    "column_index",
    "column_letters",
    "parse_cell",
    "parse_range",
    "quote_sheet",
]

_ENDPOINT = re.compile(r"^([A-Za-z]{0,3})(\d*)$")
_PLAIN_SHEET = re.compile(r"^[A-Za-z0-9_]+$")


class RangeError(ValueError):
    pass


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letters(index: int) -> str:
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def quote_sheet(title: str) -> str:
    return title if _PLAIN_SHEET.match(title) else "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class GridRange:
    sheet: str
    row0: int | None
    row1: int | None
    col0: int | None
    col1: int | None

    def bounds(self, grid: Sequence[Sequence[Any]]) -> tuple[int, int, int, int]:
        rows = max(len(grid), 1000)
        cols = max(max((len(r) for r in grid), default=0), 26)
        return (
            self.row0 or 0,
            rows - 1 if self.row1 is None else self.row1,
            self.col0 or 0,
            cols - 1 if self.col1 is None else self.col1,
        )

    def a1(self, grid: Sequence[Sequence[Any]]) -> str:
        r0, r1, c0, c1 = self.bounds(grid)
        start, end = f"{column_letters(c0)}{r0 + 1}", f"{column_letters(c1)}{r1 + 1}"
        return f"{quote_sheet(self.sheet)}!{start}" + ("" if start == end else f":{end}")

    def values(self, grid: Sequence[Sequence[Any]]) -> list[list[Any]]:
        r0, r1, c0, c1 = self.bounds(grid)
        out = []
        for row in grid[r0 : r1 + 1]:
            cells = list(row[c0 : c1 + 1])
            while cells and cells[-1] in (None, ""):
                cells.pop()
            out.append(["" if c is None else c for c in cells])
        while out and not out[-1]:
            out.pop()
        return out


def _split_sheet(text: str, sheet_titles: Sequence[str]) -> tuple[str | None, str]:
    """(sheet or None for the first sheet, the cells part)."""
    if text.startswith("'"):
        i, name = 1, []
        while i < len(text):
            if text[i] == "'":
                if text[i + 1 : i + 2] == "'":
                    name.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest and not rest.startswith("!"):
                    raise RangeError(text)
                return "".join(name), rest[1:]
            name.append(text[i])
            i += 1
        raise RangeError(text)
    if "!" in text:
        sheet, _, rest = text.partition("!")
        return sheet, rest
    if text in sheet_titles:
        return text, ""
    return None, text


def _endpoint(text: str) -> tuple[int | None, int | None]:
    m = _ENDPOINT.match(text)
    if m is None or not text:
        raise RangeError(text)
    letters, digits = m.groups()
    col = column_index(letters) if letters else None
    row = int(digits) - 1 if digits else None
    if row is not None and row < 0:
        raise RangeError(text)
    return row, col


def parse_range(text: str, sheet_titles: Sequence[str]) -> GridRange:
    if not sheet_titles:
        raise RangeError(text)
    sheet, cells = _split_sheet(text.strip(), sheet_titles)
    sheet = sheet_titles[0] if sheet is None else sheet
    if sheet not in sheet_titles:
        raise RangeError(text)
    if not cells:
        return GridRange(sheet, None, None, None, None)
    first, _, last = cells.partition(":")
    row0, col0 = _endpoint(first)
    row1, col1 = _endpoint(last) if last else (row0, col0)
    if not last and (row0 is None or col0 is None):
        raise RangeError(text)
    return GridRange(sheet, row0, row1, col0, col1)


def parse_cell(text: str) -> tuple[int, int]:
    """A single cell like ``B4`` as 0-based (row, col)."""
    row, col = _endpoint(text.strip())
    if row is None or col is None:
        raise RangeError(text)
    return row, col
