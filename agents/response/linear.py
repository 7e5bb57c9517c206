"""Bayesian linear regression with a Gaussian prior: the inner solve of every fit.

Contract: `solve_gram(xtx, xty, yty, sigma2, prior_mean, prior_precision)` returns the
Gaussian posterior of the coefficients (mean and covariance), the residual sum of
squares, and the negative log evidence up to terms that do not depend on the design,
from the cross-products alone, so a fit that tries many column subsets of one design
pays for X^T X once. `solve_posterior(X, y, ...)` is the same from the data. Columns
with zero prior precision are flat (the intercept).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import solve_triangular

__all__ = ["Posterior", "solve_gram", "solve_posterior"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Posterior:
    mean: Array
    cov: Array
    rss: float
    neg_log_evidence: float


def solve_gram(
    xtx: Array,
    xty: Array,
    yty: float,
    sigma2: float,
    prior_mean: Array,
    prior_precision: Array,
    *,
    with_cov: bool = True,
) -> Posterior:
    """The posterior from cross-products; `with_cov=False` skips the covariance (NaN)."""
    k = len(xty)
    precision = xtx / sigma2 + prior_precision
    rhs = xty / sigma2 + prior_precision @ prior_mean
    chol = np.linalg.cholesky(precision + 1e-10 * np.eye(k))
    half = solve_triangular(chol, rhs, lower=True, check_finite=False)
    mean = solve_triangular(chol.T, half, lower=False, check_finite=False)
    rss = max(float(yty - 2.0 * mean @ xty + mean @ xtx @ mean), 0.0)
    dev = mean - prior_mean
    penalty = float(dev @ prior_precision @ dev)
    log_det = 2.0 * float(np.log(np.diag(chol)).sum())
    if with_cov:
        inv_chol = solve_triangular(chol, np.eye(k), lower=True, check_finite=False)
        cov = inv_chol.T @ inv_chol
    else:
        cov = np.full((k, k), np.nan)
    nle = 0.5 * (rss / sigma2 + penalty + log_det)
    return Posterior(mean=mean, cov=cov, rss=rss, neg_log_evidence=nle)


def solve_posterior(
    x: Array, y: Array, sigma2: float, prior_mean: Array, prior_precision: Array
) -> Posterior:
    return solve_gram(x.T @ x, x.T @ y, float(y @ y), sigma2, prior_mean, prior_precision)
