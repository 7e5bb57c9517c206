"""`PlanningInput`: the document the planning engine accepts.

Contract: ../shared/contracts/planning.md. The models accept every valid document of
that contract (extra fields are allowed for forward compatibility) and reject invalid
ones with a `pydantic.ValidationError` whose location names the offending field.
Cross-field checks (dates out of order, duplicate rows, infeasible bounds) raise the
same error type so callers handle one thing.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "CHANNEL_PATTERN",
    "Campaign",
    "ChannelSpec",
    "Goal",
    "HistoryRow",
    "KpiRow",
    "PlanningInput",
]

#: `platform:placement`, lower case; the platform part is checked separately.
CHANNEL_PATTERN = re.compile(r"^[a-z][a-z0-9_]*:[A-Za-z0-9_.\-]+$")
_NOT_CHANNELS = {"google_drive"}  # Drive holds plans, never spend.

_Money = Field(ge=0, allow_inf_nan=False)


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=True)


def _check_channel_id(value: str) -> str:
    if not CHANNEL_PATTERN.match(value):
        raise ValueError(
            f"channel {value!r} is not of the form 'platform:placement' "
            "(for example 'google_ads:search' or 'meta:instagram_reels')"
        )
    platform = value.split(":", 1)[0]
    if platform in _NOT_CHANNELS:
        raise ValueError(
            f"channel {value!r}: {platform} holds plans, not spend, so it is never a channel"
        )
    return value


class ChannelSpec(_Model):
    """A channel that may receive budget, with optional absolute bounds over the flight."""

    channel: str
    min_spend: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    max_spend: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    fixed_spend: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    _channel = field_validator("channel")(_check_channel_id)

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> ChannelSpec:
        lo, hi, fixed = self.min_spend, self.max_spend, self.fixed_spend
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"{self.channel}: min_spend {lo:g} is above max_spend {hi:g}")
        if fixed is not None and lo is not None and fixed < lo:
            raise ValueError(f"{self.channel}: fixed_spend {fixed:g} is below min_spend {lo:g}")
        if fixed is not None and hi is not None and fixed > hi:
            raise ValueError(f"{self.channel}: fixed_spend {fixed:g} is above max_spend {hi:g}")
        return self

    @property
    def lower(self) -> float:
        """The least this channel may receive over the flight."""
        if self.fixed_spend is not None:
            return self.fixed_spend
        return self.min_spend or 0.0

    @property
    def upper(self) -> float:
        """The most this channel may receive over the flight (inf when unbounded)."""
        if self.fixed_spend is not None:
            return self.fixed_spend
        return math.inf if self.max_spend is None else self.max_spend


class Goal(_Model):
    """What the optimizer maximizes: outcome for the budget, or under an efficiency target."""

    kind: Literal["max_outcome", "target_roas", "target_cpa"] = "max_outcome"
    value: float | None = Field(default=None, gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _value_matches_kind(self) -> Goal:
        if self.kind != "max_outcome" and self.value is None:
            raise ValueError(f"goal {self.kind!r} needs a positive 'value'")
        return self


class Campaign(_Model):
    campaign_id: str = Field(min_length=1)
    workspace_id: str | None = None
    objective: Literal["revenue", "conversions"]
    total_budget: float = Field(gt=0, allow_inf_nan=False)
    currency: str = Field(default="USD", min_length=1)
    start_date: date
    end_date: date
    channels: list[ChannelSpec] | None = None
    goal: Goal = Field(default_factory=Goal)
    industry: str | None = None
    region: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Campaign:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        if self.channels is not None:
            if not self.channels:
                raise ValueError("channels is empty: list at least one channel or omit the field")
            seen: set[str] = set()
            for spec in self.channels:
                if spec.channel in seen:
                    raise ValueError(
                        f"channel {spec.channel!r} is listed twice in campaign.channels"
                    )
                seen.add(spec.channel)
            self._check_feasible()
        return self

    def _check_feasible(self) -> None:
        assert self.channels is not None
        budget = self.total_budget
        lower = sum(s.lower for s in self.channels)
        if lower > budget * (1 + 1e-9):
            parts = ", ".join(
                f"{s.channel} {'fixed' if s.fixed_spend is not None else 'min'} {s.lower:,.2f}"
                for s in self.channels
                if s.lower > 0
            )
            raise ValueError(
                f"infeasible bounds: minimum and fixed spends sum to {lower:,.2f}, above "
                f"total_budget {budget:,.2f} ({parts})"
            )
        upper = sum(s.upper for s in self.channels)
        if self.goal.kind == "max_outcome" and upper < budget * (1 - 1e-9):
            parts = ", ".join(
                f"{s.channel} {'fixed' if s.fixed_spend is not None else 'max'} {s.upper:,.2f}"
                for s in self.channels
            )
            raise ValueError(
                f"infeasible bounds: maximum and fixed spends sum to {upper:,.2f}, below "
                f"total_budget {budget:,.2f} under goal max_outcome ({parts}); raise a "
                "max_spend, add a channel, or use a target_roas/target_cpa goal"
            )

    @property
    def flight_days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class HistoryRow(_Model):
    """One platform-reported day of one channel. Outcomes are platform-attributed."""

    date: date
    channel: str
    spend: float = _Money
    impressions: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    clicks: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    conversions: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    revenue: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    _channel = field_validator("channel")(_check_channel_id)


class KpiRow(_Model):
    """The business's own measured daily total (all channels plus baseline)."""

    date: date
    revenue: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    conversions: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class PlanningInput(_Model):
    campaign: Campaign
    history: list[HistoryRow] = Field(default_factory=list)
    kpi: list[KpiRow] | None = None
    market: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _unique_rows(self) -> PlanningInput:
        seen: dict[tuple[date, str], int] = {}
        for i, row in enumerate(self.history):
            key = (row.date, row.channel)
            if key in seen:
                raise ValueError(
                    f"history[{i}] repeats (date {row.date}, channel {row.channel}) "
                    f"already given at history[{seen[key]}]"
                )
            seen[key] = i
        if self.kpi:
            days: dict[date, int] = {}
            for i, kpi_row in enumerate(self.kpi):
                if kpi_row.date in days:
                    raise ValueError(
                        f"kpi[{i}] repeats date {kpi_row.date} "
                        f"already given at kpi[{days[kpi_row.date]}]"
                    )
                days[kpi_row.date] = i
        return self
