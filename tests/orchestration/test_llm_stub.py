"""The local stand-in LLM drives the engine's whole narration path, accepted by its checks."""

from __future__ import annotations

from typing import Any

import httpx

from agents import aplan
from agents.llm import LLMSettings, make_narrator
from orchestration.llm_stub import MODEL, LocalLLM, rewrite
from tests.agents.conftest import small_world


def test_rewrite_keeps_the_first_clause_and_its_numbers() -> None:
    draft = "Raise google_ads:search from 88,738 to 90,079 USD (+2%): each extra USD returns 2.23."
    assert rewrite(draft) == "Raise google_ads:search from 88,738 to 90,079 USD (+2%)."
    assert rewrite("No colon here, 4.2 ROI.") == "No colon here, 4.2 ROI."


async def test_the_engine_narrates_through_the_local_llm() -> None:
    world: dict[str, Any] = small_world()
    with LocalLLM() as llm:
        narrator = make_narrator(LLMSettings.from_env(llm.env()))
        plan = await aplan(world, narrator)
        models = httpx.get(f"{llm.base_url}/models").json()
    assert models["data"][0]["id"] == MODEL
    assert plan.analysis.mode == "llm"
    assert not any("LLM" in w for w in plan.warnings)
    assert all(": " not in r.rationale for r in plan.recommendations)


def test_unknown_routes_are_404() -> None:
    with LocalLLM() as llm:
        assert httpx.post(f"{llm.base_url}/embeddings", json={}).status_code == 404
