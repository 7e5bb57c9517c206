"""Errors the store raises.

Contract: every error is a `StoreError`; its message names what is missing or wrong and
the workspace it was looked up in (e.g. ``campaign 'x' not found in workspace 'ws-1'``),
and never contains a secret. Lookups of absent single objects raise the `...NotFound`
subclasses (also `LookupError`s); invalid arguments raise `InvalidRecord` (also a
`ValueError`); secret handling raises `SecretKeyError` / `TokenDecryptionError`.
"""

from __future__ import annotations

__all__ = [
    "CampaignNotFound",
    "CurrencyMismatch",
    "IntegrationNotFound",
    "InvalidRecord",
    "SecretKeyError",
    "StoreError",
    "TokenDecryptionError",
    "WorkspaceNotFound",
]


class StoreError(Exception):
    """Base class of every store error."""


class WorkspaceNotFound(StoreError, LookupError):
    """A write named a workspace that `Store.ensure_workspace` never created."""

    def __init__(self, workspace_id: str) -> None:
        super().__init__(
            f"workspace {workspace_id!r} not found; create it with ensure_workspace() first"
        )
        self.workspace_id = workspace_id


class CampaignNotFound(StoreError, LookupError):
    def __init__(self, workspace_id: str, campaign_id: str) -> None:
        super().__init__(f"campaign {campaign_id!r} not found in workspace {workspace_id!r}")
        self.workspace_id = workspace_id
        self.campaign_id = campaign_id


class IntegrationNotFound(StoreError, LookupError):
    def __init__(self, workspace_id: str, platform: str) -> None:
        super().__init__(f"integration {platform!r} not found in workspace {workspace_id!r}")
        self.workspace_id = workspace_id
        self.platform = platform


class InvalidRecord(StoreError, ValueError):
    """An argument cannot be stored as given (empty id, naive datetime, bad overrides...)."""


class CurrencyMismatch(StoreError, ValueError):
    """Performance rows are in another currency than the campaign; the store never converts."""


class SecretKeyError(StoreError):
    """``MEDIAPLAN_SECRET_KEY`` (or the dev key file) is missing, malformed or unusable."""


class TokenDecryptionError(StoreError):
    """A stored token cannot be decrypted: wrong key, or the ciphertext was tampered with."""
