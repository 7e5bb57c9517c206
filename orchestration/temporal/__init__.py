"""Temporal plumbing: the data converter, settings, the worker and the dev server."""

from orchestration.temporal.converter import DATA_CONVERTER
from orchestration.temporal.settings import TemporalSettings

__all__ = ["DATA_CONVERTER", "TemporalSettings"]
