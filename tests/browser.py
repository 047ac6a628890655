"""Running the real app for browser tests: a Streamlit server on a free local port, Debian's chromium."""
from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from core.paths import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
# Debian's chromium-headless-shell (the same engine without the windowing layers: 13 % less CPU a walk of the pages
# than /usr/bin/chromium --headless, measured), or Debian's chromium where the shell is not installed
CHROMIUM = next((p for p in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if Path(p).exists()),
                "/usr/bin/chromium-headless-shell")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db_url: str, startup_timeout: float = 60, log: Path | None = None):
    """`streamlit run app.py` on a free port over the store; its output goes to `log` (a temporary file by default),
    never to a pipe nobody reads. A port another process took between choosing it and the server's start (tests run
    in several processes at once) is chosen again."""
    env = {**os.environ, "VBP_DATABASE_URL": db_url}
    log = log or Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
    for attempt in range(3):
        port = free_port()
        out = open(log, "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + startup_timeout
        try:
            ready = False
            while not ready and proc.poll() is None and time.monotonic() <= deadline:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                        # this server's answer, not another's on the same port: it says it listens there
                        ready = r.status == 200 and url in log.read_text(errors="replace")
                except OSError:
                    pass
                if not ready:
                    time.sleep(0.2)  # polling the server's health endpoint, not waiting for a result
            if ready:
                yield url
                return
            said = log.read_text(errors="replace")
            if not ("is not available" in said or "already in use" in said) or attempt == 2:
                raise RuntimeError("streamlit did not start: " + said[-2000:])
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            out.close()


_STARTED: dict = {}  # this process's Playwright and chromium, started by the first browser test that runs here


def shared_browser():
    """This test process's chromium, started once (a start costs seconds of CPU; a test process runs many browser
    tests): every test takes a context of its own, which shares no cookie, storage or cache with another."""
    browser = _STARTED.get("browser")
    if browser is None or not browser.is_connected():
        from playwright.sync_api import sync_playwright
        if "playwright" not in _STARTED:
            _STARTED["playwright"] = sync_playwright().start()
            atexit.register(_stop)
        browser = _STARTED["browser"] = _STARTED["playwright"].chromium.launch(executable_path=CHROMIUM,
                                                                               args=CHROMIUM_ARGS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return browser


def _stop() -> None:
    with contextlib.suppress(Exception):  # the process is ending: whatever is left of them goes with it
        _STARTED.pop("browser").close()
    with contextlib.suppress(Exception):
        _STARTED.pop("playwright").stop()


@contextlib.contextmanager
def browser_page():
    """A page of a fresh context of this process's chromium (see `shared_browser`), closed with its context."""
    context = shared_browser().new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        context.close()


def varied(png: bytes, box: dict | None = None) -> bool:
    """Whether a picture (or its `box`, in CSS pixels of the viewport) shows more than a few colours: a map that
    deck.gl has drawn, not a blank canvas."""
    import io

    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if box is not None:
        image = image.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))
    return len(set(image.resize((64, 64)).getdata())) > 3


def screenshot_drawn(page, path: Path, attempts: int = 40) -> bool:
    """The viewport's picture into `path` (a full-page one resizes the page, and the maps redraw blank), taken
    again until every map in view shows in it (deck.gl draws a moment after its canvas appears). Returns whether
    every map did."""
    height = page.viewport_size["height"]
    for _ in range(attempts):
        png = page.screenshot()
        boxes = [b for b in (c.bounding_box() for c in page.locator('[data-testid="stDeckGlJsonChart"] canvas').all())
                 if b and b["width"] > 0 and b["y"] < height]
        if all(varied(png, {**b, "height": min(b["height"], height - b["y"])}) for b in boxes):
            path.write_bytes(png)
            return True
        page.wait_for_timeout(250)  # polling the picture, as for any state the test waits on
    path.write_bytes(png)
    return False


