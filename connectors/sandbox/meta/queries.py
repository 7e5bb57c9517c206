"""Graph query semantics for the Meta sandbox: parameters, filtering, insights, paging.

Contract: pure functions over `MetaWorld` state. Parameters arrive as Graph sends them
(facebook-business JSON-encodes lists and maps; `fields` is comma-separated on GETs and a
JSON list on async POSTs; both are accepted). Campaign edges hide ARCHIVED/DELETED
campaigns unless `effective_status` or a `filtering` rule on it asks for them.
`filtering` supports EQUAL, NOT_EQUAL, GREATER_THAN, LESS_THAN, IN, NOT_IN on
`[campaign.]id|name|effective_status|status|updated_time|created_time`. Insights support
`level` account/campaign, `time_range` and `time_increment` 1 or `all_days`; rows are
sorted by (date_start, campaign_id) and only days with delivery appear (like Meta).
`page` slices a list with Graph's cursor paging (`paging.cursors.after`, `paging.next`).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from connectors.sandbox.meta.errors import GraphError
from connectors.sandbox.meta.world import CampaignState, MetaWorld, graph_time

__all__ = [
    "bad_param",
    "campaign_json",
    "filter_campaigns",
    "insight_rows",
    "json_param",
    "list_param",
    "page",
]

_HIDDEN = frozenset({"ARCHIVED", "DELETED"})
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "EQUAL": lambda a, b: a == b,
    "NOT_EQUAL": lambda a, b: a != b,
    "GREATER_THAN": lambda a, b: a > b,
    "LESS_THAN": lambda a, b: a < b,
    "IN": lambda a, b: a in b,
    "NOT_IN": lambda a, b: a not in b,
}


def bad_param(message: str) -> GraphError:
    return GraphError(100, f"(#100) {message}")


def json_param(params: Mapping[str, str], name: str) -> Any:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise bad_param(f"Param {name} must be JSON") from exc


def list_param(params: Mapping[str, str], name: str) -> list[str] | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lstrip().startswith("["):
        value = json_param(params, name)
        if not isinstance(value, list):
            raise bad_param(f"Param {name} must be a list")
        return [str(v) for v in value]
    return [part.strip() for part in raw.split(",") if part.strip()]


def _campaign_value(c: CampaignState, name: str) -> Any:
    values: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "status": c.status,
        "effective_status": c.status,
        "updated_time": c.updated_time,
        "created_time": c.created_time,
    }
    if name not in values:
        raise bad_param(f"Filtering field '{name}' is invalid.")
    return values[name]


def filter_campaigns(
    campaigns: list[CampaignState], params: Mapping[str, str]
) -> list[CampaignState]:
    rules = json_param(params, "filtering") or []
    statuses = list_param(params, "effective_status")
    if not isinstance(rules, list):
        raise bad_param("Param filtering must be an array")
    status_ruled = statuses is not None
    out = [c for c in campaigns if statuses is None or c.status in statuses]
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("operator") not in _OPERATORS:
            raise bad_param(f"Invalid filtering rule {rule!r}")
        name = str(rule.get("field", "")).removeprefix("campaign.")
        status_ruled |= name == "effective_status"
        expected: Any = rule.get("value")
        if name in ("updated_time", "created_time"):
            try:
                expected = (
                    [float(v) for v in expected] if isinstance(expected, list) else float(expected)
                )
            except (TypeError, ValueError) as exc:
                raise bad_param(f"Filtering value for '{name}' must be a unix time") from exc
        check = _OPERATORS[str(rule["operator"])]
        out = [c for c in out if check(_campaign_value(c, name), expected)]
    if not status_ruled:
        out = [c for c in out if c.status not in _HIDDEN]
    return out


def campaign_json(c: CampaignState, fields: list[str] | None) -> dict[str, Any]:
    full: dict[str, Any] = {
        "id": c.id,
        "account_id": c.account_id,
        "name": c.name,
        "status": c.status,
        "effective_status": c.status,
        "configured_status": c.status,
        "objective": c.objective or "OUTCOME_SALES",
        "created_time": graph_time(c.created_time),
        "updated_time": graph_time(c.updated_time),
        "adlabels": c.adlabels(),
    }
    wanted = fields or ["id", "name"]
    return {k: full[k] for k in ["id", *wanted] if k in full}


_PURCHASES = ("offsite_conversion.fb_pixel_purchase", "omni_purchase", "purchase")


def _num(value: float) -> str:
    """Graph's number strings: `12`, `3.5`, `1234.56`."""
    return str(int(value)) if value == int(value) else repr(round(value, 6))


