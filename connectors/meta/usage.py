"""Meta's rate-limit usage headers, parsed into one `MetaUsage` value.

Contract: `parse_usage_headers` never raises. It reads `X-Business-Use-Case-Usage`
(per business/ad account and use-case type, with `estimated_time_to_regain_access` in
minutes), `X-App-Usage`, `X-Ad-Account-Usage` and `x-fb-ads-insights-throttle` from any
header mapping (names are case-insensitive) and ignores a header that does not parse.
`MetaUsage.regain_access_s` is the longest announced wait in seconds (None when no
header announces one); `max_util_pct` is the highest utilisation any header reports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BusinessUseCaseUsage", "MetaUsage", "parse_usage_headers"]


@dataclass(frozen=True)
class BusinessUseCaseUsage:
    """One entry of `X-Business-Use-Case-Usage` (percentages 0-100, wait in minutes)."""

    business_id: str
    type: str
    call_count: float = 0.0
    total_cputime: float = 0.0
    total_time: float = 0.0
    estimated_time_to_regain_access: float = 0.0


@dataclass(frozen=True)
class MetaUsage:
    business_use_cases: tuple[BusinessUseCaseUsage, ...] = ()
    app: Mapping[str, float] = field(default_factory=dict)
    """`X-App-Usage`: call_count, total_time, total_cputime (percent)."""
    ad_account: Mapping[str, float] = field(default_factory=dict)
    """`X-Ad-Account-Usage`: acc_id_util_pct, reset_time_duration (s), ..."""
    insights_throttle: Mapping[str, float] = field(default_factory=dict)
    """`x-fb-ads-insights-throttle`: app_id_util_pct, acc_id_util_pct."""

    @property
    def max_util_pct(self) -> float:
        values: list[float] = [0.0]
        for buc in self.business_use_cases:
            values += [buc.call_count, buc.total_cputime, buc.total_time]
        values += list(self.app.values())
        values += [self.ad_account.get("acc_id_util_pct", 0.0)]
        values += list(self.insights_throttle.values())
        return max(values)

    @property
    def regain_access_s(self) -> float | None:
        waits = [
            buc.estimated_time_to_regain_access * 60.0
            for buc in self.business_use_cases
            if buc.estimated_time_to_regain_access > 0
        ]
        reset = self.ad_account.get("reset_time_duration", 0.0)
        if reset > 0 and self.ad_account.get("acc_id_util_pct", 0.0) >= 100.0:
            waits.append(reset)
        return max(waits) if waits else None


def _json(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _numbers(obj: Any) -> dict[str, float]:
    if not isinstance(obj, dict):
        return {}
    out: dict[str, float] = {}
    for key, value in obj.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[str(key)] = float(value)
    return out


def _buc(obj: Any) -> tuple[BusinessUseCaseUsage, ...]:
    if not isinstance(obj, dict):
        return ()
    entries: list[BusinessUseCaseUsage] = []
    for business_id, items in obj.items():
        for item in items if isinstance(items, list) else []:
            nums = _numbers(item)
            kind = item.get("type") if isinstance(item, dict) else None
            entries.append(
                BusinessUseCaseUsage(
                    business_id=str(business_id),
                    type=str(kind or "unknown"),
                    call_count=nums.get("call_count", 0.0),
                    total_cputime=nums.get("total_cputime", 0.0),
                    total_time=nums.get("total_time", 0.0),
                    estimated_time_to_regain_access=nums.get(
                        "estimated_time_to_regain_access", 0.0
                    ),
                )
            )
    return tuple(entries)


def parse_usage_headers(headers: Mapping[str, str]) -> MetaUsage | None:
    """The usage the headers report, or None when the response carries no usage header."""
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    names = (
        "x-business-use-case-usage",
        "x-app-usage",
        "x-ad-account-usage",
        "x-fb-ads-insights-throttle",
    )
    if not any(name in lower for name in names):
        return None
    return MetaUsage(
        business_use_cases=_buc(_json(lower.get(names[0]))),
        app=_numbers(_json(lower.get(names[1]))),
        ad_account=_numbers(_json(lower.get(names[2]))),
        insights_throttle=_numbers(_json(lower.get(names[3]))),
    )
