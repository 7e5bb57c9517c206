"""Write a suite's report: `report.json`, `report.md` and `plots/*.svg` under one directory.

Contract: `write_report(out, report, ...)` creates `out` (and `out/plots`) and writes:

- `report.json` (one top-level key per line, one case per line, floats to 6 significant
  digits): `meta` (command, date, machine, commit, wall time), `summary`
  (`evals.metrics.summarize`), `public` (`evals.public.summarize_public`, or null),
  `gate` (or null), `cases` (every scenario's scores, without curves), `public_plans`, and
  `curves` for the plotted scenarios;
- `plots/regret_ecdf.svg`, `plots/interval_positions.svg` and one `plots/curves_<id>.svg`
  per plotted scenario: the simulated scenarios with the median and the highest engine
  regret (`max_outcome`) and the PyMC-Marketing datasets;
- `report.md` (`evals.report.markdown`), linking the plots relatively; with `markdown`
  given, a second copy of the Markdown there (links rewritten relative to it, and the
  commentary block of an existing file there kept).

Files are written whole (temporary file, then rename); `plots/curves_*.svg` left by an
earlier run are removed first. Returns the paths written.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.gate import GateResult
from evals.public import PublicReport, plan_json
from evals.report import plots
from evals.report.markdown import merge_commentary, render_markdown
from evals.runner import ENGINE, CaseResult, SuiteReport

__all__ = ["ReportFiles", "git_commit", "machine", "plotted_cases", "write_report"]


@dataclass(frozen=True)
class ReportFiles:
    json: Path
    markdown: Path
    plots: list[Path]
    markdown_copy: Path | None = None


def machine() -> str:
    """CPU model, cores, Python and OS of this machine."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def git_commit(root: Path | None = None) -> str | None:
    """The checked-out commit (short hash, '+dirty' with local changes), None without git."""
    cwd = root or Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if status else head


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def plotted_cases(report: SuiteReport) -> list[tuple[str, CaseResult]]:
    """(caption, case): the max_outcome cases with the median and the highest engine regret."""
    mo = [
        c
        for c in report.cases
        if c.goal == "max_outcome" and c.curves and math.isfinite(c.score(ENGINE, "regret"))
    ]
    if not mo:
        return []
    ranked = sorted(mo, key=lambda c: c.score(ENGINE, "regret"))
    median, worst = ranked[(len(ranked) - 1) // 2], ranked[-1]
    out = [("median engine regret", median)]
    if worst is not median:
        out.append(("highest engine regret", worst))
    return out


def _clean(value: Any) -> Any:
    """JSON-ready: floats to 6 significant digits, NaN and infinities to None."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _dump(document: dict[str, Any]) -> str:
    """JSON with one top-level key per line and one list item (a case, a plan) per line."""
    parts = []
    for key, value in document.items():
        if isinstance(value, list):
            items = ",\n  ".join(json.dumps(v, separators=(",", ":")) for v in value)
            parts.append(f"{json.dumps(key)}: [\n  {items}\n ]" if value else f'"{key}": []')
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value, separators=(',', ':'))}")
    return "{\n " + ",\n ".join(parts) + "\n}\n"


def write_report(
    out: Path,
    report: SuiteReport,
    *,
    summary: Mapping[str, Any],
    public: PublicReport | None = None,
    public_summary: Mapping[str, Any] | None = None,
    gate: GateResult | None = None,
    meta: Mapping[str, Any] | None = None,
    markdown: Path | None = None,
) -> ReportFiles:
    """Write the report files (see module doc)."""
    info: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "commit": git_commit(),
        **(meta or {}),
    }
    plot_dir = out / "plots"
    for stale in plot_dir.glob("curves_*.svg"):  # scenarios plotted by an earlier run
        stale.unlink()
    written: list[Path] = []
    captions: dict[str, Path] = {}

    def plot(name: str, caption: str, svg: str) -> None:
        path = plot_dir / name
        _write(path, svg)
        written.append(path)
        captions[caption] = path

    plot(
        "regret_ecdf.svg",
        "Regret distribution: engine against the baselines",
        plots.regret_ecdf(report),
    )
    plot(
        "interval_positions.svg",
        "Where the truth fell in the 80 % interval",
        plots.interval_positions(report),
    )
    curves_json: dict[str, Any] = {}
    for caption, case in plotted_cases(report):
        title = f"{case.id} (seed {case.seed}, {caption}): engine curves against the truth"
        plot(
            f"curves_{case.id}.svg",
            f"Recovered against true curves: {case.id}",
            plots.curves(title, case.curves),
        )
        curves_json[case.id] = case.curves
    if public is not None:
        for p in public.plans:
            if p.resample is None and p.curves:
                title = f"{p.dataset}: engine curves against the true DGP (money units)"
                plot(
                    f"curves_{p.dataset}.svg",
                    f"Recovered against true curves: {p.dataset}",
                    plots.curves(title, p.curves),
                )
                curves_json[p.dataset] = p.curves

    document = {
        "meta": info,
        "summary": summary,
        "public": public_summary,
        "gate": None if gate is None else gate.to_json(),
        "cases": [c.to_json() for c in report.cases],
        "public_plans": [] if public is None else [plan_json(p) for p in public.plans],
        "curves": curves_json,
    }
    json_path = out / "report.json"
    _write(json_path, _dump(_clean(document)))

    def render(base: Path) -> str:
        rel = {c: os.path.relpath(p, base).replace(os.sep, "/") for c, p in captions.items()}
        return render_markdown(info, summary, public_summary, gate, rel)

    md_path = out / "report.md"
    _write(md_path, render(out))
    copy: Path | None = None
    if markdown is not None:
        old = markdown.read_text(encoding="utf-8") if markdown.exists() else None
        _write(markdown, merge_commentary(render(markdown.parent), old))
        copy = markdown
    return ReportFiles(json_path, md_path, written, copy)
