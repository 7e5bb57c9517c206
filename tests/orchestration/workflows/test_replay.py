"""Determinism: the committed histories replay against today's workflow code.

A failure here means a workflow change would break runs in flight: guard the change with
``workflow.patched(...)`` (or version the workflow), then re-record with
``python -m orchestration.workflows.record_histories``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from orchestration.temporal.converter import DATA_CONVERTER
from orchestration.temporal.worker import WORKFLOWS
from orchestration.workflows.record_histories import SCENARIOS

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
FILES = sorted(HISTORIES.glob("*.json"))


def _history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


def test_every_scenario_is_recorded() -> None:
    assert {p.stem.split(".")[0] for p in FILES} == set(SCENARIOS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
async def test_history_replays(path: Path) -> None:
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(_history(path))


@workflow.defn(name="AgentAnalysisWorkflow")
class ChangedAnalysisWorkflow:
    """The child as someone might 'harmlessly' change it: a pause before the agents."""

    @workflow.run
    async def run(self, inp: dict[str, Any]) -> dict[str, Any]:
        await workflow.sleep(timedelta(seconds=1))
        result: dict[str, Any] = await workflow.execute_activity(
            "RunAgentAnalysisActivity", inp, start_to_close_timeout=timedelta(minutes=15)
        )
        return result


async def test_a_nondeterministic_change_fails_replay() -> None:
    replayer = Replayer(
        workflows=[ChangedAnalysisWorkflow],
        data_converter=DATA_CONVERTER,
        workflow_runner=UnsandboxedWorkflowRunner(),  # a test module is no sandbox guest
    )
    with pytest.raises(Exception, match=r"[Nn]ondeterminism"):
        await replayer.replay_workflow(_history(HISTORIES / "completed.analysis-1.json"))
