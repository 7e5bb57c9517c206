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
