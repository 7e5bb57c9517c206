"""The narration prompt.

Contract: ``build_messages(request)`` returns OpenAI chat messages (a system message with
the rules, a user message with the items as JSON). The rules ask for a concise,
plain-English rewrite of each draft for a media planner that cites only the item's
figures and formats money and percentages the way the drafts do; the validator in
``_models`` enforces the part about numbers, so the prompt only has to make a valid
answer likely. Pure; deterministic (keys keep the request's order).
"""

from __future__ import annotations

import json

from agents.llm._models import NarrationRequest

__all__ = ["SYSTEM_PROMPT", "build_messages"]

SYSTEM_PROMPT = """\
You edit the text of a media plan for a media planner. The numbers were computed by an \
optimizer and are correct; your job is only the wording.

For every item, rewrite its draft as concise, plain English: one or two short sentences, \
no jargon, no hype, no greeting. Keep the draft's meaning and direction (increase or \
decrease, better or worse) and its channel names exactly as written.

Numbers:
- Cite only the figures listed under the item's "facts" or written in its draft. Never \
compute new numbers (no sums, differences, ratios or percentages of your own) and do \
not add dates, counts or rankings the draft does not contain.
- Format money and percentages the way the drafts do (currency {currency}; shares and \
changes as percentages, e.g. 0.073 -> 7.3%). You may round a figure, but never write \
more digits than the facts give.
- A number written as a decrease ("down 12%", "-12%", "12% lower") must come from a \
negative figure, and an increase from a positive one.

Answer with "texts": an object that maps every item id to its rewritten text."""


def build_messages(request: NarrationRequest) -> list[dict[str, str]]:
    """System and user messages asking for a ``Narration`` of ``request``."""
    items = [
        {
            "id": item.id,
            "kind": item.kind,
            "channel": item.channel,
            "draft": item.draft,
            "facts": request.item_facts(item),
        }
        for item in request.items
    ]
    payload = {"objective": request.objective, "currency": request.currency, "items": items}
    user = (
        "Rewrite the draft of each item below. Return a text for every item id.\n\n"
        + json.dumps(payload, indent=1, ensure_ascii=False)
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(currency=request.currency)},
        {"role": "user", "content": user},
    ]
