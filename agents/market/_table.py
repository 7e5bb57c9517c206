"""The benchmark table: per-channel figures adjusted for industry, region and overrides.

Contract: :meth:`BenchmarkTable.lookup` never fails for a well-formed ``platform:placement``
id. A known placement (or alias) uses its own row; an unknown placement falls back to the
platform average and an unknown platform to the all-digital average, each with a wider
log-scale spread and a ``fallback`` note. Figures are ``row x industry x region``
multipliers (missing multipliers follow from cpm = cpc x ctr and cpa = cpc / cvr; ROAS is
only scaled where a source says so; a row that already describes one industry, such as
Shopping for retail, is rescaled by the ratio of multipliers); user overrides replace the
final value of a figure.
Spreads add in quadrature: sqrt(base^2 + placement^2 + fallback^2 + industry^2 + region^2).
:meth:`BenchmarkTable.seasonal_multiplier` averages per-day CPM and demand multipliers over a
flight, both normalised to a day-weighted mean of 1 over the year.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from agents.market._data import (
    METRICS,
    SPREADS,
    Adjustment,
    Curve,
    FigureGroup,
    TableData,
    load_data,
)
from agents.market._names import compact, resolve, split_channel
from agents.market._overrides import MarketOverrides, parse_overrides

__all__ = ["BenchmarkTable", "ChannelBenchmark", "SeasonalFactors", "load_benchmarks"]

_DAYS_IN_MONTH = (31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_YEAR_DAYS = sum(_DAYS_IN_MONTH)


@dataclass(frozen=True)
class ChannelBenchmark:
    """Benchmark figures for one channel in one industry and region (see the JSON units)."""

    channel: str
    platform: str
    placement: str
    label: str
    cpm: float
    cpc: float
    ctr: float
    cvr: float
    cpa: float
    roas: float
    roas_log_sd: float
    cpa_log_sd: float
    industry: str
    region: str
    sources: list[str]
    fallback: str | None = None
    overridden: tuple[str, ...] = ()
    roas_citation: str = ""
    cpa_citation: str = ""


@dataclass(frozen=True)
class SeasonalFactors:
    """Average per-day multipliers over a flight (1.0 = an average day of the year)."""

    cpm: float
    demand: float
    days: int
    cpm_curve: str
    demand_curve: str
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    """The base figures chosen for a channel, before industry/region multipliers."""

    platform: str
    placement: str
    label: str
    figures: FigureGroup
    spread: FigureGroup
    note: str | None = None
    all_digital: bool = False
    industry_basis: str | None = None
    groups: tuple[FigureGroup, ...] = ()
    extras: tuple[float, ...] = ()

    def uses(self, platform: str) -> bool:
        """Whether multipliers for ``platform`` apply (all of them for unknown platforms)."""
        return self.all_digital or platform == self.platform


class BenchmarkTable:
    """Lookups over the validated benchmark data plus the planning input's overrides."""

    def __init__(self, data: TableData, overrides: MarketOverrides | None = None) -> None:
        self.data = data
        self.overrides = overrides or MarketOverrides()
        self._cpm_curves = {
            k: _per_day(c, self.overrides.cpm_seasonality) for k, c in data.seasonality.cpm.items()
        }
        self._demand_curves = {
            k: _per_day(c, self.overrides.demand_seasonality)
            for k, c in data.seasonality.demand.items()
        }
        self._channel_overrides: dict[tuple[str, str], Mapping[str, float]] = {}
        for channel, figures in self.overrides.channels.items():
            platform, placement = self._canonical(channel)
            self._channel_overrides[(platform, placement)] = figures

    # -- names ------------------------------------------------------------------------
    def resolve_industry(self, industry: str | None) -> tuple[str, str | None]:
        """Industry key for a free-text name, and a note when it was not recognised."""
        names = {k: v.aliases for k, v in self.data.industries.items()}
        return resolve(industry, names, self.data.defaults.industry, "industry", "all-industry")

    def resolve_region(self, region: str | None) -> tuple[str, str | None]:
        """Region key for a free-text name or country code, and a note when unrecognised."""
        names = {k: v.aliases for k, v in self.data.regions.items()}
        return resolve(region, names, self.data.defaults.region, "region", "global")

    def channels(self) -> list[str]:
        """Every known ``platform:placement`` id."""
        return [f"{p}:{k}" for p, plat in self.data.platforms.items() for k in plat.placements]

    def _platform_key(self, platform: str) -> str | None:
        names = {k: v.aliases for k, v in self.data.platforms.items()}
        key, note = resolve(platform, names, "", "platform", "")
        return key if note is None and key else None

    def _placement_key(self, platform: str, placement: str) -> str | None:
        names = {k: v.aliases for k, v in self.data.platforms[platform].placements.items()}
        key, note = resolve(placement, names, "", "placement", "")
        return key if note is None and key else None

    def _canonical(self, channel: str) -> tuple[str, str]:
        platform_raw, placement_raw = split_channel(channel)
        platform = self._platform_key(platform_raw)
        if platform is None:
            return platform_raw, compact(placement_raw)
        return platform, self._placement_key(platform, placement_raw) or compact(placement_raw)

    # -- lookup -----------------------------------------------------------------------
    def lookup(
        self, channel: str, industry: str | None = None, region: str | None = None
    ) -> ChannelBenchmark:
        """Benchmark for ``channel`` (``platform:placement``) in ``industry`` and ``region``."""
        platform_raw, placement_raw = split_channel(channel)
        industry_key, industry_note = self.resolve_industry(industry)
        region_key, region_note = self.resolve_region(region)
        row = self._row(platform_raw, placement_raw)
        adjustments = (self.data.industries[industry_key], self.data.regions[region_key])
        industry_mult = self._multipliers(adjustments[0], row, industry=industry_key)
        region_mult = self._multipliers(adjustments[1], row, industry=None)
        groups = [*row.groups, *(adj.spread for adj in adjustments)]
        groups += [g for adj in adjustments for p, g in adj.platforms.items() if row.uses(p)]
        extras = [*row.extras, *(adj.spread.figures["extra_log_sd"] for adj in adjustments)]
        notes = [n for n in (row.note, industry_note, region_note) if n]

        fig = row.figures
        values = {m: fig.figures[m] * industry_mult[m] * region_mult[m] for m in METRICS}
        sds = {
            s: math.sqrt(
                fig.figures.get(s, row.spread.figures[s]) ** 2 + sum(e * e for e in extras)
            )
            for s in SPREADS
        }
        override = self._channel_overrides.get((row.platform, row.placement), {})
        values.update({k: v for k, v in override.items() if k in values})
        sds.update({k: v for k, v in override.items() if k in sds})

        ids = [sid for m in METRICS if m not in override for sid in fig.source_ids(m)]
        ids += [
            sid
            for s in SPREADS
            if s not in override
            for sid in (fig.source_ids(s) or row.spread.source_ids(s))
        ]
        ids += [sid for g in groups for sid in g.all_source_ids()]
        return ChannelBenchmark(
            channel=f"{row.platform}:{row.placement}",
            platform=row.platform,
            placement=row.placement,
            label=row.label,
            industry=industry_key,
            region=region_key,
            sources=self._urls(ids),
            fallback="; ".join(notes) or None,
            overridden=tuple(sorted(override)),
            roas_citation=self._citation(fig, "roas", override),
            cpa_citation=self._citation(fig, "cpa", override),
            **values,
            **sds,
        )

    def _row(self, platform_raw: str, placement_raw: str) -> _Row:
        """The figures standing for a channel: its placement, its platform's or all-digital."""
        platform = self._platform_key(platform_raw)
        if platform is None:
            return _Row(
                platform=platform_raw,
                placement=compact(placement_raw),
                label=f"{platform_raw} {placement_raw}",
                figures=self.data.all_digital,
                spread=self.data.all_digital,
                note=f"platform {platform_raw!r} unknown; used all-digital average",
                all_digital=True,
                groups=tuple(p.average for p in self.data.platforms.values()),
            )
        plat = self.data.platforms[platform]
        key = self._placement_key(platform, placement_raw)
        if key is None:
            return _Row(
                platform=platform,
                placement=compact(placement_raw),
                label=f"{plat.label} {placement_raw}",
                figures=plat.average,
                spread=plat.spread,
                note=f"placement {placement_raw!r} unknown; used {platform} average",
                groups=(plat.fallback,),
                extras=(plat.fallback.figures["extra_log_sd"],),
            )
        placement = plat.placements[key]
        return _Row(
            platform=platform,
            placement=key,
            label=f"{plat.label} {placement.label}",
            figures=placement,
            spread=plat.spread,
            industry_basis=placement.industry_basis,
            extras=(placement.figures.get("extra_log_sd", 0.0),),
        )

    def _multipliers(self, adj: Adjustment, row: _Row, *, industry: str | None) -> dict[str, float]:
        """All six multipliers of ``adj`` for ``row``; ``industry`` is set when ``adj`` is one.

        A row that already describes one industry (``industry_basis``, e.g. Shopping for
        retail) keeps its figures when no industry is given and is otherwise rescaled by the
        ratio of the requested industry's multipliers to its basis industry's.
        """
        if row.all_digital:
            return _mean_multipliers(adj)
        mult = _complete(adj.platforms.get(row.platform))
        if industry is None or row.industry_basis is None:
            return mult
        if industry == self.data.defaults.industry:
            return _complete(None)
        basis = _complete(self.data.industries[row.industry_basis].platforms.get(row.platform))
        return {m: mult[m] / basis[m] for m in METRICS}

    def _citation(self, row: FigureGroup, metric: str, override: Mapping[str, float]) -> str:
        if metric in override:
            return "market override"
        shorts = dict.fromkeys(self.data.sources[sid].short for sid in row.source_ids(metric))
        return ", ".join(shorts) or "derived estimate"

    def _urls(self, ids: Iterable[str]) -> list[str]:
        return list(dict.fromkeys(self.data.sources[sid].url for sid in ids))

    # -- seasonality ------------------------------------------------------------------
    def seasonal_multiplier(
        self, start: date, end: date, industry: str | None = None
    ) -> SeasonalFactors:
        """Average CPM and demand multipliers over the flight's days (``end`` inclusive)."""
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        key, _ = self.resolve_industry(industry)
        default = self.data.defaults.industry
        cpm_key = key if key in self._cpm_curves else default
        demand_key = key if key in self._demand_curves else default
        cpm, days = _average(self._cpm_curves[cpm_key], start, end)
        demand, _ = _average(self._demand_curves[demand_key], start, end)
        curves: list[Curve] = [
            self.data.seasonality.cpm[cpm_key],
            self.data.seasonality.demand[demand_key],
        ]
        ids = [sid for c in curves for ids in c.source.values() for sid in ids]
        return SeasonalFactors(cpm, demand, days, cpm_key, demand_key, self._urls(ids))


