"""The LLM path: the same scorers on the narrated texts, against the local OpenAI stub."""

from __future__ import annotations

from agents import plan
from agents.llm import LLMSettings
from evals.metrics import summarize
from evals.runner import ENGINE, run_suite
from evals.scenarios import Scenario, smoke_suite
from tests.support.openai_stub import openai_stub


def _settings(base_url: str) -> LLMSettings:
    return LLMSettings(
        base_url=base_url, model="stub-model", api_key="test", timeout_s=5.0, max_retries=0
    )


def _drafts(scenario: Scenario) -> dict[str, str]:
    p = plan(scenario.world().planning_input)
    texts = {f"insight{i}": ins.text for i, ins in enumerate(p.insights)}
    texts.update({f"rec{i}": r.rationale for i, r in enumerate(p.recommendations)})
    return texts


def test_the_narrative_is_scored() -> None:
    scenario = smoke_suite()[0]
    rewritten = {k: f"In short: {v}" for k, v in _drafts(scenario).items()}
    with openai_stub({"texts": rewritten}) as stub:
        report = run_suite([scenario], processes=1, llm=_settings(stub.base_url))
        assert len(stub.requests) == 1
    case = report.cases[0]
    assert case.engine is not None and case.engine.mode == "llm"
    assert case.candidates[ENGINE].passed["faithfulness"]
    summary = summarize(report)
    assert summary["llm_model"] == "stub-model"
    assert summary["engine"]["llm_used_share"] == 1.0


def test_a_rejected_narrative_falls_back_and_is_counted() -> None:
    scenario = smoke_suite()[0]
    wrong = {k: f"{v} That adds 987,654,321 more." for k, v in _drafts(scenario).items()}
    with openai_stub({"texts": wrong}) as stub:
        report = run_suite([scenario], processes=1, llm=_settings(stub.base_url))
    case = report.cases[0]
    assert case.engine is not None and case.engine.mode == "deterministic"
    assert case.candidates[ENGINE].passed["faithfulness"]  # the drafts stand
    assert summarize(report)["engine"]["llm_used_share"] == 0.0
