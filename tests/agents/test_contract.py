"""The planning contract accepts valid documents and names what is wrong in invalid ones."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from pydantic import ValidationError

from agents.contract import PlanningInput


def doc(**campaign: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "campaign": {
            "campaign_id": "q1",
            "objective": "revenue",
            "total_budget": 100_000.0,
            "start_date": "2027-01-01",
            "end_date": "2027-03-31",
        },
        "history": [
            {
                "date": "2026-10-01",
                "channel": "google_ads:search",
                "spend": 1520.4,
                "clicks": 2311,
                "conversions": 61.2,
                "revenue": 5230.9,
            },
            {"date": "2026-10-01", "channel": "meta:instagram_reels", "spend": 800.0},
        ],
        "kpi": [{"date": "2026-10-01", "revenue": 41250.0}],
    }
    base["campaign"].update(campaign)
    return base


def errors(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        PlanningInput.model_validate(data)
    return str(info.value)


def test_contract_example_document_is_valid() -> None:
    data = doc(
        channels=[
            {"channel": "google_ads:search"},
            {"channel": "meta:instagram_reels", "min_spend": 20000},
            {"channel": "google_ads:youtube", "max_spend": 40000},
            {"channel": "meta:advantage_plus", "fixed_spend": 15000},
        ],
        goal={"kind": "target_roas", "value": 3.0},
        industry="retail",
        region="US",
        workspace_id="ws-42",
    )
    data["market"] = None
    data["future_field"] = {"anything": 1}
    inp = PlanningInput.model_validate(data)
    assert inp.campaign.flight_days == 90
    assert inp.campaign.currency == "USD"


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d["campaign"].pop("campaign_id"), "campaign.campaign_id"),
        (lambda d: d["campaign"].update(total_budget=-5), "total_budget"),
        (lambda d: d["campaign"].update(objective="clicks"), "objective"),
        (lambda d: d["campaign"].update(end_date="2026-12-01"), "before start_date"),
        (lambda d: d["history"][0].update(spend=-1), "history.0.spend"),
        (lambda d: d["history"][0].update(spend=math.nan), "history.0.spend"),
        (lambda d: d["history"][0].update(date="2026-13-01"), "history.0.date"),
        (lambda d: d["history"][1].update(channel="instagram"), "platform:placement"),
        (lambda d: d["history"][1].update(channel="google_drive:sheets"), "never a channel"),
        (
            lambda d: d["history"].append(dict(d["history"][0])),
            "repeats (date 2026-10-01, channel google_ads:search)",
        ),
        (lambda d: d["campaign"].update(goal={"kind": "target_cpa"}), "needs a positive 'value'"),
    ],
)
def test_invalid_documents_name_the_field(mutate: Any, needle: str) -> None:
    data = copy.deepcopy(doc())
    mutate(data)
    assert needle in errors(data)


def test_infeasible_minimums_name_the_conflicting_bounds() -> None:
    data = doc(
        channels=[
            {"channel": "google_ads:search", "min_spend": 70000},
            {"channel": "meta:instagram_reels", "fixed_spend": 40000},
        ]
    )
    message = errors(data)
    assert "above total_budget" in message
    assert "google_ads:search min 70,000.00" in message
    assert "meta:instagram_reels fixed 40,000.00" in message


def test_infeasible_maximums_under_max_outcome() -> None:
    data = doc(channels=[{"channel": "google_ads:search", "max_spend": 10}])
    assert "below total_budget" in errors(data)
    data["campaign"]["goal"] = {"kind": "target_roas", "value": 2.0}
    PlanningInput.model_validate(data)  # spending less is the point of a target goal


def test_min_above_max_names_the_channel() -> None:
    data = doc(channels=[{"channel": "google_ads:search", "min_spend": 5, "max_spend": 1}])
    assert "google_ads:search: min_spend 5 is above max_spend 1" in errors(data)


def test_empty_history_is_valid() -> None:
    data = doc()
    data["history"] = []
    data.pop("kpi")
    assert PlanningInput.model_validate(data).history == []
