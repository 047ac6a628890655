"""Shared fixtures: real SQLite files and a real PostgreSQL database per test run."""
from __future__ import annotations

import os

# Before core is imported: the cheapest argon2id parameters (core/access/accounts.py), here and in every process the
# tests start (they inherit the environment). Production keeps argon2-cffi's defaults (tests/test_accounts.py).
os.environ["VBP_PASSWORD_HASH"] = "fast"

import uuid  # noqa: E402

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from core import demo  # noqa: E402
from core.store import db  # noqa: E402
from core.store.opening import open_store  # noqa: E402

PG_ADMIN_URL = os.environ.get("VBP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        eng = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as err:  # noqa: BLE001 - any failure means no server
        return f"PostgreSQL at {PG_ADMIN_URL} did not answer: {type(err).__name__}"


@pytest.fixture(scope="session")
def pg_factory():
    """Makes fresh PostgreSQL databases and drops them at the end of the run.
    Outside CI the PostgreSQL tests skip when no server answers; in CI they are required."""
    reason = _pg_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason + " (required in CI)")
        pytest.skip(reason)
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"vbp_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in made:
        url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        db.dispose(url)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A URL for an empty store on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
        yield url
        db.dispose(url)
    else:
        url = request.getfixturevalue("pg_factory")()
        yield url
        db.dispose(url)  # a refresh reads on several connections at once: give them back to the server


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """The default demo province in a SQLite file, made once per run."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
    store = open_store(url)
    demo.load(store)
    return store


@pytest.fixture(scope="session")
def demo_store_pg(pg_factory):
    """The same demo province in PostgreSQL."""
    store = open_store(pg_factory())
    demo.load(store)
    return store


@pytest.fixture
def demo_copy(demo_store, tmp_path):
    """A private copy of the SQLite demo store, for tests that write to it (new views, actions)."""
    import sqlite3
    path = tmp_path / "copy.sqlite3"
    source = sqlite3.connect(sa.make_url(demo_store.url).database)
    target = sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    url = f"sqlite:///{path}"
    yield open_store(url)
    db.dispose(url)
