"""The readers' cache: shared across sessions, never across scopes, and never stale."""
import datetime as dt

from core.access import accounts, actions
from core.read import interviews, monitoring
from core.store import cache

from .views import default, of_user


def test_a_second_ask_is_served_from_the_cache_and_cannot_be_spoiled(demo_store):
    view = default(demo_store, "371400")
    first = monitoring.delivery_by_product(view)
    hits = cache.stats["hits"]
    again = monitoring.delivery_by_product(default(demo_store, "371400"))  # another session, same question
    assert cache.stats["hits"] == hits + 1 and again.equals(first)
    again.loc[0, "delivery_rate"] = -1.0  # a page changing its copy changes nothing for the next reader
    assert monitoring.delivery_by_product(view).equals(first)
    assert monitoring.delivery_by_product.uncached(view).equals(first)  # the cache returns what the reader does


def test_entries_are_kept_apart_by_scope(demo_store):
    from core.store.view import View
    province = monitoring.enterprise_tiers(default(demo_store))
    info = default(demo_store).info
    hits = cache.stats["hits"]
    county = monitoring.enterprise_tiers(View.of(demo_store, info, "371422", "371422"))  # a county officer's view
    assert cache.stats["hits"] == hits  # not answered from the province's entry
    assert set(county["enterprise_code"]) < set(province["enterprise_code"])


def test_a_recorded_action_and_new_data_are_seen_at_once(demo_copy):
    officer = accounts.load(demo_copy, "demo_county")
    view = of_user(demo_copy, officer)
    listed = interviews.interview_list(view)
    waiting = listed[(listed["subject_type"] == "institution") & (listed["status"] == "待处理")]
    code = waiting["subject_code"].iloc[-1]  # one nothing has been recorded for yet
    actions.record_action(view, "ladder", [code], "已提醒", "电话提醒", dt.date(2026, 11, 22))
    assert interviews.interview_list(view).set_index("subject_code").loc[code, "status"] == "已提醒"
    before = cache.versions(demo_copy)
    with demo_copy.begin() as conn:
        demo_copy.bump_data_version(conn)
    assert cache.versions(demo_copy)[0] != before[0]  # an import moves the data version: older entries are never asked for


def test_a_view_another_process_just_wrote_is_found_at_once(tmp_path, monkeypatch):
    """This process holds the data version for a second; another process imports (the version moves) and
    refreshes. The next page finds the new view at once instead of finding none and computing it again."""
    import sqlalchemy as sa

    from core.refresh import marts

    from core.store import views
    from core.store import schema as S

    from .handmade import Handmade
    monkeypatch.setattr(cache, "VERSIONS_TTL", 3600.0)  # the version this process holds stays held
    h = Handmade(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    h.institution("H1")
    h.agreement("H1", agreed=100)
    h.order("H1", 10)
    store = h.save()
    marts.refresh(store)
    before = views.default_view(store)
    assert before is not None and cache.versions(store)[0] == store.meta("data_version")
    with store.engine.begin() as conn:  # the other process's import: not through this process's writers
        old = conn.execute(sa.select(S.store_meta.c.value).where(S.store_meta.c.key == "data_version")).scalar()
        conn.execute(S.store_meta.update().where(S.store_meta.c.key == "data_version").values(value=str(int(old) + 1)))
    marts.refresh(store)  # its refresh: the views of the old version are gone
    after = views.default_view(store)
    assert after is not None
    stored = store.read("SELECT data_version FROM mart_views WHERE view_id = :v", {"v": after.view_id})
    assert stored["data_version"].tolist() == [str(int(old) + 1)]
    assert views.find_view(store, after.as_of) == after


def test_sessions_missing_the_same_entry_at_once_compute_it_once():
    """After the data change every session misses the same entries at once (the first and latest order date: a scan
    of every order on SQLite before it was asked as two queries): one session computes each, the others wait for it
    and are served its answer; an entry whose computation fails is computed again by the next to ask."""
    import threading
    import time

    calls, go = [], threading.Barrier(8)

    def compute():
        calls.append(1)
        time.sleep(0.2)  # a slow query, during which the other sessions arrive
        return {"value": 42}
    answers = []

    def ask():
        go.wait()
        answers.append(cache._remember(("test-stampede",), compute))
    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(calls) == 1 and answers == [{"value": 42}] * 8
    failing = []

    def broken():
        failing.append(1)
        raise RuntimeError("the store went away")
    for _ in range(2):
        try:
            cache._remember(("test-broken",), broken)
        except RuntimeError:
            pass
    assert len(failing) == 2 and ("test-broken",) not in cache._computing


def test_an_entry_asked_again_while_it_is_computed_in_the_same_thread_does_not_wait_for_itself():
    """A computation that asks, in its own thread, for the entry it is computing (a reader calling another cached
    reader with the same question) computes it there instead of waiting on its own gate for ever."""
    import threading
    inner = []

    def outer():
        inner.append(cache._remember(("test-reentrant",), lambda: {"inner": True}))
        return {"outer": True}
    done = []
    thread = threading.Thread(target=lambda: done.append(cache._remember(("test-reentrant",), outer)), daemon=True)
    thread.start()
    thread.join(30)  # a guard against a hang, not a measure: the answer comes at once
    assert not thread.is_alive(), "the computation waited for itself"
    assert inner == [{"inner": True}] and done == [{"outer": True}]
    assert ("test-reentrant",) not in cache._computing
