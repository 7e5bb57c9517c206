"""Read a campaign-plan spreadsheet into a `CampaignBrief` (the layout is in README.md).

Contract: `parse_campaign_brief(source_id, sheets)` takes every sheet's rows (title ->
rows of cell values, as `GoogleDriveConnector.read_resource` returns them) and finds:

1. **The key/value block**, on the first sheet that has a ``Total budget`` (or
   ``Budget``) label: label cells anywhere, each value being the first non-empty cell to
   its right. Labels (case, spacing, ``:``, ``*`` and parenthesised notes ignored):
   ``Campaign ID``, ``Campaign name``, ``Objective`` (revenue | conversions),
   ``Total budget``, ``Currency``, ``Start date``, ``End date``, ``Goal`` (max outcome |
   target ROAS | target CPA), ``Target``, ``Industry``, ``Region``; see `KEY_LABELS` for
   the accepted synonyms. Required: Objective, Total budget, Start date, End date.
2. **The channel table**, on that sheet or else the first sheet that has one: a header
   row with ``Channel`` and at least one of ``Min spend``, ``Max spend``, ``Fixed spend``;
   one channel per row below (``platform:placement``, e.g. ``meta:instagram_reels``),
   blank rows and ``Total`` rows skipped, ending at the sheet's end or at a row whose
   channel cell is a key/value label.

Anything else on the sheets is ignored. A sheet it cannot read raises
`SheetFormatError` naming the sheet, the cell and what was expected, e.g.
``Plan!B4: 'Total budget' must be a positive number, got 'abc'``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from connectors.errors import SheetFormatError
from connectors.google_drive.cells import (
    cell_name,
    is_blank,
    normalize_label,
    parse_date,
    parse_number,
)
from connectors.records import CampaignBrief, ChannelBound

__all__ = ["CHANNEL_HEADERS", "KEY_LABELS", "parse_campaign_brief"]

KEY_LABELS: dict[str, str] = {
    **dict.fromkeys(("campaign id", "campaign code"), "campaign_id"),
    **dict.fromkeys(("campaign name", "plan name", "name"), "name"),
    "objective": "objective",
    **dict.fromkeys(("total budget", "budget"), "total_budget"),
    "currency": "currency",
    **dict.fromkeys(("start date", "start", "flight start"), "start_date"),
    **dict.fromkeys(("end date", "end", "flight end"), "end_date"),
    **dict.fromkeys(("goal", "goal type"), "goal"),
    **dict.fromkeys(("target", "goal value", "target value"), "target"),
    **dict.fromkeys(("industry", "vertical"), "industry"),
    **dict.fromkeys(("region", "market", "country"), "region"),
}
CHANNEL_HEADERS: dict[str, str] = {
    **dict.fromkeys(("channel", "channels", "channel id"), "channel"),
    **dict.fromkeys(("min spend", "min", "minimum", "minimum spend", "min budget"), "min_spend"),
    **dict.fromkeys(("max spend", "max", "maximum", "maximum spend", "max budget"), "max_spend"),
    **dict.fromkeys(("fixed spend", "fixed", "fixed budget"), "fixed_spend"),
}
_LABEL_NAMES = {
    "campaign_id": "Campaign ID",
    "name": "Campaign name",
    "objective": "Objective",
    "total_budget": "Total budget",
    "currency": "Currency",
    "start_date": "Start date",
    "end_date": "End date",
    "goal": "Goal",
    "target": "Target",
    "industry": "Industry",
    "region": "Region",
    "min_spend": "Min spend",
    "max_spend": "Max spend",
    "fixed_spend": "Fixed spend",
}
_OBJECTIVES: dict[str, Literal["revenue", "conversions"]] = {
    **dict.fromkeys(("revenue", "sales", "purchase value"), "revenue"),
    **dict.fromkeys(
        ("conversions", "conversion", "leads", "signups", "sign ups", "purchases"), "conversions"
    ),
}
_GOALS: dict[str, Literal["max_outcome", "target_roas", "target_cpa"]] = {
    **dict.fromkeys(
        ("max outcome", "maximize", "maximise", "max", "max revenue", "max conversions"),
        "max_outcome",
    ),
    **dict.fromkeys(("target roas", "roas"), "target_roas"),
    **dict.fromkeys(("target cpa", "cpa"), "target_cpa"),
}
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_CHANNEL_ID = re.compile(r"[a-z0-9_.-]+:[a-z0-9_.-]+")
_TOTAL_ROWS = frozenset({"total", "totals", "sum", "grand total"})
_LAYOUT_HINT = "see connectors/google_drive/README.md for the plan layout"

Rows = Sequence[Sequence[object]]


def _fail(message: str) -> SheetFormatError:
    return SheetFormatError(message, platform="google_drive")


@dataclass(frozen=True)
class _Field:
    value: object
    where: str
    label: str

    def problem(self, expected: str) -> SheetFormatError:
        return _fail(f"{self.where}: '{self.label}' must be {expected}, got {self.value!r}")


@dataclass(frozen=True)
class _Table:
    sheet: str
    header: int
    end: int
    columns: dict[str, int]

    def covers(self, row: int, col: int) -> bool:
        cols = self.columns.values()
        return self.header <= row < self.end and min(cols) <= col <= max(cols)


def _cell(rows: Rows, r: int, c: int) -> object:
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def _find_table(title: str, rows: Rows) -> _Table | None:
    for r, row in enumerate(rows):
        columns: dict[str, int] = {}
        for c, value in enumerate(row):
            columns.setdefault(CHANNEL_HEADERS.get(normalize_label(value), ""), c)
        columns.pop("", None)
        if "channel" not in columns or len(columns) < 2:
            continue
        end = r + 1
        while (
            end < len(rows)
            and normalize_label(_cell(rows, end, columns["channel"])) not in KEY_LABELS
        ):
            end += 1
        return _Table(title, r, end, columns)
    return None


def _key_values(title: str, rows: Rows, table: _Table | None) -> dict[str, _Field]:
    found: dict[str, _Field] = {}
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            key = KEY_LABELS.get(normalize_label(row[c]))
            if key is None or (table is not None and table.covers(r, c)):
                c += 1
                continue
            v = next((j for j in range(c + 1, len(row)) if not is_blank(row[j])), None)
            if v is not None and normalize_label(row[v]) in KEY_LABELS:
                v = None  # the next cell holds another label: this one has no value
            label = _LABEL_NAMES[key]
            if key in found:
                first = found[key].where
                raise _fail(f"{cell_name(title, r, c)}: '{label}' appears twice (first at {first})")
            col = c + 1 if v is None else v
            found[key] = _Field(None if v is None else row[v], cell_name(title, r, col), label)
            c = col + 1
    return found


def _required(fields: Mapping[str, _Field], key: str, title: str) -> _Field:
    field = fields.get(key)
    label = _LABEL_NAMES[key]
    if field is None:
        raise _fail(f"{title}: no '{label}' label found; {_LAYOUT_HINT}")
    if is_blank(field.value):
        raise _fail(f"{field.where}: '{label}' is empty")
    return field


def _text(fields: Mapping[str, _Field], key: str) -> str | None:
    field = fields.get(key)
    if field is None or is_blank(field.value):
        return None
    value = field.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(field: _Field) -> dt.date:
    parsed = parse_date(field.value)
    if parsed is None:
        raise field.problem("a date (YYYY-MM-DD, '1 Mar 2026' or a Sheets date)")
    return parsed


def _positive(field: _Field) -> float:
    number = parse_number(field.value)
    if number is None or number <= 0:
        raise field.problem("a positive number")
    return number


def _channels(rows: Rows, table: _Table) -> list[ChannelBound]:
    channels: dict[str, ChannelBound] = {}
    for r in range(table.header + 1, table.end):
        raw = _cell(rows, r, table.columns["channel"])
        spends = {k: _cell(rows, r, c) for k, c in table.columns.items() if k != "channel"}
        if is_blank(raw):
            filled = [k for k, v in spends.items() if not is_blank(v)]
            if filled:
                where = cell_name(table.sheet, r, table.columns["channel"])
                raise _fail(f"{where}: this row has a '{_LABEL_NAMES[filled[0]]}' but no channel")
            continue
        if normalize_label(raw) in _TOTAL_ROWS:
            continue
        where = cell_name(table.sheet, r, table.columns["channel"])
        channel = re.sub(r"\s*:\s*", ":", str(raw).strip().lower())
        channel = re.sub(r"\s+", "_", channel)
        if not _CHANNEL_ID.fullmatch(channel):
            raise _fail(
                f"{where}: channel {raw!r} must be 'platform:placement', e.g. 'google_ads:search'"
            )
        if channel in channels:
            raise _fail(f"{where}: channel '{channel}' is listed twice")
        bounds: dict[str, float | None] = {}
        for key, value in spends.items():
            field = _Field(value, cell_name(table.sheet, r, table.columns[key]), _LABEL_NAMES[key])
            number = None if is_blank(value) else parse_number(value)
            if not is_blank(value) and (number is None or number < 0):
                raise field.problem("a non-negative amount or empty")
            bounds[key] = number
        low, high, fixed = (bounds.get(k) for k in ("min_spend", "max_spend", "fixed_spend"))
        if low is not None and high is not None and low > high:
            raise _fail(
                f"{where}: '{channel}' has Min spend {low:,.2f} above Max spend {high:,.2f}"
            )
        if fixed is not None and (
            (low is not None and fixed < low) or (high is not None and fixed > high)
        ):
            raise _fail(f"{where}: '{channel}' has a Fixed spend outside its Min/Max spend")
        channels[channel] = ChannelBound(
            channel=channel, min_spend=low, max_spend=high, fixed_spend=fixed
        )
    return list(channels.values())


def parse_campaign_brief(
    source_id: str, sheets: Mapping[str, Rows], *, title: str | None = None
) -> CampaignBrief:
    """The brief in `sheets` (title -> rows); `title` is the spreadsheet's, for messages."""
    plan = next(
        (
            (t, rows)
            for t, rows in sheets.items()
            if any(
                KEY_LABELS.get(normalize_label(v)) == "total_budget" for row in rows for v in row
            )
        ),
        None,
    )
    if plan is None:
        names = ", ".join(sheets) or "none"
        raise _fail(
            f"{title or source_id}: no sheet has a 'Total budget' label "
            f"(sheets: {names}); {_LAYOUT_HINT}"
        )
    plan_title, plan_rows = plan
    table = _find_table(plan_title, plan_rows)
    if table is None:
        table = next((t for s, rows in sheets.items() if (t := _find_table(s, rows))), None)
    fields = _key_values(
        plan_title, plan_rows, table if table and table.sheet == plan_title else None
    )

    objective_field = _required(fields, "objective", plan_title)
    objective = _OBJECTIVES.get(normalize_label(objective_field.value))
    if objective is None:
        raise objective_field.problem("'revenue' or 'conversions'")
    budget_field = _required(fields, "total_budget", plan_title)
    budget = _positive(budget_field)
    start_field, end_field = (_required(fields, k, plan_title) for k in ("start_date", "end_date"))
    start, end = _date(start_field), _date(end_field)
    if end < start:
        raise end_field.problem(f"on or after the Start date {start.isoformat()}")

    currency = _text(fields, "currency")
    if currency is None:
        symbol = next((s for s in _SYMBOLS if s in str(budget_field.value)), None)
        currency = _SYMBOLS[symbol] if symbol else "USD"
    elif not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise fields["currency"].problem("a 3-letter currency code like 'USD'")

    goal_field = fields.get("goal")
    goal = "max_outcome" if goal_field is None or is_blank(goal_field.value) else None
    if goal is None and goal_field is not None:
        goal = _GOALS.get(normalize_label(goal_field.value))
        if goal is None:
            raise goal_field.problem("'max outcome', 'target ROAS' or 'target CPA'")
    goal_value = None
    if goal != "max_outcome":
        target = fields.get("target")
        if target is None or is_blank(target.value):
            where = goal_field.where if goal_field else plan_title
            raise _fail(f"{where}: Goal '{goal}' needs a 'Target' row with a positive number")
        goal_value = _positive(target)

    try:
        return CampaignBrief(
            source_id=source_id,
            campaign_id=_text(fields, "campaign_id") or source_id,
            name=_text(fields, "name") or title,
            objective=objective,
            total_budget=budget,
            currency=currency.upper(),
            start_date=start,
            end_date=end,
            channels=_channels(sheets[table.sheet], table) if table else [],
            goal_kind=goal or "max_outcome",
            goal_value=goal_value,
            industry=_text(fields, "industry"),
            region=_text(fields, "region"),
        )
    except ValidationError as exc:
        raise _fail(f"{plan_title}: the plan does not form a valid brief: {exc}") from exc
