"""Unit tests: the retry helper and the mapping of library exceptions to typed errors."""

from __future__ import annotations

import random
from typing import Any

import pytest
from google.ads.googleads.errors import GoogleAdsException
from google.ads.googleads.v26.errors.types import errors as ads_errors
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions

from connectors.errors import (
    AuthExpiredError,
    ConnectorError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ReconnectRequiredError,
    TransientError,
)
from connectors.google_ads import RetryPolicy, ads_error_codes, retry_async, to_connector_error
from connectors.sandbox.google_ads.protos import FAILURE_METADATA_KEY, failure
from tests.connectors.google_ads_fixtures import RecordingSleep

# ---- retry ------------------------------------------------------------------------


def flaky(errors: list[Exception], result: str = "ok") -> Any:
    calls: list[int] = []

    async def call() -> str:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return result

    call.calls = calls  # type: ignore[attr-defined]
    return call


async def test_retries_retryable_errors_with_growing_seeded_backoff() -> None:
    sleep = RecordingSleep()
    policy = RetryPolicy(attempts=4, base_delay_s=1, multiplier=2, jitter=0.2, seed=3)
    errors: list[Exception] = [TransientError("x", platform="google_ads") for _ in range(3)]
    call = flaky(errors)
    assert await retry_async(call, policy, sleep=sleep) == "ok"
    rng = random.Random(3)
    expected = [1 * rng.uniform(0.8, 1.2), 2 * rng.uniform(0.8, 1.2), 4 * rng.uniform(0.8, 1.2)]
    assert sleep.delays == pytest.approx(expected)
    again = RecordingSleep()
    errors = [TransientError("x", platform="google_ads") for _ in range(3)]
    await retry_async(flaky(errors), policy, sleep=again)
    assert again.delays == sleep.delays  # seeded: deterministic


async def test_stops_after_the_last_attempt_with_the_last_error() -> None:
    sleep = RecordingSleep()
    errors: list[Exception] = [TransientError(f"e{i}", platform="google_ads") for i in range(5)]
    call = flaky(errors)
    with pytest.raises(TransientError, match="e2"):
        await retry_async(call, RetryPolicy(attempts=3, seed=1), sleep=sleep)
    assert len(call.calls) == 3 and len(sleep.delays) == 2


async def test_does_not_retry_what_cannot_succeed() -> None:
    for error in (
        ReconnectRequiredError("x", platform="google_ads"),
        ConnectorError("x", platform="google_ads"),
        ValueError("a bug"),
    ):
        sleep = RecordingSleep()
        call = flaky([error])
        with pytest.raises(type(error)):
            await retry_async(call, RetryPolicy(seed=1), sleep=sleep)
        assert len(call.calls) == 1 and sleep.delays == []


async def test_honours_the_platform_delay_but_not_beyond_max_wait() -> None:
    sleep = RecordingSleep()
    hinted = RateLimitedError("x", platform="google_ads", retry_after_s=9)
    assert await retry_async(flaky([hinted]), RetryPolicy(seed=1), sleep=sleep) == "ok"
    assert sleep.delays == [9]
    too_long = RateLimitedError("x", platform="google_ads", retry_after_s=600)
    with pytest.raises(RateLimitedError):
        await retry_async(flaky([too_long]), RetryPolicy(max_wait_s=120), sleep=sleep)
    assert sleep.delays == [9]


def test_backoff_is_capped_and_the_policy_validated() -> None:
    policy = RetryPolicy(base_delay_s=1, multiplier=10, max_delay_s=5, jitter=0)
    assert [policy.backoff(n, random.Random(0)) for n in (1, 2, 3)] == [1, 5, 5]
    for bad in ({"attempts": 0}, {"jitter": 1.0}, {"multiplier": 0.5}):
        with pytest.raises(ValueError):
            RetryPolicy(**bad)  # type: ignore[arg-type]


# ---- mapping ----------------------------------------------------------------------


class FakeCall(Exception):
    """Enough of a `grpc.Call` + `RpcError` for the mapping."""

    def __init__(self, code: str, details: str = "", trailers: tuple[Any, ...] = ()) -> None:
        super().__init__(details)
        self._code, self._details, self._trailers = code, details, trailers

    def code(self) -> Any:
        return type("Code", (), {"name": self._code})()

    def details(self) -> str:
        return self._details

    def trailing_metadata(self) -> tuple[Any, ...]:
        return self._trailers


def ads_exception(status: str, category: str, code: str, delay: float | None = None) -> Any:
    raw = failure(category, code, "message", request_id="r-1", retry_delay_s=delay)
    parsed = ads_errors.GoogleAdsFailure.deserialize(raw)
    call = FakeCall(status)
    return GoogleAdsException(call, call, parsed, "r-1")


