"""The engine's optional LLM narration against a local stub of the OpenAI protocol."""

from __future__ import annotations

from typing import Any

from agents import aplan
from agents.llm import LLMSettings, OpenAINarrator
from tests.support.openai_stub import Delay, openai_stub


def _settings(base_url: str, timeout_s: float = 5.0) -> LLMSettings:
    return LLMSettings(
        base_url=base_url, model="stub-model", api_key="test", timeout_s=timeout_s, max_retries=1
    )


async def _drafts(world: dict[str, Any]) -> dict[str, str]:
    p = await aplan(world)
    texts = {f"insight{i}": ins.text for i, ins in enumerate(p.insights)}
    texts.update({f"rec{i}": r.rationale for i, r in enumerate(p.recommendations)})
    return texts


async def test_valid_narrative_replaces_the_drafts(world: dict[str, Any]) -> None:
    rewritten = {k: f"In short: {v}" for k, v in (await _drafts(world)).items()}
    with openai_stub({"texts": rewritten}) as stub:
        p = await aplan(world, OpenAINarrator(_settings(stub.base_url)))
    assert p.analysis.mode == "llm"
    assert all(i.text.startswith("In short: ") for i in p.insights)
    assert all(r.rationale.startswith("In short: ") for r in p.recommendations)
    assert not any("LLM" in w for w in p.warnings)


async def test_invalid_then_valid_narrative_is_used(world: dict[str, Any]) -> None:
    drafts = await _drafts(world)
    wrong = {k: f"{v} That adds 987,654,321 more." for k, v in drafts.items()}
    with openai_stub({"texts": wrong}, {"texts": drafts}) as stub:
        p = await aplan(world, OpenAINarrator(_settings(stub.base_url)))
        assert len(stub.requests) == 2
    assert p.analysis.mode == "llm"


async def test_always_invalid_narrative_falls_back_with_a_warning(world: dict[str, Any]) -> None:
    drafts = await _drafts(world)
    wrong = {k: f"{v} That adds 987,654,321 more." for k, v in drafts.items()}
    with openai_stub({"texts": wrong}, {"texts": wrong}) as stub:
        p = await aplan(world, OpenAINarrator(_settings(stub.base_url)))
    assert p.analysis.mode == "deterministic"
    assert [i.text for i in p.insights] == [v for k, v in drafts.items() if k.startswith("insight")]
    assert any("LLM narrative rejected" in w for w in p.warnings)


async def test_llm_timeout_falls_back_quickly(world: dict[str, Any]) -> None:
    with openai_stub(Delay(30.0), Delay(30.0)) as stub:
        p = await aplan(world, OpenAINarrator(_settings(stub.base_url, timeout_s=0.5)))
    assert p.analysis.mode == "deterministic"
    assert any("timed out" in w for w in p.warnings)
