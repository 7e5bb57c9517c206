"""Market benchmarks: priors for channels without history and bounds for the others.

`load_benchmarks(market_overrides)` returns a `BenchmarkTable` built from the sourced
`benchmarks.json` shipped with this package; `BenchmarkTable.lookup` gives a channel's CPM,
CPC, CTR, CVR, CPA and platform-attributed ROAS for an industry and region, and
`channel_prior` / `sanity_bounds` turn them into the engine's ROI prior and plausibility
range. See README.md beside this file for the sources policy and the override schema.
"""

from __future__ import annotations

from agents.market._overrides import ChannelOverride, MarketOverrides, parse_overrides
from agents.market._prior import ChannelPrior, Objective, channel_prior, sanity_bounds
from agents.market._table import BenchmarkTable, ChannelBenchmark, SeasonalFactors, load_benchmarks

__all__ = [
    "BenchmarkTable",
    "ChannelBenchmark",
    "ChannelOverride",
    "ChannelPrior",
    "MarketOverrides",
    "Objective",
    "SeasonalFactors",
    "channel_prior",
    "load_benchmarks",
    "parse_overrides",
    "sanity_bounds",
]
