"""Where mediaplan's Temporal is, from the environment.

Contract: `TemporalSettings.from_env(env)` reads

=================================  ==================================================
``MEDIAPLAN_TEMPORAL_ADDRESS``     gRPC ``host:port``; default ``127.0.0.1:7233``
``MEDIAPLAN_TEMPORAL_NAMESPACE``   namespace; default ``default``
``MEDIAPLAN_TASK_QUEUE``           task queue of the planning workers; default ``mediaplan``
``MEDIAPLAN_TEMPORAL_UI``          Web UI base URL for links; default ``http://127.0.0.1:8233``
=================================  ==================================================

Blank values mean the default. `connect()` opens a client with the project's data
converter; it raises `RuntimeError` naming the address when no server answers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from temporalio.client import Client

from orchestration.temporal.converter import DATA_CONVERTER

__all__ = ["TemporalSettings"]

_DEFAULTS = {
    "MEDIAPLAN_TEMPORAL_ADDRESS": "127.0.0.1:7233",
    "MEDIAPLAN_TEMPORAL_NAMESPACE": "default",
    "MEDIAPLAN_TASK_QUEUE": "mediaplan",
    "MEDIAPLAN_TEMPORAL_UI": "http://127.0.0.1:8233",
}


@dataclass(frozen=True)
class TemporalSettings:
    address: str = _DEFAULTS["MEDIAPLAN_TEMPORAL_ADDRESS"]
    namespace: str = _DEFAULTS["MEDIAPLAN_TEMPORAL_NAMESPACE"]
    task_queue: str = _DEFAULTS["MEDIAPLAN_TASK_QUEUE"]
    ui_base: str = _DEFAULTS["MEDIAPLAN_TEMPORAL_UI"]

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> TemporalSettings:
        def get(name: str) -> str:
            return env.get(name, "").strip() or _DEFAULTS[name]

        return cls(
            address=get("MEDIAPLAN_TEMPORAL_ADDRESS"),
            namespace=get("MEDIAPLAN_TEMPORAL_NAMESPACE"),
            task_queue=get("MEDIAPLAN_TASK_QUEUE"),
            ui_base=get("MEDIAPLAN_TEMPORAL_UI").rstrip("/"),
        )

    def with_overrides(self, **changes: Any) -> TemporalSettings:
        """A copy with the non-None `changes` applied (for command-line flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    async def connect(self, **kwargs: Any) -> Client:
        """A client for this server and namespace, with the project's data converter."""
        try:
            return await Client.connect(
                self.address, namespace=self.namespace, data_converter=DATA_CONVERTER, **kwargs
            )
        except RuntimeError as exc:
            raise RuntimeError(
                f"cannot reach Temporal at {self.address} (namespace {self.namespace!r}): {exc}; "
                "start one with `mediaplan dev` or set MEDIAPLAN_TEMPORAL_ADDRESS"
            ) from exc

    def workflow_url(self, workflow_id: str) -> str:
        """The Web UI page of a workflow."""
        return (
            f"{self.ui_base}/namespaces/{quote(self.namespace, safe='')}/workflows/"
            f"{quote(workflow_id, safe='')}"
        )
