"""Many users at once: N sessions browse a running app over Streamlit's own websocket protocol.

Each session signs in through the login form (as the browser does: the text inputs' values and the
submit button's trigger), then opens pages in turn. The time of a page is from the request to the
server's "script finished"; an exception element or a refused page counts as an error. The server is
started here on a free port over the given store unless --url names one already running.

    python bench/sessions.py --db URL [--sessions 20] [--rounds 3] [--think SECONDS] [--user demo_leader]
    python bench/sessions.py --db URL --mixed [--sessions 50] [--think 3]    # officers, enterprises, institutions
    python bench/sessions.py --db URL --sign-in 20                          # 20 accounts signing in at once
    python bench/sessions.py --db URL --refreshing [--think 3]              # while the figures are computed again

With --refreshing, the data version is moved on and the figures computed again by core.refresh.worker (as after a
setting saved on its page) one refresh after another for the whole run: the pages are served the figures in force
meanwhile. The refreshes done and their seconds are printed at the end.

With --mixed the sessions take the demo's accounts in turn (leadership, city and county officers, an enterprise,
an institution), each opening its own role's pages. With --sign-in N, N sessions press 登录 at the same moment; the
time of each is from pressing it to its first page drawn (the password checked, the session started, the page run).
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import threading
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

PAGES = ("overview", "home", "map", "supply", "procurement", "complaints", "interviews", "settings")
MIXED = ("demo_leader", "demo_city", "demo_county", "demo_enterprise", "demo_institution")


def pages_of(user: str) -> tuple[str, ...]:
    """The pages an account opens in the benchmark: its role's (all of them but the data pages' duplicates)."""
    from core.access.roles import ROLES
    role = {"demo_leader": "leader", "demo_city": "city_officer", "demo_county": "county_officer",
            "demo_enterprise": "enterprise", "demo_institution": "institution"}.get(user, "leader")
    return tuple(p for p in ROLES[role].pages if p in PAGES or p in ("cases", "ent_supply", "inst_self", "desk"))


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
    mine = pages_of(user)
    try:
        await session.sign_in(user, password)
        for _ in range(rounds):
            for page in rng.sample(mine, len(mine)):
                times.append((page, await session.run(session.pages[page])))
                if think:  # a user reads the page before the next click: 0.5 to 1.5 times the mean
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    except Exception as err:  # noqa: BLE001 - every failure is counted, none stops the others
        errors.append(f"{type(err).__name__}: {err}")
    errors.extend(session.errors)
    await session.close()


async def main_async(url: str, sessions: int, rounds: int, user: str, password: str, think: float = 0.0,
                     mixed: bool = False) -> None:
    times: list = []
    errors: list = []
    start = time.perf_counter()
    users = [MIXED[n % len(MIXED)] if mixed else user for n in range(sessions)]
    await asyncio.gather(*(browse(url, users[seed], password, rounds, seed, times, errors, think)
                           for seed in range(sessions)))
    wall = time.perf_counter() - start
    seconds = [s for _, s in times]
    print(f"sessions: {sessions}  rounds: {rounds}  think time: {think:.1f} s  pages opened: {len(times)}  "
          f"errors: {len(errors)}  wall: {wall:.1f} s")
    if seconds:
        print(f"page time: median {statistics.median(seconds):.3f} s  p90 "
              f"{sorted(seconds)[int(0.9 * (len(seconds) - 1))]:.3f} s  worst {max(seconds):.3f} s")
        print(f"{'page':14s} {'median s':>9s} {'worst s':>9s}")
        for page in dict.fromkeys([p for p, _ in times]):
            mine = [s for p, s in times if p == page]
            if mine:
                print(f"{page:14s} {statistics.median(mine):9.3f} {max(mine):9.3f}")
    for err in sorted(set(errors))[:10]:
        print("error:", err)


async def sign_in_burst(url: str, sessions: int, password: str) -> None:
    """N sessions open the login page, then press 登录 at the same moment; each one's time to its first page."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState
    users = [MIXED[n % len(MIXED)] for n in range(sessions)]
    opened = [Session(url) for _ in users]
    for s in opened:
        await s.open()
        await s.run()  # the login page

    async def press(s: Session, user: str) -> float:
        states = [WidgetState(id=s.widgets[k], string_value=v) for k, v in (("login_user", user),
                                                                             ("login_password", password))]
        submit = next(wid for wid in s.widgets.values() if "FormSubmitter:login" in wid)
        states.append(WidgetState(id=submit, trigger_value=True))
        spent = await s.run(states=states)
        if "logout" not in s.widgets:
            s.errors.append(f"{user} did not sign in")
        return spent
    start = time.perf_counter()
    spent = await asyncio.gather(*(press(s, u) for s, u in zip(opened, users)))
    wall = time.perf_counter() - start
    errors = [e for s in opened for e in s.errors]
    for s in opened:
        await s.close()
    print(f"sign-in burst: {sessions} sessions pressed 登录 at once; to the first page: median "
          f"{statistics.median(spent):.2f} s, worst {max(spent):.2f} s; wall {wall:.2f} s; errors: {len(errors)}")
    for err in sorted(set(errors))[:5]:
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
    ap.add_argument("--mixed", action="store_true", help="the demo's accounts of five roles in turn")
    ap.add_argument("--sign-in", type=int, metavar="N", help="N accounts press 登录 at the same moment")
    ap.add_argument("--refreshing", action="store_true", help="the figures computed again throughout (needs --db)")
    args = ap.parse_args()

    def run(url: str) -> None:
        if args.sign_in:
            asyncio.run(sign_in_burst(url, args.sign_in, args.password))
            return
        asyncio.run(main_async(url, args.sessions, args.rounds, args.user, args.password, args.think, args.mixed))
    if args.url:
        run(args.url)
        return
    from tests.browser import streamlit_server
    with streamlit_server(args.db, startup_timeout=600) as url:
        asyncio.run(main_async(url, 1, 1, args.user, args.password))  # warm the server once
        if not args.refreshing:
            run(url)
            return
        stop, done = threading.Event(), []
        loop = threading.Thread(target=refreshing, args=(args.db, stop, done))
        loop.start()
        try:
            run(url)
        finally:
            stop.set()
            loop.join()
        print(f"refreshes during the run: {len(done)}, seconds each: {', '.join(f'{s:.1f}' for s in done)}")


def refreshing(url: str, stop: threading.Event, done: list) -> None:
    """Until `stop`: the data version moved on and the figures computed again by a worker process, then again."""
    from core.refresh import worker
    from core.store import jobs
    from core.store.opening import open_store
    store = open_store(url)
    while not stop.is_set():
        start = time.perf_counter()
        with worker.ahead(store, "bench") as go:
            with store.begin() as conn:
                store.bump_data_version(conn)
            job = go()
        while not (j := jobs.load(url, job.id)) or not (j.ended or (j.pid and not j.alive())):
            time.sleep(0.2)  # polling the job's file, as a page does
        done.append(time.perf_counter() - start)


if __name__ == "__main__":
    main()
