"""A self-contained HTML report of a `DistributionPlan`, for media planners.

Contract: `render_report(plan)` returns one HTML5 document with inline CSS and inline
SVG charts — no scripts, fonts, stylesheets or URLs from outside the file — in which
every piece of plan text (channel names, insights, warnings) is HTML-escaped. It shows
the plan's key figures, planned vs historical spend per channel (chart and table), one
response-curve chart per channel in `plan.response_curves` (channels without a curve
are listed as "no curve (market prior)"), insights, recommendations, warnings and
binding bounds. `write_report(plan, path)` writes that document to `path` (UTF-8).
Both accept any valid plan: no channels, no curves, no history, zeros, long names.
"""

from __future__ import annotations

from agents.report._page import render_report, write_report

__all__ = ["render_report", "write_report"]
