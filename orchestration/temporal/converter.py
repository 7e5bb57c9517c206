"""The data converter every client, worker and replayer of mediaplan uses.

Contract: `DATA_CONVERTER` is Temporal's pydantic converter, so workflow inputs, results,
signals, queries, updates and heartbeat details are plain JSON a person can read (and
type) in the Temporal UI and CLI. A replayer must use the same converter as the workers.
"""

from __future__ import annotations

from typing import Final

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

__all__ = ["DATA_CONVERTER"]

DATA_CONVERTER: Final[DataConverter] = pydantic_data_converter
