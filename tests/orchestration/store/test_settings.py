"""Configuration: database URL and data directory from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.store import Store, StoreError, data_dir, database_url, safe_url


def test_default_url_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    env = {"MEDIAPLAN_DATA_DIR": str(tmp_path / "d")}
    assert data_dir(env) == tmp_path / "d"
    assert database_url(env) == f"sqlite:///{tmp_path / 'd' / 'mediaplan.db'}"
    assert data_dir({}) == Path(".mediaplan")
    assert database_url({}).endswith("/.mediaplan/mediaplan.db")


def test_database_url_from_env(tmp_path: Path) -> None:
    url = "postgresql+psycopg://u:secret@db:5432/mp"
    assert database_url({"MEDIAPLAN_DATABASE_URL": f" {url} "}) == url
    assert "secret" not in safe_url(url)


def test_store_creates_the_sqlite_directory(tmp_path: Path) -> None:
    env = {"MEDIAPLAN_DATA_DIR": str(tmp_path / "new" / "dir")}
    with Store(env=env) as store:
        store.upgrade()
        store.ensure_workspace("ws")
        assert store.list_campaigns("ws") == []
    assert (tmp_path / "new" / "dir" / "mediaplan.db").exists()


def test_unsupported_database() -> None:
    with pytest.raises(StoreError, match="unsupported database 'mysql://u:\\*\\*\\*@h/db'"):
        Store("mysql://u:pw@h/db")
