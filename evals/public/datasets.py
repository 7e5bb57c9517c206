"""Public weekly MMM datasets as daily `PlanningInput` documents.

Contract: `load(name, root)` reads one of `DATASETS` from `root` (the shared
`datasets/` folder) into a `WeeklyData`: week start dates, weekly spend per channel
(already in the document's money unit), optional weekly impressions / clicks, and the
weekly KPI in objective units (revenue). `to_document(data, ...)` turns it into a
`PlanningInput` document the engine plans daily:

- every week's spend, impressions, clicks and KPI are spread evenly over its 7 days
  (history rows for every channel and day, zero-spend days included; spend rounded to
  cents, impressions and clicks to whole numbers);
- no platform-reported outcomes (these datasets carry no attribution), so the engine
  calibrates from the KPI alone;
- a campaign of `flight_weeks` weeks starting the day after the history, budget = the
  mean weekly total spend over the whole history times the flight weeks (times
  `1 + budget_change`), every channel plannable without bounds, goal `max_outcome`.

Channels get valid `platform:placement` ids: the PyMC-Marketing channels `x1`, `x2`
become `media:x1`, `media:x2`; Robyn's `tv_S`, `ooh_S`, `print_S` become `offline:tv`,
`offline:ooh`, `offline:print`, `facebook_S` `meta:facebook` and `search_S`
`google_ads:search`; Meridian's `ChannelN_spend` become `media:channelN`. Money: the
PyMC-Marketing spends are unitless 0-1 figures with ROAS in the thousands, so they are
multiplied by `spend_scale` = 0.1 x total KPI / total spend (media spend is then 10 % of
the KPI, a typical advertiser; true ROAS figures are divided by the same factor); Robyn's
and Meridian's are kept as they are (scale 1). Meridian's KPI is conversions times
revenue per conversion (revenue). `resample(data, weeks)` reorders the weeks (for the
bootstrap) and keeps the dates.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DATASETS",
    "WeeklyData",
    "default_root",
    "flight_start",
    "load",
    "resample",
    "to_document",
]

Array = NDArray[np.float64]

DATASETS = (
    "pymc_mmm_example",
    "pymc_mmm_roas_data",
    "robyn_simulated_weekly",
    "meridian_national_media",
    "meridian_national_all_channels",
)


@dataclass(frozen=True, eq=False)
class WeeklyData:
    """One weekly dataset; arrays aligned with `weeks` (week start dates)."""

    name: str
    weeks: list[date] = field(repr=False)
    spend: dict[str, Array] = field(repr=False)  # document money per week
    kpi: Array = field(repr=False)  # objective units per week
    spend_scale: float = 1.0  # document money per unit of the file's spend
    source_columns: dict[str, str] = field(default_factory=dict)  # channel id -> column
    impressions: dict[str, Array] = field(default_factory=dict, repr=False)
    clicks: dict[str, Array] = field(default_factory=dict, repr=False)
    objective: str = "revenue"

    @property
    def channels(self) -> list[str]:
        return list(self.spend)

    @property
    def n_weeks(self) -> int:
        return len(self.weeks)


def default_root() -> Path:
    """Where the public datasets are: `MEDIAPLAN_DATASETS` when set, else `../shared/datasets`
    next to the repository checkout, else the workplace's `/work/shared/datasets` (so a
    clean clone elsewhere, as CI makes, still finds them)."""
    env = os.environ.get("MEDIAPLAN_DATASETS")
    if env:
        return Path(env)
    beside = Path(__file__).resolve().parents[3] / "shared" / "datasets"
    if beside.is_dir():
        return beside
    return Path("/work/shared/datasets")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _col(rows: list[dict[str, str]], key: str) -> Array:
    return np.array([float(r[key]) for r in rows], dtype=float)


def _pymc(root: Path, file: str, date_key: str, name: str) -> WeeklyData:
    rows = _read(root / "pymc-marketing" / file)
    kpi = _col(rows, "y")
    raw = {"media:x1": _col(rows, "x1"), "media:x2": _col(rows, "x2")}
    scale = 0.1 * float(kpi.sum()) / float(sum(x.sum() for x in raw.values()))
    return WeeklyData(
        name=name,
        weeks=[date.fromisoformat(r[date_key]) for r in rows],
        spend={c: x * scale for c, x in raw.items()},
        kpi=kpi,
        spend_scale=scale,
        source_columns={"media:x1": "x1", "media:x2": "x2"},
    )


def _robyn(root: Path) -> WeeklyData:
    rows = _read(root / "robyn" / "dt_simulated_weekly.csv")
    columns = {
        "offline:tv": "tv_S",
        "offline:ooh": "ooh_S",
        "offline:print": "print_S",
        "meta:facebook": "facebook_S",
        "google_ads:search": "search_S",
    }
    return WeeklyData(
        name="robyn_simulated_weekly",
        weeks=[date.fromisoformat(r["DATE"]) for r in rows],
        spend={c: _col(rows, k) for c, k in columns.items()},
        kpi=_col(rows, "revenue"),
        source_columns=columns,
        impressions={"meta:facebook": _col(rows, "facebook_I")},
        clicks={"google_ads:search": _col(rows, "search_clicks_P")},
    )


def _meridian(root: Path, file: str, name: str) -> WeeklyData:
    rows = _read(root / "meridian" / file)
    n = sum(1 for k in rows[0] if k.startswith("Channel") and k.endswith("_spend"))
    columns = {f"media:channel{i}": f"Channel{i}_spend" for i in range(n)}
    return WeeklyData(
        name=name,
        weeks=[date.fromisoformat(r["time"]) for r in rows],
        spend={c: _col(rows, k) for c, k in columns.items()},
        kpi=_col(rows, "conversions") * _col(rows, "revenue_per_conversion"),
        source_columns=columns,
        impressions={f"media:channel{i}": _col(rows, f"Channel{i}_impression") for i in range(n)},
    )


def load(name: str, root: Path | None = None) -> WeeklyData:
    """Read dataset `name` (one of `DATASETS`) from `root` (default `default_root()`)."""
    base = default_root() if root is None else root
    if name == "pymc_mmm_example":
        return _pymc(base, "mmm_example.csv", "date_week", name)
    if name == "pymc_mmm_roas_data":
        return _pymc(base, "mmm_roas_data.csv", "date", name)
    if name == "robyn_simulated_weekly":
        return _robyn(base)
    if name == "meridian_national_media":
        return _meridian(base, "national_media.csv", name)
    if name == "meridian_national_all_channels":
        return _meridian(base, "national_all_channels.csv", name)
    raise ValueError(f"unknown dataset {name!r}; choose from {DATASETS}")


def resample(data: WeeklyData, weeks: list[int]) -> WeeklyData:
    """The dataset with week i's figures taken from week `weeks[i]` (dates unchanged)."""
    idx = np.asarray(weeks, dtype=int)
    if idx.size != data.n_weeks:
        raise ValueError(f"need {data.n_weeks} week indices, got {idx.size}")
    return replace(
        data,
        spend={c: x[idx] for c, x in data.spend.items()},
        kpi=data.kpi[idx],
        impressions={c: x[idx] for c, x in data.impressions.items()},
        clicks={c: x[idx] for c, x in data.clicks.items()},
    )


