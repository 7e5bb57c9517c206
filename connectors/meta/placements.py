"""Which planning channel (`meta:<placement>`) a Meta campaign belongs to.

Meta has no campaign-level "placement" field (placements live on ad sets), so mediaplan
reads the channel from a convention on the campaign, in this order:

1. an ad label (Campaign `adlabels`, a real Meta feature for tagging objects) named
   `placement:<slug>`, e.g. `placement:instagram_reels` -> `meta:instagram_reels`;
   any lower-case slug `[a-z0-9_]+` is accepted;
2. a tag in the campaign name, `[<slug>]` or `[meta:<slug>]`, e.g.
   `"Spring sale [instagram_reels]"`; only `KNOWN_PLACEMENTS` count here, so a name
   like `"Brand [Q4]"` is not misread;
3. otherwise `meta:other`.

The sandbox exposes each seeded campaign's channel as such an ad label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["KNOWN_PLACEMENTS", "LABEL_PREFIX", "OTHER_CHANNEL", "channel_for_campaign"]

LABEL_PREFIX = "placement:"
OTHER_CHANNEL = "meta:other"
KNOWN_PLACEMENTS = frozenset(
    {
        "advantage_plus",
        "audience_network",
        "facebook_feed",
        "facebook_marketplace",
        "facebook_reels",
        "facebook_stories",
        "facebook_video_feeds",
        "instagram_explore",
        "instagram_feed",
        "instagram_reels",
        "instagram_stories",
        "messenger",
        "threads",
    }
)
_SLUG = re.compile(r"[a-z0-9_]+")
_NAME_TAG = re.compile(r"\[(?:meta:)?([A-Za-z0-9_]+)\]")


def channel_for_campaign(name: str | None, adlabels: Iterable[Mapping[str, Any]] = ()) -> str:
    """`meta:<placement>` for a campaign's name and ad labels (see the module docstring)."""
    for label in adlabels:
        label_name = str(label.get("name") or "").strip()
        if label_name.lower().startswith(LABEL_PREFIX):
            slug = label_name[len(LABEL_PREFIX) :].strip().lower()
            if _SLUG.fullmatch(slug):
                return f"meta:{slug}"
    for match in _NAME_TAG.finditer(name or ""):
        slug = match.group(1).lower()
        if slug in KNOWN_PLACEMENTS:
            return f"meta:{slug}"
    return OTHER_CHANNEL
