"""`mediaplan plan`: exit 2 with a named field on bad input, and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.cli import main


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"campaign": {"campaign_id": "x"}}', "campaign.objective"),
        (
            json.dumps(
                {
                    "campaign": {
                        "campaign_id": "x",
                        "objective": "revenue",
                        "total_budget": 10,
                        "start_date": "2027-01-01",
                        "end_date": "2027-01-10",
                    },
                    "history": [{"date": "2026-01-01", "channel": "meta:feed", "spend": "NaN"}],
                }
            ),
            "history[0].spend",
        ),
        (
            json.dumps(
                {
                    "campaign": {
                        "campaign_id": "x",
                        "objective": "revenue",
                        "total_budget": 10,
                        "start_date": "2027-01-01",
                        "end_date": "2027-01-10",
                        "channels": [
                            {"channel": "meta:feed", "min_spend": 8},
                            {"channel": "meta:reels", "min_spend": 8},
                        ],
                    }
                }
            ),
            "meta:feed min 8.00, meta:reels min 8.00",
        ),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, needle: str
) -> None:
    src = _write(tmp_path / "in.json", content)
    out, report = tmp_path / "plan.json", tmp_path / "plan.html"
    code = main(["plan", "--input", str(src), "--output", str(out), "--report", str(report)])
    assert code == 2
    assert needle in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [src]


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["plan", "--input", str(tmp_path / "nope.json"), "--output", str(tmp_path / "o.json")]
    )
    assert code == 2
    assert "cannot read" in capsys.readouterr().err


def test_plan_writes_plan_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.agents.conftest import small_world

    src = _write(tmp_path / "in.json", json.dumps(small_world()))
    out, report = tmp_path / "out" / "plan.json", tmp_path / "plan.html"
    code = main(
        ["plan", "--input", str(src), "--output", str(out), "--report", str(report), "--no-llm"]
    )
    assert code == 0
    plan = json.loads(out.read_text())
    assert plan["campaign_id"] and plan["allocations"]
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>") and "http://" not in html and "https://" not in html
    assert "wrote" in capsys.readouterr().err


def test_demo_prints_the_plan_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.agents.conftest import small_world

    src = _write(tmp_path / "in.json", json.dumps(small_world()))
    code = main(["demo", "--input", str(src), "--out", str(tmp_path / "demo"), "--no-llm"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Distribution plan" in printed and "google_ads:search" in printed
    assert (tmp_path / "demo" / "plan.json").exists() and (tmp_path / "demo" / "plan.html").exists()
