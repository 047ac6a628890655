"""An import killed in the middle of its write leaves the store exactly as it was."""
import os
import signal
import subprocess
import sys

import pandas as pd

from core import exporter, importer
from core.db import ROOT
from core.store import open_store
from core.accounts import system_user

from .extract_fixture import frames
from .test_bad_files import _fingerprint


def _big_orders(n: int) -> pd.DataFrame:
    base = frames()["orders"].iloc[0]
    return pd.DataFrame({
        "order_id": [f"K{i:08d}" for i in range(n)], "institution_code": base["institution_code"],
        "product_code": base["product_code"], "distributor_code": base["distributor_code"],
        "order_date": base["order_date"], "order_qty": 10.0, "unit_price": 1.9, "channel": "线上",
        "delivered_qty": 10.0, "delivery_date": base["delivery_date"], "receipt_date": base["receipt_date"]})


def test_killed_during_the_write_changes_nothing(store_url, tmp_path):
    store = open_store(store_url)
    extract, _ = importer.import_files(store, [exporter.write_xlsx(frames(), tmp_path / "good.xlsx")], actor=system_user(store))
    assert extract.ok
    before = _fingerprint(store)
    paths = exporter.write_csv({"orders": _big_orders(150_000)}, tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "core", "import", *map(str, paths), "--db", store.url],
                            cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    seen = []
    for line in proc.stderr:  # wait for the write to begin, then kill the process mid-transaction
        seen.append(line)
        if "writing orders" in line:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, seen
    assert _fingerprint(store) == before
    # The store still works: the same file imports cleanly afterwards.
    extract, counts = importer.import_files(store, paths, actor=system_user(store))
    assert extract.ok and counts == {"orders": 150_000}