def _actions(clicks: float, value: float) -> list[dict[str, str]]:
    """`actions`/`action_values` as Meta reports purchases: under overlapping types."""
    out = [{"action_type": "link_click", "value": _num(clicks)}] if clicks > 0 else []
    if value > 0:
        text = _num(value)
        out += [{"action_type": t, "value": text} for t in _PURCHASES]
    return out


def _row(
    metrics: Mapping[str, float],
    start: dt.date,
    stop: dt.date,
    ident: Mapping[str, str],
    fields: list[str],
) -> dict[str, Any]:
    full: dict[str, Any] = {
        **ident,
        "spend": f"{metrics['spend']:.2f}",
        "impressions": _num(metrics["impressions"]),
        "clicks": _num(metrics["clicks"]),
    }
    actions = _actions(metrics["clicks"], metrics["conversions"])
    values = _actions(0.0, metrics["revenue"])
    if actions:
        full["actions"] = actions
    if values:
        full["action_values"] = values
    row = {k: full[k] for k in fields if k in full}
    row.update(date_start=start.isoformat(), date_stop=stop.isoformat())
    return row


def insight_rows(
    world: MetaWorld, account_id: str, params: Mapping[str, str], campaign_id: str | None = None
) -> list[dict[str, Any]]:
    account = world.account(account_id)
    fields = list_param(params, "fields") or ["spend", "impressions"]
    level = params.get("level") or ("campaign" if campaign_id else "account")
    if level not in ("account", "campaign"):
        raise bad_param(f"level {level!r} is not supported by the sandbox")
    increment = params.get("time_increment", "all_days")
    if increment not in ("1", "all_days"):
        raise bad_param("time_increment must be 1 or all_days in the sandbox")
    span = json_param(params, "time_range") or {}
    try:
        since = dt.date.fromisoformat(str(span["since"]))
        until = dt.date.fromisoformat(str(span["until"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise bad_param(
            "time_range must be {'since': 'YYYY-MM-DD', 'until': 'YYYY-MM-DD'}"
        ) from exc
    if since > until:
        raise bad_param("time_range since must not be after until")
    campaigns = (
        [world.campaign(campaign_id)] if campaign_id else world.account_campaigns(account.id)
    )
    buckets: dict[tuple[dt.date, str], dict[str, float]] = {}
    names: dict[str, str] = {}
    for c in campaigns:
        for day, m in c.daily.items():
            if not since <= day <= until or all(v == 0 for v in m.values()):
                continue
            key = (day if increment == "1" else since, c.id if level == "campaign" else "")
            bucket = buckets.setdefault(key, dict.fromkeys(m, 0.0))
            for metric, value in m.items():
                bucket[metric] += value
            names[c.id] = c.name
    rows = []
    for (day, cid), metrics in sorted(buckets.items()):
        stop = day if increment == "1" else until
        ident = {"account_id": account.id, "account_name": account.name}
        ident["account_currency"] = account.currency
        if cid:
            ident.update(campaign_id=cid, campaign_name=names[cid])
        rows.append(_row(metrics, day, stop, ident, fields))
    return rows


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(raw.removeprefix("offset:"))
    except ValueError as exc:
        raise bad_param("Invalid cursor") from exc


def page(
    items: list[dict[str, Any]],
    params: Mapping[str, str],
    next_url: Callable[[str], str],
    *,
    default_limit: int = 25,
    max_limit: int = 5000,
) -> dict[str, Any]:
    """One Graph page of `items`; `next_url(after)` builds `paging.next`."""
    try:
        limit = int(params.get("limit") or default_limit)
    except ValueError as exc:
        raise bad_param("limit must be an integer") from exc
    limit = max(1, min(limit, max_limit))
    start = _offset(params["after"]) if params.get("after") else 0
    chunk = items[start : start + limit]
    body: dict[str, Any] = {"data": chunk}
    if chunk:
        after = _cursor(start + len(chunk))
        paging: dict[str, Any] = {"cursors": {"before": _cursor(start), "after": after}}
        if start + len(chunk) < len(items):
            paging["next"] = next_url(after)
        body["paging"] = paging
    return body
