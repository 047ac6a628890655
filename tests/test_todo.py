"""What waits for each user (待办), worked by hand on a small store: every item appears when its condition holds and
goes when it is dealt with, for officers, an enterprise and an institution, on SQLite and PostgreSQL.

Hand-made store (tests/handmade.py), every institution in 历下区 (370102) of 济南市, T = 02-02 (the last order):
- R1 holds an agreement of 100 for P1 (made by M1) and bought 10 on 02-02: the schedule at T is 32 / 100 and 10 / 100
  lies below half of it (0.16): progress serious -> red-flagged, at ladder step 2 (通报提醒) at once;
- E1 reported 70 against 100 last year (a drop of 30%: report_volume_drop, an explanation to request) and ordered
  40 on 01-10 (20 delivered) and 20 on 01-20 (10 delivered): M1's supply to it is 30 / 60 = 50%, below 80%.
The complaint K is raised by R1 with M1 on 2026-03-02 (a Monday) and not answered: its reply was due 03-04."""
import datetime as dt

import sqlalchemy as sa

from core.access import accounts, actions, admin, roles, settings_change
from core.access import complaints as workflow
from core.policy import clock
from core.read import todo
from core.refresh import marts
from core.store import schema as S
from core.store.view import View

from .handmade import D, Handmade

PASSWORD = "todo2026pass"


def _store(store_url) -> Handmade:
    h = Handmade(store_url)
    h.institution("R1")
    h.agreement("R1", agreed=100)
    h.order("R1", 10, day=D(2026, 2, 2))
    h.institution("E1")
    h.agreement("E1", reported=70, prior=100, agreed=100)
    h.order("E1", 40, day=D(2026, 1, 10), delivered=20)
    h.order("E1", 20, day=D(2026, 1, 20), delivered=10)
    h.save()
    return h


def _users(store) -> dict:
    operator = roles.system_user(store)
    for name, role, area, entity in (("jinan", "city_officer", "370100", None), ("lixia", "county_officer", "370102", None),
                                     ("qingdao", "city_officer", "370200", None), ("boss", "leader", None, None),
                                     ("r1", "institution", None, "R1"), ("e1", "institution", None, "E1"),
                                     ("m1", "enterprise", None, "M1")):
        admin.create_user(store, operator, f"acc_{name}", name, role, area, PASSWORD, entity_code=entity)
    return {name: accounts.load(store, f"acc_{name}") for name in ("jinan", "lixia", "qingdao", "boss", "r1", "e1", "m1")}


def _view(store, user) -> View:
    return View.of(store, marts.ensure_default(store), user=user)


def _items(store, user, **kw) -> dict[str, set[str]]:
    """item -> the keys of its rows."""
    found = todo.items(_view(store, user), "zh", **kw)
    return {item: set(part["key"]) for item, part in found.groupby("item")}


