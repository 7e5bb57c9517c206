"""Google OAuth against the sandbox: PKCE, offline access, single-use state, scopes, refresh."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from connectors.errors import (
    ConnectorError,
    RateLimitedError,
    ReconnectRequiredError,
    TransientError,
)
from connectors.google_oauth import (
    SCOPE_ADWORDS,
    SCOPE_DRIVE_METADATA_READONLY,
    SCOPE_SPREADSHEETS_READONLY,
    AuthorizationDeniedError,
    GoogleOAuthConfig,
    GoogleOAuthFlow,
    InMemoryStateStore,
    MissingScopesError,
    OAuthStateError,
)
from connectors.records import Platform
from connectors.sandbox.google import GoogleSandbox, submit_consent

SCOPES = (SCOPE_DRIVE_METADATA_READONLY, SCOPE_SPREADSHEETS_READONLY)
REDIRECT = "http://127.0.0.1:9/oauth/callback"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def make_flow(
    sandbox: GoogleSandbox,
    store: InMemoryStateStore | None = None,
    *,
    platform: Platform = "google_drive",
    scopes: tuple[str, ...] = SCOPES,
    clock: Clock | None = None,
    token_url: str | None = None,
) -> GoogleOAuthFlow:
    ep = sandbox.endpoints
    config = GoogleOAuthConfig(
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        scopes=scopes,
        redirect_uri=REDIRECT,
        auth_url=ep["auth_url"],
        token_url=token_url or ep["token_url"],
        revoke_url=ep["revoke_url"],
        timeout_s=2.0,
    )
    kwargs = {"clock": clock} if clock else {}
    return GoogleOAuthFlow(config, store or InMemoryStateStore(), platform=platform, **kwargs)


async def test_connect_with_pkce_and_offline_access(google_sandbox: GoogleSandbox) -> None:
    store = InMemoryStateStore()
    flow = make_flow(google_sandbox, store)
    request = await flow.start("ws-1")
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert query["code_challenge_method"] == "S256" and query["state"] == request.state
    assert query["scope"].split() == list(SCOPES)
    assert query["redirect_uri"] == REDIRECT

    callback = await submit_consent(request.url)
    assert callback.startswith(REDIRECT + "?")
    done = await flow.complete(callback)

    assert (done.workspace_id, done.platform) == ("ws-1", "google_drive")
    tokens = done.tokens
    assert tokens.refresh_token and tokens.access_token and sorted(tokens.scope) == sorted(SCOPES)
    assert tokens.expires_at is not None and tokens.expires_at > dt.datetime.now(dt.UTC)
    assert google_sandbox.validate_access_token(tokens.access_token) == SCOPES
    assert await store.take(request.state) is None


async def test_the_challenge_is_the_s256_of_the_stored_verifier(
    google_sandbox: GoogleSandbox,
) -> None:
    store = InMemoryStateStore()
    request = await make_flow(google_sandbox, store).start("ws-1")
    pending = await store.take(request.state)
    assert pending is not None and "code_verifier" not in repr(pending)
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert parse_qs(urlsplit(request.url).query)["code_challenge"] == [challenge]


async def test_a_state_is_consumed_exactly_once(google_sandbox: GoogleSandbox) -> None:
    flow = make_flow(google_sandbox)
    callback = await submit_consent((await flow.start("ws-1")).url)
    await flow.complete(callback)
    with pytest.raises(OAuthStateError, match="already used"):
        await flow.complete(callback)


async def test_an_expired_state_is_refused(google_sandbox: GoogleSandbox) -> None:
    clock = Clock()
    flow = make_flow(google_sandbox, InMemoryStateStore(clock), clock=clock)
    callback = await submit_consent((await flow.start("ws-1")).url)
    clock.now += dt.timedelta(minutes=10, seconds=1)
    with pytest.raises(OAuthStateError, match="expired") as info:
        await flow.complete(callback)
    assert info.value.retryable is False


async def test_a_state_from_another_platform_or_none_is_refused(
    google_sandbox: GoogleSandbox,
) -> None:
    store = InMemoryStateStore()
    drive = make_flow(google_sandbox, store)
    ads = make_flow(google_sandbox, store, platform="google_ads", scopes=(SCOPE_ADWORDS,))
    callback = await submit_consent((await drive.start("ws-1")).url)
    with pytest.raises(OAuthStateError, match="belongs to google_drive"):
        await ads.complete(callback)
    with pytest.raises(OAuthStateError, match="no state"):
        await drive.complete({"code": "x"})


async def test_a_wrong_code_verifier_is_rejected_by_the_server(
    google_sandbox: GoogleSandbox,
) -> None:
    store = InMemoryStateStore()
    flow = make_flow(google_sandbox, store)
    request = await flow.start("ws-1")
    callback = await submit_consent(request.url)
    pending = await store.take(request.state)
    assert pending is not None
    await store.save(dataclasses.replace(pending, code_verifier="x" * 64))
    with pytest.raises(ReconnectRequiredError, match="Invalid code verifier"):
        await flow.complete(callback)


async def test_a_subset_of_scopes_is_a_clear_error(google_sandbox: GoogleSandbox) -> None:
    flow = make_flow(google_sandbox)
    request = await flow.start("ws-1")
    callback = await submit_consent(request.url, scopes=[SCOPE_DRIVE_METADATA_READONLY])
    assert parse_qs(urlsplit(callback).query)["scope"] == [SCOPE_DRIVE_METADATA_READONLY]
    with pytest.raises(MissingScopesError) as info:
        await flow.complete(callback)
    assert info.value.missing == [SCOPE_SPREADSHEETS_READONLY]
    assert "spreadsheets.readonly" in str(info.value)
    assert isinstance(info.value, ReconnectRequiredError)


async def test_denied_consent(google_sandbox: GoogleSandbox) -> None:
    flow = make_flow(google_sandbox)
    callback = await submit_consent((await flow.start("ws-1")).url, approve=False)
    with pytest.raises(AuthorizationDeniedError, match="access_denied"):
        await flow.complete(callback)


async def test_headless_auto_approve(google_sandbox: GoogleSandbox) -> None:
    flow = make_flow(google_sandbox)
    request = await flow.start("ws-1")
    async with httpx.AsyncClient() as client:
        answer = await client.get(request.url + "&sandbox_auto_approve=1")
    assert answer.status_code == 302
    done = await flow.complete(answer.headers["Location"])
    assert done.tokens.refresh_token


async def test_refresh_keeps_the_refresh_token(google_sandbox: GoogleSandbox) -> None:
    flow = make_flow(google_sandbox)
    done = await flow.complete(await submit_consent((await flow.start("ws-1")).url))
    refreshed = await flow.refresh(done.tokens)
    assert refreshed.access_token != done.tokens.access_token
    assert refreshed.refresh_token == done.tokens.refresh_token
    assert sorted(refreshed.scope) == sorted(SCOPES)


async def test_invalid_grant_on_refresh_means_reconnect(google_sandbox: GoogleSandbox) -> None:
    flow = make_flow(google_sandbox)
    done = await flow.complete(await submit_consent((await flow.start("ws-1")).url))
    assert done.tokens.refresh_token
    await flow.revoke(done.tokens.refresh_token)
    await flow.revoke(done.tokens.refresh_token)  # revoking twice is harmless
    with pytest.raises(ReconnectRequiredError, match="invalid_grant") as info:
        await flow.refresh(done.tokens)
    assert info.value.retryable is False
    assert google_sandbox.validate_access_token(done.tokens.access_token) is None


async def test_token_endpoint_faults_are_typed(google_sandbox: GoogleSandbox) -> None:
    flow = make_flow(google_sandbox)
    done = await flow.complete(await submit_consent((await flow.start("ws-1")).url))
    google_sandbox.faults.inject("status", path="/token", status=429, retry_after_s=7)
    with pytest.raises(RateLimitedError) as limited:
        await flow.refresh(done.tokens)
    assert limited.value.retry_after_s == 7
    google_sandbox.faults.inject("status", path="/token", status=503)
    with pytest.raises(TransientError):
        await flow.refresh(done.tokens)
    google_sandbox.faults.inject("malformed", path="/token", body="<html>oops</html>")
    with pytest.raises(ConnectorError) as malformed:
        await flow.refresh(done.tokens)
    assert malformed.value.retryable
    assert (await flow.refresh(done.tokens)).access_token  # faults are used up


async def test_an_unreachable_token_endpoint_is_transient(google_sandbox: GoogleSandbox) -> None:
    flow = make_flow(google_sandbox, token_url="http://127.0.0.1:1/token")
    callback = await submit_consent((await flow.start("ws-1")).url)
    with pytest.raises(TransientError, match="unreachable"):
        await flow.complete(callback)
