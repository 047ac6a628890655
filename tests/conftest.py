"""Shared fixtures: real SQLite files and a real PostgreSQL database per test run.

The demo province is built once per run, on each engine (also when pytest-xdist runs several workers: the first to
ask builds it under a lock in the run's shared temporary folder, the others wait for it), and every test gets a copy:
SQLite's as a copy of its file (`master_copy`), PostgreSQL's by CREATE DATABASE ... TEMPLATE. `demo_store` and
`demo_store_pg` are a copy per worker, shared by the tests that only read; a test that writes takes its own
(`demo_copy`, `demo_copy_pg`).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Before core is imported: the cheapest argon2id parameters (core/access/accounts.py), here and in every process the
# tests start (they inherit the environment). Production keeps argon2-cffi's defaults (tests/test_accounts.py).
os.environ["VBP_PASSWORD_HASH"] = "fast"
# Jobs' files (core/store/jobs.py) in a folder of this process's own, inherited by the servers and jobs it starts: a
# store of this run may have the path a store of an earlier run had, whose ended jobs' files are kept for a day.
os.environ["VBP_JOBS_DIR"] = tempfile.mkdtemp(prefix="vbp-jobs-test-")
atexit.register(shutil.rmtree, os.environ["VBP_JOBS_DIR"], ignore_errors=True)

import contextlib  # noqa: E402
import fcntl  # noqa: E402
import queue  # noqa: E402
import sqlite3  # noqa: E402
import threading  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from core import demo  # noqa: E402
from core.store import db  # noqa: E402
from core.store.opening import open_store  # noqa: E402

from .browser import master_copy  # noqa: E402

PG_ADMIN_URL = os.environ.get("VBP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_TEMPLATE_FILE = "demo-pg-template.txt"  # in the run's shared folder: the name of the PostgreSQL demo's database


def _pg_available() -> str | None:
    try:
        eng = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as err:  # noqa: BLE001 - any failure means no server
        return f"PostgreSQL at {PG_ADMIN_URL} did not answer: {type(err).__name__}"


def _pg_url(name: str) -> str:
    return sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _run_folder(tmp_path_factory) -> Path:
    """The folder every process of this run shares: the base temporary folder, or with pytest-xdist the folder that
    holds each worker's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Databases:
    """Fresh PostgreSQL databases, made on demand, dropped when a test is done with them or at the end of the run.
    DROP DATABASE waits for a checkpoint of the whole server, so drops run in a thread of their own while the next
    tests run; the run waits for the last at its end."""

    def __init__(self):
        self.admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []
        self.failed: list[tuple[str, Exception]] = []
        self._drops: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._dropper = threading.Thread(target=self._drop_all, name="drop-databases", daemon=True)
        self._dropper.start()

    def __call__(self, template: str | None = None) -> str:
        """The URL of a new database: empty, or a copy of `template` (which nobody may be connected to)."""
        name = f"vbp_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        self.made.append(name)
        return _pg_url(name)

    def drop_later(self, url: str) -> None:
        db.dispose(url)
        name = sa.make_url(url).database
        if name in self.made:
            self.made.remove(name)
            self._drops.put(name)

    def _drop_all(self) -> None:
        while (name := self._drops.get()) is not None:
            try:
                with self.admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            except Exception as err:  # noqa: BLE001 - reported at the end of the run, the other drops go on
                self.failed.append((name, err))

    def close(self) -> None:
        for name in list(self.made):
            self.drop_later(_pg_url(name))
        self._drops.put(None)
        self._dropper.join()
        self.admin.dispose()
        if self.failed:
            name, err = self.failed[0]
            raise RuntimeError(f"{len(self.failed)} test databases were not dropped, {name} first") from err


@pytest.fixture(scope="session")
def pg_factory():
    """Makes fresh PostgreSQL databases and drops them by the end of the run.
    Outside CI the PostgreSQL tests skip when no server answers; in CI they are required."""
    reason = _pg_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason + " (required in CI)")
        pytest.skip(reason)
    made = Databases()
    yield made
    made.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A URL for an empty store on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
        yield url
        db.dispose(url)
    else:
        factory = request.getfixturevalue("pg_factory")
        url = factory()
        yield url
        factory.drop_later(url)  # a refresh reads on several connections at once: give them back to the server


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory) -> Path:
    """The default demo province in a SQLite file, built once per run; nobody opens it but to copy it."""
    shared = _run_folder(tmp_path_factory)
    path = shared / "demo-master.sqlite3"
    with _locked(shared / "demo-master.lock"):
        if not path.exists():
            building = shared / "demo-master.building.sqlite3"
            for left in shared.glob(building.name + "*"):  # of a build that failed before
                left.unlink()
            url = f"sqlite:///{building}"
            demo.load(open_store(url))
            db.dispose(url)
            con = sqlite3.connect(building)
            con.execute("PRAGMA journal_mode=DELETE")  # its WAL written back: one file, complete in itself
            con.close()
            building.replace(path)  # appearing whole
    return path


