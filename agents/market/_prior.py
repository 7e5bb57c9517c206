"""Priors and plausibility bounds for a channel's return on spend.

Contract: :func:`channel_prior` gives the engine a log-normal prior for a channel with no
history. Its ``roi_median`` is outcome per unit spend: ROAS (revenue per unit spend) for the
``"revenue"`` objective, 1 / CPA (conversions per USD) for ``"conversions"``; it is
seasonally adjusted as ``benchmark x demand multiplier / CPM multiplier`` over the flight
(a dearer auction buys fewer impressions per unit spend, a stronger season converts more of
them). ``roi_log_sd`` is the benchmark's ROAS or CPA log-scale spread. :func:`sanity_bounds`
returns the annual benchmark ROI times ``exp(+/- width x log_sd)``, used to flag fitted ROIs
that are implausible. Both raise ``ValueError`` for an unknown objective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

from agents.market._table import BenchmarkTable, ChannelBenchmark, SeasonalFactors

__all__ = ["ChannelPrior", "Objective", "channel_prior", "sanity_bounds"]

Objective = Literal["revenue", "conversions"]


@dataclass(frozen=True)
class ChannelPrior:
    """Log-normal prior for a channel's outcome per unit spend, with its evidence."""

    channel: str
    objective: Objective
    roi_median: float
    roi_log_sd: float
    roi_unit: str
    cpm: float
    cpc: float
    sources: list[str]
    note: str
    benchmark: ChannelBenchmark
    seasonal: SeasonalFactors


def _roi(benchmark: ChannelBenchmark, objective: str) -> tuple[float, float]:
    if objective == "revenue":
        return benchmark.roas, benchmark.roas_log_sd
    if objective == "conversions":
        return 1.0 / benchmark.cpa, benchmark.cpa_log_sd
    raise ValueError(f"objective {objective!r} is not 'revenue' or 'conversions'")


def channel_prior(
    table: BenchmarkTable,
    channel: str,
    objective: Objective,
    *,
    industry: str | None = None,
    region: str | None = None,
    start: date,
    end: date,
) -> ChannelPrior:
    """The prior the engine uses for ``channel`` when it has no history (see module docstring)."""
    benchmark = table.lookup(channel, industry, region)
    annual, log_sd = _roi(benchmark, objective)
    seasonal = table.seasonal_multiplier(start, end, industry)
    factor = seasonal.demand / seasonal.cpm
    roi = annual * factor
    unit = (
        "revenue per unit spend (platform-attributed ROAS)"
        if objective == "revenue"
        else "conversions per USD"
    )
    return ChannelPrior(
        channel=benchmark.channel,
        objective=objective,
        roi_median=roi,
        roi_log_sd=log_sd,
        roi_unit=unit,
        cpm=benchmark.cpm * seasonal.cpm,
        cpc=benchmark.cpc * seasonal.cpm,
        sources=list(dict.fromkeys([*benchmark.sources, *seasonal.sources])),
        note=_note(table, benchmark, objective, roi, log_sd, factor),
        benchmark=benchmark,
        seasonal=seasonal,
    )


def sanity_bounds(
    table: BenchmarkTable,
    channel: str,
    objective: Objective,
    *,
    industry: str | None = None,
    region: str | None = None,
    width: float = 2.5,
) -> tuple[float, float]:
    """Plausible (low, high) ROI for ``channel``: benchmark x exp(-/+ width x log_sd)."""
    if not width > 0:
        raise ValueError(f"width must be positive, got {width!r}")
    roi, log_sd = _roi(table.lookup(channel, industry, region), objective)
    return roi * math.exp(-width * log_sd), roi * math.exp(width * log_sd)


def _note(
    table: BenchmarkTable,
    b: ChannelBenchmark,
    objective: str,
    roi: float,
    log_sd: float,
    factor: float,
) -> str:
    industry = table.data.industries[b.industry].label.lower()
    if objective == "revenue":
        what = f"prior ROAS {roi:.2f} ({b.roas_citation}; {industry} benchmark)"
    else:
        what = (
            f"prior {roi:.4f} conversions per USD "
            f"(CPA ${b.cpa:,.2f}, {b.cpa_citation}; {industry} benchmark)"
        )
    spread = "moderate" if log_sd < 0.5 else "wide" if log_sd < 0.8 else "very wide"
    season = "" if abs(factor - 1.0) < 0.005 else f", seasonally x{factor:.2f}"
    fallback = f" ({b.fallback})" if b.fallback else ""
    uncertainty = f"{spread} uncertainty (log-sd {log_sd:.2f})"
    return f"{b.label}: no history; {what}{season}{fallback}, {uncertainty}."
