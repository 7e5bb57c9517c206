"""Typed form of ``benchmarks.json`` and its loader.

Contract: :func:`load_data` reads the JSON shipped as package data of ``agents.market``
(through ``importlib.resources``), validates it with pydantic and returns a frozen
:class:`TableData`. A valid table guarantees that every figure names a known source (which
has a URL) or carries a ``derivation`` text, that every placement and average has all six
metrics, and that the default industry, region and seasonal curves exist. A malformed file
raises ``ValueError`` (pydantic's ``ValidationError``) naming the offending entry.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "METRICS",
    "SPREADS",
    "Adjustment",
    "Curve",
    "FigureGroup",
    "Placement",
    "Platform",
    "Source",
    "TableData",
    "load_data",
]

#: The six benchmark figures every placement carries (units in the JSON's ``units``).
METRICS: tuple[str, ...] = ("cpm", "cpc", "ctr", "cvr", "cpa", "roas")
#: Log-scale spreads a platform (or a placement that overrides it) carries.
SPREADS: tuple[str, ...] = ("roas_log_sd", "cpa_log_sd")
_MONTHS = tuple(str(m) for m in range(1, 13))


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """A public publication; ``url`` is the page the figures were read on."""

    short: str
    publisher: str
    title: str
    year: int = Field(ge=1990, le=2100)
    url: str = Field(pattern=r"^https?://\S+$")
    via: tuple[str, ...] = ()
    notes: str | None = None


class FigureGroup(_Frozen):
    """Named figures, each traced to source ids (``"*"`` covers all) or a derivation."""

    figures: dict[str, float]
    source: dict[str, tuple[str, ...]] = {}
    derivation: dict[str, str] = {}
    notes: str | None = None
    see_also: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _every_figure_is_traced(self) -> FigureGroup:
        for name, value in self.figures.items():
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"figure {name!r} = {value!r} must be finite and non-negative")
            if not (self.source_ids(name) or self.derivation.get(name, "").strip()):
                raise ValueError(f"figure {name!r} has neither a source nor a derivation")
        return self

    def source_ids(self, name: str) -> tuple[str, ...]:
        """Source ids behind figure ``name`` (empty when it is only derived)."""
        return self.source.get(name, self.source.get("*", ()))

    def all_source_ids(self) -> Iterator[str]:
        for ids in self.source.values():
            yield from ids
        yield from self.see_also


class Placement(FigureGroup):
    """A placement row; ``industry_basis`` names the industry its figures already describe."""

    label: str
    aliases: tuple[str, ...] = ()
    industry_basis: str | None = None


class Platform(_Frozen):
    label: str
    aliases: tuple[str, ...] = ()
    average: FigureGroup
    spread: FigureGroup
    fallback: FigureGroup
    placements: dict[str, Placement]


class Adjustment(_Frozen):
    """An industry or region: multipliers per platform plus an extra log-scale spread."""

    label: str
    aliases: tuple[str, ...] = ()
    platforms: dict[str, FigureGroup] = {}
    spread: FigureGroup


class Curve(FigureGroup):
    kind: Literal["price", "monthly_volume"]

    @model_validator(mode="after")
    def _twelve_months(self) -> Curve:
        if sorted(self.figures, key=int) != list(_MONTHS):
            raise ValueError("a seasonal curve needs exactly the months '1'..'12'")
        if any(v <= 0 for v in self.figures.values()):
            raise ValueError("seasonal values must be positive")
        return self


class Seasonality(_Frozen):
    normalization: str
    cpm: dict[str, Curve]
    demand: dict[str, Curve]


class Defaults(_Frozen):
    industry: str
    region: str


class TableData(_Frozen):
    schema_version: str
    currency: Literal["USD"]
    description: str
    units: dict[str, str]
    reference_market: str
    notes: tuple[str, ...]
    defaults: Defaults
    sources: dict[str, Source]
    platforms: dict[str, Platform]
    all_digital: FigureGroup
    industries: dict[str, Adjustment]
    regions: dict[str, Adjustment]
    seasonality: Seasonality

    def groups(self) -> Iterator[tuple[str, FigureGroup]]:
        """Every figure group with a dotted path, for validation and reporting."""
        for name, platform in self.platforms.items():
            yield f"platforms.{name}.average", platform.average
            yield f"platforms.{name}.spread", platform.spread
            yield f"platforms.{name}.fallback", platform.fallback
            for key, placement in platform.placements.items():
                yield f"platforms.{name}.placements.{key}", placement
        yield "all_digital", self.all_digital
        for kind, table in (("industries", self.industries), ("regions", self.regions)):
            for key, adj in table.items():
                yield f"{kind}.{key}.spread", adj.spread
                for platform_name, group in adj.platforms.items():
                    yield f"{kind}.{key}.platforms.{platform_name}", group
        for kind, curves in (("cpm", self.seasonality.cpm), ("demand", self.seasonality.demand)):
            for key, curve in curves.items():
                yield f"seasonality.{kind}.{key}", curve

    @model_validator(mode="after")
    def _consistent(self) -> TableData:
        for path, group in self.groups():
            for sid in group.all_source_ids():
                if sid not in self.sources:
                    raise ValueError(f"{path}: unknown source id {sid!r}")
        for name, platform in self.platforms.items():
            _require(f"platforms.{name}.spread", platform.spread, SPREADS)
            _require(f"platforms.{name}.fallback", platform.fallback, ("extra_log_sd",))
            _require(f"platforms.{name}.average", platform.average, METRICS)
            for key, placement in platform.placements.items():
                _require(f"platforms.{name}.placements.{key}", placement, METRICS)
                basis = placement.industry_basis
                if basis is not None and basis not in self.industries:
                    raise ValueError(f"platforms.{name}.placements.{key}: unknown basis {basis!r}")
        _require("all_digital", self.all_digital, METRICS + SPREADS)
        for kind, table in (("industries", self.industries), ("regions", self.regions)):
            for key, adj in table.items():
                _require(f"{kind}.{key}.spread", adj.spread, ("extra_log_sd",))
                for platform_name in adj.platforms:
                    if platform_name not in self.platforms:
                        raise ValueError(f"{kind}.{key}: unknown platform {platform_name!r}")
        if self.defaults.industry not in self.industries:
            raise ValueError(f"defaults.industry {self.defaults.industry!r} is not an industry")
        if self.defaults.region not in self.regions:
            raise ValueError(f"defaults.region {self.defaults.region!r} is not a region")
        for kind, curves in (("cpm", self.seasonality.cpm), ("demand", self.seasonality.demand)):
            if self.defaults.industry not in curves:
                raise ValueError(
                    f"seasonality.{kind} lacks the default curve {self.defaults.industry!r}"
                )
        return self


def _require(path: str, group: FigureGroup, names: tuple[str, ...]) -> None:
    missing = [n for n in names if n not in group.figures]
    if missing:
        raise ValueError(f"{path}: missing figures {', '.join(missing)}")


@lru_cache(maxsize=1)
def load_data() -> TableData:
    """The validated table shipped with the package (parsed once per process)."""
    text = resources.files("agents.market").joinpath("benchmarks.json").read_text(encoding="utf-8")
    return TableData.model_validate_json(text)
