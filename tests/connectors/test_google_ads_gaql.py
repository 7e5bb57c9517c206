"""The sandbox's GAQL parser and evaluator, and the connector's queries against them."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.google_ads import queries
from connectors.sandbox.google_ads import GaqlError, GoogleAdsState, evaluate, parse_gaql
from connectors.sandbox.google_ads.gaql import Condition, Ordering
from connectors.sandbox.google_ads.state import ChangeStatusQueryError
from tests.connectors.google_ads_fixtures import CUSTOMER_ID, START, make_data


def test_parses_every_supported_clause() -> None:
    query = parse_gaql(
        "select campaign.id, campaign.name, segments.date FROM campaign "
        "WHERE segments.date BETWEEN '2025-01-01' AND '2025-01-31' "
        "and campaign.status IN (ENABLED, 'PAUSED') AND campaign.id NOT IN (1, 2) "
        'AND metrics.clicks >= 10 AND metrics.cost_micros < 5.5 AND campaign.name != "x\\"y" '
        "AND metrics.impressions > 0 AND metrics.conversions <= 3 AND campaign.id = 1001 "
        "ORDER BY segments.date DESC, campaign.id LIMIT 25"
    )
    assert query.select == ("campaign.id", "campaign.name", "segments.date")
    assert query.resource == "campaign"
    assert query.where == (
        Condition("segments.date", "BETWEEN", ("2025-01-01", "2025-01-31")),
        Condition("campaign.status", "IN", ("ENABLED", "PAUSED")),
        Condition("campaign.id", "NOT IN", (1, 2)),
        Condition("metrics.clicks", ">=", (10,)),
        Condition("metrics.cost_micros", "<", (5.5,)),
        Condition("campaign.name", "!=", ('x"y',)),
        Condition("metrics.impressions", ">", (0,)),
        Condition("metrics.conversions", "<=", (3,)),
        Condition("campaign.id", "=", (1001,)),
    )
    assert query.order_by == (Ordering("segments.date", True), Ordering("campaign.id"))
    assert query.limit == 25


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("FROM campaign", "EXPECTED_SELECT"),
        ("SELECT campaign.id", "EXPECTED_FROM"),
        ("SELECT campaign.id FROM", "UNEXPECTED_END_OF_QUERY"),
        ("SELECT campaign.id campaign", "EXPECTED_FROM"),
        (
            "SELECT campaign.id FROM campaign WHERE campaign.id = 1 OR campaign.id = 2",
            "BAD_OPERATOR",
        ),
        ("SELECT campaign.id FROM campaign WHERE campaign.name LIKE 'a%'", "BAD_OPERATOR"),
        ("SELECT campaign.id FROM campaign WHERE campaign.name = 'open", "STRING_NOT_TERMINATED"),
        ("SELECT campaign.id FROM campaign LIMIT 0", "BAD_LIMIT_VALUE"),
        ("SELECT campaign.id FROM campaign LIMIT 1.5", "BAD_LIMIT_VALUE"),
        (
            "SELECT campaign.id FROM campaign WHERE campaign.id IN ()",
            "PROHIBITED_EMPTY_LIST_IN_CONDITION",
        ),
        ("SELECT campaign.id FROM campaign WHERE campaign.id IN 1", "EXPECTED_LIST"),
        ("SELECT campaign.id FROM campaign.x", "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE"),
        ("SELECT campaign.id FROM campaign LIMIT 5 extra", "UNEXPECTED_INPUT"),
        ("SELECT campaign.id; FROM campaign", "BAD_SYMBOL"),
        ("SELECT FROM campaign", "BAD_FIELD_NAME"),
        (
            "SELECT campaign.id FROM campaign WHERE segments.date BETWEEN 1",
            "EXPECTED_VALUE_WITH_BETWEEN_OPERATOR",
        ),
    ],
)
def test_rejects_what_it_cannot_run(text: str, code: str) -> None:
    with pytest.raises(GaqlError) as caught:
        parse_gaql(text)
    assert caught.value.code == code


def test_evaluates_with_typed_comparisons_order_and_limit() -> None:
    rows = [
        {"id": 3, "day": dt.date(2025, 1, 3), "on": True, "name": "c"},
        {"id": 1, "day": dt.date(2025, 1, 1), "on": False, "name": "a"},
        {"id": 2, "day": dt.date(2025, 1, 2), "on": True, "name": None},
        {"id": 4, "day": dt.date(2025, 2, 1), "on": True, "name": "d"},
    ]
    query = parse_gaql(
        "SELECT id FROM t WHERE day BETWEEN '2025-01-01' AND '2025-01-31' AND on = TRUE "
        "ORDER BY name DESC"
    )
    assert [r["id"] for r in evaluate(query, rows)] == [3, 2]  # a missing value sorts last
    limited = parse_gaql("SELECT id FROM t WHERE id > 1 ORDER BY id DESC LIMIT 2")
    assert [r["id"] for r in evaluate(limited, rows)] == [4, 3]
    stamps = [{"t": dt.datetime(2025, 1, 1, 12, 0, 0, 5)}, {"t": dt.datetime(2025, 1, 1, 11)}]
    since = parse_gaql("SELECT t FROM x WHERE t >= '2025-01-01 12:00:00'")
    assert evaluate(since, stamps) == [stamps[0]]
    with pytest.raises(GaqlError) as caught:
        evaluate(parse_gaql("SELECT id FROM t WHERE day = 'soon'"), rows)
    assert caught.value.code == "INVALID_DATE_FORMAT"


def test_every_connector_query_runs_in_the_sandbox() -> None:
    state = GoogleAdsState(make_data(campaigns=3, days=5))
    now = dt.datetime.now()
    texts = [
        queries.CUSTOMER_QUERY,
        queries.CUSTOMER_CLIENTS_QUERY,
        queries.CAMPAIGNS_QUERY,
        queries.campaign_query(1001),
        queries.daily_performance_query(START, START + dt.timedelta(days=2)),
        queries.change_status_query(now - dt.timedelta(days=1), now, 100),
    ]
    counts = [len(state.run_query(CUSTOMER_ID, parse_gaql(text))) for text in texts]
    assert counts == [1, 0, 3, 1, 9, 0]


def test_query_builders_validate_their_inputs() -> None:
    with pytest.raises(ValueError):
        queries.daily_performance_query(START, START - dt.timedelta(days=1))
    with pytest.raises(ValueError):
        queries.change_status_query(dt.datetime(2025, 1, 1), dt.datetime(2025, 1, 2), 10_001)


def test_metrics_without_segments_date_aggregate_per_campaign() -> None:
    state = GoogleAdsState(make_data(campaigns=2, days=4, second_customer=False))
    query = parse_gaql(
        "SELECT campaign.id, metrics.clicks, metrics.cost_micros FROM campaign "
        "WHERE segments.date BETWEEN '2025-01-02' AND '2025-01-03' AND metrics.clicks > 100 "
        "ORDER BY campaign.id"
    )
    rows = state.run_query(CUSTOMER_ID, query)
    assert [(r["campaign.id"], r["metrics.clicks"]) for r in rows] == [(1001, 102)]
    assert rows[0]["metrics.cost_micros"] == (11.25 + 11.5) * 1_000_000
    assert "segments.date" not in rows[0]


@pytest.mark.parametrize(
    ("text", "error", "code"),
    [
        ("SELECT campaign.bogus FROM campaign", GaqlError, "UNRECOGNIZED_FIELD"),
        ("SELECT ad_group.id FROM ad_group", GaqlError, "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE"),
        ("SELECT segments.date FROM campaign", GaqlError, "EXPECTED_FILTERS_ON_DATE_RANGE"),
        (
            "SELECT change_status.resource_name FROM change_status "
            "WHERE change_status.last_change_date_time >= '{recent}'",
            ChangeStatusQueryError,
            "LIMIT_NOT_SPECIFIED",
        ),
        (
            "SELECT change_status.resource_name FROM change_status "
            "WHERE change_status.last_change_date_time >= '{recent}' LIMIT 10001",
            ChangeStatusQueryError,
            "INVALID_LIMIT_CLAUSE",
        ),
        (
            "SELECT change_status.resource_name FROM change_status LIMIT 10",
            ChangeStatusQueryError,
            "CHANGE_DATE_RANGE_INFINITE",
        ),
        (
            "SELECT change_status.resource_name FROM change_status "
            "WHERE change_status.last_change_date_time >= '{old}' LIMIT 10",
            ChangeStatusQueryError,
            "START_DATE_TOO_OLD",
        ),
    ],
)
def test_the_sandbox_rejects_queries_like_the_api(
    text: str, error: type[Exception], code: str
) -> None:
    state = GoogleAdsState(make_data(campaigns=1, days=1))
    now = dt.datetime.now()
    recent, old = now - dt.timedelta(days=1), now - dt.timedelta(days=91)
    query = parse_gaql(text.format(recent=recent.isoformat(" "), old=old.isoformat(" ")))
    with pytest.raises(error) as caught:
        state.run_query(CUSTOMER_ID, query)
    assert getattr(caught.value, "code", None) == code
