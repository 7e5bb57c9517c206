"""The Google sandbox itself: wire details the SDKs rely on, controls, faults, thread runner."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.google_drive import DRIVE_SCOPES
from connectors.sandbox.data import DriveFileData, SandboxData
from connectors.sandbox.faults import Fault, FaultPlan
from connectors.sandbox.google import (
    ConsentPageError,
    GoogleSandbox,
    GoogleSandboxConfig,
    GoogleSandboxThread,
    submit_consent,
)
from connectors.sandbox.google.a1 import RangeError, parse_range
from connectors.sandbox.google.query import QueryError, compile_query

DRIVE_READONLY = "https://www.googleapis.com/auth/drive.readonly"


@pytest.fixture
async def api(google_sandbox: GoogleSandbox) -> AsyncIterator[httpx.AsyncClient]:
    token = google_sandbox.issue_tokens(list(DRIVE_SCOPES))["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=google_sandbox.base_url, headers=headers) as client:
        yield client


def _file(name: str, **fields: object) -> DriveFileData:
    when = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    return DriveFileData.model_validate({"id": name, "name": name, "modified_time": when, **fields})


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("name contains 'plan'", {"Q3 Media Plan", "Planning 2027", "It's a plan"}),
        ("name contains 'PLAN' and not trashed = true", {"Q3 Media Plan"}),
        (
            "name = 'Workplan' or (mimeType != 'application/vnd.google-apps.spreadsheet')",
            {"Workplan", "Doc"},
        ),
        ("name contains 'it\\'s'", {"It's a plan"}),
        ("'ana@example.com' in owners", {"Doc"}),
        ("modifiedTime > '2026-06-02T00:00:00Z'", {"Planning 2027"}),
        ("fullText contains 'lisbon'", {"Workplan"}),
    ],
)
def test_drive_query_subset(q: str, names: set[str]) -> None:
    files = [
        _file("Q3 Media Plan"),
        _file("Planning 2027", trashed=True, modified_time=dt.datetime(2026, 6, 3, tzinfo=dt.UTC)),
        _file("Workplan", sheets={"S": [["Lisbon"]]}),
        _file("It's a plan", trashed=True),
        _file("Doc", mime_type="application/vnd.google-apps.document", owners=["ana@example.com"]),
    ]
    assert {f.name for f in files if compile_query(q)(f)} == names


@pytest.mark.parametrize("q", ["name contains", "name ~ 'x'", "(trashed = false", "size > '3'"])
def test_unsupported_queries_are_errors(q: str) -> None:
    with pytest.raises(QueryError):
        compile_query(q)


def test_a1_ranges() -> None:
    grid: list[list[object]] = [["a", "b", None], ["c", None, None], [], [None, None, "z"]]
    titles = ["Plan", "Media Plan", "It's"]
    assert parse_range("Plan", titles).values(grid) == [["a", "b"], ["c"], [], ["", "", "z"]]
    assert parse_range("'Media Plan'!A1:B2", titles).a1(grid) == "'Media Plan'!A1:B2"
    assert parse_range("'It''s'!B:B", titles).values(grid) == [["b"]]  # trailing rows dropped
    assert parse_range("A1:A2", titles).sheet == "Plan"
    assert parse_range("Plan!C4", titles).values(grid) == [["z"]]
    for bad in ("Nope!A1", "'Plan!A1", "Plan!A0", "Plan!1"):
        with pytest.raises(RangeError):
            parse_range(bad, titles)


async def test_sheets_values_render_options(api: httpx.AsyncClient) -> None:
    path = "/v4/spreadsheets/plan-q3/values/%27Plan%27%21A6%3AB7"
    unformatted = (await api.get(path, params={"valueRenderOption": "UNFORMATTED_VALUE"})).json()
    assert unformatted == {
        "range": "Plan!A6:B7",
        "majorDimension": "ROWS",
        "values": [["Total budget", 250000], ["Currency", "USD"]],
    }
    formatted = (await api.get(path, params={"majorDimension": "COLUMNS"})).json()
    assert formatted["values"] == [["Total budget", "Currency"], ["250000", "USD"]]
    bad = await api.get("/v4/spreadsheets/plan-q3/values/Nope%21A1")
    assert bad.status_code == 400 and "Unable to parse range" in bad.text
    doc = await api.get("/v4/spreadsheets/notes-doc")
    assert doc.status_code == 400
    assert (await api.get("/v4/spreadsheets/missing")).status_code == 404


async def test_bearer_tokens_are_checked(
    google_sandbox: GoogleSandbox, api: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(base_url=google_sandbox.base_url) as anonymous:
        answer = await anonymous.get("/drive/v3/files")
    assert answer.status_code == 401 and "invalid_token" in answer.headers["WWW-Authenticate"]
    assert answer.json()["error"]["status"] == "UNAUTHENTICATED"
    assert (await api.get("/drive/v3/files")).status_code == 200
    google_sandbox.advance_clock(3600)
    assert (await api.get("/drive/v3/files")).status_code == 401

    ads_only = google_sandbox.issue_tokens(["https://www.googleapis.com/auth/adwords"])
    answer = await api.get(
        "/drive/v3/files", headers={"Authorization": f"Bearer {ads_only['access_token']}"}
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"


async def test_drive_argument_errors(api: httpx.AsyncClient) -> None:
    assert (await api.get("/drive/v3/files", params={"pageSize": 1001})).status_code == 400
    assert (await api.get("/drive/v3/files", params={"q": "name ~ 'x'"})).status_code == 400
    assert (await api.get("/drive/v3/changes")).status_code == 400
    assert (await api.get("/drive/v3/changes", params={"pageToken": "99"})).status_code == 400
    missing = await api.get("/drive/v3/files/nope")
    assert (
        missing.status_code == 404 and missing.json()["error"]["errors"][0]["reason"] == "notFound"
    )
    channel = {"id": "c1", "type": "web_hook", "address": "http://127.0.0.1:9/x"}
    assert (await api.post("/drive/v3/changes/watch?pageToken=1", json=channel)).status_code == 200
    duplicate = await api.post("/drive/v3/changes/watch?pageToken=1", json=channel)
    assert duplicate.status_code == 400
    stop = await api.post("/drive/v3/channels/stop", json={"id": "c1", "resourceId": "wrong"})
    assert stop.status_code == 404


async def test_token_endpoint_rules(google_sandbox: GoogleSandbox) -> None:
    ep = google_sandbox.endpoints
    auth_url = (
        f"{ep['auth_url']}?client_id={google_sandbox.client_id}&response_type=code"
        f"&redirect_uri=http://127.0.0.1:9/cb&scope={DRIVE_READONLY}&state=s1"
    )
    callback = await submit_consent(auth_url)  # no PKCE, no offline access
    code = httpx.URL(callback).params["code"]
    basic = base64.b64encode(f"{google_sandbox.client_id}:{google_sandbox.client_secret}".encode())
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://127.0.0.1:9/cb",
    }
    async with httpx.AsyncClient() as client:
        wrong = await client.post(ep["token_url"], data=form, auth=("x", "y"))
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
        headers = {"Authorization": f"Basic {basic.decode()}"}
        first = await client.post(ep["token_url"], data=form, headers=headers)
        assert first.status_code == 200 and "refresh_token" not in first.json()
        again = await client.post(ep["token_url"], data=form, headers=headers)
        assert again.json()["error"] == "invalid_grant"
        unknown = await client.post(
            ep["token_url"],
            data={"grant_type": "refresh_token", "refresh_token": "nope"},
            headers=headers,
        )
        assert unknown.json() == {
            "error": "invalid_grant",
            "error_description": "Token has been expired or revoked.",
        }


async def test_consent_page_problems(google_sandbox: GoogleSandbox) -> None:
    url = google_sandbox.endpoints["auth_url"]
    with pytest.raises(ConsentPageError, match="invalid_client"):
        await submit_consent(f"{url}?client_id=other&redirect_uri=http://x/cb&scope=a")
    with pytest.raises(ConsentPageError, match="redirect_uri_mismatch"):
        await submit_consent(f"{url}?client_id={google_sandbox.client_id}&redirect_uri=x&scope=a")


async def test_auto_approve_config() -> None:
    config = GoogleSandboxConfig(
        auto_approve=True, redirect_uris=frozenset({"http://127.0.0.1:9/cb"})
    )
    async with (
        GoogleSandbox(SandboxData(), config=config) as sandbox,
        httpx.AsyncClient() as client,
    ):
        url = (
            f"{sandbox.endpoints['auth_url']}?client_id={sandbox.client_id}&response_type=code"
            f"&redirect_uri=http://127.0.0.1:9/cb&scope={DRIVE_READONLY}&state=s1"
        )
        answer = await client.get(url)
        assert answer.status_code == 302 and "code=" in answer.headers["Location"]
        wrong = await client.get(url.replace("9/cb", "9/other"))
        assert wrong.status_code == 400


def test_fault_plan_counts_and_matching() -> None:
    plan = FaultPlan()
    plan.inject("status", path="/drive/v3/files*", method="GET", times=2, status=429)
    plan.add(Fault(kind="delay", delay_s=0.1, times=None))

    def kind(method: str, path: str) -> str | None:
        fault = plan.take(method, path)
        return None if fault is None else fault.kind

    assert kind("POST", "/drive/v3/files") == "delay"  # the method does not match the first
    assert kind("GET", "/drive/v3/files/abc") == "status"
    assert [f.times for f in plan.pending()] == [1, None]
    assert kind("GET", "/drive/v3/files") == "status"
    assert kind("GET", "/drive/v3/files") == "delay"  # the first rule is used up
    assert len(plan.fired) == 4
    plan.clear()
    assert kind("GET", "/x") is None


async def test_fault_and_control_endpoints(
    google_sandbox: GoogleSandbox, api: httpx.AsyncClient
) -> None:
    faults = google_sandbox.endpoints["faults_url"]
    assert (await api.post(faults, content=b'{"kind": "nope"}')).status_code == 400
    assert (await api.post(faults, json={"kind": "status", "status": 502})).status_code == 201
    assert len((await api.get(faults)).json()["faults"]) == 1
    assert (await api.delete(faults)).status_code == 204
    assert (await api.get(faults)).json()["faults"] == []

    created = await api.post(
        "/_sandbox/files", json={"id": "new-plan", "name": "New media plan", "sheets": {"Plan": []}}
    )
    assert created.status_code == 200 and created.json()["file"]["name"] == "New media plan"
    assert (await api.post("/_sandbox/files/new-plan/trash", json={})).status_code == 200
    assert (
        await api.patch("/_sandbox/files/offsite", json={"name": "Offsite plan"})
    ).status_code == 200
    assert (
        await api.put("/_sandbox/files/offsite/sheet", json={"sheet": "S2", "rows": [[1]]})
    ).status_code == 200
    assert (await api.delete("/_sandbox/files/workplan")).status_code == 200
    assert (await api.delete("/_sandbox/files/workplan")).status_code == 404
    assert (
        await api.post("/_sandbox/files/plan-q3/cells", json={"sheet": "Plan", "cell": "??"})
    ).status_code == 400
    changes = (await api.get("/drive/v3/changes", params={"pageToken": "1"})).json()
    assert [c["fileId"] for c in changes["changes"]] == [
        "new-plan",
        "new-plan",
        "offsite",
        "offsite",
        "workplan",
    ]
    assert changes["changes"][-1]["removed"] is True and changes["newStartPageToken"] == "6"

    assert (await api.post("/_sandbox/grants/revoke")).status_code == 200
    assert (await api.get("/drive/v3/files")).status_code == 401
    assert (await api.post("/_sandbox/clock", json={"advance_s": 60})).status_code == 200
    assert (await api.get("/_sandbox/deliveries")).json() == {"deliveries": []}


def test_the_thread_runner_serves_sync_code(google_sandbox_data: SandboxData) -> None:
    with GoogleSandboxThread(google_sandbox_data) as sandbox:
        token = sandbox.issue_tokens([DRIVE_READONLY])["access_token"]
        sandbox.faults.inject("status", status=503, path="/drive/v3/files")
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=sandbox.base_url, headers=headers) as client:
            assert client.get("/drive/v3/files").status_code == 503
            assert len(client.get("/drive/v3/files").json()["files"]) == 6
            assert sandbox.trash_file("plan-q3") == []
            assert sandbox.edit_cell("plan-q3", "Plan", "A1", "x") == []
            changes = client.get("/drive/v3/changes", params={"pageToken": "1"}).json()
        assert len(changes["changes"]) == 2
        assert sandbox.endpoints["drive_api"].endswith("/drive/v3/")
