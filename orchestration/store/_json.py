"""JSON documents as the store keeps them.

Contract: `json_document(value, what)` returns `value` as it will read back from a JSON
column (tuples become lists, non-string keys become strings, dates become ISO strings
via `default=str`), or raises `InvalidRecord` naming `what` when it has no strict JSON
form (NaN or infinity, which PostgreSQL rejects, or an unserializable object).
"""

from __future__ import annotations

import json
from typing import Any

from orchestration.store._errors import InvalidRecord

__all__ = ["json_document"]


def json_document(value: Any, what: str) -> Any:
    try:
        return json.loads(json.dumps(value, allow_nan=False, default=str))
    except (TypeError, ValueError) as exc:
        raise InvalidRecord(f"{what} is not JSON: {exc}") from None