def sign_in(page, url: str, username: str, password: str | None = None) -> None:
    """Open `url`, which shows the login page first, and sign in (the app then opens `url`'s page)."""
    from core.demo import DEMO_PASSWORD
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


# A click the server took: the address changed (the drill) or the page's run started (the selection arrived).
_CLICK_TAKEN = """(before) => location.search !== before || (document.querySelector('[data-testid="stApp"]') || {
                      getAttribute: () => ''}).getAttribute('data-test-script-state') === 'running'"""


def click_map(page, point, attempts: int = 10) -> bool:
    """Hover the map's canvas at `point(box)` until deck.gl shows its tooltip (the layer can pick), click there and
    wait for the address to change; True once it did. A click the page lost is repeated: on a loaded machine
    chromium at times shows the tooltip and takes no click (no run starts); such a click is known lost after 10 s,
    a click whose run started gets a minute to change the address. Each attempt that fails leaves its picture and
    what it saw in tests/artifacts/click-map-failed-<n>.png/.txt."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    tooltip = page.locator(".deck-tooltip")
    start = None
    for attempt in range(attempts):
        wait_idle(page)  # the page run to its end: a map hovered while the server still sends it picks nothing
        here = page.evaluate("location.search")
        if start is None:
            start = here
        elif here != start:  # an earlier click's run ended after its attempt gave up on it
            return True
        canvas = page.locator(DECK_CANVAS).first
        canvas.wait_for(state="visible", timeout=120_000)
        box = canvas.bounding_box()
        x, y = point(box)
        picked = ""
        for wiggle in range(60):
            page.mouse.move(x + wiggle % 3, y)
            try:
                tooltip.wait_for(state="visible", timeout=500)
                picked = tooltip.inner_text(timeout=2_000)
                break
            except PlaywrightTimeout:
                continue
        page.mouse.click(x, y)
        try:
            page.wait_for_function(_CLICK_TAKEN, arg=here, timeout=10_000, polling=100)
            # the rerun a click asks for: a map page of a province runs for seconds on a loaded machine
            page.wait_for_function("(before) => location.search !== before", arg=here, timeout=60_000)
            return True
        except PlaywrightTimeout:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"click-map-failed-{attempt}.png"))
            (ARTIFACTS / f"click-map-failed-{attempt}.txt").write_text(
                f"url {page.url}\ncanvas {box}\npoint {(x, y)}\ntooltip {picked!r}\n", encoding="utf-8")
            continue
    return False


def master_copy(master: Path, folder: Path, name: str = "copy.sqlite3") -> str:
    """A copy of the SQLite demo master in `folder`, as a URL. The master is one complete file (no write-ahead log,
    no journal: see `demo_master`) that no connection holds open, so its bytes are the store: the kernel copies them
    (0.1 s) where the backup API steps through every page (0.5 s, some fifty times a run)."""
    path = Path(folder) / name
    shutil.copyfile(master, path)
    return f"sqlite:///{path}"


def store_copy(source_url: str, folder: Path, name: str = "copy.sqlite3") -> str:
    """A private copy of a SQLite store (browser tests sign in, which writes sessions and the audit log)."""
    import sqlite3

    import sqlalchemy as sa
    path = Path(folder) / name
    source, target = sqlite3.connect(sa.make_url(source_url).database), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return f"sqlite:///{path}"


# The map's own canvas: a table (Streamlit's grid) draws on a canvas too, and on a loaded machine it can be on the
# page before the map's, so "the first canvas" was at times the table under the map (a click there drills nowhere).
DECK_CANVAS = '[data-testid="stDeckGlJsonChart"] canvas'

IDLE = """() => { const app = document.querySelector('[data-testid="stApp"]');
                  return app && app.getAttribute('data-test-script-state') === 'notRunning'
                      && !document.querySelector('[data-stale="true"]'); }"""


def wait_idle(page, timeout: float = 120_000) -> None:
    """Until the server has run the page to its end and the browser has drawn it (no element left stale)."""
    page.wait_for_function(IDLE, timeout=timeout, polling=200)
