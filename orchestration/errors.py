"""Readable messages for invalid planning documents.

Contract: `describe_validation_error` turns a pydantic `ValidationError` into one line
per problem, each naming the field by its JSON path (`history[12].spend`,
`campaign.channels[1].min_spend`) followed by what is wrong with it.
"""

from __future__ import annotations

from pydantic import ValidationError

__all__ = ["describe_validation_error", "json_path"]


def json_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


def describe_validation_error(err: ValidationError) -> list[str]:
    lines = []
    for e in err.errors():
        msg = str(e["msg"]).removeprefix("Value error, ")
        lines.append(f"{json_path(tuple(e['loc']))}: {msg}")
    return lines
