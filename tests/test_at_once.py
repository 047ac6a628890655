"""Two users doing the same thing at the same moment, on each engine: what one checks and then writes is one step
(core.store.opening.Store.writing), so a case gets one record, a quarter and area one notification and a document
number one document, settings stay consistent with each other, and a record is withdrawn once. Each race starts both
threads at a barrier; without the lock each of these came out doubled in most runs."""
import threading

import pytest

from core.access import accounts, actions, admin, notices, roles, settings_change
from core.refresh import marts
from core.store.view import View

from .handmade import D, Handmade

PASSWORD = "atonce2026pass"


def _store(store_url) -> Handmade:
    """R1 (历下区, 济南市) and Q1 (市南区, 青岛市) behind their schedules at Q1's end (T = 04-05)."""
    h = Handmade(store_url)
    for code, county in (("R1", "370102"), ("Q1", "370202")):
        h.institution(code, county=county)
        h.agreement(code, agreed=100)
        h.order(code, 10, day=D(2026, 2, 2))
    h.order("R1", 1, day=D(2026, 4, 5))
    h.save()
    operator = roles.system_user(h.store)
    for name, role, area in (("jinan", "city_officer", "370100"), ("lixia", "county_officer", "370102"),
                             ("boss", "leader", None), ("admin1", "admin", None), ("admin2", "admin", None)):
        admin.create_user(h.store, operator, f"at_{name}", name, role, area, PASSWORD)
    return h


def _user(store, name):
    return accounts.load(store, f"at_{name}")


def _at_once(*calls) -> list:
    """Run the calls in threads started together; each gives its result or the text of its ValueError."""
    start, out = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        start.wait()
        try:
            out[i] = call()
        except ValueError as err:
            out[i] = f"refused: {err}"
    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


@pytest.mark.parametrize("attempt", range(3))
def test_two_officers_recording_the_same_step_make_one_record(store_url, attempt):
    h = _store(store_url)
    views = [View.of(h.store, marts.ensure_view(h.store), user=_user(h.store, who)) for who in ("jinan", "lixia")]
    got = _at_once(*(lambda v=v: actions.record_action(v, "ladder", ["R1"], "已提醒", "", D(2026, 4, 6)) for v in views))
    assert sorted(map(str, got))[0] == "1" and "已有相同记录" in sorted(map(str, got))[1], got
    assert h.store.read("SELECT COUNT(*) AS n FROM actions")["n"].iloc[0] == 1
    mine = int(h.store.read("SELECT action_id FROM actions")["action_id"].iloc[0])
    who = h.store.read("SELECT recorded_by FROM actions")["recorded_by"].iloc[0]
    view = views[0] if who == "at_jinan" else views[1]
    twice = _at_once(lambda: actions.withdraw(view, mine, "误录A"), lambda: actions.withdraw(view, mine, "误录B"))
    assert sorted(map(str, twice))[0] == "None" and "已撤销" in sorted(map(str, twice))[1], twice
    assert h.store.read("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'action_withdrawn'")["n"].iloc[0] == 1


def test_one_notification_per_quarter_and_area_and_one_document_per_number(store_url):
    h = _store(store_url)
    store = h.store
    boss, jinan, lixia = (_user(store, n) for n in ("boss", "jinan", "lixia"))
    made = _at_once(lambda: notices.generate(store, jinan, "2026Q1", today=D(2026, 4, 7)).notice_id,
                    lambda: notices.generate(store, jinan, "2026Q1", today=D(2026, 4, 7)).notice_id)
    drafts = store.read("SELECT notice_id, status FROM notices ORDER BY notice_id")
    assert sorted(drafts["status"]) == ["draft", "void"] and sorted(drafts["notice_id"]) == sorted(made)
    draft = int(drafts.loc[drafts["status"] == "draft", "notice_id"].iloc[0])
    county = notices.generate(store, lixia, "2026Q1", today=D(2026, 4, 7)).notice_id
    province = notices.generate(store, boss, "2026Q1", today=D(2026, 4, 7)).notice_id
    # the same number for the city's and the county's notifications at once: one of them gets it
    got = _at_once(lambda: notices.confirm_issued(store, jinan, draft, "济医保〔2026〕5号", today=D(2026, 4, 8)).written,
                   lambda: notices.confirm_issued(store, lixia, county, "济医保〔2026〕5号", today=D(2026, 4, 8)).written)
    assert sum(isinstance(x, str) and "已用于另一份通报" in x for x in got) == 1, got
    with pytest.raises(ValueError, match="已用于另一份通报"):  # full-width digits are the same number
        notices.confirm_issued(store, boss, province, "济医保〔２０２６〕５号", today=D(2026, 4, 8))
    issued = store.read("SELECT doc_number FROM notices WHERE status = 'issued'")["doc_number"].tolist()
    assert issued == ["济医保〔2026〕5号"]
    assert store.read("SELECT COUNT(*) AS n FROM actions WHERE status = '已通报'")["n"].iloc[0] == 1  # R1, once


def test_two_settings_saved_at_once_stay_consistent_and_each_says_what_it_replaced(store_url):
    h = _store(store_url)
    store = h.store
    a1, a2 = _user(store, "admin1"), _user(store, "admin2")
    # each alone is valid (A > B > C: 0.8 > 0.6 > 0.3); together B would be above A
    got = _at_once(lambda: settings_change.change(store, a1, "tier_a_min", "0.65"),
                   lambda: settings_change.change(store, a2, "tier_b_min", "0.7"))
    assert sum(isinstance(x, str) and "依次降低" in x for x in got) == 1, got
    settings = store.settings()
    assert settings["tier_a_min"] > settings["tier_b_min"] > settings["tier_c_min"]
    assert settings_change.stored_problems(store) == []
    # the same setting at once: both saved, the log says each one's true predecessor
    _at_once(lambda: settings_change.change(store, a1, "delivery_rate_warning", "0.75"),
             lambda: settings_change.change(store, a2, "delivery_rate_warning", "0.85"))
    log = store.read("SELECT detail FROM audit_log WHERE action = 'setting_changed' "
                     "AND target = 'delivery_rate_warning' ORDER BY audit_id")["detail"].tolist()
    first, second = (d.split(" -> ") for d in log)
    assert first[0] == "0.8" and second[0] == first[1]  # a chain: 0.8 -> x -> y
    assert store.settings()["delivery_rate_warning"] == float(second[1])


def test_a_record_while_an_import_holds_the_store_is_told_the_store_is_busy(tmp_path, monkeypatch):
    """SQLite: a long write (an import's rows) holds the store; a record tried meanwhile waits, then is refused with
    a message saying so, and goes in once the write is done."""
    import sqlite3

    from core.store import db
    from core.store.opening import StoreBusy
    monkeypatch.setattr(db, "BUSY_MS", 200)  # the wait, short for the test
    path = tmp_path / "busy.sqlite3"
    h = _store(f"sqlite:///{path}")
    view = View.of(h.store, marts.ensure_view(h.store), user=_user(h.store, "jinan"))
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")  # as an import's transaction holds it
    with pytest.raises(StoreBusy, match="数据库正忙.*the store is busy"):
        actions.record_action(view, "ladder", ["R1"], "已提醒", "", D(2026, 4, 6))
    holder.rollback()
    holder.close()
    assert actions.record_action(view, "ladder", ["R1"], "已提醒", "", D(2026, 4, 6)) == 1
