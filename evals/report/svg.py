"""A minimal SVG line-chart writer (no plotting library is a dependency of this project).

Contract: `Chart(title, x_range, y_range, ...)` maps data coordinates to a
`width x height` canvas with margins; `line`, `band`, `vline`, `bars` and `legend` add
elements in data coordinates; `svg()` returns a standalone SVG document (UTF-8 text,
`viewBox` set, fonts generic) with axes, "nice" ticks (1-2-5 steps) and the axis labels.
The legend (labelled elements) sits in a framed box at the top or bottom right.
`grid(charts, columns)` lays several charts out in one SVG document. Coordinates outside
the ranges are clipped to the plot area. Output is deterministic for the same input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

__all__ = ["PALETTE", "Chart", "grid", "nice_ticks"]

PALETTE = ("#1f6feb", "#d1242f", "#8250df", "#1a7f37", "#bf8700", "#57606a")
_FONT = "font-family='Helvetica,Arial,sans-serif'"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About `count` round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    t = first
    while t <= hi + 1e-9 * step:
        ticks.append(round(t, 12))
        t += step
    return ticks


def _fmt(v: float, percent: bool) -> str:
    if percent:
        return f"{v * 100:.0f}%" if abs(v) >= 0.1 or v == 0 else f"{v * 100:.1f}%"
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.3g}M"
    if a >= 1e3:
        return f"{v / 1e3:.3g}k"
    return f"{v:.3g}"


@dataclass
class Chart:
    """One chart in data coordinates (see module doc)."""

    title: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_label: str = ""
    y_label: str = ""
    width: int = 520
    height: int = 320
    x_percent: bool = False
    y_percent: bool = False
    margin: tuple[int, int, int, int] = (34, 16, 44, 58)  # top, right, bottom, left
    legend_at: str = "top-right"  # or "bottom-right"
    _body: list[str] = field(default_factory=list, repr=False)
    _legend: list[tuple[str, str, str]] = field(default_factory=list, repr=False)

    @property
    def _plot(self) -> tuple[float, float, float, float]:
        top, right, bottom, left = self.margin
        return left, top, self.width - left - right, self.height - top - bottom

    def _sx(self, x: float) -> float:
        left, _, w, _ = self._plot
        lo, hi = self.x_range
        x = min(max(x, lo), hi)
        return left + (x - lo) / (hi - lo) * w if hi > lo else left

    def _sy(self, y: float) -> float:
        _, top, _, h = self._plot
        lo, hi = self.y_range
        y = min(max(y, lo), hi)
        return top + h - (y - lo) / (hi - lo) * h if hi > lo else top + h

    def _points(self, xs: Sequence[float], ys: Sequence[float]) -> str:
        return " ".join(
            f"{self._sx(x):.1f},{self._sy(y):.1f}"
            for x, y in zip(xs, ys, strict=True)
            if math.isfinite(x) and math.isfinite(y)
        )

    def line(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        color: str,
        label: str = "",
        *,
        width: float = 2.0,
        dash: str = "",
        step: bool = False,
    ) -> None:
        """A polyline (a staircase when `step`)."""
        if step and xs:
            sx: list[float] = [xs[0]]
            sy: list[float] = [ys[0]]
            for i in range(1, len(xs)):
                sx += [xs[i], xs[i]]
                sy += [ys[i - 1], ys[i]]
            xs, ys = sx, sy
        dashed = f" stroke-dasharray='{dash}'" if dash else ""
        self._body.append(
            f"<polyline fill='none' stroke='{color}' stroke-width='{width}'{dashed} "
            f"stroke-linejoin='round' points='{self._points(xs, ys)}'/>"
        )
        if label:
            self._legend.append((label, color, dash))

    def band(
        self,
        xs: Sequence[float],
        lo: Sequence[float],
        hi: Sequence[float],
        color: str,
        label: str = "",
        opacity: float = 0.18,
    ) -> None:
        """A filled band between `lo` and `hi`."""
        pts = self._points(list(xs) + list(xs)[::-1], list(hi) + list(lo)[::-1])
        self._body.append(
            f"<polygon fill='{color}' fill-opacity='{opacity}' stroke='none' points='{pts}'/>"
        )
        if label:
            self._legend.append((label, color, "band"))

    def vline(self, x: float, color: str, label: str = "", dash: str = "4 3") -> None:
        _, top, _, h = self._plot
        sx = self._sx(x)
        self._body.append(
            f"<line x1='{sx:.1f}' x2='{sx:.1f}' y1='{top:.1f}' y2='{top + h:.1f}' "
            f"stroke='{color}' stroke-width='1.5' stroke-dasharray='{dash}'/>"
        )
        if label:
            self._legend.append((label, color, dash))

    def legend_entry(self, label: str, color: str, dash: str = "") -> None:
        """A legend line without an element (for marks that may be absent in this chart)."""
        self._legend.append((label, color, dash))

    def bars(self, edges: Sequence[float], counts: Sequence[float], color: str) -> None:
        """A histogram: bar i spans [edges[i], edges[i+1]] with height counts[i]."""
        for i, c in enumerate(counts):
            x0, x1 = self._sx(edges[i]), self._sx(edges[i + 1])
            y0, y1 = self._sy(c), self._sy(self.y_range[0])
            self._body.append(
                f"<rect x='{x0 + 0.5:.1f}' y='{y0:.1f}' width='{max(x1 - x0 - 1, 0):.1f}' "
                f"height='{max(y1 - y0, 0):.1f}' fill='{color}' fill-opacity='0.75'/>"
            )

    def text(self, x: float, y: float, content: str, color: str = "#57606a") -> None:
        self._body.append(
            f"<text x='{self._sx(x):.1f}' y='{self._sy(y):.1f}' font-size='10' {_FONT} "
            f"fill='{color}'>{escape(content)}</text>"
        )

    def _axes(self) -> list[str]:
        left, top, w, h = self._plot
        out = [
            f"<rect x='{left}' y='{top}' width='{w}' height='{h}' fill='white' stroke='#d0d7de'/>"
        ]
        for t in nice_ticks(*self.x_range):
            sx = self._sx(t)
            out.append(
                f"<line x1='{sx:.1f}' x2='{sx:.1f}' y1='{top}' y2='{top + h}' stroke='#eaeef2'/>"
            )
            out.append(
                f"<text x='{sx:.1f}' y='{top + h + 14}' font-size='10' text-anchor='middle' "
                f"{_FONT} fill='#57606a'>{_fmt(t, self.x_percent)}</text>"
            )
        for t in nice_ticks(*self.y_range):
            sy = self._sy(t)
            out.append(
                f"<line x1='{left}' x2='{left + w}' y1='{sy:.1f}' y2='{sy:.1f}' stroke='#eaeef2'/>"
            )
            out.append(
                f"<text x='{left - 6}' y='{sy + 3:.1f}' font-size='10' text-anchor='end' "
                f"{_FONT} fill='#57606a'>{_fmt(t, self.y_percent)}</text>"
            )
        out.append(
            f"<text x='{left + w / 2:.1f}' y='{self.height - 8}' font-size='11' "
            f"text-anchor='middle' {_FONT} fill='#24292f'>{escape(self.x_label)}</text>"
        )
        out.append(
            f"<text transform='translate(14,{top + h / 2:.1f}) rotate(-90)' font-size='11' "
            f"text-anchor='middle' {_FONT} fill='#24292f'>{escape(self.y_label)}</text>"
        )
        out.append(
            f"<text x='{left}' y='{top - 12}' font-size='12' font-weight='bold' {_FONT} "
            f"fill='#24292f'>{escape(self.title)}</text>"
        )
        return out

    def _legend_svg(self) -> list[str]:
        if not self._legend:
            return []
        left, top, w, h = self._plot
        box_w, box_h = 156, 14 * len(self._legend) + 8
        x0 = left + w - box_w - 4
        y0 = top + 4 if self.legend_at == "top-right" else top + h - box_h - 4
        out = [
            f"<rect x='{x0}' y='{y0}' width='{box_w}' height='{box_h}' fill='white' "
            "fill-opacity='0.88' stroke='#d0d7de'/>"
        ]
        x, y = x0 + 6, y0 + 14
        for label, color, style in self._legend:
            if style == "band":
                out.append(
                    f"<rect x='{x}' y='{y - 6}' width='18' height='8' fill='{color}' "
                    "fill-opacity='0.25'/>"
                )
            else:
                dashed = f" stroke-dasharray='{style}'" if style else ""
                out.append(
                    f"<line x1='{x}' x2='{x + 18}' y1='{y - 2}' y2='{y - 2}' stroke='{color}' "
                    f"stroke-width='2'{dashed}/>"
                )
            out.append(
                f"<text x='{x + 24}' y='{y + 2}' font-size='10' {_FONT} "
                f"fill='#24292f'>{escape(label)}</text>"
            )
            y += 14
        return out

    def elements(self) -> list[str]:
        """The chart's SVG elements, in its own coordinate system."""
        return self._axes() + self._body + self._legend_svg()

    def svg(self) -> str:
        return _document(self.width, self.height, self.elements())


def _document(width: int, height: int, elements: list[str]) -> str:
    body = "\n".join(elements)
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}'>\n<rect width='100%' height='100%' fill='white'/>\n"
        f"{body}\n</svg>\n"
    )


def grid(charts: Sequence[Chart], columns: int = 2, title: str = "") -> str:
    """Several charts in one SVG document, `columns` per row."""
    if not charts:
        return _document(10, 10, [])
    cw = max(c.width for c in charts)
    ch = max(c.height for c in charts)
    head = 28 if title else 0
    rows = math.ceil(len(charts) / columns)
    parts: list[str] = []
    if title:
        parts.append(
            f"<text x='10' y='20' font-size='14' font-weight='bold' {_FONT} "
            f"fill='#24292f'>{escape(title)}</text>"
        )
    for i, chart in enumerate(charts):
        x, y = (i % columns) * cw, head + (i // columns) * ch
        parts.append(f"<g transform='translate({x},{y})'>")
        parts.extend(chart.elements())
        parts.append("</g>")
    return _document(cw * min(columns, len(charts)), head + rows * ch, parts)
