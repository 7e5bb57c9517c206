"""Inline SVG charts for the HTML plan report, generated in pure Python.

Contract: each function returns one complete, self-contained `<svg>` element (no
`xmlns` or other URLs, no scripts) whose text is HTML-escaped. Sizes are in `viewBox`
units and the SVG scales to its container's width. Tooltips are SVG `<title>`
elements. Inputs may be empty, zero or inconsistent (lists of different lengths,
unsorted spend grids); the charts degrade to an empty frame or a note, never raise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from agents.contract import Allocation, CurvePoints
from agents.report._format import compact, finite, money, nice_ticks, outcome, truncate

__all__ = ["allocation_chart", "curve_chart"]

PLAN_COLOR = "#2563eb"
HIST_COLOR = "#9ca3af"
POINT_COLOR = "#ea580c"
MUTED = "#6b7280"
GRID = "#e5e7eb"


def _n(x: float) -> str:
    return f"{x:.1f}"


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _text(x: float, y: float, text: str, *, cls: str = "", anchor: str = "start") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'


def _svg(width: float, height: float, label: str, body: Iterable[str], cls: str) -> str:
    return (
        f'<svg class="{cls}" viewBox="0 0 {_n(width)} {_n(height)}" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">'
        + "".join(body)
        + "</svg>"
    )


def allocation_chart(allocations: Sequence[Allocation], currency: str) -> str:
    """Horizontal grouped bars per channel: planned spend vs the historical mix's spend.

    Channels without `historical_spend` get only the planned bar (and a "no history"
    note when other channels do have one). Long names are truncated; the full name
    is in the row's tooltip.
    """
    width, label_w, right = 960.0, 250.0, 80.0
    x0, x1 = label_w + 12.0, width - right
    has_hist = any(a.historical_spend is not None for a in allocations)
    bar_h = 12.0 if has_hist else 16.0
    row_h = 2 * bar_h + 14.0 if has_hist else bar_h + 14.0
    top = 58.0
    height = top + max(len(allocations), 1) * row_h + 12.0
    values = [finite(a.spend) for a in allocations]
    values += [finite(a.historical_spend) for a in allocations]
    ticks = nice_ticks(0.0, max([0.0, *values]), 6)
    span = ticks[-1] - ticks[0]

    def xpos(v: float) -> float:
        return x0 + (max(finite(v), 0.0) - ticks[0]) / span * (x1 - x0)

    out: list[str] = []
    # Legend.
    out.append(f'<rect x="{_n(x0)}" y="8" width="12" height="12" rx="2" fill="{PLAN_COLOR}"/>')
    out.append(_text(x0 + 18, 18, "Planned spend", cls="lg"))
    if has_hist:
        out.append(
            f'<rect x="{_n(x0 + 140)}" y="8" width="12" height="12" rx="2" fill="{HIST_COLOR}"/>'
        )
        out.append(_text(x0 + 158, 18, "Historical mix (run-rate × flight days)", cls="lg"))
    bottom = top + len(allocations) * row_h
    for i in range(0, len(allocations), 2):  # zebra rows
        out.append(
            f'<rect x="0" y="{_n(top + i * row_h)}" width="{_n(width)}" '
            f'height="{_n(row_h)}" fill="#f8fafc"/>'
        )
    for tick in ticks:
        tx = xpos(tick)
        out.append(
            f'<line x1="{_n(tx)}" y1="{_n(top - 6)}" x2="{_n(tx)}" y2="{_n(bottom)}" '
            f'stroke="{GRID}"/>'
        )
        out.append(_text(tx, top - 12, compact(tick), cls="tk", anchor="middle"))
    for i, alloc in enumerate(allocations):
        y = top + i * row_h + 7.0
        name = alloc.channel
        planned = finite(alloc.spend)
        tip = f"{name}\nplanned: {money(planned, currency)}"
        if alloc.historical_spend is not None:
            tip += f"\nhistorical mix: {money(alloc.historical_spend, currency)}"
        out.append("<g>" + _title(tip))
        out.append(
            _text(label_w, y + (row_h - 14.0) / 2 + 4.0, truncate(name, 36), cls="ch", anchor="end")
        )
        pw = max(xpos(planned) - x0, 0.0)
        out.append(
            f'<rect x="{_n(x0)}" y="{_n(y)}" width="{_n(pw)}" height="{_n(bar_h)}" rx="2" '
            f'fill="{PLAN_COLOR}"/>'
        )
        out.append(_text(x0 + pw + 4, y + bar_h - 2, compact(planned), cls="vl"))
        if has_hist:
            hy = y + bar_h + 2.0
            if alloc.historical_spend is None:
                out.append(_text(x0 + 4, hy + bar_h - 2, "no history", cls="nt"))
            else:
                hist = finite(alloc.historical_spend)
                hw = max(xpos(hist) - x0, 0.0)
                out.append(
                    f'<rect x="{_n(x0)}" y="{_n(hy)}" width="{_n(hw)}" height="{_n(bar_h)}" '
                    f'rx="2" fill="{HIST_COLOR}"/>'
                )
                out.append(_text(x0 + hw + 4, hy + bar_h - 2, compact(hist), cls="vl"))
        out.append("</g>")
    out.append(
        f'<line x1="{_n(x0)}" y1="{_n(top - 6)}" x2="{_n(x0)}" y2="{_n(bottom)}" stroke="{MUTED}"/>'
    )
    label = f"Planned vs historical spend per channel ({currency})"
    return _svg(width, height, label, out, "chart bars")


def _interp(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """Piecewise-linear interpolation on sorted `xs`, clamped at the ends."""
    if not xs:
        return 0.0
    if x <= xs[0]:
        return ys[0]
    for k in range(1, len(xs)):
        if x <= xs[k]:
            dx = xs[k] - xs[k - 1]
            t = (x - xs[k - 1]) / dx if dx > 0 else 1.0
            return ys[k - 1] + t * (ys[k] - ys[k - 1])
    return ys[-1]


def curve_chart(
    name: str,
    curve: CurvePoints,
    alloc: Allocation | None,
    *,
    objective: str,
    currency: str,
) -> str:
    """One small-multiple response curve: mean line, p10–p90 band, planned point,
    historical-spend point, and a dashed "max observed" line at `observed_max_spend`."""
    width, height = 360.0, 236.0
    left, right, top, bottom = 54.0, 14.0, 16.0, 42.0
    px0, px1, py0, py1 = left, width - right, top, height - bottom
    n = min(len(curve.spend), len(curve.mean), len(curve.p10), len(curve.p90))
    rows = sorted(
        (finite(curve.spend[i]), finite(curve.mean[i]), finite(curve.p10[i]), finite(curve.p90[i]))
        for i in range(n)
    )
    xs = [r[0] for r in rows]
    mean = [r[1] for r in rows]
    planned = (finite(alloc.spend), finite(alloc.expected_outcome)) if alloc else None
    hist = finite(alloc.historical_spend) if alloc and alloc.historical_spend is not None else None
    obs = finite(curve.observed_max_spend) if curve.observed_max_spend is not None else None

    markers = (planned[0] if planned else None, hist, obs)
    x_vals = [0.0, *xs, *(v for v in markers if v is not None)]
    y_vals = [0.0, *mean, *(r[2] for r in rows), *(r[3] for r in rows)]
    if planned:
        y_vals.append(planned[1])
    xt = nice_ticks(min(x_vals), max(x_vals), 4)
    yt = nice_ticks(min(y_vals), max(y_vals), 4)

    def sx(v: float) -> float:
        return px0 + (v - xt[0]) / (xt[-1] - xt[0]) * (px1 - px0)

    def sy(v: float) -> float:
        return py1 - (v - yt[0]) / (yt[-1] - yt[0]) * (py1 - py0)

    def fmt_out(v: float) -> str:
        return outcome(v, objective, currency)

    out: list[str] = []
    for tick in yt:
        out.append(
            f'<line x1="{_n(px0)}" y1="{_n(sy(tick))}" x2="{_n(px1)}" y2="{_n(sy(tick))}" '
            f'stroke="{GRID}"/>'
        )
        out.append(_text(px0 - 6, sy(tick) + 4, compact(tick), cls="tk", anchor="end"))
    for tick in xt:
        out.append(
            f'<line x1="{_n(sx(tick))}" y1="{_n(py1)}" x2="{_n(sx(tick))}" y2="{_n(py1 + 4)}" '
            f'stroke="{MUTED}"/>'
        )
        out.append(_text(sx(tick), py1 + 16, compact(tick), cls="tk", anchor="middle"))
    out.append(
        f'<line x1="{_n(px0)}" y1="{_n(py1)}" x2="{_n(px1)}" y2="{_n(py1)}" stroke="{MUTED}"/>'
    )
    out.append(
        _text((px0 + px1) / 2, height - 6, f"flight spend ({currency})", cls="ax", anchor="middle")
    )
    y_label = f"revenue ({currency})" if objective == "revenue" else "conversions"
    yc = (py0 + py1) / 2
    out.append(
        f'<text x="12" y="{_n(yc)}" text-anchor="middle" class="ax" '
        f'transform="rotate(-90 12 {_n(yc)})">{escape(y_label)}</text>'
    )
    if len(rows) >= 2:
        band = [(sx(r[0]), sy(r[3])) for r in rows] + [(sx(r[0]), sy(r[2])) for r in reversed(rows)]
        pts = " ".join(f"{_n(a)},{_n(b)}" for a, b in band)
        out.append(
            f'<polygon points="{pts}" fill="{PLAN_COLOR}" fill-opacity="0.16" stroke="none">'
            + _title("p10–p90 band (80 % interval)")
            + "</polygon>"
        )
        line = " ".join(f"{_n(sx(r[0]))},{_n(sy(r[1]))}" for r in rows)
        out.append(
            f'<polyline points="{line}" fill="none" stroke="{PLAN_COLOR}" stroke-width="2" '
            f'stroke-linejoin="round">' + _title("mean response") + "</polyline>"
        )
    else:
        out.append(
            _text((px0 + px1) / 2, (py0 + py1) / 2, "no curve points", cls="nt", anchor="middle")
        )
    if obs is not None:
        ox = sx(obs)
        out.append(
            f'<line x1="{_n(ox)}" y1="{_n(py0)}" x2="{_n(ox)}" y2="{_n(py1)}" stroke="{MUTED}" '
            f'stroke-dasharray="4 3">' + _title(f"max observed: {money(obs, currency)}") + "</line>"
        )
        near_right = ox > (px0 + px1) / 2
        out.append(
            _text(
                ox + (-4 if near_right else 4),
                py0 + 8,
                "max observed",
                cls="nt",
                anchor="end" if near_right else "start",
            )
        )
    if hist is not None and rows:
        hx, hy = sx(hist), sy(_interp(hist, xs, mean))
        d = 5.5
        out.append(
            f'<polygon points="{_n(hx)},{_n(hy - d)} {_n(hx + d)},{_n(hy)} {_n(hx)},{_n(hy + d)} '
            f'{_n(hx - d)},{_n(hy)}" fill="#ffffff" stroke="{MUTED}" stroke-width="2">'
            + _title(
                f"historical mix: {money(hist, currency)} → ≈ {fmt_out(_interp(hist, xs, mean))}"
            )
            + "</polygon>"
        )
    if planned is not None:
        cx, cy = sx(planned[0]), sy(planned[1])
        lo, hi = alloc.outcome_interval if alloc else (0.0, 0.0)
        out.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(cx)}" y2="{_n(py1)}" '
            f'stroke="{POINT_COLOR}" stroke-dasharray="2 2" stroke-opacity="0.7"/>'
        )
        out.append(
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="5.5" fill="{POINT_COLOR}" stroke="#ffffff" '
            f'stroke-width="1.5">'
            + _title(
                f"planned: {money(planned[0], currency)} → {fmt_out(planned[1])}"
                f"\np10–p90: {fmt_out(lo)} – {fmt_out(hi)}"
            )
            + "</circle>"
        )
    return _svg(width, height, f"Response curve of {name}", out, "chart curve")