def flight_start(data: WeeklyData) -> date:
    """The day after the last day of history."""
    return data.weeks[-1] + timedelta(days=7)


def to_document(
    data: WeeklyData,
    *,
    flight_weeks: int = 12,
    budget_change: float = 0.0,
    campaign_id: str | None = None,
) -> dict[str, Any]:
    """The daily `PlanningInput` document of a weekly dataset (see module doc)."""
    history: list[dict[str, Any]] = []
    kpi: list[dict[str, Any]] = []
    for w, start in enumerate(data.weeks):
        for d in range(7):
            day = (start + timedelta(days=d)).isoformat()
            kpi.append({"date": day, data.objective: round(float(data.kpi[w]) / 7.0, 2)})
            for c, spend in data.spend.items():
                row: dict[str, Any] = {
                    "date": day,
                    "channel": c,
                    "spend": round(float(spend[w]) / 7.0, 2),
                }
                if c in data.impressions:
                    row["impressions"] = round(float(data.impressions[c][w]) / 7.0)
                if c in data.clicks:
                    row["clicks"] = round(float(data.clicks[c][w]) / 7.0)
                history.append(row)
    weekly_total = float(sum(x.mean() for x in data.spend.values()))
    start = flight_start(data)
    campaign = {
        "campaign_id": campaign_id or data.name,
        "objective": data.objective,
        "total_budget": round(weekly_total * flight_weeks * (1.0 + budget_change), 2),
        "currency": "USD",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=7 * flight_weeks - 1)).isoformat(),
        "channels": [{"channel": c} for c in data.channels],
        "goal": {"kind": "max_outcome"},
    }
    return {"campaign": campaign, "history": history, "kpi": kpi}
