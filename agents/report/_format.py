"""Number formatting and axis ticks for the HTML plan report.

Contract: every function here is pure, total and returns plain text (not yet
HTML-escaped; callers escape). Non-finite inputs are treated as 0 so that a stray
NaN or infinity can never break the page layout. Money uses thousands separators and
the plan's currency code; shares and changes are percentages; ROI has 2 decimals;
axis ticks are "nice" (1, 2, 2.5 or 5 times a power of ten) with k/M/B suffixes.
"""

from __future__ import annotations

import math

__all__ = [
    "compact",
    "finite",
    "money",
    "nice_ticks",
    "outcome",
    "pct",
    "ratio",
    "truncate",
]

DASH = "—"


def finite(x: float | None, default: float = 0.0) -> float:
    """`x` as a float, or `default` when it is None, NaN or infinite."""
    if x is None:
        return default
    value = float(x)
    return value if math.isfinite(value) else default


def _plain(x: float, decimals: int) -> str:
    text = f"{x:,.{decimals}f}"
    if decimals and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def money(x: float | None, currency: str) -> str:
    """`USD 91,000`; amounts below 100 keep 2 decimals (`USD 12.50`); None is a dash."""
    if x is None:
        return DASH
    value = finite(x)
    decimals = 0 if abs(value) >= 100 or value == 0 else 2
    body = f"{value:,.{decimals}f}"
    return f"{currency} {body}".strip()


def compact(x: float | None) -> str:
    """Short form for axes and bar labels: `950`, `12.5k`, `1.2M`, `3B`."""
    if x is None:
        return DASH
    value = finite(x)
    size = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= threshold:
            scaled = value / threshold
            decimals = 0 if abs(scaled) >= 100 else 1 if abs(scaled) >= 10 else 2
            return f"{_plain(scaled, decimals)}{suffix}"
    if size >= 100:
        return _plain(value, 0)
    if size >= 1:
        return _plain(value, 1)
    return _plain(value, 2)


def pct(x: float | None, *, signed: bool = False, decimals: int = 1) -> str:
    """A fraction as a percentage: `0.364` → `36.4%`; `signed` adds `+`; None is a dash."""
    if x is None:
        return DASH
    value = finite(x) * 100
    text = f"{value:+.{decimals}f}%" if signed else f"{value:.{decimals}f}%"
    return text.replace("-", "−")


def ratio(x: float | None) -> str:
    """ROI-style ratio with 2 decimals: `4.42`; None is a dash."""
    if x is None:
        return DASH
    return f"{finite(x):,.2f}"


def outcome(x: float | None, objective: str, currency: str, *, signed: bool = False) -> str:
    """An outcome in the objective's unit: money for revenue, a count for conversions."""
    if x is None:
        return DASH
    value = finite(x)
    sign = "+" if signed and value > 0 else ""
    if objective == "revenue":
        return sign + money(value, currency)
    decimals = 0 if abs(value) >= 100 or value == 0 else 1
    return f"{sign}{value:,.{decimals}f} conv."


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    if limit < 2:
        return text[: max(limit, 0)]
    return text[: limit - 1] + "…"


def _nice_step(raw: float) -> float:
    exponent = math.floor(math.log10(raw))
    base = 10.0**exponent
    fraction = raw / base
    for nice in (1.0, 2.0, 2.5, 5.0):
        if fraction <= nice + 1e-9:
            return nice * base
    return 10.0 * base


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Evenly spaced round ticks covering [lo, hi]; first and last tick are the domain.

    Degenerate ranges (hi <= lo, e.g. all-zero data) get the domain [lo, lo + 1].
    """
    lo, hi = finite(lo), finite(hi)
    if hi <= lo:
        hi = lo + (abs(lo) if lo else 1.0)
    step = _nice_step((hi - lo) / max(count - 1, 1))
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    n = round((stop - start) / step)
    return [start + i * step for i in range(n + 1)]
