"""The KPI regression's design: baseline columns plus one candidate column per channel.

Contract: `Design` holds the baseline columns, every channel's candidate columns and
the KPI, and solves the Bayesian regression for any choice of one candidate per channel
(`solve(picks, sigma2)`). The cross-products of all columns are computed once, so each
solve costs a small dense factorization instead of a pass over the data. `whiten`
applies the Cochrane-Orcutt transform for AR(1) noise on days observed back to back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from agents.response.linear import Posterior, solve_gram
from agents.response.prior import MarginalPrior

__all__ = ["Design", "whiten"]

Array = NDArray[np.float64]


@dataclass
class Design:
    base: Array  # (rows, p) baseline columns
    media: list[Array]  # per channel: (C_i, rows) candidate columns
    y: Array
    base_prec: Array  # diagonal prior precision of the baseline coefficients
    prior: MarginalPrior
    _gram: Array | None = field(default=None, repr=False)
    _xty: Array | None = field(default=None, repr=False)
    _offsets: list[int] = field(default_factory=list, repr=False)

    @property
    def n_base(self) -> int:
        return int(self.base.shape[1])

    def matrix(self, picks: list[int]) -> Array:
        cols = [m[p] for m, p in zip(self.media, picks, strict=True)]
        return np.column_stack([self.base, *cols])

    def rows(self, sl: slice) -> Design:
        return Design(
            self.base[sl], [m[:, sl] for m in self.media], self.y[sl], self.base_prec, self.prior
        )

    def _cross_products(self) -> tuple[Array, Array]:
        if self._gram is None or self._xty is None:
            full = np.vstack([self.base.T, *self.media])  # (K, rows)
            self._gram = full @ full.T
            self._xty = full @ self.y
            offsets, at = [], self.n_base
            for m in self.media:
                offsets.append(at)
                at += len(m)
            self._offsets = offsets
        return self._gram, self._xty

    def solve(self, picks: list[int], sigma2: float, *, with_cov: bool = False) -> Posterior:
        gram, xty = self._cross_products()
        nb = self.n_base
        idx = np.concatenate(
            [np.arange(nb), [o + int(p) for o, p in zip(self._offsets, picks, strict=True)]]
        ).astype(int)
        g_mean, g_prec, g_logdet = self.prior.for_picks(picks)
        ng = len(picks)
        mean = np.concatenate([np.zeros(nb), g_mean])
        prec = np.zeros((nb + ng, nb + ng))
        prec[:nb, :nb] = np.diag(self.base_prec)
        prec[nb:, nb:] = g_prec
        post = solve_gram(
            gram[np.ix_(idx, idx)],
            xty[idx],
            float(self.y @ self.y),
            sigma2,
            mean,
            prec,
            with_cov=with_cov,
        )
        # The marginal-ROI prior changes with the candidates, so its normalizer enters the
        # evidence.
        return Posterior(post.mean, post.cov, post.rss, post.neg_log_evidence - 0.5 * g_logdet)


def whiten(
    base: Array,
    media: list[Array],
    y: Array,
    obs: NDArray[np.bool_],
    rho: float,
    base_prec: Array,
    prior: MarginalPrior,
) -> Design:
    """Cochrane-Orcutt: v_t - rho * v_{t-1} on days where both are observed."""
    t = np.flatnonzero(obs[1:] & obs[:-1]) + 1
    return Design(
        base[t] - rho * base[t - 1],
        [m[:, t] - rho * m[:, t - 1] for m in media],
        y[t] - rho * y[t - 1],
        base_prec,
        prior,
    )
