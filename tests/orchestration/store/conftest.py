"""Store test fixtures: every store test runs on SQLite (a temporary file) and PostgreSQL.

PostgreSQL: ``MEDIAPLAN_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Each test session works in its own
schemas ``mp_<random>_*`` (chosen through ``search_path`` in the URL) and drops them at the
end. An unreachable server FAILS the PostgreSQL tests with instructions; set
``MEDIAPLAN_SKIP_POSTGRES=1`` to run the SQLite half alone on purpose.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from orchestration.store import Base, Store, upgrade_database

PG_URL_VAR = "MEDIAPLAN_TEST_POSTGRES_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SKIP_PG_VAR = "MEDIAPLAN_SKIP_POSTGRES"
KEY = bytes(range(32))
"""The token key the `store` fixture uses."""

_HOW_TO_START = """\
PostgreSQL is not reachable at {url} ({error}).
The store tests run on PostgreSQL as well as SQLite. Start a server with trust auth and a
database named 'test', for example:
    docker run -d --name mediaplan-pg -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust \\
        -e POSTGRES_DB=test postgres:16
or, with a local install: pg_ctlcluster <version> main start && createdb -U postgres test
Point the tests elsewhere with {var}=postgresql+psycopg://user@host:port/db, or set
{skip}=1 to run the SQLite tests only."""


class FakeClock:
    """An injectable store clock that only moves when told to."""

    def __init__(self, start: dt.datetime = dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@dataclass
class Postgres:
    """A reachable server and the schemas this session created on it."""

    admin: Engine
    url: str
    prefix: str
    schemas: list[str] = field(default_factory=list)

    def new_schema(self, suffix: str) -> str:
        """Create schema ``<prefix>_<suffix>``; return a URL whose search_path is it."""
        schema = f"{self.prefix}_{suffix}"
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        url = make_url(self.url).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def drop_schema(self, schema_url: str) -> None:
        options = make_url(schema_url).query["options"]
        assert isinstance(options, str)
        schema = options.removeprefix("-csearch_path=")
        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.schemas.remove(schema)


@dataclass
class Backend:
    """A migrated database for the session, and a way to get fresh empty ones."""

    name: str
    url: str
    tmp: pytest.TempPathFactory
    postgres: Postgres | None
    _count: int = 0

    def empty_url(self) -> str:
        self._count += 1
        if self.postgres is None:
            path: Path = self.tmp.mktemp("empty") / f"db{self._count}.db"
            return f"sqlite:///{path}"
        return self.postgres.new_schema(f"empty{self._count}")

    def release(self, url: str) -> None:
        if self.postgres is not None:
            self.postgres.drop_schema(url)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres | None]:
    if os.environ.get(SKIP_PG_VAR, "").strip() == "1":
        yield None
        return
    url = os.environ.get(PG_URL_VAR, "").strip() or DEFAULT_PG_URL
    admin = create_engine(url, connect_args={"connect_timeout": 5})
    error = None
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        error = str(exc.orig or exc).strip().splitlines()[0]
    if error is not None:
        admin.dispose()
        shown = make_url(url).render_as_string(hide_password=True)
        pytest.fail(
            _HOW_TO_START.format(url=shown, error=error, var=PG_URL_VAR, skip=SKIP_PG_VAR),
            pytrace=False,
        )
    server = Postgres(admin=admin, url=url, prefix=f"mp_{secrets.token_hex(4)}")
    try:
        yield server
    finally:
        with admin.begin() as conn:
            for schema in server.schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    """A migrated database for the session; PostgreSQL is only contacted for its half."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.db'}"
        pg = None
    else:
        postgres: Postgres | None = request.getfixturevalue("postgres")
        if postgres is None:
            pytest.skip(f"PostgreSQL tests skipped on request ({SKIP_PG_VAR}=1)")
        url = postgres.new_schema("main")
        pg = postgres
    upgrade_database(url)
    return Backend(request.param, url, tmp_path_factory, pg)


def _clear(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    finally:
        engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(backend: Backend, clock: FakeClock) -> Iterator[Store]:
    """A migrated, empty store on `backend` with a fake clock and a fixed token key."""
    _clear(backend.url)
    with Store(backend.url, clock=clock, secret_key=KEY) as opened:
        yield opened


@pytest.fixture
def empty_url(backend: Backend) -> Iterator[str]:
    """A URL of a database (SQLite file or PostgreSQL schema) with nothing in it."""
    url = backend.empty_url()
    yield url
    backend.release(url)
