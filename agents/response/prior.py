"""The prior on each channel's marginal ROI at its recent run-rate.

Contract: `MarginalPrior.for_picks(picks)` returns the Gaussian prior (mean, precision,
log-determinant of the precision) on the vector `m` of channels' marginal ROIs at their
reference spend, given each channel's chosen carry-over/saturation candidate. It
multiplies three sources of knowledge:

- **level**: the platforms' reports, summed over channels and discounted by
  `calibration_mean` (platforms over-claim), fix the typical marginal ROI `m0` that the
  whole media mix delivers; per-channel reports are too distorted (attribution windows,
  organic claims, platform biases) to say more than that with confidence;
- **revealed preference**: planners move budget toward what works, so recent marginal
  ROIs are more alike than chance: m_i = level * exp(delta_i), delta_i ~ N(0,
  preference_sd^2), the level itself uncertain (`level_sd`). Channels that have not
  spent recently carry no preference and get a wide prior around the level;
- **channel reports**: each channel's own reported total implies a marginal ROI; it is a
  weak prior (`channel_report_sd`, relative to the larger of that figure and the level,
  so a channel the platform barely credits is not pinned near zero).

The KPI then updates this prior in the regression; where spend moved little, the
prior keeps the plan near the revealed preference instead of swinging on noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from agents.response.candidates import ChannelCandidates

__all__ = ["MarginalPrior", "PriorSettings"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class PriorSettings:
    calibration_mean: float = 0.8
    """Prior ratio of incremental to platform-attributed outcome (platforms over-claim)."""
    level_sd: float = 1.0
    preference_sd: float | None = 0.25
    """Spread of recent marginal ROIs around their common level; None disables."""
    channel_report_sd: float | None = 1.0
    """Weight of each channel's own reports (relative sd); None ignores them."""
    inactive_sd: float = 1.0


@dataclass(frozen=True)
class MarginalPrior:
    names: list[str]
    cands: list[ChannelCandidates]
    active: NDArray[np.bool_]  # spent recently, so revealed preference applies
    fallback_level: float  # marginal ROI level when no channel has reports
    settings: PriorSettings

    @classmethod
    def build(
        cls,
        names: list[str],
        cands: dict[str, ChannelCandidates],
        run_rate: dict[str, float],
        fallback_level: float,
        settings: PriorSettings,
    ) -> MarginalPrior:
        active = np.array([run_rate.get(n, 0.0) > 0 for n in names])
        return cls(names, [cands[n] for n in names], active, fallback_level, settings)

    def level(self, picks: list[int] | NDArray[np.int64]) -> float:
        """Typical marginal ROI implied by the platforms' summed reports."""
        reported = 0.0
        unit_total = 0.0
        for cand, p in zip(self.cands, picks, strict=True):
            if cand.has_attribution:
                reported += cand.attributed_total
                unit_total += float(cand.columns[int(p)].sum())
        if unit_total <= 0 or reported <= 0:
            return self.fallback_level
        return self.settings.calibration_mean * reported / unit_total

    def for_picks(self, picks: list[int] | NDArray[np.int64]) -> tuple[Array, Array, float]:
        s = self.settings
        n = len(self.cands)
        m0 = self.level(picks)
        ones = np.ones(n)
        pref = s.preference_sd if s.preference_sd is not None else s.inactive_sd
        sd = np.where(self.active, pref, s.inactive_sd) * m0
        cov = (s.level_sd * m0) ** 2 * np.outer(ones, ones) + np.diag(sd**2)
        prec = np.asarray(np.linalg.inv(cov), dtype=np.float64)
        weighted = prec @ (m0 * ones)
        if s.channel_report_sd is not None:
            for i, (cand, p) in enumerate(zip(self.cands, picks, strict=True)):
                if not cand.has_attribution:
                    continue
                a = s.calibration_mean * float(cand.attributed_marginal[int(p)])
                var = (s.channel_report_sd * max(a, m0)) ** 2
                prec[i, i] += 1.0 / var
                weighted[i] += a / var
        mean = np.asarray(np.linalg.solve(prec, weighted), dtype=np.float64)
        _, logdet = np.linalg.slogdet(prec)
        return mean, prec, float(logdet)
