"""Confidence sub-scores in [0, 1], with the meaning the README states.

- `data_quality`: how much the history can tell: its length (a year or more scores
  full), whether a KPI series calibrated the platform reports, the share of planned
  channels fitted from their own history rather than market priors, and the share whose
  spend varied enough to identify a response curve.
- `model_fit`: how well the model explains the KPI: half in-sample R^2, half the
  held-out tail's MAPE (0 % scores 1, 20 % or worse scores 0). Without a KPI series the
  model cannot be checked against the truth and scores 0.3.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["data_quality", "model_fit"]


def data_quality(performance: dict[str, Any], sources: dict[str, str]) -> float:
    days = performance.get("history_days", 0)
    length = min(days / 365.0, 1.0)
    metric: dict[str, Any] = next(iter(performance["metrics"].values()), {})
    kpi = 1.0 if metric.get("kpi_used") else 0.4
    fitted = [ch for ch, src in sources.items() if src == "history"]
    coverage = len(fitted) / max(len(sources), 1)
    facts = performance["channels"]
    varied = [ch for ch in fitted if (facts[ch].get("spend_cv") or 0.0) >= 0.15]
    variation = len(varied) / max(len(fitted), 1) if fitted else 0.0
    return float(np.clip(0.25 * length + 0.3 * kpi + 0.25 * coverage + 0.2 * variation, 0.0, 1.0))


def model_fit(metric: dict[str, Any]) -> float:
    if not metric.get("kpi_used"):
        return 0.3
    r2 = float(np.clip(metric.get("r2") or 0.0, 0.0, 1.0))
    mape = metric.get("holdout_mape")
    tail = 0.5 if mape is None else float(np.clip(1.0 - mape / 0.2, 0.0, 1.0))
    return 0.5 * r2 + 0.5 * tail
