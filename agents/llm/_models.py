"""What the engine asks the LLM to write, and the checked answer.

Contract:

- ``NarrationRequest`` carries a flat dict of named plan figures (``facts``) and the items
  to rewrite. Each ``NarrationItem`` has the deterministic ``draft`` (always correct; it is
  what the plan uses when the LLM is absent or wrong) and the keys of ``facts`` it may cite.
  Construction fails (``ValidationError``) on duplicate item ids or on an item citing a key
  that ``facts`` does not have: both are engine bugs, not LLM problems.
- ``Narration`` maps item id to rewritten text. Validated *with* a request in the
  validation context (``Narration.model_validate(data, context=validation_context(req))``,
  which is what the narrators and instructor do), it guarantees: a text for every item id
  (extra ids are dropped), no blank text, no text longer than ``max(800, 2 x draft)``
  characters, and every number in a text matching a figure that item may cite or a number
  of its draft (``find_unfaithful_numbers``). Failures raise ``ValidationError`` wrapping a
  ``NarrationInvalid`` whose message is written for the LLM, so instructor's re-ask loop
  can feed it back. Without that context only the shape is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from agents.llm._faithfulness import find_unfaithful_numbers, numbers_in

__all__ = [
    "Narration",
    "NarrationInvalid",
    "NarrationItem",
    "NarrationRequest",
    "validation_context",
]

Fact = float | int | str
_CONTEXT_KEY = "mediaplan_narration_request"
_MIN_MAX_CHARS = 800


class NarrationItem(BaseModel):
    """One text to rewrite."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    kind: Literal["insight", "recommendation", "market_note"]
    channel: str | None = None
    draft: str
    """The engine's deterministic text; correct by construction."""
    facts: list[str] = Field(default_factory=list)
    """Keys of ``NarrationRequest.facts`` this item may cite."""


class NarrationRequest(BaseModel):
    """Figures from the plan plus the items to rewrite."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    facts: dict[str, Fact]
    """Flat named figures, e.g. ``{"google_ads:search.spend": 91000.0, "uplift_pct": 7.3}``."""
    currency: str
    objective: str
    items: list[NarrationItem]

    @model_validator(mode="after")
    def _consistent(self) -> NarrationRequest:
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"duplicate narration item id {item.id!r}")
            seen.add(item.id)
            unknown = [k for k in item.facts if k not in self.facts]
            if unknown:
                raise ValueError(f"item {item.id!r} cites unknown fact keys {unknown}")
        return self

    def drafts(self) -> dict[str, str]:
        """Item id to draft, in item order: the texts to use without an LLM."""
        return {item.id: item.draft for item in self.items}

    def item_facts(self, item: NarrationItem) -> dict[str, Fact]:
        """The named figures ``item`` may cite."""
        return {key: self.facts[key] for key in item.facts}

    def allowed_figures(self, item: NarrationItem) -> list[float]:
        """Figures a rewrite of ``item`` may cite: its facts and the numbers of its draft."""
        figures: list[float] = []
        for value in self.item_facts(item).values():
            if isinstance(value, str):
                figures.extend(numbers_in(value))
            elif not isinstance(value, bool):
                figures.append(float(value))
        figures.extend(numbers_in(item.draft))
        if item.channel:
            figures.extend(numbers_in(item.channel))
        return figures


class NarrationInvalid(ValueError):
    """A narration that breaks its request's rules; ``str()`` is feedback for the LLM."""

    def __init__(
        self,
        message: str,
        *,
        missing: list[str],
        blank: list[str],
        too_long: list[str],
        unfaithful: dict[str, list[str]],
    ) -> None:
        super().__init__(message)
        self.missing = missing
        """Requested item ids without a text."""
        self.blank = blank
        self.too_long = too_long
        self.unfaithful = unfaithful
        """Item id to the numbers (as written) that match none of its figures."""

    def __reduce__(self) -> tuple[Any, ...]:
        fields = (self.missing, self.blank, self.too_long, self.unfaithful)
        return (_rebuild_invalid, (str(self), *fields))


def _rebuild_invalid(
    message: str,
    missing: list[str],
    blank: list[str],
    too_long: list[str],
    unfaithful: dict[str, list[str]],
) -> NarrationInvalid:
    return NarrationInvalid(
        message, missing=missing, blank=blank, too_long=too_long, unfaithful=unfaithful
    )


def validation_context(request: NarrationRequest) -> dict[str, Any]:
    """The pydantic validation context that makes ``Narration`` check against ``request``."""
    return {_CONTEXT_KEY: request}


class Narration(BaseModel):
    """The rewritten texts, keyed by item id."""

    texts: dict[str, str] = Field(
        description=(
            "One entry per requested item: the item id mapped to its rewritten text. "
            "Every item id must be present."
        )
    )

    @model_validator(mode="after")
    def _check_against_request(self, info: ValidationInfo) -> Narration:
        context = info.context
        request = context.get(_CONTEXT_KEY) if isinstance(context, Mapping) else None
        if not isinstance(request, NarrationRequest):
            return self
        self.texts = _checked_texts(request, self.texts)
        return self


def _checked_texts(request: NarrationRequest, texts: Mapping[str, str]) -> dict[str, str]:
    missing: list[str] = []
    blank: list[str] = []
    too_long: list[str] = []
    unfaithful: dict[str, list[str]] = {}
    problems: list[str] = []
    checked: dict[str, str] = {}
    for item in request.items:
        text = texts.get(item.id)
        if text is None:
            missing.append(item.id)
            continue
        text = text.strip()
        checked[item.id] = text
        limit = max(_MIN_MAX_CHARS, 2 * len(item.draft))
        if not text:
            blank.append(item.id)
            problems.append(f"item {item.id!r}: the text is empty; write one or two sentences.")
        elif len(text) > limit:
            too_long.append(item.id)
            problems.append(
                f"item {item.id!r}: the text has {len(text)} characters; keep it under {limit}."
            )
        bad = find_unfaithful_numbers(text, request.allowed_figures(item))
        if bad:
            unfaithful[item.id] = bad
            problems.append(_unfaithful_feedback(request, item, bad))
    if missing:
        problems.insert(
            0,
            "texts is missing these item ids: "
            + ", ".join(repr(i) for i in missing)
            + "; return one text for every item id.",
        )
    if problems:
        raise NarrationInvalid(
            "\n".join(problems),
            missing=missing,
            blank=blank,
            too_long=too_long,
            unfaithful=unfaithful,
        )
    return checked


def _unfaithful_feedback(request: NarrationRequest, item: NarrationItem, bad: list[str]) -> str:
    facts = request.item_facts(item)
    listed = "; ".join(f"{key} = {value}" for key, value in facts.items()) or "none"
    return (
        f"item {item.id!r}: {', '.join(repr(b) for b in bad)} "
        f"{'is' if len(bad) == 1 else 'are'} not among the figures this item may cite. "
        f"Its figures: {listed}; plus the numbers in its draft: {item.draft!r}. "
        "Use only these figures (you may round them, but never write more digits than "
        "given), do not compute new numbers, and keep each number's direction: a number "
        "written as a decrease "
        "('down 12%', '-12%', '12% lower') must be a negative figure, and vice versa."
    )
