"""Settings of the Meta connector; the defaults talk to Meta's real Graph API.

Contract: one immutable value per app; point `graph_url` at the sandbox
(`MetaSandbox.base_url`) to run everything locally. The app secret signs every call
(`appsecret_proof`) and builds the app access token used for webhook subscriptions.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.meta.insights import PURCHASE_ACTION_TYPES

__all__ = ["MetaConnectorConfig"]


@dataclass(frozen=True)
class MetaConnectorConfig:
    app_id: str
    app_secret: str
    graph_url: str = "https://graph.facebook.com"
    api_version: str = "v26.0"
    timeout_s: float = 30.0
    """Per HTTP request; each SDK call also has a backstop of twice this plus 5 s."""
    max_retries: int = 3
    """Retries of a transient failure (5xx, codes 1/2, timeouts) within one call."""
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    page_size: int = 500
    async_threshold_days: int = 90
    """Longer ranges are read through an async report run."""
    async_poll_interval_s: float = 5.0
    async_timeout_s: float = 3600.0
    async_min_split_days: int = 30
    """A failed report run over at least twice this many days is retried in halves."""
    lookback_days: int = 28
    initial_history_days: int = 730
    change_overlap_s: float = 60.0
    """Change polls re-check campaigns updated this long before the newest change (late
    visibility); `list_changes(None)` starts this long before now (clock skew)."""
    purchase_action_types: tuple[str, ...] = PURCHASE_ACTION_TYPES
    webhook_fields: tuple[str, ...] = (
        "in_process_ad_objects",
        "with_issues_ad_objects",
        "subscriptions",
    )
    """`ad_account` webhook fields: campaign status changes, issues, and the per-account
    `subscriptions` notifications (new objects, metadata changes, metric thresholds)."""