def test_an_officers_items_appear_and_go(store_url):
    h = _store(store_url)
    store = h.store
    u = _users(store)
    today = clock.today()
    marts.ensure_default(store)
    k = workflow.raise_complaint(_view(store, u["r1"]), "M1", "P1", "供货不及时", "二月订单未到", today=D(2026, 3, 2))
    got = _items(store, u["jinan"])
    assert got == {"measure_due": {"ladder:R1::"}, "new_red": {"ladder:R1::"},
                   "explanation_to_request": {"explanation:E1:report_volume_drop:P1"},
                   "complaint_late": {f"complaint:{k}::"}}
    # R1 is newly red-flagged and its ladder measure is due: one matter listed under two kinds, counted once.
    assert todo.matters(todo.items(_view(store, u["jinan"]), "zh")) == 3
    assert _items(store, u["qingdao"]) == {}  # nothing of another city
    assert "new_red" not in _items(store, u["jinan"], since=clock.now())  # not new since a sign-in after it

    # R1's notification recorded (ten days ago, due yesterday): the measure is taken and R1 is acted on, but overdue.
    view = _view(store, u["jinan"])
    actions.record_action(view, "ladder", ["R1"], "已通报", "", today - dt.timedelta(days=10),
                          deadline=today - dt.timedelta(days=1))
    got = _items(store, u["jinan"])
    assert "measure_due" not in got and "new_red" not in got and got["overdue"] == {"ladder:R1::"}
    actions.record_action(view, "ladder", ["R1"], "已整改", "", today)  # closed: nothing overdue
    assert "overdue" not in _items(store, u["jinan"])

    # E1's explanation: requested (due yesterday) -> overdue; explained -> to judge; accepted -> gone.
    key = "explanation:E1:report_volume_drop:P1"
    actions.record_action(view, "explanation", [("E1", "report_volume_drop", "P1")], "待说明", "",
                          today - dt.timedelta(days=20), deadline=today - dt.timedelta(days=1))
    got = _items(store, u["jinan"])
    assert "explanation_to_request" not in got and got["explanation_missing"] == {key}
    actions.explain(_view(store, u["e1"]), "report_volume_drop", "P1", "去年有一次性集中采购")
    got = _items(store, u["jinan"])
    assert "explanation_missing" not in got and got["explanation_received"] == {key}
    actions.record_action(view, "explanation", [("E1", "report_volume_drop", "P1")], "已采纳", "", today)
    assert "explanation_received" not in _items(store, u["jinan"])

    # K escalated by the county: it waits for the city and the province, not for the county that sent it; the
    # complaint is no longer waiting for supervision. A later record by the city deals with it.
    actions.record_action(_view(store, u["lixia"]), "complaint", [k], "已报送省局", "", today)
    assert _items(store, u["boss"])["escalated"] == {f"complaint:{k}::"}
    got = _items(store, u["jinan"])
    assert got["escalated"] == {f"complaint:{k}::"} and "complaint_late" not in got
    assert "escalated" not in _items(store, u["lixia"])
    actions.record_action(view, "complaint", [k], "已督导", "", today)
    assert _items(store, u["jinan"]) == {} and _items(store, u["boss"]) == {}


def test_an_enterprises_and_an_institutions_items_appear_and_go(store_url):
    h = _store(store_url)
    store = h.store
    u = _users(store)
    marts.ensure_default(store)
    k = workflow.raise_complaint(_view(store, u["r1"]), "M1", "P1", "供货不及时", "二月订单未到", today=D(2026, 3, 2))
    # M1: K to answer, due 03-04 (2 working days after Monday 03-02): 14 hours left at 10:00 that day, 10 hours late
    # at 10:00 the day after; E1 supplied 30 of 60 (50%, below 80%).
    found = todo.items(_view(store, u["m1"]), "zh", now=dt.datetime(2026, 3, 4, 10))
    assert found[["item", "key", "due", "left"]].values.tolist() == [
        ["complaint_answer", f"complaint:{k}", D(2026, 3, 4), "剩余 14 小时"],
        ["supply_low", "supply:E1", None, ""]]
    assert found.loc[found["item"] == "supply_low", "detail"].iloc[0] == "配送率 50.0%，低于 80.0%"
    late = todo.items(_view(store, u["m1"]), "zh", now=dt.datetime(2026, 3, 5, 10))
    assert late["left"].iloc[0] == "已逾期 10 小时"
    assert todo.items(_view(store, u["m1"]), "zh", now=dt.datetime(2026, 3, 8, 10))["left"].iloc[0] == "已逾期 4 天"
    # replied: it waits for its resolution; resolved: for R1's confirmation; confirmed: gone.
    workflow.reply(_view(store, u["m1"]), k, D(2026, 3, 6), "已补货", today=D(2026, 3, 4))
    assert _items(store, u["m1"])["complaint_resolve"] == {f"complaint:{k}"}
    assert "complaint_confirm" not in _items(store, u["r1"])
    workflow.resolve(_view(store, u["m1"]), k, today=D(2026, 3, 5))
    assert "complaint_resolve" not in _items(store, u["m1"])
    assert _items(store, u["r1"])["complaint_confirm"] == {f"complaint:{k}"}
    workflow.confirm(_view(store, u["r1"]), k, True, today=D(2026, 3, 6))
    assert "complaint_confirm" not in _items(store, u["r1"])

    # E1's orders delivered in full (a corrected extract): the supply item goes with the new figures.
    with store.begin() as conn:
        conn.execute(sa.update(S.orders).where(S.orders.c.institution_code == "E1")
                     .values(delivered_qty=S.orders.c.order_qty))
        store.bump_data_version(conn)
    marts.ensure_default(store)
    assert _items(store, u["m1"]) == {}

    # R1's ladder step waits for it until it is rectified; E1's explanation from the request to its answer.
    officer = _view(store, u["lixia"])
    assert _items(store, u["r1"]) == {"ladder_step": {"ladder:R1"}}
    assert todo.items(_view(store, u["r1"]), "zh")["detail"].iloc[0] == "梯度措施第 2 步：通报提醒（采购进度低于序时进度）"
    actions.record_action(officer, "ladder", ["R1"], "已整改", "", clock.today())
    assert _items(store, u["r1"]) == {}
    assert _items(store, u["e1"]) == {"explanation_open": {"explanation:E1:report_volume_drop:P1"}}  # before asked
    actions.record_action(officer, "explanation", [("E1", "report_volume_drop", "P1")], "待说明", "", clock.today())
    assert _items(store, u["e1"]) == {"explanation_requested": {"explanation:E1:report_volume_drop:P1"}}
    actions.explain(_view(store, u["e1"]), "report_volume_drop", "P1", "去年有一次性集中采购")
    assert _items(store, u["e1"]) == {}


