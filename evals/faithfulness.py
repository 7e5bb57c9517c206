"""Faithfulness of a plan's texts: does every number written agree with the plan's figures?

Contract: `check_plan_texts(plan)` reads every insight text and recommendation rationale
and returns a `TextCheck`: how many numbers were written, which ones match no figure
(`unfaithful`, as `(item, number as written)`), and what was left out. A number is
faithful when `agents.llm.find_unfaithful_numbers` (the project's own rule: rounding,
units, signs, percentages) matches it to one of the plan's structured figures:

- the figures of `agents.nodes.narration.plan_facts(plan)` except the insights' own
  `evidence` entries (a text is not backed by the evidence it declares itself), plus
- every numeric field of `plan.diagnostics` (platform-reported and modelled historical
  ROI, calibration factors, fit statistics) and the figures of `plan.binding_bounds`.

One relaxation: the project rule reads a plain integer up to 12 as an exact count; here
such a number is also accepted when it is a plan figure rounded to the nearest integer
("worth about 8 conversions" for an impact of 7.6). Those are counted in `relaxed`.

Market notes (`agent == "market"`) cite benchmark figures (prior ROAS or CPA, source
year, seasonal factor, uncertainty) that are neither plan figures nor in their
`evidence`, so they cannot be checked and are excluded; `excluded` counts them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from agents.contract import DistributionPlan
from agents.llm import find_unfaithful_numbers, numbers_in
from agents.nodes.narration import plan_facts

__all__ = ["TextCheck", "allowed_figures", "check_plan_texts", "check_text"]

_SMALL_INT = re.compile(r"^[-−+]?\d{1,2}$")


@dataclass(frozen=True)
class TextCheck:
    """The numbers of a plan's texts checked against its figures."""

    numbers: int
    unfaithful: list[tuple[str, str]] = field(default_factory=list)
    relaxed: int = 0
    excluded: int = 0  # market notes left out (their figures are not in the plan)

    @property
    def share_faithful(self) -> float:
        """Share of the written numbers that match a figure (1.0 when none are written)."""
        if self.numbers == 0:
            return 1.0
        return 1.0 - len(self.unfaithful) / self.numbers

    @property
    def faithful(self) -> bool:
        return not self.unfaithful


def _leaves(value: Any) -> Iterator[float]:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield float(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v)


def allowed_figures(plan: DistributionPlan) -> list[float]:
    """The structured figures a text may cite (see module doc)."""
    figures = [
        float(v)
        for k, v in plan_facts(plan).items()
        if isinstance(v, int | float) and not k.startswith("insight")
    ]
    figures.extend(_leaves(plan.diagnostics))
    for bound in plan.binding_bounds:
        figures.extend(numbers_in(bound))
    return [f for f in figures if math.isfinite(f)]


def check_text(text: str, allowed: Iterable[float]) -> tuple[list[str], int]:
    """(unfaithful numbers as written, how many small integers were accepted as rounded)."""
    figures = list(allowed)
    bad = find_unfaithful_numbers(text, figures)
    kept: list[str] = []
    relaxed = 0
    for written in bad:
        if _SMALL_INT.match(written):
            n = abs(int(written.replace("−", "-")))
            if any(round(abs(f)) == n for f in figures):
                relaxed += 1
                continue
        kept.append(written)
    return kept, relaxed


def check_plan_texts(plan: DistributionPlan) -> TextCheck:
    """Check every insight and recommendation text of `plan` (see module doc)."""
    allowed = allowed_figures(plan)
    items: list[tuple[str, str]] = []
    excluded = 0
    for i, insight in enumerate(plan.insights):
        if insight.agent == "market":
            excluded += 1
            continue
        items.append((f"insight{i}:{insight.agent}", insight.text))
    for i, rec in enumerate(plan.recommendations):
        items.append((f"rec{i}:{rec.channel}", rec.rationale))
    numbers = 0
    unfaithful: list[tuple[str, str]] = []
    relaxed = 0
    for name, text in items:
        numbers += len(numbers_in(text))
        bad, n_relaxed = check_text(text, allowed)
        relaxed += n_relaxed
        unfaithful.extend((name, b) for b in bad)
    return TextCheck(numbers=numbers, unfaithful=unfaithful, relaxed=relaxed, excluded=excluded)
