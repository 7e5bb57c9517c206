"""Reading spreadsheet cells the way people type them: labels, numbers, dates, cell names.

Contract: pure functions over cell values as the Sheets API returns them with
``valueRenderOption=UNFORMATTED_VALUE`` (str, int, float, bool; "" or None when empty).
`normalize_label` folds case, spacing, ``_``/``-``, a trailing ``:`` or ``*`` and any
parenthesised note ("Total budget (USD):" -> "total budget"). `parse_number` accepts
numbers and text with currency symbols or codes, thousands separators (``1,234.5``,
``1.234,5``, ``1 234``), ``k``/``m`` suffixes, ``%`` (divided by 100), a trailing ``x``
and accounting negatives ``(1,000)``; it returns None for anything else. `parse_date`
accepts dates, Sheets serial numbers (days since 1899-12-30), ISO text
(``2026-03-01``, also with ``/`` or ``.``) and unambiguous month names (``1 Mar 2026``,
``March 1, 2026``); day/month-ambiguous text like ``03/04/2026`` is None. `cell_name`
renders ``Sheet!B4`` and `quote_sheet` a title for A1 ranges (quoting as Sheets does).
"""

from __future__ import annotations

import datetime as dt
import math
import re

__all__ = [
    "cell_name",
    "column_letters",
    "is_blank",
    "normalize_label",
    "parse_date",
    "parse_number",
    "quote_sheet",
]

SERIAL_EPOCH = dt.date(1899, 12, 30)
_PAREN = re.compile(r"\([^)]*\)")
_CURRENCY = re.compile(r"^[A-Z]{3}\s*|\s*[A-Z]{3}$|[$€£¥₹]")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")
_NAMED_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y")
_PLAIN_SHEET = re.compile(r"^[A-Za-z0-9_]+$")


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def normalize_label(value: object) -> str:
    if not isinstance(value, str):
        return ""
    text = _PAREN.sub(" ", value).lower().replace("_", " ").replace("-", " ")
    return " ".join(text.split()).rstrip(":*").strip()


def column_letters(index: int) -> str:
    out, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def quote_sheet(title: str, *, always: bool = False) -> str:
    """A sheet title as A1 notation writes it: ``Plan``, ``'Media Plan'``, ``'It''s'``."""
    if not always and _PLAIN_SHEET.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def cell_name(sheet: str, row: int, col: int) -> str:
    """``Plan!B4`` for 0-based (row, col)."""
    return f"{quote_sheet(sheet)}!{column_letters(col)}{row + 1}"


def _decimal_text(text: str) -> str:
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            return text.replace(".", "").replace(",", ".")
        return text.replace(",", "")
    if "," in text and re.fullmatch(r"[+-]?\d+,\d{1,2}", text):
        return text.replace(",", ".")
    return text.replace(",", "")


def parse_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    negative = text.startswith("(") and text.endswith(")")
    text = _CURRENCY.sub("", text.strip("()")).strip()
    for space in (" ", "\u00a0", "\u202f", "'"):
        text = text.replace(space, "")
    scale = 1.0
    lowered = text.lower()
    for suffix, factor in (("%", 0.01), ("x", 1.0), ("k", 1e3), ("mm", 1e6), ("m", 1e6)):
        if lowered.endswith(suffix):
            text, scale = text[: -len(suffix)], factor
            break
    text = _decimal_text(text)
    if not _NUMBER.fullmatch(text):
        return None
    number = float(text) * scale
    return -number if negative else number


def parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not 1 <= value < 2958466:  # Sheets' range: 1899-12-31 .. 9999-12-31
            return None
        return SERIAL_EPOCH + dt.timedelta(days=int(value))
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if text.isdigit():
        return parse_date(int(text))
    iso = _ISO.fullmatch(text)
    if iso:
        try:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    for fmt in _NAMED_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