@pytest.mark.parametrize(
    ("status", "category", "code", "expected"),
    [
        ("RESOURCE_EXHAUSTED", "quota_error", "RESOURCE_EXHAUSTED", RateLimitedError),
        (
            "INVALID_ARGUMENT",
            "quota_error",
            "EXCESSIVE_SHORT_TERM_QUERY_RESOURCE_CONSUMPTION",
            RateLimitedError,
        ),
        ("PERMISSION_DENIED", "quota_error", "ACCESS_PROHIBITED", ConnectorError),
        ("UNAUTHENTICATED", "authentication_error", "OAUTH_TOKEN_EXPIRED", AuthExpiredError),
        ("UNAUTHENTICATED", "authentication_error", "OAUTH_TOKEN_INVALID", AuthExpiredError),
        ("UNAUTHENTICATED", "authentication_error", "OAUTH_TOKEN_REVOKED", ReconnectRequiredError),
        (
            "UNAUTHENTICATED",
            "authentication_error",
            "GOOGLE_ACCOUNT_DELETED",
            ReconnectRequiredError,
        ),
        ("UNAUTHENTICATED", "authentication_error", "DEVELOPER_TOKEN_INVALID", ConnectorError),
        ("UNAUTHENTICATED", "authentication_error", "CUSTOMER_NOT_FOUND", NotFoundError),
        ("PERMISSION_DENIED", "authorization_error", "CUSTOMER_NOT_ENABLED", ConnectorError),
        ("PERMISSION_DENIED", "authorization_error", "USER_PERMISSION_DENIED", ConnectorError),
        ("INTERNAL", "internal_error", "TRANSIENT_ERROR", TransientError),
        ("INVALID_ARGUMENT", "request_error", "EXPIRED_PAGE_TOKEN", TransientError),
        ("INVALID_ARGUMENT", "query_error", "UNRECOGNIZED_FIELD", ConnectorError),
        ("UNAVAILABLE", "request_error", "UNKNOWN", TransientError),
    ],
)
def test_google_ads_exceptions_by_error_code(
    status: str, category: str, code: str, expected: type[ConnectorError]
) -> None:
    error = to_connector_error(ads_exception(status, category, code))
    assert type(error) is expected
    assert error is not None and code in str(error) and "request_id=r-1" in str(error)


def test_a_quota_exception_carries_the_retry_delay() -> None:
    exc = ads_exception("RESOURCE_EXHAUSTED", "quota_error", "RESOURCE_EXHAUSTED", delay=12.5)
    error = to_connector_error(exc)
    assert isinstance(error, RateLimitedError) and error.retry_after_s == 12.5
    codes = ads_error_codes(exc.failure)
    assert [(c.category, c.name, c.retry_delay_s) for c in codes] == [
        ("quota_error", "RESOURCE_EXHAUSTED", 12.5)
    ]


def test_resource_exhausted_from_api_core_reads_the_failure_trailer() -> None:
    raw = failure(
        "quota_error", "RESOURCE_TEMPORARILY_EXHAUSTED", "m", request_id="r", retry_delay_s=4
    )
    call = FakeCall("RESOURCE_EXHAUSTED", "slow down", ((FAILURE_METADATA_KEY, raw),))
    exc = api_exceptions.ResourceExhausted("slow down", response=call)
    error = to_connector_error(exc)
    assert isinstance(error, RateLimitedError) and error.retry_after_s == 4
    bare = to_connector_error(api_exceptions.ResourceExhausted("slow down"))
    assert isinstance(bare, RateLimitedError) and bare.retry_after_s is None


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (api_exceptions.ServiceUnavailable("down"), TransientError),
        (api_exceptions.DeadlineExceeded("slow"), TransientError),
        (
            api_exceptions.InternalServerError("Exception deserializing response!"),
            MalformedResponseError,
        ),
        (api_exceptions.InternalServerError("boom"), TransientError),
        (api_exceptions.Unauthenticated("who"), AuthExpiredError),
        (api_exceptions.PermissionDenied("no"), ConnectorError),
        (api_exceptions.NotFound("gone"), NotFoundError),
        (api_exceptions.ServiceUnavailable("plugin failed: invalid_grant"), ReconnectRequiredError),
        (
            auth_exceptions.RefreshError("invalid_grant: Token has been revoked."),
            ReconnectRequiredError,
        ),
        (auth_exceptions.RefreshError("temporarily_unavailable", retryable=True), TransientError),
        (auth_exceptions.TransportError("connection refused"), TransientError),
        (FakeCall("UNAVAILABLE", "raw grpc"), TransientError),
    ],
)
def test_library_exceptions(exc: Exception, expected: type[ConnectorError]) -> None:
    assert type(to_connector_error(exc)) is expected


def test_programming_errors_are_not_platform_errors() -> None:
    assert to_connector_error(KeyError("x")) is None
    assert to_connector_error(TypeError("x")) is None
    already = TransientError("x", platform="google_ads")
    assert to_connector_error(already) is already


def test_failure_parsing_survives_a_corrupt_trailer() -> None:
    call = FakeCall("INTERNAL", "x", ((FAILURE_METADATA_KEY, b"\xff\xff"),))
    error = to_connector_error(api_exceptions.InternalServerError("x", response=call))
    assert type(error) is TransientError