def load_benchmarks(overrides: Mapping[str, Any] | None = None) -> BenchmarkTable:
    """The packaged benchmark table with the planning input's ``market`` overrides applied.

    Raises ``ValueError`` naming the offending key when ``overrides`` is invalid (see
    :func:`agents.market.parse_overrides` for the schema).
    """
    return BenchmarkTable(load_data(), parse_overrides(overrides))


def _complete(group: FigureGroup | None) -> dict[str, float]:
    """All six multipliers from the given ones via cpm = cpc x ctr and cpa = cpc / cvr."""
    given = group.figures if group is not None else {}
    ctr = given.get("ctr", 1.0)
    cvr = given.get("cvr", 1.0)
    cpc = given.get("cpc")
    cpm = given.get("cpm")
    if cpc is None and cpm is None:
        cpc = cpm = 1.0
    elif cpc is None:
        assert cpm is not None
        cpc = cpm / ctr
    elif cpm is None:
        cpm = cpc * ctr
    return {
        "cpm": cpm,
        "cpc": cpc,
        "ctr": ctr,
        "cvr": cvr,
        "cpa": given.get("cpa", cpc / cvr),
        "roas": given.get("roas", 1.0),
    }


def _mean_multipliers(adj: Adjustment) -> dict[str, float]:
    """Geometric mean over platforms, for channels on platforms the table does not know."""
    per_platform = [_complete(g) for g in adj.platforms.values()]
    if not per_platform:
        return _complete(None)
    return {
        m: math.exp(sum(math.log(p[m]) for p in per_platform) / len(per_platform)) for m in METRICS
    }


def _per_day(curve: Curve, overrides: Mapping[int, float]) -> tuple[float, ...]:
    """Per-day multipliers with a day-weighted annual mean of 1; overrides replace months."""
    raw = [curve.figures[str(m)] for m in range(1, 13)]
    if curve.kind == "monthly_volume":
        raw = [v / d for v, d in zip(raw, _DAYS_IN_MONTH, strict=True)]
    mean = sum(v * d for v, d in zip(raw, _DAYS_IN_MONTH, strict=True)) / _YEAR_DAYS
    return tuple(overrides.get(m, v / mean) for m, v in enumerate(raw, start=1))


def _average(per_day: tuple[float, ...], start: date, end: date) -> tuple[float, int]:
    total = 0.0
    days = 0
    day = start
    while day <= end:
        month_end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        stop = min(month_end, end)
        n = (stop - day).days + 1
        total += per_day[day.month - 1] * n
        days += n
        day = stop + timedelta(days=1)
    return total / days, days
