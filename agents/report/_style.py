"""The report's inline stylesheet (one `<style>` block; no external fonts or URLs)."""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
:root {
  --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f3f4f6; --card: #ffffff;
  --plan: #2563eb; --hist: #9ca3af; --point: #ea580c; --good: #15803d; --bad: #b91c1c;
  --warn-bg: #fffbeb; --warn-line: #f59e0b;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 0 0 4px; }
h3 { font-size: 14px; margin: 0; overflow-wrap: anywhere; }
p.lead { color: var(--muted); margin: 0 0 14px; }
section, header.card { background: var(--card); border: 1px solid var(--line);
  border-radius: 10px; padding: 20px 22px; margin: 0 0 18px; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0 16px; }
.chip { background: #eef2ff; color: #3730a3; border-radius: 999px; padding: 2px 10px;
  font-size: 12px; white-space: nowrap; }
.kpis { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; }
@media (max-width: 820px) { .kpis { grid-template-columns: 1fr; } }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.kpi .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.kpi .v { font-size: 20px; font-weight: 600; margin-top: 2px; font-variant-numeric: tabular-nums; }
.kpi .s { color: var(--muted); font-size: 12px; margin-top: 2px; }
.pos { color: var(--good); } .neg { color: var(--bad); }
.meter { display: grid; grid-template-columns: 92px 1fr 40px; align-items: center; gap: 6px;
  font-size: 12px; margin-top: 4px; }
.meter .bar { background: var(--line); border-radius: 4px; height: 7px; overflow: hidden; }
.meter .bar div { background: var(--plan); height: 100%; }
.banner { background: var(--warn-bg); border: 1px solid var(--warn-line); border-radius: 8px;
  padding: 8px 12px; margin-top: 14px; }
.banner a { color: #92400e; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
.tablewrap { overflow-x: auto; margin-top: 14px; }
th, td { padding: 7px 8px; border-bottom: 1px solid var(--line); text-align: right;
  vertical-align: top; font-variant-numeric: tabular-nums; }
th { color: var(--muted); font-weight: 600; font-size: 12px; background: #f9fafb;
  white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
td.name { max-width: 260px; overflow-wrap: anywhere; font-weight: 500; text-align: left; }
td.txt, th.txt { text-align: left; }
td .sub { display: block; color: var(--muted); font-size: 11px; white-space: nowrap; }
tfoot td { font-weight: 600; border-top: 2px solid var(--line); }
.badge { display: inline-block; border-radius: 4px; padding: 1px 7px; font-size: 11px;
  font-weight: 600; background: #f3f4f6; color: #374151; white-space: nowrap; }
.b-min, .b-max, .b-fixed { background: #e0e7ff; color: #3730a3; }
.b-cap { background: #fee2e2; color: #991b1b; }
.a-increase, .a-add { background: #dcfce7; color: #166534; }
.a-decrease, .a-pause { background: #fee2e2; color: #991b1b; }
.a-test { background: #fef3c7; color: #92400e; }
svg.chart { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: #374151; }
svg text.tk { font-size: 11px; fill: var(--muted); }
svg text.lg { font-size: 12px; }
svg text.ch { font-size: 12px; }
svg text.vl { font-size: 11px; fill: #1f2937; }
svg text.nt { font-size: 11px; fill: var(--muted); font-style: italic; }
svg text.ax { font-size: 11px; fill: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 14px;
  margin-top: 14px; }
.cc { border: 1px solid var(--line); border-radius: 8px; padding: 10px 10px 4px; min-width: 0; }
.cc h3 { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.cc .meta { color: var(--muted); font-size: 12px; margin: 2px 0 4px; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; font-size: 12px; color: var(--muted);
  margin-top: 6px; align-items: center; }
.legend svg { vertical-align: middle; margin-right: 4px; }
.nocurve { margin-top: 12px; font-size: 13px; color: var(--muted); }
.nocurve span { overflow-wrap: anywhere; }
ul.plain { margin: 8px 0 0; padding-left: 0; list-style: none; }
ul.plain li { padding: 8px 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
ul.plain li:last-child { border-bottom: 0; }
.ev { color: var(--muted); font-size: 12px; margin-top: 2px; }
.warnings li { background: var(--warn-bg); border-left: 4px solid var(--warn-line);
  padding: 8px 12px; margin: 6px 0; border-radius: 4px; list-style: none; overflow-wrap: anywhere; }
.warnings ul { padding: 0; margin: 8px 0 0; }
.empty { color: var(--muted); font-style: italic; margin: 8px 0 0; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
@media (max-width: 820px) { .cols { grid-template-columns: 1fr; } }
footer { color: var(--muted); font-size: 12px; text-align: center; }
@media print {
  body { background: #fff; } section, header.card { break-inside: avoid; border-color: #ddd; }
  .cc { break-inside: avoid; }
}
"""
