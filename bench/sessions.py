"""Many users at once: N sessions browse a running app over Streamlit's own websocket protocol.

Each session signs in through the login form (as the browser does: the text inputs' values and the
submit button's trigger), then opens pages in turn. The time of a page is from the request to the
server's "script finished"; an exception element or a refused page counts as an error. The server is
started here on a free port over the given store unless --url names one already running.

    python bench/sessions.py --db URL [--sessions 20] [--rounds 3] [--think SECONDS] [--user demo_leader]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

PAGES = ("overview", "home", "map", "supply", "procurement", "complaints", "interviews", "settings")


class Session:
    def __init__(self, url: str):
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.widgets: dict[str, str] = {}  # user key -> widget id, from the last run
        self.errors: list[str] = []

    async def open(self) -> None:
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)

    async def run(self, page_hash: str = "", query: str = "", states: list | None = None) -> float:
        """One script run: send the request, read until the script finishes; returns seconds."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = page_hash
        for state in states or []:
            msg.rerun_script.widget_states.widgets.append(state)
        self.widgets = {}
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await self.ws.recv()
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.url_pathname or "overview": p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(fwd.delta.new_element)
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return time.perf_counter() - start  # a run that asked for another (st.rerun) goes on

    def _element(self, element) -> None:
        which = element.WhichOneof("type")
        if which == "exception":
            self.errors.append(element.exception.message[:200])
        elif which == "alert" and ("无权打开" in element.alert.body or "密码错误" in element.alert.body):
            self.errors.append("refused: " + element.alert.body)
        elif which in ("text_input", "button"):
            widget = getattr(element, which)
            key = widget.id.split("-")[-1]
            self.widgets[key] = widget.id

    async def sign_in(self, username: str, password: str) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState
        await self.run()
        states = []
        for key, value in (("login_user", username), ("login_password", password)):
            states.append(WidgetState(id=self.widgets[key], string_value=value))
        submit = next(wid for wid in self.widgets.values() if "FormSubmitter:login" in wid)
        states.append(WidgetState(id=submit, trigger_value=True))
        await self.run(states=states)
        if "logout" not in self.widgets:  # the sign-out button shows once signed in
            raise RuntimeError(f"{username} did not sign in")

    async def close(self) -> None:
        await self.ws.close()


async def browse(url: str, user: str, password: str, rounds: int, seed: int, times: list, errors: list,
                 think: float = 0.0) -> None:
    rng = random.Random(seed)
    session = Session(url)
    await session.open()
    try:
        await session.sign_in(user, password)
        for _ in range(rounds):
            for page in rng.sample(PAGES, len(PAGES)):
                times.append((page, await session.run(session.pages[page])))
                if think:  # a user reads the page before the next click: 0.5 to 1.5 times the mean
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    except Exception as err:  # noqa: BLE001 - every failure is counted, none stops the others
        errors.append(f"{type(err).__name__}: {err}")
    errors.extend(session.errors)
    await session.close()


async def main_async(url: str, sessions: int, rounds: int, user: str, password: str, think: float = 0.0) -> None:
    times: list = []
    errors: list = []
    start = time.perf_counter()
    await asyncio.gather(*(browse(url, user, password, rounds, seed, times, errors, think) for seed in range(sessions)))
    wall = time.perf_counter() - start
    seconds = [s for _, s in times]
    print(f"sessions: {sessions}  rounds: {rounds}  think time: {think:.1f} s  pages opened: {len(times)}  "
          f"errors: {len(errors)}  wall: {wall:.1f} s")
    if seconds:
        print(f"page time: median {statistics.median(seconds):.3f} s  p90 "
              f"{sorted(seconds)[int(0.9 * (len(seconds) - 1))]:.3f} s  worst {max(seconds):.3f} s")
        print(f"{'page':14s} {'median s':>9s} {'worst s':>9s}")
        for page in PAGES:
            mine = [s for p, s in times if p == page]
            if mine:
                print(f"{page:14s} {statistics.median(mine):9.3f} {max(mine):9.3f}")
    for err in sorted(set(errors))[:10]:
        print("error:", err)


def main() -> None:
    from core.demo import DEMO_PASSWORD
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="store URL: a server is started over it")
    ap.add_argument("--url", help="an app already running, e.g. http://127.0.0.1:8501")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--user", default="demo_leader")
    ap.add_argument("--password", default=DEMO_PASSWORD)
    ap.add_argument("--think", type=float, default=0.0, help="mean seconds a user reads a page before the next click")
    args = ap.parse_args()
    if args.url:
        asyncio.run(main_async(args.url, args.sessions, args.rounds, args.user, args.password, args.think))
        return
    from tests.browser import streamlit_server
    with streamlit_server(args.db, startup_timeout=600) as url:
        asyncio.run(main_async(url, 1, 1, args.user, args.password))  # warm the server once
        asyncio.run(main_async(url, args.sessions, args.rounds, args.user, args.password, args.think))


if __name__ == "__main__":
    main()
