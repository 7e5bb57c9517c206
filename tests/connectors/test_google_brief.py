"""Reading campaign plans from sheet rows: the documented layout, messy variants, clear errors."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.errors import SheetFormatError
from connectors.google_drive import parse_campaign_brief
from connectors.google_drive.cells import normalize_label, parse_date, parse_number
from connectors.records import CampaignBrief, ChannelBound

DOCUMENTED: list[list[object]] = [
    ["Campaign ID", "q3-2026-northwind"],
    ["Campaign name", "Northwind Q3 always-on"],
    ["Objective", "revenue"],
    ["Total budget", 250000],
    ["Currency", "USD"],
    ["Start date", "2026-07-01"],
    ["End date", "2026-09-30"],
    ["Goal", "target ROAS"],
    ["Target", 3.0],
    ["Industry", "retail"],
    ["Region", "US"],
    [],
    ["Channel", "Min spend", "Max spend", "Fixed spend"],
    ["google_ads:search", 20000],
    ["meta:instagram_reels", None, 60000],
    ["meta:advantage_plus", None, None, 15000],
]
EXPECTED = CampaignBrief(
    source_id="sheet-1",
    campaign_id="q3-2026-northwind",
    name="Northwind Q3 always-on",
    objective="revenue",
    total_budget=250000.0,
    currency="USD",
    start_date=dt.date(2026, 7, 1),
    end_date=dt.date(2026, 9, 30),
    channels=[
        ChannelBound(channel="google_ads:search", min_spend=20000.0),
        ChannelBound(channel="meta:instagram_reels", max_spend=60000.0),
        ChannelBound(channel="meta:advantage_plus", fixed_spend=15000.0),
    ],
    goal_kind="target_roas",
    goal_value=3.0,
    industry="retail",
    region="US",
)


def brief(rows: list[list[object]], **more: list[list[object]]) -> CampaignBrief:
    return parse_campaign_brief("sheet-1", {"Plan": rows, **more}, title="Q3 plan")


def with_cell(row: int, col: int, value: object) -> list[list[object]]:
    rows = [list(r) for r in DOCUMENTED]
    rows[row] = rows[row] + [None] * (col + 1 - len(rows[row]))
    rows[row][col] = value
    return rows


def test_the_documented_layout() -> None:
    assert brief(DOCUMENTED) == EXPECTED


def test_a_messy_sheet_reads_the_same() -> None:
    rows: list[list[object]] = [
        ["NORTHWIND — Q3 PLAN", None, None, "owner: ana"],
        [],
        [None, "  campaign   ID: ", None, "q3-2026-northwind"],
        [None, "Campaign Name", "Northwind Q3 always-on", "note: draft"],
        [None, "OBJECTIVE*", "Revenue"],
        [],
        [None, "Total Budget (USD)", "$250,000.00"],
        [None, "Flight start", 46204],  # Sheets serial for 2026-07-01
        [None, "End_Date", "Sep 30, 2026"],
        [None, "goal", "Target ROAS", "Target", "300%"],
        [None, "Industry", "retail", "Region", "US"],
        [],
        [],
        [None, "Channel", "Notes", "min", "MAX SPEND", "Fixed budget"],
        [None, "Google Ads: Search", "core", "20k"],
        [],
        [None, "META : Instagram Reels", None, None, "60,000"],
        [None, "meta:advantage_plus", None, "", "", "USD 15 000"],
        [None, "Total", None, "20000", "60000", "15000"],
    ]
    assert brief(rows) == EXPECTED


def test_the_channel_table_may_sit_on_another_sheet() -> None:
    plan = DOCUMENTED[:11]
    channels: list[list[object]] = [["ignored"], *DOCUMENTED[12:]]
    assert brief(plan, Channels=channels) == EXPECTED


def test_defaults_for_optional_rows() -> None:
    rows: list[list[object]] = [
        ["Objective", "conversions"],
        ["Budget", "€80.000,50"],
        ["Start", "2026-01-05"],
        ["End", "2026-01-05"],
    ]
    got = brief(rows)
    assert (got.campaign_id, got.name, got.currency) == ("sheet-1", "Q3 plan", "EUR")
    assert (got.total_budget, got.goal_kind, got.goal_value, got.channels) == (
        80000.5,
        "max_outcome",
        None,
        [],
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (with_cell(3, 1, "abc"), "Plan!B4: 'Total budget' must be a positive number, got 'abc'"),
        (with_cell(3, 1, -5), "Plan!B4: 'Total budget' must be a positive number, got -5"),
        (with_cell(3, 1, None), "Plan!B4: 'Total budget' is empty"),
        (with_cell(2, 1, "awareness"), "Plan!B3: 'Objective' must be 'revenue' or 'conversions'"),
        (with_cell(5, 1, "03/04/2026"), "Plan!B6: 'Start date' must be a date (YYYY-MM-DD"),
        (with_cell(6, 1, "2026-06-30"), "Plan!B7: 'End date' must be on or after the Start date"),
        (with_cell(4, 1, "dollars"), "Plan!B5: 'Currency' must be a 3-letter currency code"),
        (with_cell(7, 1, "win"), "Plan!B8: 'Goal' must be 'max outcome', 'target ROAS'"),
        (with_cell(8, 1, None), "Plan!B8: Goal 'target_roas' needs a 'Target' row"),
        (with_cell(13, 0, "Search"), "Plan!A14: channel 'Search' must be 'platform:placement'"),
        (with_cell(13, 1, "lots"), "Plan!B14: 'Min spend' must be a non-negative amount or empty"),
        (with_cell(13, 2, 100), "Plan!A14: 'google_ads:search' has Min spend 20,000.00 above Max"),
        (with_cell(14, 0, "google_ads:search"), "Plan!A15: channel 'google_ads:search' is listed"),
        (with_cell(14, 0, None), "Plan!A15: this row has a 'Max spend' but no channel"),
        (with_cell(11, 0, "Budget"), "Plan!A12: 'Total budget' appears twice (first at Plan!B4)"),
        ([r for r in DOCUMENTED if r[:1] != ["Start date"]], "Plan: no 'Start date' label found"),
    ],
)
def test_unreadable_plans_name_the_cell(rows: list[list[object]], message: str) -> None:
    with pytest.raises(SheetFormatError) as info:
        brief(rows)
    assert str(info.value).startswith(message), str(info.value)
    assert info.value.retryable is False


def test_a_spreadsheet_without_a_plan_names_its_sheets() -> None:
    with pytest.raises(
        SheetFormatError,
        match=r"Q3 plan: no sheet has a 'Total budget' label \(sheets: Plan, Notes\)",
    ):
        parse_campaign_brief("sheet-1", {"Plan": [["hello"]], "Notes": []}, title="Q3 plan")


def test_quoted_sheet_names_in_messages() -> None:
    rows = with_cell(3, 1, "abc")
    with pytest.raises(SheetFormatError, match=r"^'Media Plan'!B4: "):
        parse_campaign_brief("s", {"Media Plan": rows})


@pytest.mark.parametrize(
    ("text", "number"),
    [
        (1500, 1500.0),
        ("1,234,567.89", 1234567.89),
        ("1.234.567,89", 1234567.89),
        ("12,5", 12.5),
        ("1 234", 1234.0),
        ("$ 50k", 50000.0),
        ("1.5M", 1500000.0),
        ("(1,000)", -1000.0),
        ("350%", 3.5),
        ("3.5x", 3.5),
        ("GBP 99", 99.0),
        ("abc", None),
        ("", None),
        (True, None),
        ("1e5", None),
        (float("nan"), None),
    ],
)
def test_parse_number(text: object, number: float | None) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2026-07-01", dt.date(2026, 7, 1)),
        ("2026/7/1", dt.date(2026, 7, 1)),
        ("2026-07-01T00:00:00Z", dt.date(2026, 7, 1)),
        (46204, dt.date(2026, 7, 1)),
        (46204.75, dt.date(2026, 7, 1)),
        ("46204", dt.date(2026, 7, 1)),
        ("1 Jul 2026", dt.date(2026, 7, 1)),
        ("July 1, 2026", dt.date(2026, 7, 1)),
        ("07/01/2026", None),
        ("2026-02-30", None),
        (-3, None),
        (None, None),
    ],
)
def test_parse_date(value: object, day: dt.date | None) -> None:
    assert parse_date(value) == day


def test_normalize_label() -> None:
    assert normalize_label("  Total_Budget (USD): ") == "total budget"
    assert normalize_label("Start-date*") == "start date"
    assert normalize_label(42) == ""
