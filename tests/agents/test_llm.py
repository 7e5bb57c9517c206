"""The optional LLM layer: settings, the number-faithfulness checker, and the narrators
against a local stub of the OpenAI protocol (no network beyond 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import math
import pickle
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from agents.llm import (
    LangChainNarrator,
    LLMSettings,
    Narration,
    NarrationError,
    NarrationInvalid,
    NarrationItem,
    NarrationRequest,
    OpenAINarrator,
    build_messages,
    find_unfaithful_numbers,
    make_narrator,
    narrate_with_fallback,
    numbers_in,
    validation_context,
)
from tests.support.openai_stub import Delay, HttpError, OpenAIStub, Reply, openai_stub

# --------------------------------------------------------------------------- settings

BASE_ENV = {"MEDIAPLAN_LLM_BASE_URL": "http://127.0.0.1:8011/v1", "MEDIAPLAN_LLM_MODEL": "m"}


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"MEDIAPLAN_LLM_BASE_URL": "http://x/v1"},
        {"MEDIAPLAN_LLM_MODEL": "m"},
        {"MEDIAPLAN_LLM_BASE_URL": "  ", "MEDIAPLAN_LLM_MODEL": "m"},
        {"OPENAI_API_KEY": "sk-x", "MEDIAPLAN_LLM_TIMEOUT_S": "abc"},
    ],
)
def test_settings_none_when_not_configured(env: dict[str, str]) -> None:
    assert LLMSettings.from_env(env) is None


def test_settings_defaults() -> None:
    s = LLMSettings.from_env(BASE_ENV)
    assert s == LLMSettings(
        base_url="http://127.0.0.1:8011/v1",
        model="m",
        api_key="not-needed",
        timeout_s=20.0,
        max_retries=2,
        mode="tools",
    )


def test_settings_all_variables() -> None:
    env = {
        **BASE_ENV,
        "OPENAI_API_KEY": "sk-secret",
        "MEDIAPLAN_LLM_TIMEOUT_S": "7.5",
        "MEDIAPLAN_LLM_MAX_RETRIES": "0",
        "MEDIAPLAN_LLM_MODE": "MD_JSON",
    }
    s = LLMSettings.from_env(env)
    assert s is not None
    assert (s.api_key, s.timeout_s, s.max_retries, s.mode) == ("sk-secret", 7.5, 0, "md_json")
    assert "sk-secret" not in repr(s)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MEDIAPLAN_LLM_TIMEOUT_S", "abc"),
        ("MEDIAPLAN_LLM_TIMEOUT_S", "0"),
        ("MEDIAPLAN_LLM_TIMEOUT_S", "inf"),
        ("MEDIAPLAN_LLM_MAX_RETRIES", "1.5"),
        ("MEDIAPLAN_LLM_MAX_RETRIES", "-1"),
        ("MEDIAPLAN_LLM_MODE", "xml"),
    ],
)
def test_settings_malformed_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        LLMSettings.from_env({**BASE_ENV, name: value})


def test_make_narrator() -> None:
    assert make_narrator(None) is None
    s = LLMSettings.from_env(BASE_ENV)
    assert s is not None
    assert isinstance(make_narrator(s), OpenAINarrator)


# --------------------------------------------------------------------------- checker

FIGURES = [91000.0, 4.42, 1020000.0, 7.3, 0.073, -0.12, 0.364, 21000.0, 2.0]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "No numbers here.",
        # money: separators, symbols, codes, suffixes, rounding to the precision written
        "Search gets $91k.",
        "Search gets $91,000.",
        "Search gets $91.0k.",
        "Search gets USD 91,000, or 91,000 USD.",
        "Search gets €91K (EUR91k, 91 thousand).",
        "Search gets 91000.",
        "Search gets $0.09M.",
        "Total outcome $1.02M, about $1M, or 1,020,000, or 1.0M, or 1,000,000.",
        # multiples
        "ROI 4.42x, 4.4x, 4.4×, 4x, 4.42 times, ROI of 4.4, 4.420x.",
        # percentages: figure or 100 x figure, rounded as written
        "Uplift 7.3%, 7%, 7.30%, 7.3 percent, 7.3 per cent, 7.3 pp, 7.3 points.",
        "Search takes 36.4% of the budget (36%).",
        # signs and directions
        "Spend down 12%.",
        "Spend -12% vs history (−12%).",
        "Spend 12% lower, 12% below history, a 12% drop.",
        "Spend cut by 12%, a decrease of 12%, falls 12%.",
        "Cut display by 12%.",  # unsigned: either sign
        "Expect $21k more revenue, +$21k, up $21k, a $21k increase.",
        "Spend down to $91k.",  # "down to" is a level, not a change
        # counts and labels
        "Across 2 channels in Q1, H2 and the p10–p90 band (P90).",
    ],
)
def test_checker_accepts(text: str) -> None:
    assert find_unfaithful_numbers(text, FIGURES) == []


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Search gets $95k.", ["$95k"]),
        ("Search gets $91,500.", ["$91,500"]),
        ("Search gets $92k.", ["$92k"]),
        ("ROI 4.5x.", ["4.5x"]),
        ("ROI 4.421x.", ["4.421x"]),
        ("ROI of 4.", ["4"]),  # small bare integers are exact
        ("Uplift 8%.", ["8%"]),
        ("Uplift 7.35%.", ["7.35%"]),
        ("Uplift 0.5%.", ["0.5%"]),
        ("Total $1.1M.", ["$1.1M"]),
        ("Total 1,100,000.", ["1,100,000"]),
        ("Spend up 12%.", ["up 12%"]),
        ("Spend +12%.", ["+12%"]),
        ("Spend 12% higher.", ["12% higher"]),
        ("A 12% increase.", ["12% increase"]),
        ("Revenue -$21k.", ["-$21k"]),
        ("Revenue down $21k.", ["down $21k"]),
        ("Across 3 channels.", ["3"]),
        ("The top 3.", ["3"]),
        ("The 3rd best channel.", ["3"]),
        ("Planned for 2027.", ["2027"]),
        ("FY27 plan.", ["27"]),
        ("Moves $95k, $95k again and 4.5x.", ["$95k", "4.5x"]),
        ("From 10-12%.", ["10"]),
    ],
)
def test_checker_rejects(text: str, bad: list[str]) -> None:
    assert find_unfaithful_numbers(text, FIGURES) == bad


@pytest.mark.parametrize(
    ("text", "allowed", "ok"),
    [
        ("In 2027.", [2027.0], True),
        ("2000 clicks.", [2000.0], True),
        ("2000 clicks.", [2003.0], False),  # four-digit year-like integers are exact
        ("1,000 clicks.", [1020.0], True),  # trailing zeros: rounded, >= 2 significant figures
        ("1,000 clicks.", [1100.0], False),
        ("$5.", [math.nan, math.inf], False),  # non-finite figures are ignored
        ("dv360 gets $5k.", [5000.0, 360.0], True),
        ("0% change.", [0.001], True),
        ("Down 0%.", [0.0], True),
    ],
)
def test_checker_edge_cases(text: str, allowed: list[float], ok: bool) -> None:
    assert (find_unfaithful_numbers(text, allowed) == []) is ok


def test_numbers_in_reads_values_as_written() -> None:
    assert numbers_in("$91k, down 12%, 4.4x in Q1 2027") == [91000.0, -12.0, 4.4, 2027.0]
    draft = "meta:feed is 14% below history at $43,000."
    assert find_unfaithful_numbers("meta:feed drops 14% to $43k.", numbers_in(draft)) == []
    assert find_unfaithful_numbers("meta:feed rises 14%.", numbers_in(draft)) == ["rises 14%"]


# --------------------------------------------------------------------------- models


def make_request() -> NarrationRequest:
    return NarrationRequest(
        facts={
            "google_ads:search.spend": 91000.0,
            "google_ads:search.roi": 4.42,
            "google_ads:search.share": 0.364,
            "google_ads:search.change_vs_history": 0.12,
            "meta:feed.spend": 43000.0,
            "meta:feed.change_vs_history": -0.14,
            "total.expected_outcome": 1020000.0,
            "uplift_pct": 7.3,
            "campaign": "Q1 2027 northwind",
        },
        currency="USD",
        objective="revenue",
        items=[
            NarrationItem(
                id="ins-1",
                kind="insight",
                channel="google_ads:search",
                draft="google_ads:search returns 4.42x on $91,000, 36.4% of the budget.",
                facts=[
                    "google_ads:search.spend",
                    "google_ads:search.roi",
                    "google_ads:search.share",
                ],
            ),
            NarrationItem(
                id="rec-1",
                kind="recommendation",
                channel="google_ads:search",
                draft=(
                    "Increase google_ads:search by 12% vs history to $91,000; "
                    "the plan expects +7.3% outcome overall."
                ),
                facts=[
                    "google_ads:search.spend",
                    "google_ads:search.change_vs_history",
                    "uplift_pct",
                ],
            ),
            NarrationItem(
                id="note-1",
                kind="market_note",
                channel="meta:feed",
                draft="meta:feed CPMs are rising; spend is 14% below history at $43,000.",
                facts=["meta:feed.spend", "meta:feed.change_vs_history"],
            ),
        ],
    )


GOOD = {
    "ins-1": "Search returns about 4.4x its $91k spend and takes 36% of the budget.",
    "rec-1": "Raise search spend 12% above its recent run-rate, to $91k; expect a 7.3% uplift.",
    "note-1": "Meta feed spend drops 14% to $43k as CPMs climb.",
}
BAD = {**GOOD, "ins-1": "Search returns 4.4x on $95k."}


def test_request_rejects_engine_bugs() -> None:
    item = NarrationItem(id="a", kind="insight", draft="x", facts=["nope"])
    with pytest.raises(ValidationError, match="unknown fact keys"):
        NarrationRequest(facts={}, currency="USD", objective="revenue", items=[item])
    dup = NarrationItem(id="a", kind="insight", draft="x")
    with pytest.raises(ValidationError, match="duplicate"):
        NarrationRequest(facts={}, currency="USD", objective="revenue", items=[dup, dup])


def test_allowed_figures_include_facts_and_draft_numbers() -> None:
    request = make_request()
    figures = request.allowed_figures(request.items[2])
    assert 43000.0 in figures and -0.14 in figures and -14.0 in figures


def test_narration_checked_against_request() -> None:
    request = make_request()
    ctx = validation_context(request)
    ok = Narration.model_validate({"texts": {**GOOD, "extra": "dropped"}}, context=ctx)
    assert ok.texts == GOOD
    with pytest.raises(ValidationError) as info:
        Narration.model_validate({"texts": BAD}, context=ctx)
    invalid = info.value.errors()[0]["ctx"]["error"]
    assert isinstance(invalid, NarrationInvalid)
    assert invalid.unfaithful == {"ins-1": ["$95k"]}
    assert "google_ads:search.spend = 91000.0" in str(invalid)
    with pytest.raises(ValidationError, match="missing these item ids: 'note-1'"):
        Narration.model_validate(
            {"texts": {"ins-1": GOOD["ins-1"], "rec-1": GOOD["rec-1"]}}, context=ctx
        )
    with pytest.raises(ValidationError, match="empty"):
        Narration.model_validate({"texts": {**GOOD, "rec-1": "  "}}, context=ctx)
    with pytest.raises(ValidationError, match="characters"):
        Narration.model_validate({"texts": {**GOOD, "rec-1": "word " * 400}}, context=ctx)
    # Without a request in the context only the shape is checked.
    assert Narration.model_validate({"texts": BAD}).texts == BAD


def test_errors_survive_pickling() -> None:
    error = pickle.loads(pickle.dumps(NarrationError("timed out", rejected=True)))
    assert (error.reason, error.rejected, error.warning) == (
        "timed out",
        True,
        "LLM narrative rejected (timed out); deterministic text used",
    )
    invalid = NarrationInvalid("m", missing=["a"], blank=[], too_long=[], unfaithful={"b": ["9"]})
    copy = pickle.loads(pickle.dumps(invalid))
    assert (str(copy), copy.missing, copy.unfaithful) == ("m", ["a"], {"b": ["9"]})


def test_prompt_carries_drafts_facts_and_rules() -> None:
    system, user = build_messages(make_request())
    assert system["role"] == "system" and "USD" in system["content"]
    assert "Never compute new numbers" in system["content"].replace("\n", " ")
    payload = json.loads(user["content"].split("\n\n", 1)[1])
    assert [i["id"] for i in payload["items"]] == ["ins-1", "rec-1", "note-1"]
    assert payload["items"][2]["facts"] == {
        "meta:feed.spend": 43000.0,
        "meta:feed.change_vs_history": -0.14,
    }


# --------------------------------------------------------------------------- stub


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with openai_stub() as s:
        yield s


def settings_for(stub: OpenAIStub, **overrides: Any) -> LLMSettings:
    values: dict[str, Any] = {
        "base_url": stub.base_url,
        "model": "stub-model",
        "api_key": "test",
        "timeout_s": 5.0,
        "max_retries": 2,
    }
    return LLMSettings(**{**values, **overrides})


def test_stub_protocol_basics(stub: OpenAIStub) -> None:
    stub.script(Reply("plain text"))
    with httpx.Client(base_url=stub.base_url) as client:
        models = client.get("/models").json()
        assert models["data"][0]["id"] == "stub-model"
        body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        answer = client.post("/chat/completions", json=body).json()
        assert answer["choices"][0]["message"]["content"] == "plain text"
        exhausted = client.post("/chat/completions", json=body)
        assert exhausted.status_code == 500 and "exhausted" in exhausted.text
    assert len(stub.requests) == 2 and stub.pending == 0


# --------------------------------------------------------------------------- narrators


async def test_no_narrator_means_drafts_and_no_warning() -> None:
    request = make_request()
    assert await narrate_with_fallback(None, request) == (request.drafts(), [])


async def test_valid_answer_is_used(stub: OpenAIStub) -> None:
    stub.script({"texts": GOOD})
    texts, warnings = await narrate_with_fallback(
        OpenAINarrator(settings_for(stub)), make_request()
    )
    assert (texts, warnings) == (GOOD, [])
    (sent,) = stub.requests
    assert sent["model"] == "stub-model"
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "Narration"}}
    assert "36.4% of the budget" in sent["messages"][1]["content"]


async def test_invalid_answer_is_reasked_with_the_error(stub: OpenAIStub) -> None:
    stub.script({"texts": BAD}, {"texts": GOOD})
    texts, warnings = await narrate_with_fallback(
        OpenAINarrator(settings_for(stub)), make_request()
    )
    assert (texts, warnings) == (GOOD, [])
    assert len(stub.requests) == 2
    feedback = stub.requests[1]["messages"][-1]
    assert feedback["role"] == "tool"
    assert "'$95k' is not among the figures" in feedback["content"]
    assert "google_ads:search.spend = 91000.0" in feedback["content"]


async def test_always_invalid_gives_drafts_and_warning(stub: OpenAIStub) -> None:
    stub.script({"texts": BAD}, {"texts": BAD}, {"texts": BAD})
    request = make_request()
    texts, warnings = await narrate_with_fallback(OpenAINarrator(settings_for(stub)), request)
    assert texts == request.drafts()
    assert warnings == [
        "LLM narrative rejected (after 3 attempts it still cited figures that are not in "
        "the plan: “$95k”); deterministic text used"
    ]
    assert len(stub.requests) == 3


async def test_missing_ids_give_drafts_and_warning(stub: OpenAIStub) -> None:
    partial = {"texts": {"ins-1": GOOD["ins-1"]}}
    stub.script(partial, partial)
    request = make_request()
    narrator = OpenAINarrator(settings_for(stub, max_retries=1))
    texts, warnings = await narrate_with_fallback(narrator, request)
    assert texts == request.drafts()
    assert warnings == [
        "LLM narrative rejected (after 2 attempts it still left out 2 of the texts); "
        "deterministic text used"
    ]


async def test_malformed_answer_gives_drafts_and_warning(stub: OpenAIStub) -> None:
    stub.script(Reply("{not json"))
    narrator = OpenAINarrator(settings_for(stub, max_retries=0))
    texts, warnings = await narrate_with_fallback(narrator, make_request())
    assert texts == make_request().drafts()
    assert len(warnings) == 1 and warnings[0].startswith("LLM narrative rejected (")


async def test_timeout_gives_drafts_and_warning_quickly(stub: OpenAIStub) -> None:
    stub.script(Delay(5.0, then=Reply({"texts": GOOD})))
    narrator = OpenAINarrator(settings_for(stub, timeout_s=0.5))
    started = time.perf_counter()
    texts, warnings = await narrate_with_fallback(narrator, make_request())
    assert time.perf_counter() - started < 2.0
    assert texts == make_request().drafts()
    assert warnings == [
        "LLM narrative unavailable (timed out after 0.5 s); deterministic text used"
    ]
    assert len(stub.requests) == 1  # timeouts are not retried


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (500, "the LLM server answered HTTP 500: server error"),
        (401, "the LLM server answered HTTP 401: API key refused"),
        (404, "the LLM server answered HTTP 404: unknown model or endpoint"),
        (429, "the LLM server answered HTTP 429: too many requests"),
    ],
)
async def test_http_error_gives_drafts_and_warning(
    stub: OpenAIStub, status: int, reason: str
) -> None:
    stub.script(HttpError(status))
    texts, warnings = await narrate_with_fallback(
        OpenAINarrator(settings_for(stub)), make_request()
    )
    assert texts == make_request().drafts()
    assert warnings == [f"LLM narrative unavailable ({reason}); deterministic text used"]
    assert len(stub.requests) == 1


async def test_unreachable_server_gives_drafts_and_warning() -> None:
    with openai_stub() as gone:
        settings = settings_for(gone)
    texts, warnings = await narrate_with_fallback(OpenAINarrator(settings), make_request())
    assert texts == make_request().drafts()
    assert warnings == [
        "LLM narrative unavailable (could not connect to the LLM server); deterministic text used"
    ]


async def test_narrator_raises_narration_error(stub: OpenAIStub) -> None:
    stub.script(HttpError(503))
    with pytest.raises(NarrationError) as info:
        await OpenAINarrator(settings_for(stub)).narrate(make_request())
    assert (
        info.value.reason == "the LLM server answered HTTP 503: server error"
        and not info.value.rejected
    )


@pytest.mark.parametrize(("mode", "sends_response_format"), [("json", True), ("md_json", False)])
async def test_json_modes(stub: OpenAIStub, mode: str, sends_response_format: bool) -> None:
    stub.script(Reply({"texts": GOOD}))
    narrator = OpenAINarrator(settings_for(stub, mode=mode))
    assert await narrate_with_fallback(narrator, make_request()) == (GOOD, [])
    assert ("response_format" in stub.requests[0]) is sends_response_format
    assert "tools" not in stub.requests[0]


async def test_injected_http_client_is_used_and_left_open(stub: OpenAIStub) -> None:
    stub.script({"texts": GOOD})
    async with httpx.AsyncClient() as client:
        narrator = OpenAINarrator(settings_for(stub), http_client=client)
        assert await narrate_with_fallback(narrator, make_request()) == (GOOD, [])
        assert not client.is_closed


async def test_no_items_calls_nothing(stub: OpenAIStub) -> None:
    empty = NarrationRequest(facts={}, currency="USD", objective="revenue", items=[])
    assert await narrate_with_fallback(OpenAINarrator(settings_for(stub)), empty) == ({}, [])
    assert stub.requests == []


class _FakeNarrator:
    def __init__(self, texts: dict[str, str] | None = None, *, delay: float = 0.0) -> None:
        self.texts, self.delay = texts, delay

    async def narrate(self, request: NarrationRequest) -> Narration:
        await asyncio.sleep(self.delay)
        if self.texts is None:
            raise RuntimeError("boom")
        return Narration(texts=self.texts)  # no context: unchecked


async def test_fallback_rechecks_any_narrator() -> None:
    request = make_request()
    texts, warnings = await narrate_with_fallback(_FakeNarrator(BAD), request)
    assert texts == request.drafts()
    assert warnings == [
        "LLM narrative rejected (it cited figures that are not in the plan: “$95k”); "
        "deterministic text used"
    ]
    assert await narrate_with_fallback(_FakeNarrator(GOOD), request) == (GOOD, [])


async def test_fallback_survives_unexpected_errors_and_slow_narrators() -> None:
    request = make_request()
    _, warnings = await narrate_with_fallback(_FakeNarrator(None), request)
    assert warnings == [
        "LLM narrative unavailable (unexpected error: RuntimeError); deterministic text used"
    ]
    texts, warnings = await narrate_with_fallback(
        _FakeNarrator(GOOD, delay=5), request, timeout_s=0.1
    )
    assert texts == request.drafts()
    assert warnings == [
        "LLM narrative unavailable (timed out after 0.1 s); deterministic text used"
    ]


# --------------------------------------------------------------------------- langchain


async def test_langchain_valid_answer(stub: OpenAIStub) -> None:
    stub.script({"texts": GOOD})
    narrator = LangChainNarrator(settings_for(stub))
    assert await narrate_with_fallback(narrator, make_request()) == (GOOD, [])
    (sent,) = stub.requests
    assert sent["tool_choice"]["function"]["name"] == "Narration"
    assert "response_format" not in sent


async def test_langchain_reasks_then_gives_up(stub: OpenAIStub) -> None:
    stub.script({"texts": BAD}, {"texts": GOOD})
    narrator = LangChainNarrator(settings_for(stub))
    assert await narrate_with_fallback(narrator, make_request()) == (GOOD, [])
    feedback = stub.requests[1]["messages"][-1]
    assert feedback["role"] == "tool" and "'$95k' is not among the figures" in feedback["content"]

    stub.script({"texts": BAD}, {"texts": BAD})
    narrator = LangChainNarrator(settings_for(stub, max_retries=1))
    texts, warnings = await narrate_with_fallback(narrator, make_request())
    assert texts == make_request().drafts()
    assert warnings == [
        "LLM narrative rejected (after 2 attempts it still cited figures that are not in "
        "the plan: “$95k”); deterministic text used"
    ]


async def test_langchain_http_error_and_timeout(stub: OpenAIStub) -> None:
    stub.script(HttpError(500), Delay(5.0))
    narrator = LangChainNarrator(settings_for(stub, timeout_s=0.5))
    _, warnings = await narrate_with_fallback(narrator, make_request())
    assert warnings == [
        "LLM narrative unavailable (the LLM server answered HTTP 500: server error); "
        "deterministic text used"
    ]
    started = time.perf_counter()
    _, warnings = await narrate_with_fallback(narrator, make_request())
    assert time.perf_counter() - started < 2.0
    assert warnings == [
        "LLM narrative unavailable (timed out after 0.5 s); deterministic text used"
    ]
