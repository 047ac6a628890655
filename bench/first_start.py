"""The first page of a fresh clone: an empty store, `streamlit run app.py`, a browser. Times the server's
start, the demo's generation and load (until the login page shows), and signing in to the overview.

    python bench/first_start.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import browser_page, sign_in, streamlit_server  # noqa: E402


def main() -> None:
    url = f"sqlite:///{tempfile.mkdtemp()}/fresh.sqlite3"
    start = time.perf_counter()
    marks = []
    with streamlit_server(url, startup_timeout=300) as base, browser_page() as page:
        marks.append(("server answers", time.perf_counter() - start))
        page.goto(base)
        page.get_by_label("用户名").wait_for(timeout=300_000)  # the demo is in the store, the accounts exist
        marks.append(("login page (demo generated and loaded)", time.perf_counter() - start))
        sign_in(page, base, "demo_leader")
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=300_000)
        marks.append(("overview's figures after signing in", time.perf_counter() - start))
    print(f"store: {url}")
    print(f"{'step':44s} {'seconds since start':>20s}")
    for name, seconds in marks:
        print(f"{name:44s} {seconds:20.1f}")


if __name__ == "__main__":
    main()
