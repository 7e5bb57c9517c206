"""Schema of the planning input's ``market`` field: user overrides of benchmark figures.

Contract: :func:`parse_overrides` takes ``None`` or a dict and returns a frozen
:class:`MarketOverrides`. The accepted document is::

    {
      "google_ads:search": {"roas": 5.2, "cpc": 1.1},   # any channel id, known or not
      "meta:instagram_reels": {"cpa": 31.0, "roas_log_sd": 0.4},
      "seasonality": {"12": 1.3, "nov": 1.15},           # demand multiplier per month
      "cpm_seasonality": {"11": 1.25}                     # CPM multiplier per month
    }

Channel entries take ``cpm``, ``cpc``, ``cpa``, ``roas``, ``roas_log_sd``, ``cpa_log_sd``
(positive numbers) and ``ctr``, ``cvr`` (fractions in (0, 1]); their values are final for
that channel (industry and region adjustments do not apply to them; seasonality does).
Month keys are 1-12 (int or string) or English month names/abbreviations; a month value
replaces the table's per-day multiplier for that month. Anything else raises ``ValueError``
whose message names the offending key, e.g. ``market['google_ads:search']['roas']``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["ChannelOverride", "MarketOverrides", "parse_overrides"]

_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)]
_Fraction = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False, strict=True)]
_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*:[A-Za-z0-9_.+\-]+$")
_SEASONAL_KEYS = {"seasonality": "demand", "cpm_seasonality": "cpm"}
_MONTH_NAMES = {
    name.lower(): number
    for names in (calendar.month_name, calendar.month_abbr)
    for number, name in enumerate(names)
    if name
}


class ChannelOverride(BaseModel):
    """Figures the user knows for one channel; omitted ones come from the table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cpm: _Positive | None = None
    cpc: _Positive | None = None
    ctr: _Fraction | None = None
    cvr: _Fraction | None = None
    cpa: _Positive | None = None
    roas: _Positive | None = None
    roas_log_sd: _Positive | None = None
    cpa_log_sd: _Positive | None = None

    def given(self) -> dict[str, float]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class _MonthValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: _Positive


@dataclass(frozen=True)
class MarketOverrides:
    """Validated overrides: channel id -> figures, and month (1-12) -> multiplier."""

    channels: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    demand_seasonality: Mapping[int, float] = field(default_factory=dict)
    cpm_seasonality: Mapping[int, float] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.channels or self.demand_seasonality or self.cpm_seasonality)


def parse_overrides(raw: Mapping[str, Any] | None) -> MarketOverrides:
    """Validate the ``market`` field of a planning input (see the module docstring)."""
    if raw is None:
        return MarketOverrides()
    if not isinstance(raw, Mapping):
        raise ValueError(f"market overrides must be an object, got {type(raw).__name__}")
    channels: dict[str, dict[str, float]] = {}
    seasonal: dict[str, dict[int, float]] = {"demand": {}, "cpm": {}}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise ValueError(f"market key {key!r} must be a string")
        if key in _SEASONAL_KEYS:
            seasonal[_SEASONAL_KEYS[key]] = _parse_months(key, value)
        elif _CHANNEL.match(key):
            channels[key] = _parse_channel(key, value)
        else:
            raise ValueError(
                f"market[{key!r}]: unknown key; expected a channel id 'platform:placement', "
                "'seasonality' or 'cpm_seasonality'"
            )
    return MarketOverrides(channels, seasonal["demand"], seasonal["cpm"])


def _parse_channel(key: str, value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ValueError(
            f"market[{key!r}] must be an object of figures, got {type(value).__name__}"
        )
    try:
        parsed = ChannelOverride.model_validate(dict(value))
    except ValidationError as exc:
        raise ValueError(_describe(f"market[{key!r}]", exc)) from None
    figures = parsed.given()
    if not figures:
        raise ValueError(f"market[{key!r}] gives no figures")
    return figures


def _parse_months(key: str, value: Any) -> dict[int, float]:
    if not isinstance(value, Mapping):
        raise ValueError(
            f"market[{key!r}] must map months to multipliers, got {type(value).__name__}"
        )
    months: dict[int, float] = {}
    for month_key, multiplier in value.items():
        month = _month_number(month_key)
        if month in months:
            raise ValueError(f"market[{key!r}][{month_key!r}]: month {month} is given twice")
        if month is None:
            raise ValueError(
                f"market[{key!r}][{month_key!r}]: not a month (use 1-12 or a month name)"
            )
        try:
            months[month] = _MonthValue(value=multiplier).value
        except ValidationError as exc:
            raise ValueError(
                _describe(f"market[{key!r}][{month_key!r}]", exc, field_in_path=False)
            ) from None
    return months


def _month_number(key: Any) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        number = key
    elif isinstance(key, str) and key.strip().isdigit():
        number = int(key.strip())
    elif isinstance(key, str):
        return _MONTH_NAMES.get(key.strip().lower())
    else:
        return None
    return number if 1 <= number <= 12 else None


def _describe(prefix: str, exc: ValidationError, *, field_in_path: bool = True) -> str:
    err = exc.errors()[0]
    name = str(err["loc"][0]) if err["loc"] else ""
    where = f"{prefix}[{name!r}]" if field_in_path and name else prefix
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(ChannelOverride.model_fields)
        return f"{where}: unknown figure; allowed figures are {allowed}"
    return f"{where}: {err['msg'].lower()} (got {err.get('input')!r})"
