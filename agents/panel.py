"""Aligning a `PlanningInput`'s rows into daily arrays.

Contract: `build_panel` turns the history rows of a validated input (the model, or its
JSON form, which graph nodes receive) into a continuous daily grid from the first
to the last history date, one column per channel (sorted by name, so positions never
depend on input order). A channel with no row on a day spent nothing that day.
Platform-reported fields that are absent are NaN; the KPI series is aligned to the same
grid (NaN on days it does not cover) and days outside the history range are dropped,
since media spend is unknown there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from agents.contract import PlanningInput

__all__ = ["Panel", "build_panel"]

Array = NDArray[np.float64]
_FIELDS = ("clicks", "impressions", "conversions", "revenue")


@dataclass(frozen=True)
class Panel:
    start: date | None
    channels: tuple[str, ...]
    spend: Array  # (days, channels)
    reported: dict[str, Array]  # field -> (days, channels), NaN when not reported
    kpi: dict[str, Array]  # metric -> (days,), NaN when not measured
    kpi_days_outside: int = 0

    @property
    def n_days(self) -> int:
        return int(self.spend.shape[0])

    def index(self, channel: str) -> int:
        return self.channels.index(channel)

    def date_at(self, i: int) -> date:
        assert self.start is not None
        return self.start + timedelta(days=i)

    def active_days(self, channel: str) -> int:
        """Days from the channel's first spend to the end of history."""
        col = self.spend[:, self.index(channel)]
        nz = np.flatnonzero(col > 0)
        return 0 if nz.size == 0 else self.n_days - int(nz[0])

    def kpi_series(self, metric: str) -> Array | None:
        series = self.kpi.get(metric)
        if series is None or not np.isfinite(series).any():
            return None
        return series


def build_panel(inp: PlanningInput | dict[str, Any]) -> Panel:
    """The panel of a validated input, given as the model or as its JSON form."""
    if isinstance(inp, PlanningInput):
        rows: list[dict[str, Any]] = [r.model_dump() for r in inp.history]
        kpi_rows: list[dict[str, Any]] = [k.model_dump() for k in inp.kpi or []]
    else:
        rows, kpi_rows = inp.get("history") or [], inp.get("kpi") or []
    return _panel(rows, kpi_rows)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _panel(rows: list[dict[str, Any]], kpi_rows: list[dict[str, Any]]) -> Panel:
    channels = tuple(sorted({r["channel"] for r in rows}))
    if not rows:
        empty = np.zeros((0, 0))
        return Panel(None, (), empty, {f: empty for f in _FIELDS}, {})
    days_of = [_day(r["date"]) for r in rows]
    start, end = min(days_of), max(days_of)
    days = (end - start).days + 1
    col = {c: i for i, c in enumerate(channels)}
    spend = np.zeros((days, len(channels)))
    reported = {f: np.full((days, len(channels)), np.nan) for f in _FIELDS}
    for r, day in zip(rows, days_of, strict=True):
        t, j = (day - start).days, col[r["channel"]]
        spend[t, j] = r["spend"]
        for f in _FIELDS:
            value = r.get(f)
            if value is not None:
                reported[f][t, j] = value
    kpi: dict[str, Array] = {}
    outside = 0
    for k in kpi_rows:
        t = (_day(k["date"]) - start).days
        if not 0 <= t < days:
            outside += 1
            continue
        for metric in ("revenue", "conversions"):
            value = k.get(metric)
            if value is not None:
                kpi.setdefault(metric, np.full(days, np.nan))[t] = value
    return Panel(start, channels, spend, reported, kpi, outside)
