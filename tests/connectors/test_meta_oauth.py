"""Meta OAuth (Authlib against the sandbox's Facebook Login): flows, states, token upkeep."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from connectors.errors import ReconnectRequiredError, TransientError
from connectors.google_oauth.state import InMemoryStateStore, PendingAuthorization
from connectors.meta import InvalidStateError, MetaRequestError
from connectors.records import OAuthTokens
from connectors.sandbox.faults import Fault
from connectors.sandbox.meta import MetaSandbox
from tests.connectors.meta_fixtures import meta_sandbox, oauth_for, submit_consent

__all__ = ["meta_sandbox"]

REDIRECT = "https://app.example.com/oauth/meta/callback"


async def test_consent_form_login_returns_checked_long_lived_tokens(
    meta_sandbox: MetaSandbox,
) -> None:
    oauth = oauth_for(meta_sandbox)
    url = await oauth.authorization_url(workspace_id="ws-1", redirect_uri=REDIRECT)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{meta_sandbox.base_url}/v26.0/dialog/oauth?")
    assert query["scope"] == ["ads_read,ads_management,business_management"]
    assert query["client_id"] == [meta_sandbox.app_id]
    assert query["redirect_uri"] == [REDIRECT] and query["state"]

    callback = await submit_consent(url)
    assert callback.startswith(REDIRECT) and callback.endswith("#_=_")
    login = await oauth.complete(callback)

    assert login.workspace_id == "ws-1" and login.redirect_uri == REDIRECT
    assert login.tokens.refresh_token is None
    assert login.tokens.access_token.startswith("EAAL")  # the long-lived one
    assert login.tokens.expires_at is not None
    days_left = (login.tokens.expires_at - dt.datetime.now(dt.UTC)).days
    assert 58 <= days_left <= 60
    assert set(login.tokens.scope) == {"ads_read", "ads_management", "business_management"}
    assert login.info.is_valid and login.info.app_id == meta_sandbox.app_id


async def test_auto_approve_and_state_is_single_use(meta_sandbox: MetaSandbox) -> None:
    oauth = oauth_for(meta_sandbox)
    url = await oauth.authorization_url(workspace_id="ws", redirect_uri=REDIRECT)
    async with httpx.AsyncClient() as http:
        answer = await http.get(url + "&sandbox_auto_approve=1")
    callback = answer.headers["location"]
    await oauth.complete(callback)
    with pytest.raises(InvalidStateError) as reused:
        await oauth.complete(callback)
    assert reused.value.retryable is False


async def test_unknown_and_expired_states_are_rejected(meta_sandbox: MetaSandbox) -> None:
    offset = [0.0]
    oauth = oauth_for(meta_sandbox, clock=lambda: time.time() + offset[0])
    url = await oauth.authorization_url(workspace_id="ws", redirect_uri=REDIRECT)
    callback = await submit_consent(url)
    offset[0] = 601  # the default state lifetime is 10 minutes
    with pytest.raises(InvalidStateError):
        await oauth.complete(callback)
    with pytest.raises(InvalidStateError):
        await oauth.complete(f"{REDIRECT}?code=abc&state=forged")


async def test_state_bound_to_another_platform_is_rejected(meta_sandbox: MetaSandbox) -> None:
    store = InMemoryStateStore()
    oauth = oauth_for(meta_sandbox, store)
    now = dt.datetime.now(dt.UTC)
    await store.save(
        PendingAuthorization(
            state="google-state",
            workspace_id="ws",
            platform="google_drive",
            redirect_uri=REDIRECT,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=5),
            code_verifier="v",
        )
    )
    with pytest.raises(InvalidStateError):
        await oauth.complete(f"{REDIRECT}?code=abc&state=google-state")


async def test_denied_consent_requires_reconnect(meta_sandbox: MetaSandbox) -> None:
    oauth = oauth_for(meta_sandbox)
    url = await oauth.authorization_url(workspace_id="ws", redirect_uri=REDIRECT)
    callback = await submit_consent(url, allow=False)
    assert "error=access_denied" in callback
    with pytest.raises(ReconnectRequiredError, match="user_denied"):
        await oauth.complete(callback)


async def test_declined_required_permission_requires_reconnect(meta_sandbox: MetaSandbox) -> None:
    oauth = oauth_for(meta_sandbox)
    url = await oauth.authorization_url(workspace_id="ws", redirect_uri=REDIRECT)
    callback = await submit_consent(url, drop_scopes=("ads_read",))
    with pytest.raises(ReconnectRequiredError, match="ads_read"):
        await oauth.complete(callback)


async def test_invalid_used_and_misdirected_codes(meta_sandbox: MetaSandbox) -> None:
    oauth = oauth_for(meta_sandbox)
    with pytest.raises(ReconnectRequiredError, match="36008"):
        await oauth.exchange_code("not-a-code", REDIRECT)
    url = await oauth.authorization_url(workspace_id="ws", redirect_uri=REDIRECT)
    code = parse_qs(urlsplit(await submit_consent(url)).query)["code"][0]
    with pytest.raises(ReconnectRequiredError, match="redirect_uri"):
        await oauth.exchange_code(code, "https://elsewhere.example.com/cb")
    short = await oauth.exchange_code(code, REDIRECT)
    assert short.access_token.startswith("EAAS") and short.expires_at is not None
    with pytest.raises(ReconnectRequiredError, match="has been used"):
        await oauth.exchange_code(code, REDIRECT)


async def test_bad_app_secret_is_a_configuration_error(meta_sandbox: MetaSandbox) -> None:
    wrong = oauth_for(meta_sandbox, app_secret="wrong")
    with pytest.raises(MetaRequestError, match="client secret"):
        await wrong.exchange_long_lived(meta_sandbox.demo_access_token)


async def test_debug_token_invalid_and_expired_require_reconnect(
    meta_sandbox: MetaSandbox,
) -> None:
    oauth = oauth_for(meta_sandbox)
    info = await oauth.debug_token("EAAgarbage")
    assert not info.is_valid and info.error_code == 190
    with pytest.raises(ReconnectRequiredError):
        await oauth.check(OAuthTokens(access_token="EAAgarbage"))
    token = meta_sandbox.issue_token()
    ok = await oauth.check(OAuthTokens(access_token=token))
    assert ok.is_valid and "ads_read" in ok.scopes and ok.expires_at is not None
    meta_sandbox.expire_token(token)
    with pytest.raises(ReconnectRequiredError, match="Session has expired"):
        await oauth.check(OAuthTokens(access_token=token))


async def test_long_lived_exchange_and_renewal(meta_sandbox: MetaSandbox) -> None:
    oauth = oauth_for(meta_sandbox)
    token = meta_sandbox.issue_token(lifetime_s=3 * 86400)  # expires within the 7-day window
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    tokens = OAuthTokens(access_token=token, expires_at=expires, scope=["ads_read"])
    assert oauth.needs_renewal(tokens)
    renewed = await oauth.renew(tokens)
    assert renewed.access_token != token and renewed.scope == ["ads_read"]
    assert renewed.expires_at is not None and renewed.expires_at > expires
    assert not oauth.needs_renewal(renewed)
    assert await oauth.renew(renewed) is renewed  # nothing to do yet

    past = OAuthTokens(access_token=token, expires_at=dt.datetime.now(dt.UTC))
    with pytest.raises(ReconnectRequiredError, match="no refresh token"):
        await oauth.renew(past)
    meta_sandbox.revoke_token(renewed.access_token)
    with pytest.raises(ReconnectRequiredError):
        await oauth.exchange_long_lived(renewed.access_token)


async def test_token_endpoint_outage_is_transient(meta_sandbox: MetaSandbox) -> None:
    oauth = oauth_for(meta_sandbox)
    meta_sandbox.faults.add(Fault(kind="status", status=503, path="/v26.0/oauth/access_token"))
    with pytest.raises(TransientError):
        await oauth.exchange_long_lived(meta_sandbox.demo_access_token)
    meta_sandbox.faults.add(
        Fault(kind="status", status=502, path="/v26.0/debug_token", body="<html>502</html>")
    )
    with pytest.raises(TransientError):
        await oauth.debug_token(meta_sandbox.demo_access_token)
