"""An import killed in the middle of its write leaves the store exactly as it was."""
import os
import signal
import subprocess
import sys

import pandas as pd

from core.access.roles import system_user
from core.ingest import exporter, importer
from core.paths import ROOT
from core.store.opening import open_store

from .extract_fixture import frames
from .test_bad_files import _fingerprint


def _big_orders(n: int) -> pd.DataFrame:
    base = frames()["orders"].iloc[0]
    return pd.DataFrame({
        "order_id": [f"K{i:08d}" for i in range(n)], "institution_code": base["institution_code"],
        "product_code": base["product_code"], "distributor_code": base["distributor_code"],
        "order_date": base["order_date"], "order_qty": 10.0, "unit_price": 1.9, "channel": "线上",
        "delivered_qty": 10.0, "delivery_date": base["delivery_date"], "receipt_date": base["receipt_date"]})


def _killed_at(step: str, *argv: str) -> None:
    """`python -m core ARGV`, killed (SIGKILL) as soon as its progress on stderr names `step`."""
    proc = subprocess.Popen([sys.executable, "-m", "core", *argv], cwd=ROOT, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if step in line:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, seen


def test_killed_during_the_write_changes_nothing(store_url, tmp_path):
    store = open_store(store_url)
    extract, _ = importer.import_files(store, [exporter.write_xlsx(frames(), tmp_path / "good.xlsx")], actor=system_user(store))
    assert extract.ok
    before = _fingerprint(store)
    paths = exporter.write_csv({"orders": _big_orders(150_000)}, tmp_path)
    # wait for the write to begin, then kill the process mid-transaction
    _killed_at("writing orders", "import", *map(str, paths), "--db", store.url)
    assert _fingerprint(store) == before
    # The store still works: orders of the same ids import cleanly afterwards (a slice: the rows' fate is the
    # fingerprint's to show, not the time another 150,000 take).
    (tmp_path / "again").mkdir()
    again = exporter.write_csv({"orders": _big_orders(150_000).iloc[::1000]}, tmp_path / "again")
    extract, counts = importer.import_files(store, again, actor=system_user(store))
    assert extract.ok and counts == {"orders": 150}


def test_killed_during_the_recompute_leaves_the_rows_with_their_record(store_url, tmp_path):
    """The rows and their upload record commit together; the marts computed afterwards lag the data when the
    process dies, and the next reader recomputes them for the data as they are."""
    from core.refresh import marts
    from core.store import views
    from core.ingest import uploads
    store = open_store(store_url)
    importer.import_files(store, [exporter.write_xlsx(frames(), tmp_path / "good.xlsx")], actor=system_user(store))
    history = len(uploads.history(store))
    paths = exporter.write_csv({"orders": _big_orders(60_000)}, tmp_path)
    # the write has committed when the recompute starts: kill it then
    _killed_at("aggregating orders", "import", *map(str, paths), "--db", store.url)
    assert store.counts()["orders"] == 2 + 60_000  # the rows ...
    recorded = uploads.history(store)
    assert len(recorded) == history + 1 and recorded.iloc[0]["outcome"] == "imported"  # ... with their record
    assert "orders" in recorded.iloc[0]["rows_text"] or "采购订单" in recorded.iloc[0]["rows_text"]
    logged = store.read("SELECT target FROM audit_log WHERE action = 'upload' AND outcome = 'imported'")
    assert logged["target"].tolist() == ["orders.csv"]  # and its audit entry
    assert views.default_view(store) is None  # the figures lag the data: no page takes them as current
    info = marts.ensure_view(store)  # the next reader recomputes
    assert store.read("SELECT SUM(count_orders) AS n FROM mart_inst_product WHERE view_id = :v",
                      {"v": info.view_id})["n"].iloc[0] == 2 + 60_000


def _journal(store) -> str:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA journal_mode").scalar()


def test_the_command_lines_demo_load_goes_through_the_rollback_journal_and_back(tmp_path):
    """`python -m core demo` writes a SQLite store through the rollback journal (the rows once, not into the log and
    again into the file), and leaves it in WAL mode; with another connection holding the store open the switch is
    refused and the load goes through the log."""
    from core.store import db
    store = open_store(f"sqlite:///{tmp_path / 'alone.sqlite3'}")
    with db.loading(store.engine) as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        conn.exec_driver_sql("INSERT INTO store_meta (key, value) VALUES ('probe', '1')")
    assert _journal(store) == "wal" and store.meta("probe") == "1"
    other = store.engine.connect()  # another user of the store
    other.exec_driver_sql("SELECT COUNT(*) FROM store_meta").scalar()
    try:
        with db.loading(store.engine) as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            conn.exec_driver_sql("INSERT INTO store_meta (key, value) VALUES ('probe2', '2')")
    finally:
        other.close()
    assert _journal(store) == "wal" and store.meta("probe2") == "2"


def test_a_demo_load_killed_while_writing_leaves_the_store_empty_and_loadable(tmp_path):
    from core import demo
    url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    from core.store import db
    open_store(url)  # the schema and regions, as a first start leaves them
    db.dispose(url)  # and nobody else holds the store open (a connection left here would keep it in WAL mode)
    # the enterprises ... baseline are written in the transaction: kill it at the orders
    _killed_at("writing orders", "demo", "--db", url)
    assert (tmp_path / "killed.sqlite3-journal").exists()  # the hot journal the kill left behind ...
    store = open_store(url)  # ... is rolled back when the store is opened again
    assert store.is_empty() and _journal(store) == "wal"
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert not (tmp_path / "killed.sqlite3-journal").exists()
    counts = demo.load(store, scale="mini", alone=True)
    assert store.counts()["orders"] == counts["orders"] > 0


def test_a_process_opening_the_store_during_such_a_load_waits_for_it(tmp_path):
    """Another process opening the store while the load holds it in the rollback journal waits for the commit and
    reads what was loaded (SQLite refuses its switch to WAL at once: it was told the store cannot be reached)."""
    import time

    from core.store import db
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    store = open_store(url)
    db.dispose(url)
    reader = ("import sys\nfrom core.store.opening import open_store\nprint('opening', flush=True)\n"
              f"print(open_store({url!r}).meta('probe'), flush=True)\n")
    with db.loading(store.engine) as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        conn.exec_driver_sql("INSERT INTO store_meta (key, value) VALUES ('probe', 'loaded')")
        proc = subprocess.Popen([sys.executable, "-c", reader], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "opening"
        time.sleep(1)  # the other process is opening the store meanwhile, not after the commit
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.strip() == "loaded", err[-1000:]
