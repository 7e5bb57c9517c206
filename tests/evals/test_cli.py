"""`mediaplan eval`: registration, a tiny run, the gate's exit status, LLM configuration."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from evals.cli import cmd_eval, main, register


def test_register_adds_the_eval_subcommand() -> None:
    parser = argparse.ArgumentParser(prog="mediaplan")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(["eval", "--suite", "full", "--out", "x", "--gate"])
    assert args.func is cmd_eval
    assert args.suite == "full" and args.out == Path("x") and args.public is None


def test_a_tiny_run_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "r"
    code = main(["eval", "--suite", "smoke", "--limit", "2", "--processes", "1", "--out", str(out)])
    assert code == 0
    doc = json.loads((out / "report.json").read_text())
    assert doc["summary"]["n"] == 2
    assert doc["public"] is None  # not by default with the smoke suite
    assert " eval --suite smoke --out " in doc["meta"]["command"]
    assert (out / "report.md").exists() and (out / "plots" / "regret_ecdf.svg").exists()


def test_a_failed_gate_exits_1(tmp_path: Path) -> None:
    thresholds = tmp_path / "t.json"
    thresholds.write_text(
        json.dumps(
            {
                "suite": "smoke",
                "thresholds": [{"metric": "median_regret", "op": "<", "value": -1, "source": "x"}],
            }
        )
    )
    argv = ["eval", "--limit", "1", "--processes", "1", "--out", str(tmp_path / "r")]
    assert main([*argv, "--gate", str(thresholds)]) == 1


def test_llm_without_configuration_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEDIAPLAN_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("MEDIAPLAN_LLM_MODEL", raising=False)
    assert main(["eval", "--llm", "--out", str(tmp_path / "r")]) == 2
