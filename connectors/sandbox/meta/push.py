"""Webhooks as the Meta sandbox sends them: the subscription check and signed event POSTs.

Contract: `verify_callback(url, verify_token)` performs Meta's verification GET
(``hub.mode=subscribe&hub.challenge=<int>&hub.verify_token=...``) and returns None when
the callback answered 200 with exactly the challenge, else what went wrong.
`deliver(events)` sends each ad account's events as one POST
``{"object": "ad_account", "entry": [{"id", "time", "changes": [{"field", "value"}]}]}``
to the app's `ad_account` subscription, only for accounts subscribed through
``/act_<id>/subscribed_apps`` and fields the app subscribed to, signed with
``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, body)>`` (plus the legacy
SHA-1 ``X-Hub-Signature``). One attempt each; every attempt is recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

import aiohttp

from connectors.sandbox.meta.context import MetaSandboxConfig, WebhookDelivery
from connectors.sandbox.meta.world import MetaWorld, WebhookEvent

__all__ = ["WebhookPusher"]


class WebhookPusher:
    def __init__(
        self, world: MetaWorld, config: MetaSandboxConfig, session: aiohttp.ClientSession
    ) -> None:
        self._world = world
        self._config = config
        self._session = session

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self._config.push_timeout_s)

    async def verify_callback(self, url: str, verify_token: str) -> str | None:
        challenge = str(secrets.randbelow(10**9) + 1)
        query = {
            "hub.mode": "subscribe",
            "hub.challenge": challenge,
            "hub.verify_token": verify_token,
        }
        try:
            async with self._session.get(url, params=query, timeout=self._timeout()) as resp:
                text = await resp.text()
                if resp.status != 200:
                    return f"callback answered HTTP {resp.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"callback unreachable: {exc!r}"
        if text.strip() != challenge:
            return "callback did not echo hub.challenge"
        return None

    async def deliver(self, events: list[WebhookEvent]) -> list[WebhookDelivery]:
        subscription = self._world.app_subscriptions.get("ad_account")
        if subscription is None:
            return []
        by_account: dict[str, list[WebhookEvent]] = {}
        for event in events:
            wanted = not subscription.fields or event.field in subscription.fields
            if wanted and event.account_id in self._world.subscribed_accounts:
                by_account.setdefault(event.account_id, []).append(event)
        sent: list[WebhookDelivery] = []
        for account_id, items in by_account.items():
            entry = {
                "id": account_id,
                "time": max(e.time for e in items),
                "changes": [
                    {"field": e.field, "value": e.value if subscription.include_values else {}}
                    for e in items
                ],
            }
            body = json.dumps({"object": "ad_account", "entry": [entry]}).encode()
            sent.append(await self._post(subscription.callback_url, body))
        return sent

    async def _post(self, url: str, body: bytes) -> WebhookDelivery:
        secret = self._config.app_secret.encode()
        sha256 = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        sha1 = "sha1=" + hmac.new(secret, body, hashlib.sha1).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sha256,
            "X-Hub-Signature": sha1,
            "User-Agent": "facebookexternalua",
        }
        try:
            async with self._session.post(
                url, data=body, headers=headers, timeout=self._timeout()
            ) as resp:
                await resp.read()
                return WebhookDelivery(url, body, sha256, resp.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return WebhookDelivery(url, body, sha256, None, repr(exc))
