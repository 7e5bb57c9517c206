"""Runner, summary and report files on a tiny suite (in-process, two scenarios)."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from evals.gate import Threshold, check_gate
from evals.metrics import TARGETS, gate_metrics, summarize
from evals.public import PublicReport, run_public, summarize_public
from evals.public.datasets import default_root
from evals.report.markdown import COMMENTARY_END, COMMENTARY_START, merge_commentary
from evals.report.terminal import print_summary
from evals.report.write import write_report
from evals.runner import ENGINE, SuiteReport, run_case, run_suite
from evals.scenarios import smoke_suite


@pytest.fixture(scope="module")
def report() -> SuiteReport:
    smoke = smoke_suite()
    return run_suite([smoke[0], smoke[6]], processes=1, name="tiny")


@pytest.fixture(scope="module")
def public() -> PublicReport | None:
    if not default_root().is_dir():
        return None
    return run_public(
        processes=1, resamples=2, datasets=("pymc_mmm_roas_data", "meridian_national_media")
    )


def test_cases_carry_every_planner_and_score(report: SuiteReport) -> None:
    assert [c.id for c in report.cases] == ["smoke-01", "smoke-07"]
    for case in report.cases:
        assert case.error is None
        assert set(case.candidates) == {ENGINE, "historical_mix", "equal_split", "greedy_roas"}
        assert case.engine is not None and case.curves
        assert case.candidates[ENGINE].passed["constraints"]
    assert report.cases[1].goal == "target_roas"
    assert math.isfinite(report.cases[1].score(ENGINE, "target_attainment"))


def test_the_engine_is_deterministic(report: SuiteReport) -> None:
    again = run_case(smoke_suite()[0])
    first = report.cases[0]
    assert again.candidates[ENGINE].allocation == first.candidates[ENGINE].allocation
    assert again.score(ENGINE, "regret") == first.score(ENGINE, "regret")


def test_summary_has_targets_and_gate_figures(report: SuiteReport) -> None:
    summary = summarize(report)
    assert summary["n"] == 2 and summary["n_target"] == 1
    assert [t["id"] for t in summary["targets"]] == [t[0] for t in TARGETS]
    figures = gate_metrics(summary)
    assert figures["constraint_satisfaction"] == 1.0
    assert figures["engine_errors"] == 0
    json.dumps(summary, allow_nan=False)  # NaN written as null
    gate = check_gate(summary, [Threshold("median_regret", "<=", -1.0, "impossible")])
    assert not gate.passed and "median_regret" in gate.describe()
    assert not check_gate(summary, [Threshold("no_such_metric", ">=", 0.0)]).passed


def test_report_files(report: SuiteReport, public: PublicReport | None, tmp_path: Path) -> None:
    summary = summarize(report)
    public_summary = None if public is None else summarize_public(public)
    extra = tmp_path / "docs" / "RESULTS.md"
    extra.parent.mkdir()
    extra.write_text(f"old\n{COMMENTARY_START}\nkeep me\n{COMMENTARY_END}\n")
    files = write_report(
        tmp_path / "out",
        report,
        summary=summary,
        public=public,
        public_summary=public_summary,
        meta={"command": "mediaplan eval --suite tiny", "wall_s": 1.0},
        markdown=extra,
    )
    doc = json.loads(files.json.read_text())
    assert set(doc) >= {"meta", "summary", "public", "gate", "cases", "curves"}
    assert len(doc["cases"]) == 2
    md = files.markdown.read_text()
    assert "## Targets" in md and "mediaplan eval --suite tiny" in md
    for plot in files.plots:
        ET.fromstring(plot.read_text())  # well-formed SVG
        assert f"(plots/{plot.name})" in md
    copy = extra.read_text()
    assert "keep me" in copy and "(../out/plots/regret_ecdf.svg)" in copy
    if public_summary is not None:
        assert "pymc_mmm_roas_data" in public_summary["truth"]
        stab = public_summary["stability"]["meridian_national_media"]
        assert stab["bootstrap"]["n"] == 2
        assert "PyMC-Marketing" in md
    console = Console(record=True, width=120)
    print_summary(console, summary, public_summary, None)
    assert "Targets" in console.export_text()


def test_merge_commentary() -> None:
    new = f"a\n{COMMENTARY_START}\nplaceholder\n{COMMENTARY_END}\nb\n"
    old = f"x\n{COMMENTARY_START}\nmine\n{COMMENTARY_END}\ny\n"
    assert merge_commentary(new, old) == f"a\n{COMMENTARY_START}\nmine\n{COMMENTARY_END}\nb\n"
    assert merge_commentary(new, None) == new
    assert merge_commentary(new, "no markers") == new
