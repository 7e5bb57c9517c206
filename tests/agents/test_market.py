"""The market benchmark table: sourcing of every figure, lookups, seasonality, overrides, priors."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date
from importlib import resources
from typing import Any

import pytest

from agents.market import (
    BenchmarkTable,
    channel_prior,
    load_benchmarks,
    parse_overrides,
    sanity_bounds,
)

METRICS = ("cpm", "cpc", "ctr", "cvr", "cpa", "roas")


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    text = resources.files("agents.market").joinpath("benchmarks.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@pytest.fixture(scope="module")
def table() -> BenchmarkTable:
    return load_benchmarks()


def _figure_groups(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "figures" in node:
            yield path, node
        for key, value in node.items():
            yield from _figure_groups(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _figure_groups(value, f"{path}[{i}]")


# -- the data file ------------------------------------------------------------------------


def test_file_header(raw: dict[str, Any]) -> None:
    assert raw["schema_version"]
    assert raw["currency"] == "USD"
    assert set(METRICS) <= set(raw["units"])
    assert any("platform-reported" in note for note in raw["notes"])


def test_every_source_has_publisher_title_year_and_url(raw: dict[str, Any]) -> None:
    assert raw["sources"]
    for sid, source in raw["sources"].items():
        for field in ("publisher", "title", "short"):
            assert isinstance(source[field], str) and source[field].strip(), (sid, field)
        assert isinstance(source["year"], int), sid
        assert source["url"].startswith(("http://", "https://")), sid


def test_every_figure_has_a_source_url_or_a_derivation(raw: dict[str, Any]) -> None:
    groups = list(_figure_groups(raw))
    assert len(groups) > 40
    for path, group in groups:
        sources = group.get("source", {})
        derivation = group.get("derivation", {})
        for sid in [s for ids in sources.values() for s in ids] + group.get("see_also", []):
            assert raw["sources"][sid]["url"].startswith("http"), (path, sid)
        for name, value in group["figures"].items():
            assert isinstance(value, int | float) and math.isfinite(value) and value >= 0, (
                path,
                name,
            )
            traced = sources.get(name) or sources.get("*") or derivation.get(name, "").strip()
            assert traced, f"{path}.{name} has neither a source nor a derivation"


def test_coverage_of_platforms_placements_industries_regions(
    raw: dict[str, Any], table: BenchmarkTable
) -> None:
    wanted = {
        "google_ads": [
            "search",
            "shopping",
            "pmax",
            "display",
            "youtube",
            "demand_gen",
            "discovery",
        ],
        "meta": [
            "facebook_feed",
            "instagram_feed",
            "instagram_reels",
            "instagram_stories",
            "stories",
            "reels",
            "advantage_plus",
            "audience_network",
            "messenger",
        ],
    }
    for platform, placements in wanted.items():
        for placement in placements:
            bench = table.lookup(f"{platform}:{placement}")
            assert bench.fallback is None and bench.placement == placement
            group = raw["platforms"][platform]["placements"][placement]
            assert set(METRICS) <= set(group["figures"])
    industries = {"all", "retail", "b2b_technology", "finance", "travel", "health", "education"}
    industries |= {"automotive", "real_estate", "consumer_services"}
    assert industries <= set(raw["industries"])
    assert {"global", "us", "eu_uk", "latam", "apac"} <= set(raw["regions"])
    for spreads in (raw["platforms"]["google_ads"]["spread"], raw["platforms"]["meta"]["spread"]):
        assert {"roas_log_sd", "cpa_log_sd"} <= set(spreads["figures"])
    assert "all" in raw["seasonality"]["cpm"] and "all" in raw["seasonality"]["demand"]


def test_all_digital_is_the_geometric_mean_of_the_platform_averages(raw: dict[str, Any]) -> None:
    google = raw["platforms"]["google_ads"]["average"]["figures"]
    meta = raw["platforms"]["meta"]["average"]["figures"]
    for metric in METRICS:
        expected = math.sqrt(google[metric] * meta[metric])
        assert raw["all_digital"]["figures"][metric] == pytest.approx(expected, rel=2e-3), metric


# -- lookups ------------------------------------------------------------------------------


def test_known_channel_returns_its_row(raw: dict[str, Any], table: BenchmarkTable) -> None:
    bench = table.lookup("google_ads:search")
    row = raw["platforms"]["google_ads"]["placements"]["search"]["figures"]
    for metric in METRICS:
        assert getattr(bench, metric) == pytest.approx(row[metric])
    assert bench.fallback is None
    assert bench.industry == "all" and bench.region == "global"
    assert bench.sources and all(url.startswith("http") for url in bench.sources)
    assert bench.roas_log_sd > 0 and bench.cpa_log_sd > 0
    assert bench.label == "Google Ads Search"


def test_unknown_placement_falls_back_to_platform_average(
    raw: dict[str, Any], table: BenchmarkTable
) -> None:
    bench = table.lookup("google_ads:foo")
    average = raw["platforms"]["google_ads"]["average"]["figures"]
    assert bench.roas == pytest.approx(average["roas"])
    assert bench.cpa == pytest.approx(average["cpa"])
    assert bench.fallback is not None
    assert "'foo'" in bench.fallback and "google_ads average" in bench.fallback
    assert bench.roas_log_sd > table.lookup("google_ads:search").roas_log_sd


def test_unknown_platform_falls_back_to_all_digital_with_wider_spread(
    raw: dict[str, Any], table: BenchmarkTable
) -> None:
    bench = table.lookup("tiktok:in_feed")
    assert bench.roas == pytest.approx(raw["all_digital"]["figures"]["roas"])
    assert bench.fallback is not None and "platform 'tiktok' unknown" in bench.fallback
    widest = max(
        table.lookup("google_ads:search").roas_log_sd, table.lookup("meta:feed").roas_log_sd
    )
    assert bench.roas_log_sd > widest


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Meta:Instagram-Reels", "meta:instagram_reels"),
        ("instagram:reels", "meta:reels"),
        ("facebook:stories", "meta:stories"),
        ("google_ads:Performance Max", "google_ads:pmax"),
        ("Google_Ads:GDN", "google_ads:display"),
        ("meta:Advantage+", "meta:advantage_plus"),
    ],
)
def test_channel_names_are_forgiving(table: BenchmarkTable, given: str, expected: str) -> None:
    bench = table.lookup(given)
    assert bench.channel == expected and bench.fallback is None


@pytest.mark.parametrize("bad", ["google_ads", "google_ads:", ":search", "a:b:c", ""])
def test_malformed_channel_raises(table: BenchmarkTable, bad: str) -> None:
    with pytest.raises(ValueError, match="channel"):
        table.lookup(bad)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("ecommerce", "retail"),
        ("E-Commerce", "retail"),
        ("e commerce", "retail"),
        ("Retail", "retail"),
        ("DTC", "retail"),
        ("SaaS", "b2b_technology"),
        ("B2B / Technology", "b2b_technology"),
        ("Financial Services", "finance"),
        ("Finance & Insurance", "finance"),
        ("Travel and Hospitality", "travel"),
        ("Healthcare", "health"),
        ("EdTech", "education"),
        ("Auto", "automotive"),
        ("Real-Estate", "real_estate"),
        ("Home Services", "consumer_services"),
        (None, "all"),
        ("", "all"),
    ],
)
def test_industry_synonyms(table: BenchmarkTable, given: str | None, expected: str) -> None:
    assert table.resolve_industry(given) == (expected, None)
    assert table.lookup("meta:reels", industry=given).industry == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("UK", "eu_uk"),
        ("DE", "eu_uk"),
        ("fr", "eu_uk"),
        ("Europe", "eu_uk"),
        ("BR", "latam"),
        ("MX", "latam"),
        ("LATAM", "latam"),
        ("USA", "us"),
        ("U.S.", "us"),
        ("AU", "apac"),
        ("Japan", "apac"),
        ("worldwide", "global"),
        (None, "global"),
    ],
)
def test_region_synonyms(table: BenchmarkTable, given: str | None, expected: str) -> None:
    assert table.resolve_region(given) == (expected, None)


def test_unknown_industry_and_region_are_named_in_the_fallback(table: BenchmarkTable) -> None:
    bench = table.lookup("meta:reels", industry="Astrology", region="Mars")
    assert bench.industry == "all" and bench.region == "global"
    assert bench.fallback is not None
    assert "industry 'Astrology' unknown" in bench.fallback
    assert "region 'Mars' unknown" in bench.fallback


def test_industry_and_region_adjust_costs(table: BenchmarkTable) -> None:
    base = table.lookup("google_ads:search")
    retail = table.lookup("google_ads:search", industry="retail")
    assert retail.cpc == pytest.approx(base.cpc * 2.23 / 3.53, rel=1e-3)
    assert retail.cpa == pytest.approx(base.cpa * 45.27 / 48.96, rel=1e-3)
    us = table.lookup("meta:facebook_feed", region="US")
    latam = table.lookup("meta:facebook_feed", region="BR")
    eu = table.lookup("meta:facebook_feed", region="DE")
    assert latam.cpm < eu.cpm < us.cpm
    # Outcomes are not region-adjusted (no source); uncertainty widens instead.
    assert latam.roas == pytest.approx(us.roas) and latam.cpa == pytest.approx(us.cpa)
    assert latam.roas_log_sd > us.roas_log_sd


def test_retail_only_rows_keep_their_figures_and_rescale_for_other_industries(
    raw: dict[str, Any], table: BenchmarkTable
) -> None:
    row = raw["platforms"]["google_ads"]["placements"]["shopping"]["figures"]
    for industry in (None, "retail", "Astrology"):
        assert table.lookup("google_ads:shopping", industry=industry).cpc == pytest.approx(
            row["cpc"]
        )
    b2b = table.lookup("google_ads:shopping", industry="b2b")
    assert b2b.cpc == pytest.approx(row["cpc"] * (4.90 / 3.53) / (2.23 / 3.53), rel=1e-3)


def test_every_lookup_cites_sources(table: BenchmarkTable) -> None:
    for channel in [*table.channels(), "meta:unknown", "pinterest:pins"]:
        for industry in ("retail", "travel", None):
            bench = table.lookup(channel, industry=industry, region="BR")
            assert bench.sources, channel
            assert bench.roas_citation and bench.cpa_citation
            for metric in METRICS:
                value = getattr(bench, metric)
                assert math.isfinite(value) and value > 0, (channel, metric)


# -- seasonality --------------------------------------------------------------------------


def test_full_year_averages_to_one(table: BenchmarkTable) -> None:
    year = table.seasonal_multiplier(date(2026, 1, 1), date(2026, 12, 31))
    assert year.days == 365
    assert year.cpm == pytest.approx(1.0, abs=2e-3)
    assert year.demand == pytest.approx(1.0, abs=2e-3)
    assert year.sources and all(url.startswith("http") for url in year.sources)


def test_flight_spanning_months_is_the_day_weighted_average(table: BenchmarkTable) -> None:
    nov = table.seasonal_multiplier(date(2026, 11, 1), date(2026, 11, 30), "retail")
    dec = table.seasonal_multiplier(date(2026, 12, 1), date(2026, 12, 31), "retail")
    jan = table.seasonal_multiplier(date(2027, 1, 1), date(2027, 1, 31), "retail")
    flight = table.seasonal_multiplier(date(2026, 11, 21), date(2027, 1, 10), "retail")
    assert flight.days == 10 + 31 + 10
    for attr in ("cpm", "demand"):
        expected = (
            10 * getattr(nov, attr) + 31 * getattr(dec, attr) + 10 * getattr(jan, attr)
        ) / 51
        assert getattr(flight, attr) == pytest.approx(expected)
    one_day = table.seasonal_multiplier(date(2026, 12, 24), date(2026, 12, 24), "retail")
    assert one_day.days == 1 and one_day.demand == pytest.approx(dec.demand)


def test_q4_cpm_peaks_and_curves_follow_the_industry(table: BenchmarkTable) -> None:
    q1 = table.seasonal_multiplier(date(2026, 1, 1), date(2026, 3, 31))
    nov = table.seasonal_multiplier(date(2026, 11, 1), date(2026, 11, 30))
    assert nov.cpm > 1.1 > 1.0 > q1.cpm
    assert (
        table.seasonal_multiplier(date(2026, 12, 1), date(2026, 12, 31), "ecommerce").demand_curve
        == "retail"
    )
    assert (
        table.seasonal_multiplier(date(2026, 12, 1), date(2026, 12, 31), "finance").demand_curve
        == "all"
    )


def test_end_before_start_raises(table: BenchmarkTable) -> None:
    with pytest.raises(ValueError, match="before"):
        table.seasonal_multiplier(date(2026, 2, 1), date(2026, 1, 31))


# -- overrides ----------------------------------------------------------------------------


def test_overrides_take_effect(table: BenchmarkTable) -> None:
    custom = load_benchmarks(
        {
            "google_ads:search": {"roas": 5.2, "cpc": 1.1},
            "instagram:Reels": {"cpm": 5.0},
            "meta:threads": {"roas": 1.7},
            "seasonality": {"12": 1.3},
            "cpm_seasonality": {"nov": 1.25},
        }
    )
    search = custom.lookup("google_ads:search", industry="retail", region="UK")
    assert (search.roas, search.cpc) == (5.2, 1.1)
    assert search.overridden == ("cpc", "roas") and search.roas_citation == "market override"
    assert search.cpa == pytest.approx(table.lookup("google_ads:search", "retail", "UK").cpa)
    assert custom.lookup("meta:reels").cpm == 5.0
    threads = custom.lookup("meta:threads")
    assert threads.roas == 1.7 and threads.fallback is not None
    dec = custom.seasonal_multiplier(date(2026, 12, 1), date(2026, 12, 31), "finance")
    assert dec.demand == pytest.approx(1.3)
    nov = custom.seasonal_multiplier(date(2026, 11, 1), date(2026, 11, 30))
    assert nov.cpm == pytest.approx(1.25)
    assert (
        load_benchmarks(None).lookup("google_ads:search").roas
        == table.lookup("google_ads:search").roas
    )


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"google_ads:search": {"roas": -1.0}}, "['google_ads:search']['roas']"),
        ({"google_ads:search": {"rosa": 2.0}}, "['google_ads:search']['rosa']"),
        ({"google_ads:search": {"roas": "5"}}, "['google_ads:search']['roas']"),
        ({"google_ads:search": {"roas": True}}, "['google_ads:search']['roas']"),
        ({"meta:reels": {"ctr": 1.5}}, "['meta:reels']['ctr']"),
        ({"meta:reels": {"cpm": math.inf}}, "['meta:reels']['cpm']"),
        ({"meta:reels": {}}, "['meta:reels']"),
        ({"meta:reels": 3.0}, "['meta:reels']"),
        ({"roas": 2.0}, "['roas']"),
        ({"seasonality": {"13": 1.1}}, "['seasonality']['13']"),
        ({"seasonality": {"dec": 0.0}}, "['seasonality']['dec']"),
        ({"seasonality": {"12": 1.1, "dec": 1.2}}, "['seasonality']['dec']"),
        ({"cpm_seasonality": [1.0]}, "['cpm_seasonality']"),
    ],
)
def test_invalid_overrides_raise_naming_the_key(overrides: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        load_benchmarks(overrides)
    assert named in str(excinfo.value)


def test_overrides_must_be_an_object() -> None:
    with pytest.raises(ValueError, match="must be an object"):
        parse_overrides([("google_ads:search", {"roas": 2.0})])  # type: ignore[arg-type]


# -- priors and bounds --------------------------------------------------------------------


def test_channel_prior_revenue(table: BenchmarkTable) -> None:
    start, end = date(2026, 11, 1), date(2026, 12, 31)
    prior = channel_prior(
        table,
        "meta:instagram_reels",
        "revenue",
        industry="ecommerce",
        region="US",
        start=start,
        end=end,
    )
    bench = table.lookup("meta:instagram_reels", "ecommerce", "US")
    season = table.seasonal_multiplier(start, end, "ecommerce")
    assert prior.roi_median == pytest.approx(bench.roas * season.demand / season.cpm)
    assert prior.roi_log_sd == pytest.approx(bench.roas_log_sd)
    assert prior.cpm == pytest.approx(bench.cpm * season.cpm)
    assert prior.cpc == pytest.approx(bench.cpc * season.cpm)
    assert set(bench.sources) | set(season.sources) == set(prior.sources)
    assert prior.note.startswith("Meta Instagram Reels: no history; prior ROAS")
    assert "Varos" in prior.note and "uncertainty" in prior.note and prior.note.endswith(".")
    assert prior.note.count(".") >= 1 and "\n" not in prior.note


def test_channel_prior_conversions(table: BenchmarkTable) -> None:
    start, end = date(2026, 4, 1), date(2026, 4, 30)
    prior = channel_prior(
        table,
        "google_ads:search",
        "conversions",
        industry="finance",
        region="DE",
        start=start,
        end=end,
    )
    bench = table.lookup("google_ads:search", "finance", "DE")
    season = table.seasonal_multiplier(start, end, "finance")
    assert prior.roi_median == pytest.approx(season.demand / season.cpm / bench.cpa)
    assert prior.roi_log_sd == pytest.approx(bench.cpa_log_sd)
    assert prior.roi_unit == "conversions per USD"
    assert "conversions per USD" in prior.note and "CPA $" in prior.note


def test_channel_prior_mentions_fallbacks_and_rejects_bad_objective(table: BenchmarkTable) -> None:
    prior = channel_prior(
        table, "tiktok:spark", "revenue", start=date(2026, 6, 1), end=date(2026, 6, 30)
    )
    assert "platform 'tiktok' unknown" in prior.note
    with pytest.raises(ValueError, match="objective"):
        channel_prior(table, "meta:reels", "profit", start=date(2026, 6, 1), end=date(2026, 6, 2))  # type: ignore[arg-type]


@pytest.mark.parametrize("objective", ["revenue", "conversions"])
def test_sanity_bounds(table: BenchmarkTable, objective: Any) -> None:
    bench = table.lookup("google_ads:shopping", "retail", "US")
    roi, sd = (
        (bench.roas, bench.roas_log_sd)
        if objective == "revenue"
        else (1 / bench.cpa, bench.cpa_log_sd)
    )
    low, high = sanity_bounds(
        table, "google_ads:shopping", objective, industry="retail", region="US"
    )
    assert low == pytest.approx(roi * math.exp(-2.5 * sd))
    assert high == pytest.approx(roi * math.exp(2.5 * sd))
    assert 0 < low < roi < high
    known = sanity_bounds(table, "meta:facebook_feed", objective)
    unknown = sanity_bounds(table, "snapchat:story", objective)
    assert unknown[1] / unknown[0] > known[1] / known[0]
