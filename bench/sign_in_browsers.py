"""Real browsers signing in at the same moment: N headless Chromium pages (Debian's chromium, one browser) open the
login page, then press 登录 together; each one's time from the click to its first page drawn (the server ran it to
the end and the browser shows it). Beside it, the same with N websocket sessions (bench/sessions.py --sign-in)
tells the server's part from the browsers'.

    python bench/sign_in_browsers.py --db URL [--browsers 10]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

IDLE = """() => { const app = document.querySelector('[data-testid="stApp"]');
                  return app && app.getAttribute('data-test-script-state') === 'notRunning'
                      && document.querySelector('[data-testid="stSidebarNavLink"]') !== null; }"""


async def run(url: str, n: int, password: str) -> None:
    from playwright.async_api import async_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS
    users = ["demo_leader", "demo_city", "demo_county", "demo_enterprise", "demo_institution"]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = [await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN") for _ in range(n)]
        pages = [await c.new_page() for c in contexts]
        for page, user in zip(pages, [users[i % len(users)] for i in range(n)]):
            await page.goto(url)
            await page.get_by_label("用户名").fill(user)
            await page.get_by_label("密码", exact=True).fill(password)

        async def press(page) -> float:
            start = time.perf_counter()
            await page.get_by_role("button", name="登录").click()
            await page.wait_for_function(IDLE, timeout=300_000, polling=100)
            return time.perf_counter() - start
        spent = await asyncio.gather(*(press(page) for page in pages))
        await browser.close()
    print(f"{n} browsers pressed 登录 at once; to the first page drawn: median {statistics.median(spent):.2f} s, "
          f"worst {max(spent):.2f} s")


def main() -> None:
    from core.demo import DEMO_PASSWORD
    from tests.browser import streamlit_server
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--browsers", type=int, default=10)
    args = ap.parse_args()
    with streamlit_server(args.db, startup_timeout=600) as url:
        asyncio.run(run(url, 1, DEMO_PASSWORD))  # the server warmed once
        asyncio.run(run(url, args.browsers, DEMO_PASSWORD))


if __name__ == "__main__":
    main()
