"""Bayesian linear regression with a Gaussian prior: the inner solve of every fit.

Contract: `solve_posterior(X, y, sigma2, prior_mean, prior_precision)` returns the
Gaussian posterior of the coefficients (mean and covariance) and the negative log
evidence up to terms that do not depend on X's columns, so fits that differ only in
how media columns were transformed can be compared on it. Columns with zero prior
precision are flat (the intercept).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Posterior", "solve_posterior"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Posterior:
    mean: Array
    cov: Array
    rss: float
    neg_log_evidence: float


def solve_posterior(
    x: Array, y: Array, sigma2: float, prior_mean: Array, prior_precision: Array
) -> Posterior:
    xtx = x.T @ x
    xty = x.T @ y
    precision = xtx / sigma2 + prior_precision
    rhs = xty / sigma2 + prior_precision @ prior_mean
    chol = np.linalg.cholesky(precision + 1e-10 * np.eye(len(precision)))
    mean = np.linalg.solve(chol.T, np.linalg.solve(chol, rhs))
    resid = y - x @ mean
    rss = float(resid @ resid)
    dev = mean - prior_mean
    penalty = float(dev @ prior_precision @ dev)
    log_det = 2.0 * float(np.log(np.diag(chol)).sum())
    inv_chol = np.linalg.solve(chol, np.eye(len(precision)))
    cov = inv_chol.T @ inv_chol
    nle = 0.5 * (rss / sigma2 + penalty + log_det)
    return Posterior(mean=mean, cov=cov, rss=rss, neg_log_evidence=nle)