def test_red_flags_keep_the_time_they_first_showed(store_url):
    """red_flags_since: written with the default view; a refresh keeps the first time, an institution no longer red
    leaves it, and one red again starts anew."""
    h = _store(store_url)
    store = h.store
    marts.ensure_default(store)
    first = store.read("SELECT institution_code, since_at FROM red_flags_since")
    assert first["institution_code"].tolist() == ["R1"]
    marts.refresh(store)
    assert store.read("SELECT since_at FROM red_flags_since")["since_at"].tolist() == first["since_at"].tolist()
    h.order("R1", 60, day=D(2026, 2, 2))  # R1 bought 60 more: 70 of 100, on schedule, no longer red
    h.save()
    marts.ensure_default(store)
    assert store.read("SELECT institution_code FROM red_flags_since").empty


def test_the_previous_sign_in_is_the_one_before_the_latest(store_url):
    """Kept on the account (the signed-in browsers' rows go a week after they end): a user back after a month is not
    taken for a first sign-in."""
    h = _store(store_url)
    _users(h.store)
    assert accounts.previous_sign_in(h.store, "acc_jinan") is None
    accounts.authenticate(h.store, "acc_jinan", PASSWORD, now=dt.datetime(2026, 10, 1, 9))
    assert accounts.previous_sign_in(h.store, "acc_jinan") is None  # a first sign-in: everything is new
    accounts.authenticate(h.store, "acc_jinan", PASSWORD, now=dt.datetime(2026, 11, 3, 8, 30))
    assert accounts.previous_sign_in(h.store, "acc_jinan") == dt.datetime(2026, 10, 1, 9)
    accounts.authenticate(h.store, "acc_jinan", PASSWORD, now=dt.datetime(2026, 12, 4, 14))
    assert accounts.previous_sign_in(h.store, "acc_jinan") == dt.datetime(2026, 11, 3, 8, 30)


def test_a_red_flag_dealt_with_stays_dealt_with_when_the_figures_are_made_again(store_url):
    """R1 notified: not new any more, even after a change of setting that took its red flag away and gave it back
    (its time since red starts again, but its ladder case holds the record)."""
    h = _store(store_url)
    store = h.store
    u = _users(store)
    marts.ensure_default(store)
    actions.record_action(_view(store, u["jinan"]), "ladder", ["R1"], "已通报", "", clock.today())
    operator = roles.system_user(store)
    # 0.1 / 0.32 = 0.31 of the schedule: serious below half of it; with 0.2 only a warning, one flag, not red
    settings_change.change(store, operator, "progress_serious_ratio", "0.2")
    marts.ensure_default(store)
    assert store.read("SELECT institution_code FROM red_flags_since").empty
    settings_change.change(store, operator, "progress_serious_ratio", "0.5")
    marts.ensure_default(store)
    assert store.read("SELECT institution_code FROM red_flags_since")["institution_code"].tolist() == ["R1"]
    assert "new_red" not in _items(store, u["jinan"])  # red again, but its case holds the notification

