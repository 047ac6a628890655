"""Server-side time of every page's rerun (AppTest), for a province view and a county view, and of
the map drill; and the peak memory of the process.

The first run of a page fills the readers' cache; the reruns after it are what a user waits for when
working on the page. Each rerun is timed from the request to the end of the script.

    python bench/pages.py --db URL [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("overview", "home", "map", "supply", "procurement", "complaints", "institution", "enterprise", "interviews",
         "settings")


def _app(username: str):
    from streamlit.testing.v1 import AppTest
    from core.access import sessions
    from core.store.opening import open_store
    at = AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=600)
    started = sessions.start(open_store(), username)
    at.session_state["auth"] = {"session_id": started.session.session_id, "username": username}
    return at


def _timed(at) -> float:
    start = time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError([e.message for e in at.exception])
    return time.perf_counter() - start


def page_times(username: str, runs: int, codes: dict[str, str]) -> dict[str, tuple[float, float, float]]:
    """page -> (first run, median rerun, worst rerun) in seconds."""
    out = {}
    for page in PAGES:
        at = _app(username)
        if page in ("institution", "enterprise"):
            at.query_params["code"] = codes[page]
        at.run()
        at.switch_page(f"../pages/{page}.py")
        first = _timed(at)
        again = [_timed(at) for _ in range(runs)]
        out[page] = (first, statistics.median(again), max(again))
    return out


def drill_times(runs: int, store) -> list[float]:
    """Province -> city -> county by injected clicks, as the browser's selection arrives."""
    regions = store.regions()
    out = []
    cities = sorted(regions.loc[regions["region_level"] == "city", "region_code"])[:runs]
    for city in cities:
        county = sorted(regions.loc[regions["parent_code"] == city, "region_code"])[0]
        at = _app("demo_leader")
        at.run()
        at.switch_page("../pages/map.py")
        at.run()
        for here, target in ((store.province_code, city), (city, county)):
            at.session_state[f"drill_{here}"] = {"selection": {"indices": {"areas": [0]},
                                                               "objects": {"areas": [{"properties": {"code": target}}]}}}
            out.append(_timed(at))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    os.environ["VBP_DATABASE_URL"] = args.db
    from core.refresh import marts
    from core.store import views
    from core.store.opening import open_store
    store = open_store(args.db)
    marts.ensure_view(store)
    view_id = views.default_view(store).view_id
    codes = {"institution": store.read("SELECT subject_code FROM mart_flags WHERE view_id = :v AND flag_id = 'red_flag' "
                                       "ORDER BY value DESC LIMIT 1", {"v": view_id})["subject_code"].iloc[0],
             "enterprise": store.read("SELECT enterprise_code FROM mart_enterprises WHERE view_id = :v "
                                      "ORDER BY delivery_rate LIMIT 1", {"v": view_id})["enterprise_code"].iloc[0]}
    orders = int(store.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0])
    print(f"store: {args.db}  orders: {orders:,}  reruns per page: {args.runs}")
    print(f"{'page':12s} {'view':10s} {'first s':>8s} {'median s':>9s} {'worst s':>8s}")
    for username, label in (("demo_leader", "province"), ("demo_county", "county")):
        county_codes = codes
        if label == "county":
            scope = store.read("SELECT area_code FROM users WHERE username = 'demo_county'")["area_code"].iloc[0]
            county_codes = {**codes, "institution": store.read(
                "SELECT institution_code FROM institutions WHERE county_code = :c LIMIT 1", {"c": scope})["institution_code"].iloc[0]}
        for page, (first, median, worst) in page_times(username, args.runs, county_codes).items():
            print(f"{page:12s} {label:10s} {first:8.3f} {median:9.3f} {worst:8.3f}")
    drills = drill_times(max(2, args.runs // 2), store)
    print(f"{'map drill':12s} {'click':10s} {'':8s} {statistics.median(drills):9.3f} {max(drills):8.3f}")
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