@pytest.fixture(scope="session")
def demo_store(demo_master, tmp_path_factory):
    """The default demo province in a SQLite file of this process, for tests that only read it."""
    url = master_copy(demo_master, tmp_path_factory.mktemp("demo"), "demo.sqlite3")
    yield open_store(url)
    db.dispose(url)


@pytest.fixture
def demo_copy(demo_master, tmp_path):
    """A private copy of the SQLite demo store, for tests that write to it (new views, actions, sign-ins)."""
    url = master_copy(demo_master, tmp_path)
    yield open_store(url)
    db.dispose(url)


@pytest.fixture(scope="session")
def demo_template_pg(pg_factory, tmp_path_factory) -> str:
    """The name of a PostgreSQL database holding the demo province, built once per run; nobody connects to it (it is
    copied as a template). Dropped at the end of the run (with pytest-xdist: by the controller, see below)."""
    shared = _run_folder(tmp_path_factory)
    record = shared / PG_TEMPLATE_FILE
    with _locked(shared / "demo-pg.lock"):
        if not record.exists():
            url = pg_factory()
            demo.load(open_store(url))
            db.dispose(url)
            name = sa.make_url(url).database
            if os.environ.get("PYTEST_XDIST_WORKER"):
                pg_factory.made.remove(name)  # other workers copy it after this one is done
            record.write_text(name)
    return record.read_text()


@pytest.fixture(scope="session")
def demo_store_pg(pg_factory, demo_template_pg):
    """The same demo province in PostgreSQL, a database of this process, for tests that only read it."""
    url = pg_factory(template=demo_template_pg)
    yield open_store(url)
    pg_factory.drop_later(url)


@pytest.fixture
def demo_copy_pg(pg_factory, demo_template_pg):
    """A private copy of the PostgreSQL demo store, for tests that write to it."""
    url = pg_factory(template=demo_template_pg)
    yield open_store(url)
    pg_factory.drop_later(url)


def _scan_components_once() -> None:
    """Every AppTest scans the installed packages' metadata for Streamlit components before its first run (0.1 s of
    reading METADATA files, some hundreds of times a run): the packages do not change during a test run, so the
    test processes scan once and reuse the answer."""
    import functools

    from streamlit.components.v2 import manifest_scanner
    scan = functools.cache(manifest_scanner.scan_component_manifests)
    manifest_scanner.scan_component_manifests = lambda max_workers=None: list(scan())


_scan_components_once()


@pytest.fixture
def app(demo_copy, monkeypatch):
    """AppTest over a private copy of the demo: `app(user)` is the app's first page, not yet run, in a session signed
    in as that demo account."""
    from streamlit.testing.v1 import AppTest

    from core.paths import ROOT
    from ui import session

    from .views import sign_in
    monkeypatch.setenv("VBP_DATABASE_URL", demo_copy.url)
    session._store.clear()
    yield lambda user: sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), user)
    session._store.clear()


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist names each test's group
def pytest_collection_modifyitems(items):
    """With several workers (pytest-xdist, `--dist loadgroup` in pytest.ini) the tests of a module that share a
    module-scoped fixture (a server, a store, 31 provinces) run on one worker, so the fixture is made once; any
    other test goes to whichever worker is free. A test may name its group itself (the browser walk runs as two
    groups, one per language, each with its own server: half the time on one worker)."""
    for item in items:
        defs = getattr(item, "_fixtureinfo", None)
        if item.get_closest_marker("xdist_group"):  # a group of its own (a share of a long module's tests)
            continue
        if defs and any(d.scope == "module" for fixturedefs in defs.name2fixturedefs.values() for d in fixturedefs):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    # Browser tests mostly wait (for the server, for chromium to draw): spread them among the others, so that both
    # workers seldom wait at the same time.
    modules: dict[str, list] = {}
    for item in items:
        modules.setdefault(item.module.__name__, []).append(item)
    browser = [m for m in modules if m.split(".")[-1].startswith("test_browser_")]
    others = [m for m in modules if m not in browser]
    order, step = [], max(1, len(others) // (len(browser) + 1))
    for i, name in enumerate(others):
        order.append(name)
        if (i + 1) % step == 0 and browser:
            order.append(browser.pop(0))
    order += browser
    items[:] = [item for name in order for item in modules[name]]


def pytest_sessionfinish(session):
    """With pytest-xdist, the controller drops the PostgreSQL demo once every worker is done with it."""
    if os.environ.get("PYTEST_XDIST_WORKER") or not getattr(session.config.option, "numprocesses", None):
        return
    record = session.config._tmp_path_factory.getbasetemp() / PG_TEMPLATE_FILE
    if record.exists():
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{record.read_text()}" WITH (FORCE)'))
        admin.dispose()
