"""seed_demo: the Northwind advertiser in the store, idempotently, and its CLI."""

from __future__ import annotations

import argparse
import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from agents.contract import PlanningInput
from evals.simulator.examples import northwind
from orchestration.seed_demo import load_demo, main, register, seed_demo
from orchestration.store import Store, UpsertCounts
from orchestration.store._models import Base
from tests.orchestration.store.conftest import Backend, FakeClock


def _table_contents(store: Store) -> dict[str, list[tuple[object, ...]]]:
    with store.engine.connect() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(select(t))), key=repr)
            for t in Base.metadata.sorted_tables
        }


def test_seed_is_idempotent_and_reproduces_the_example(store: Store, clock: FakeClock) -> None:
    campaign_id = seed_demo(store)
    assert campaign_id == "q1-2027-northwind"
    before = _table_contents(store)
    assert len(before["daily_performance"]) == 5110 and len(before["kpi_daily"]) == 730

    clock.advance(days=1)
    again = load_demo(store)
    assert again.campaign == "unchanged"
    assert again.performance == UpsertCounts(unchanged=5110)
    assert again.kpi == UpsertCounts(unchanged=730)
    assert _table_contents(store) == before  # not even updated_at moved

    example = northwind().planning_input
    doc = store.planning_input("demo", campaign_id)
    PlanningInput.model_validate(doc)
    assert doc["kpi"] == example["kpi"]
    assert len(doc["history"]) == len(example["history"])
    ordered = sorted(example["history"], key=lambda r: (r["date"], r["channel"]))
    for got, want in zip(doc["history"], ordered, strict=True):
        assert got == {k: (v if k in ("date", "channel") else float(v)) for k, v in want.items()}
    expected_campaign = {**example["campaign"], "workspace_id": "demo"}
    assert doc["campaign"] == expected_campaign
    _check_platform_ids(store)


def _check_platform_ids(store: Store) -> None:
    day = dt.date(2026, 12, 31)
    rows = store.performance_range("demo", day, day)
    assert len(rows) == 7
    for row in rows:
        if row.platform == "meta":
            assert re.fullmatch(r"act_\d{15}", row.account_id)
            assert re.fullmatch(r"1202\d{14}", row.campaign_id)
        else:
            assert re.fullmatch(r"[1-9]\d{9}", row.account_id)
            assert re.fullmatch(r"[1-9]\d{10}", row.campaign_id)
    assert len({r.campaign_id for r in rows}) == 7  # one platform campaign per channel
    assert len({r.account_id for r in rows}) == 2  # one account per platform


def test_cli(backend: Backend, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--workspace", "cli-demo", "--database-url", backend.url]) == 0
    out = capsys.readouterr().out
    assert "workspace 'cli-demo'" in out and "campaign 'q1-2027-northwind' (inserted)" in out
    assert "5110 new, 0 updated, 0 unchanged" in out and "730 new" in out
    with store.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Base.metadata.tables["campaigns"]))
        assert count.scalar_one() == 1


def test_cli_registration_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="mediaplan")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["seed-demo", "--database-url", "mysql://u:pw@h/db"])
    assert args.workspace == "demo" and args.seed == 2
    assert args.func(args) == 1
    err = capsys.readouterr().err
    assert "unsupported database" in err and "pw" not in err
