"""What a run plans: the campaign narrowed by the analysis parameters.

Contract: pure and deterministic (safe in workflow code). `effective_campaign` returns
the campaign the engine should plan under `params`: the first optimization goal replaces
the campaign's goal, and `params.platforms` keeps only channels of those platforms (from
the campaign's own list, else from the channels with history). It raises `ValueError`
with a planner-readable message when nothing is left to plan or the remaining bounds are
infeasible for the budget. `affected_steps` names the steps a parameter change restarts;
`cache_params` is the parameter part of a plan's cache key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from agents.contract import Campaign, ChannelSpec
from orchestration.errors import describe_validation_error
from orchestration.workflows.models import AnalysisParams

__all__ = ["affected_steps", "cache_params", "effective_campaign", "platform_of", "step_keys"]


def platform_of(channel: str) -> str:
    return channel.split(":", 1)[0]


def effective_campaign(
    campaign: Campaign, params: AnalysisParams, history_channels: Sequence[str] = ()
) -> Campaign:
    """`campaign` as planned under `params` (see the module docstring)."""
    doc = campaign.model_dump(mode="json")
    if params.optimization_goals:
        doc["goal"] = params.optimization_goals[0].model_dump(mode="json")
    if params.platforms:
        wanted = set(params.platforms)
        if campaign.channels is not None:
            listed = [s for s in campaign.channels if platform_of(s.channel) in wanted]
            where = "the campaign's channels"
        else:
            listed = [
                ChannelSpec(channel=ch) for ch in history_channels if platform_of(ch) in wanted
            ]
            where = "the channels with history"
        if not listed:
            raise ValueError(
                f"no channel to plan on platforms {', '.join(params.platforms)}: none of "
                f"{where} is on them"
            )
        doc["channels"] = [s.model_dump(mode="json", exclude_none=True) for s in listed]
    try:
        return Campaign.model_validate(doc)
    except ValidationError as exc:
        raise ValueError(
            "the campaign cannot be planned with these parameters: "
            + "; ".join(describe_validation_error(exc))
        ) from None


def cache_params(params: AnalysisParams, *, narrate: bool) -> dict[str, Any]:
    """What besides the campaign and its data a cached plan must match (the cache key's
    ``params``; the Python API uses it to read the cache)."""
    return {"analysis_params": params.model_dump(mode="json"), "narrate": narrate}


def step_keys(params: AnalysisParams, *, use_cache: bool = True) -> dict[str, str]:
    """The data-gathering steps `params` needs, each with the part of `params` it reads.

    A step whose key changes must run again; the others keep their results.
    """
    platforms = ",".join(sorted(params.platforms))
    window = params.date_range.model_dump_json() if params.date_range else "default"
    keys = {
        "campaign": "campaign",
        "market": f"platforms={platforms}",
        "cache": params.model_dump_json(),
    }
    if params.include_historical:
        keys["history"] = f"platforms={platforms};window={window}"
    if not use_cache:
        del keys["cache"]
    return keys


def affected_steps(old: AnalysisParams, new: AnalysisParams) -> list[str]:
    """The steps a change from `old` to `new` restarts (the analysis always does)."""
    before, after = step_keys(old), step_keys(new)
    changed = [
        step for step in ("history", "market") if step in after and before.get(step) != after[step]
    ]
    return [*changed, "analysis"] if old != new else []
