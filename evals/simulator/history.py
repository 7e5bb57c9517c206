"""The simulated history: spend, true effects, baseline, KPI and platform reports.

Contract: `simulate_history(spec, streams)` draws, from the given independent random
streams, everything that happened before the campaign: which channels ran (and their
spend levels), the baseline shape, the spend paths, each channel's true response (forms
from the spec; scaled so the true steady-state ROI at the channel's reference spend -
its mean active daily spend over the last 90 days - is a realistic draw: revenue ROAS
within the channel type's range, 0.5-6, or CPA 10-200; the curvature is set so the
marginal ROIs there are a common level times lognormal noise of sd
`spec.mroi_dispersion`, which is what makes re-allocating pay), the baseline level that makes
media `spec.media_share` of the expected KPI, the AR(1) KPI noise and the platforms'
reports. The returned arrays are aligned with `dates`; spends are in cents already, and
true effects are computed from those rounded spends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from evals.simulator.baseline import ar1, draw_baseline
from evals.simulator.reporting import (
    ChannelReport,
    ReportingParams,
    draw_platforms,
    draw_reporting,
    report_channel,
)
from evals.simulator.response import ChannelResponse, draw_adstock, draw_saturation
from evals.simulator.spec import CHANNEL_IDS, CHANNEL_PROFILES, Objective, WorldSpec
from evals.simulator.spend import SpendPath, draw_spend

__all__ = ["SimulatedHistory", "simulate_history"]

Array = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class SimulatedHistory:
    dates: list[date] = field(repr=False)
    channels: list[str]
    paths: dict[str, SpendPath] = field(repr=False)
    responses: dict[str, ChannelResponse] = field(repr=False)
    ref_spend: dict[str, float]
    effects: dict[str, Array] = field(repr=False)  # true daily effect, objective units
    baseline: Array = field(repr=False)  # expected baseline, objective units
    baseline_params: dict[str, object]
    kpi_revenue: Array = field(repr=False)  # measured, rounded
    kpi_conversions: Array = field(repr=False)  # measured, rounded
    reporting: dict[str, ReportingParams]  # channels with history only
    reports: dict[str, ChannelReport] = field(repr=False)
    aov: float
    confounded: str | None
    noise: dict[str, object]

    objective: Objective

    @property
    def kpi(self) -> Array:
        """The measured KPI in objective units."""
        return self.kpi_revenue if self.objective == "revenue" else self.kpi_conversions


def _choose_channels(rng: np.random.Generator, spec: WorldSpec) -> list[str]:
    if spec.channels is not None:
        return list(spec.channels)
    pop = np.array([CHANNEL_PROFILES[c].popularity for c in CHANNEL_IDS], dtype=float)
    idx = rng.choice(len(CHANNEL_IDS), size=spec.n_channels, replace=False, p=pop / pop.sum())
    return [CHANNEL_IDS[i] for i in sorted(int(i) for i in idx)]


def _ref_spend(path: SpendPath) -> float:
    recent = path.spend[-90:]
    active = recent[recent > 0]
    return float(active.mean()) if active.size else path.level


def _draw_roi(rng: np.random.Generator, channel: str, spec: WorldSpec, base_cpa: float) -> float:
    lo, hi = CHANNEL_PROFILES[channel].roas
    roas = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    if spec.objective == "revenue":
        return roas
    return 1.0 / float(np.clip(base_cpa * 2.5 / roas, 10.0, 200.0))


def simulate_history(spec: WorldSpec, streams: list[np.random.Generator]) -> SimulatedHistory:
    """See the module doc; `streams` are five independent generators."""
    r_struct, r_base, r_spend, r_resp, r_rest = streams
    channels = _choose_channels(r_struct, spec)
    n = spec.history_days
    dates = [spec.history_end - timedelta(days=n - 1 - i) for i in range(n)]
    baseline = draw_baseline(
        r_base, dates, change_point=spec.trend_change_point, confounder=spec.confounder
    )
    total_level = float(np.exp(r_struct.uniform(np.log(1500.0), np.log(60000.0))))
    if spec.daily_spend is not None:
        total_level = spec.daily_spend
    sizes = np.array([CHANNEL_PROFILES[c].size for c in channels])
    split = total_level * r_struct.dirichlet(3.0 * sizes)
    levels = dict(zip(channels, split.tolist(), strict=True))
    new = None
    if spec.new_channel != "none":
        new = (channels[int(r_struct.integers(1, len(channels)))], spec.new_channel)
    old = [c for c in channels if new is None or c != new[0]]
    confounded = old[int(r_struct.integers(len(old)))] if spec.confounder else None
    paths = draw_spend(
        r_spend,
        levels,
        n,
        pattern=spec.spend_pattern,
        season=baseline.season,
        new_channel=new,
        confounder=baseline.confounder if spec.confounder else None,
        confounded=confounded,
    )

    aov = float(r_resp.uniform(40.0, 250.0))
    base_cpa = float(r_resp.uniform(20.0, 80.0))
    roi = {c: _draw_roi(r_resp, c, spec, base_cpa) for c in channels}
    # Marginal ROI at the reference spend: a common level times lognormal dispersion.
    common = float(np.exp(np.mean(np.log(list(roi.values()))))) * float(r_resp.uniform(0.35, 0.6))
    responses: dict[str, ChannelResponse] = {}
    refs: dict[str, float] = {}
    effects: dict[str, Array] = {}
    adstocked: dict[str, Array] = {}
    for c in channels:
        path = paths[c]
        refs[c] = _ref_spend(path)
        ad_kind = spec.adstock_forms[int(r_resp.integers(len(spec.adstock_forms)))]
        sat_kind = spec.saturation_forms[int(r_resp.integers(len(spec.saturation_forms)))]
        adstock = draw_adstock(r_resp, ad_kind, CHANNEL_PROFILES[c].upper_funnel)
        marginal = common * float(np.exp(r_resp.normal(0.0, spec.mroi_dispersion)))
        saturation = draw_saturation(r_resp, sat_kind, refs[c], marginal / roi[c])
        beta = roi[c] * refs[c] / float(saturation(refs[c]))
        responses[c] = ChannelResponse(c, adstock, saturation, beta)
        burn = float(path.spend[0]) if path.launch_day == 0 else 0.0
        adstocked[c] = adstock.apply(path.spend, burn)
        effects[c] = beta * saturation(adstocked[c])

    media = np.sum([effects[c] for c in channels], axis=0)
    share = spec.media_share
    base = baseline.shape * (
        float(media.sum()) * (1.0 - share) / share / float(baseline.shape.sum())
    )
    expected = base + media
    eps = ar1(r_rest, n, spec.noise_ar, spec.noise)
    if spec.noise_kind == "multiplicative":
        kpi = expected * np.exp(eps - 0.5 * spec.noise**2)
    else:
        kpi = np.maximum(expected + eps * float(expected.mean()), 0.0)
    jitter = np.exp(r_rest.normal(0.0, 0.03, n))  # the order-value mix varies by day
    if spec.objective == "revenue":
        kpi_rev, kpi_conv = np.round(kpi, 2), np.round(kpi / aov * jitter)
    else:
        kpi_rev, kpi_conv = np.round(kpi * aov * jitter, 2), np.round(kpi)

    platforms = draw_platforms(r_rest, channels)
    season = base / float(base.mean())
    reporting: dict[str, ReportingParams] = {}
    reports: dict[str, ChannelReport] = {}
    for c in channels:
        if paths[c].launch_day is None:
            continue
        reporting[c] = draw_reporting(r_rest, c, platforms[c.split(":", 1)[0]])
        reports[c] = report_channel(
            r_rest,
            responses[c],
            reporting[c],
            paths[c].spend,
            effects[c],
            adstocked[c],
            season,
            ref_spend=refs[c],
            objective=spec.objective,
            aov=aov,
        )
    return SimulatedHistory(
        dates=dates,
        channels=channels,
        paths=paths,
        responses=responses,
        ref_spend=refs,
        effects=effects,
        baseline=base,
        baseline_params=baseline.params,
        kpi_revenue=kpi_rev,
        kpi_conversions=kpi_conv,
        reporting=reporting,
        reports=reports,
        aov=aov,
        confounded=confounded,
        noise={"kind": spec.noise_kind, "sd": spec.noise, "ar": spec.noise_ar},
        objective=spec.objective,
    )
