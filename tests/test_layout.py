"""The layout the design asks for: core without Streamlit, one door to the database, thin pages."""
import ast

from core.db import ROOT


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_never_imports_streamlit():
    for path in (ROOT / "core").rglob("*.py"):
        assert not [m for m in _imports(path) if m.split(".")[0] == "streamlit"], path


def test_pages_never_import_sqlalchemy():
    for path in list((ROOT / "pages").glob("*.py")) + list((ROOT / "ui").glob("*.py")) + [ROOT / "app.py"]:
        assert not [m for m in _imports(path) if m.split(".")[0] in ("sqlalchemy", "psycopg", "sqlite3")], path


def test_sqlite_store_runs_in_wal_mode(tmp_path):
    from core.store import open_store
    store = open_store(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    assert store.read("PRAGMA journal_mode")["journal_mode"].iloc[0] == "wal"
    assert store.read("PRAGMA foreign_keys")["foreign_keys"].iloc[0] == 1
