"""Forgiving resolution of industry, region, placement and channel names.

Contract: names match case-insensitively and ignore punctuation and spacing, with '&' read
as 'and' and '+' as 'plus' (so "E-commerce", "ecommerce" and "e commerce" are one name, and
"Advantage+" matches "advantage_plus"). :func:`resolve` returns the key whose own name or
one of whose aliases matches, or the default key together with a note saying the name was
unknown; a missing or blank name resolves to the default without a note.
:func:`split_channel` parses ``platform:placement`` and raises ``ValueError`` otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["compact", "resolve", "split_channel"]

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def compact(name: str) -> str:
    """Lower-case ``name``, keep only letters and digits ('&' reads 'and', '+' reads 'plus')."""
    text = name.strip().lower().replace("&", " and ").replace("+", " plus ")
    return _NOT_ALNUM.sub("", text)


def resolve(
    name: str | None,
    aliases: Mapping[str, Iterable[str]],
    default: str,
    kind: str,
    default_label: str,
) -> tuple[str, str | None]:
    """Key of ``aliases`` matching ``name``; else ``default`` and a note naming the unknown name."""
    if name is None or not compact(name):
        return default, None
    wanted = compact(name)
    for key, names in aliases.items():
        if wanted == compact(key) or any(wanted == compact(alias) for alias in names):
            return key, None
    return default, f"{kind} {name!r} unknown; used {default_label} figures"


def split_channel(channel: str) -> tuple[str, str]:
    """``'Meta:Instagram_Reels'`` -> ``('meta', 'Instagram_Reels')``; platform lower-cased."""
    if not isinstance(channel, str) or channel.count(":") != 1:
        raise ValueError(
            f"channel {channel!r} is not of the form 'platform:placement' "
            "(for example 'google_ads:search' or 'meta:instagram_reels')"
        )
    platform, placement = (part.strip() for part in channel.split(":"))
    if not platform or not placement:
        raise ValueError(f"channel {channel!r} has an empty platform or placement")
    return platform.lower(), placement
