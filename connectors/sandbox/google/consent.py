"""Submit the sandbox's Google consent page the way a browser would (tests, demo, headless runs).

Contract: `submit_consent(auth_url)` GETs the authorization URL, reads the consent form
(hidden request parameters, ``granted_scope`` checkboxes, ``decision`` buttons), posts it
with the chosen decision and scopes, and returns the ``Location`` the server redirected
to: the OAuth callback URL with ``code``/``state`` (or ``error``). It raises
`ConsentPageError` when the page is not a consent form (e.g. ``invalid_client``).
"""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

__all__ = ["ConsentPageError", "submit_consent"]


class ConsentPageError(RuntimeError):
    pass


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.scopes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input" and a.get("type") == "hidden":
            self.fields.append((a.get("name", ""), a.get("value", "")))
        elif tag == "input" and a.get("name") == "granted_scope":
            self.scopes.append(a.get("value", ""))


async def submit_consent(
    auth_url: str,
    *,
    approve: bool = True,
    scopes: Iterable[str] | None = None,
    timeout_s: float = 10.0,
) -> str:
    """Approve (granting `scopes`, default every offered one) or deny; the redirect URL."""
    async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=False) as client:
        page = await client.get(auth_url)
        if page.status_code != 200:
            raise ConsentPageError(f"consent page answered {page.status_code}: {page.text[:200]}")
        form = _FormReader()
        form.feed(page.text)
        if form.action is None:
            raise ConsentPageError("no consent form on the page")
        granted = form.scopes if scopes is None else [s for s in scopes if s in form.scopes]
        data: dict[str, str | list[str]] = dict(form.fields)
        data["granted_scope"] = granted
        data["decision"] = "approve" if approve else "deny"
        answer = await client.post(urljoin(auth_url, form.action), data=data)
        if answer.status_code != 302:
            raise ConsentPageError(
                f"consent submit answered {answer.status_code}: {answer.text[:200]}"
            )
        return answer.headers["Location"]
