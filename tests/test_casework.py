"""The measures follow the notice, worked by hand: each problem lands on its party, the ladder climbs as actions are
recorded (and moves the moment one is), explanations go from requested to accepted or returned, tiers follow the
complaint minimum and recorded non-cooperation, escalated cases reach the province, imbalances show by level.

Stores are hand-made (tests/handmade.py); institutions lie in 历下区 (370102) of 济南市 (370100). Working days follow
China's calendar (no holidays in March 2026). Deadlines in 2026 lie before today, so they count as passed."""
import datetime as dt

import pytest

from core.access import accounts, actions, admin, roles
from core.policy import cases as C
from core.policy import clock
from core.read import cases, interviews, monitoring, notice, scorecard, tables
from core.refresh import marts
from core.store import schema as S
from core.store.view import View

from .handmade import D, Handmade

PASSWORD = "casework2026"


def _users(store) -> dict:
    operator = roles.system_user(store)
    for name, role, area in (("jinan", "city_officer", "370100"), ("lixia", "county_officer", "370102"),
                             ("qingdao", "city_officer", "370200"), ("boss", "leader", None)):
        admin.create_user(store, operator, name, name, role, area, PASSWORD)
    return {name: accounts.load(store, name) for name in ("jinan", "lixia", "qingdao", "boss")}


def _view(store, user, as_of: dt.date) -> View:
    return View.of(store, marts.ensure_view(store, as_of), user=user)


def _case(frame, code: str) -> dict:
    rows = frame[frame["subject_code"] == code]
    assert len(rows) == 1, rows
    return rows.iloc[0].to_dict()


def test_a_delivery_failure_is_the_suppliers_not_the_institution(store_url):
    """S1 holds an agreement of 100 for P4 (made by M2, delivered by D1): two orders of 30, each half delivered. Its
    delivery rate 30 / 60 = 0.5 is serious; completion 60 / 100 = 0.6 is on schedule (0.6 at T = 2026-03-01); each
    order of 30 lies under 3 x the monthly agreed average (100 / 4 months = 25, so 75). Nothing else is wrong."""
    h = Handmade(store_url)
    h.institution("S1")
    h.agreement("S1", "P4", agreed=100)
    h.order("S1", 30, "P4", day=D(2026, 1, 10), delivered=15)
    h.order("S1", 30, "P4", day=D(2026, 2, 10), delivered=15)
    flags = h.flags()
    mine = flags[flags["subject_code"] == "S1"]
    assert mine[["flag_id", "severity"]].values.tolist() == [["delivery_rate_low", "serious"]]
    users = _users(h.store)
    view = _view(h.store, users["jinan"], D(2026, 3, 1))
    assert cases.ladder_cases(view).empty  # not on the ladder, not red
    assert "S1" not in set(interviews.interview_list(view)["subject_code"])
    tiers = monitoring.enterprise_tiers(view).set_index("enterprise_code")
    # The manufacturer M2 and the distributor D1 answer for it: 0.5 is tier C (30% to 60%), for both.
    assert tiers.loc["M2", "delivery_rate"] == 0.5 and tiers.loc["M2", "tier"] == "C"
    assert tiers.loc["D1", "delivery_rate"] == 0.5 and tiers.loc["D1", "tier"] == "C"
    listed = interviews.interview_list(view)
    assert set(listed.loc[listed["subject_type"] == "enterprise", "subject_code"]) == {"M2", "D1"}
    card = scorecard.institution_card(view, "S1")
    assert card["flags"].empty and card["ladder"] is None
    supply = card["supply_flags"]
    assert supply[["detail_code", "manufacturer", "distributors"]].values.tolist() == [["P4", "企业M2", "企业D1"]]
    failed = scorecard.enterprise_card(view, "D1")["failed"]  # the distributor's card names the institution it failed
    assert failed[["institution_code", "delivery_rate"]].values.tolist() == [["S1", 0.5]]


def _offline_store(store_url) -> Handmade:
    """L1 buys P1 once, offline, on 2026-01-10, with no agreement: its only flag is offline_purchase (a ladder
    warning, score 1, not red), at every date after. No agreement in the store: the period is the calendar year."""
    h = Handmade(store_url)
    h.institution("L1")
    h.order("L1", 10, "P1", day=D(2026, 1, 10), channel="线下")
    h.save()
    return h


def test_the_ladder_climbs_as_actions_are_recorded(store_url):
    h = _offline_store(store_url)
    flags = h.flags(D(2026, 3, 20))
    assert flags[["flag_id", "subject_code"]].values.tolist() == [["offline_purchase", "L1"]]
    users = _users(h.store)
    officer = users["jinan"]

    def step(as_of):
        return _case(cases.ladder_cases(_view(h.store, officer, as_of)), "L1")

    # Q1, T = 03-20: it holds a ladder flag -> 1 预警提示 (no quarter end before the period's start).
    q1 = _view(h.store, officer, D(2026, 3, 20))
    got = step(D(2026, 3, 20))
    assert (got["step"], got["done"], got["recommended"], got["status"]) == (1, False, "预警提示（待落实）", "待处理")
    actions.record_action(q1, "ladder", ["L1"], "已提醒", "电话提醒", D(2026, 3, 20))
    got = step(D(2026, 3, 20))  # the same view, at once: the reminder is recorded, due at the quarter's end
    assert (got["step"], got["done"], got["status"], got["due"]) == (1, True, "已提醒", D(2026, 3, 31))
    assert got["recommended"] == "预警提示（已落实）；整改期限 2026-03-31，届时仍有问题：通报提醒"
    # Q2, T = 05-20: it held the flag at 03-31 -> 2 通报提醒, not yet recorded; not on the interview list (step 2).
    q2 = _view(h.store, officer, D(2026, 5, 20))
    got = step(D(2026, 5, 20))
    assert (got["step"], got["done"], got["recommended"]) == (2, False, "通报提醒（待落实）")
    assert "L1" not in set(interviews.interview_list(q2)["subject_code"])
    actions.record_action(q2, "ladder", ["L1"], "已通报", "季度通报", D(2026, 5, 21), deadline=D(2026, 6, 30))
    got = step(D(2026, 5, 20))
    assert (got["step"], got["done"], got["due"]) == (2, True, D(2026, 6, 30))
    assert got["recommended"] == "通报提醒（已落实）；整改期限 2026-06-30，届时仍有问题：约谈督导"
    assert got["overdue"]  # today is past 06-30 and the case is open
    # T = 07-15, past the deadline and still offline -> 3 约谈督导; now on the interview list.
    q3 = _view(h.store, officer, D(2026, 7, 15))
    got = step(D(2026, 7, 15))
    assert (got["step"], got["done"], got["recommended"]) == (3, False, "约谈督导（待落实）")
    assert "L1" in set(interviews.interview_list(q3)["subject_code"])

    def why(view):  # why the interview list holds L1
        listed = interviews.interview_list(view).set_index("subject_code")
        return listed.loc["L1", "listed_for"]
    assert why(q3) == "通报后整改不到位"
    actions.record_action(q3, "ladder", ["L1"], "已约谈", "约谈院长", D(2026, 7, 16))  # no deadline: the quarter's end
    got = step(D(2026, 7, 15))
    assert (got["step"], got["done"], got["due"]) == (3, True, D(2026, 9, 30))
    assert why(q3) == "已约谈，整改期内"
    # T = 10-10, past 09-30 and still offline -> 4 纪检监察联动.
    q4 = _view(h.store, officer, D(2026, 10, 10))
    got = step(D(2026, 10, 10))
    assert (got["step"], got["done"], got["recommended"]) == (4, False, "与纪检监察部门联动处置（待落实）")
    assert why(q4) == "约谈后整改不到位"
    actions.record_action(q4, "ladder", ["L1"], "已移交纪检", "", D(2026, 10, 12))
    got = step(D(2026, 10, 10))
    assert (got["step"], got["done"], got["recommended"]) == (4, True, "已移交纪检监察，跟踪处置结果")
    assert why(q4) == "已移交纪检监察"
    # Rectified on 10-20: closed at T = 10-10 (the figures do not reach the day) ...
    actions.record_action(q4, "ladder", ["L1"], "已整改", "已停止线下采购", D(2026, 10, 20))
    got = step(D(2026, 10, 10))
    assert (got["step"], got["status"], got["recommended"]) == (0, "已整改", "已整改，待新数据复核")
    # ... and open again at T = 11-20 when it still holds the flag: back to 2 (it held one at 09-30).
    got = step(D(2026, 11, 20))
    assert (got["step"], got["done"], got["status"]) == (2, False, "待处理")
    history = cases.subject_history(h.store, "institution", "L1")
    assert history["status"].tolist() == ["已提醒", "已通报", "已约谈", "已移交纪检", "已整改"]
    assert history["deadline"].tolist()[:2] == [None, D(2026, 6, 30)]
    logged = h.store.read("SELECT target, detail FROM audit_log WHERE action = 'action_recorded'")
    assert len(logged) == 5 and set(logged["target"]) == {"L1"}


def test_red_flags_go_straight_to_notification(store_url):
    """A serious ladder flag makes an institution red-flagged, and a red flag is notified at once (step 2), even in
    the first quarter. R1: agreement of 100 for P1, 10 bought: completion 0.1 below half the schedule 0.6 (T =
    2026-03-01) -> serious."""
    h = Handmade(store_url)
    h.institution("R1")
    h.agreement("R1", agreed=100)
    h.order("R1", 10)
    h.save()
    view = _view(h.store, _users(h.store)["lixia"], D(2026, 3, 1))
    got = _case(cases.ladder_cases(view), "R1")
    assert (got["step"], got["is_red"], got["score"], got["recommended"]) == (2, True, 3.0, "通报提醒（待落实）")
    assert "R1" in set(interviews.interview_list(view)["subject_code"])  # red: on the interview list at step 2


def _explanation_store(store_url) -> Handmade:
    """E1: reported 70 against 100 last year (a drop of 30%: report_volume_drop, warning), on schedule with 60 of
    100 bought. E2: agreed 10, six orders of 7 = 42, above 4 x 10 (purchase_over_4x); each order of 7 lies under
    3 x 10 / 4 months = 7.5. T = 2026-03-01."""
    h = Handmade(store_url)
    h.institution("E1")
    h.agreement("E1", reported=70, prior=100, agreed=100)
    h.order("E1", 60)
    h.institution("E2")
    h.agreement("E2", reported=10, prior=10, agreed=10)
    for day in (D(2026, 1, 5), D(2026, 1, 15), D(2026, 1, 25), D(2026, 2, 5), D(2026, 2, 15), D(2026, 2, 25)):
        h.order("E2", 7, day=day)
    h.save()
    return h


def test_explanations_move_from_requested_to_accepted_or_returned(store_url):
    h = _explanation_store(store_url)
    users = _users(h.store)
    view = _view(h.store, users["lixia"], D(2026, 3, 1))
    got = cases.explanation_cases(view)
    assert sorted(zip(got["subject_code"], got["flag_id"], got["detail_code"])) == [
        ("E1", "report_volume_drop", "P1"), ("E2", "purchase_over_4x", "P1")]
    assert cases.ladder_cases(view).empty  # explanations are not the ladder

    def e1():
        frame = cases.explanation_cases(view)
        return frame[frame["subject_code"] == "E1"].iloc[0].to_dict()

    assert (e1()["status"], e1()["recommended"]) == ("待处理", "要求医疗机构作出说明")
    key = ("E1", "report_volume_drop", "P1")
    actions.record_action(view, "explanation", [key], "待说明", "请说明报量下降原因", D(2026, 3, 2))
    # Due 10 working days after Monday 03-02: 03-03..03-06 (4), 03-09..03-13 (5), 03-16 (10th).
    assert (e1()["status"], e1()["due"], e1()["overdue"]) == ("待说明", D(2026, 3, 16), True)
    assert ("explanation", "E1") in set(zip(cases.overdue(view)["case_kind"], cases.overdue(view)["subject_code"]))
    with pytest.raises(ValueError, match="说明内容"):  # received needs its text
        actions.record_action(view, "explanation", [key], "已说明", " ", D(2026, 3, 10))
    with pytest.raises(ValueError, match="只有报量"):  # a purchase above 4x cannot be returned for re-filing
        actions.record_action(view, "explanation", [("E2", "purchase_over_4x", "P1")], "已退回重填", "", D(2026, 3, 10))
    with pytest.raises(ValueError):  # not a flag of an explanation
        actions.record_action(view, "explanation", [("E1", "offline_purchase", "P1")], "待说明", "", D(2026, 3, 10))
    actions.record_action(view, "explanation", [key], "已说明", "门诊量下降，已调整用药结构", D(2026, 3, 10))
    got = e1()
    assert (got["status"], got["explanation"], got["due"], got["overdue"]) == ("已说明", "门诊量下降，已调整用药结构",
                                                                               None, False)
    assert got["recommended"] == "审核说明：采纳，或退回重新填报"
    actions.record_action(view, "explanation", [key], "已退回重填", "依据不充分", D(2026, 3, 11))
    got = e1()
    assert (got["status"], got["recommended"], got["explanation"]) == ("已退回重填", "等待医疗机构重新填报",
                                                                       "门诊量下降，已调整用药结构")
    actions.record_action(view, "explanation", [key], "已采纳", "", D(2026, 3, 12))
    got = e1()
    assert (got["status"], got["closed"], got["recommended"]) == ("已采纳", True, "说明已采纳")
    assert "E1" not in set(cases.overdue(view)["subject_code"])
    card = scorecard.institution_card(view, "E1")
    assert card["explanations"]["status"].tolist() == ["已采纳"]
    assert card["actions"]["status"].tolist() == ["待说明", "已说明", "已退回重填", "已采纳"]


def test_an_escalated_case_reaches_the_province_and_stays_in_its_city(store_url):
    h = _explanation_store(store_url)
    users = _users(h.store)
    t = D(2026, 3, 1)
    county = _view(h.store, users["lixia"], t)
    actions.record_action(county, "explanation", [("E2", "purchase_over_4x", "P1")], "已报送省局", "多次说明不充分", t)
    leader = cases.escalated(_view(h.store, users["boss"], t))
    assert list(zip(leader["case_kind"], leader["subject_code"], leader["flag_id"])) == [
        ("explanation", "E2", "purchase_over_4x")]
    assert cases.escalated(_view(h.store, users["jinan"], t))["subject_code"].tolist() == ["E2"]  # its city
    assert cases.escalated(_view(h.store, users["qingdao"], t)).empty  # another city sees nothing of it
    with pytest.raises(roles.AccessDenied):  # nor may it record on it
        actions.record_action(_view(h.store, users["qingdao"], t), "explanation",
                              [("E2", "purchase_over_4x", "P1")], "已采纳", "", t)
    with pytest.raises(roles.AccessDenied):  # leadership reads and does not record
        actions.record_action(_view(h.store, users["boss"], t), "ladder", ["E2"], "已通报", "", t)
    assert h.store.read("SELECT COUNT(*) AS n FROM actions")["n"].iloc[0] == 1


def _tier_store(store_url) -> Handmade:
    """H1 holds agreements of 100 for P1 (M1) and P5 (M3), each bought 60 and delivered in full (delivery tiers A).
    M1 received two complaints, raised 2026-01-05 and answered 01-12 (5 working days: late, not timely); both are
    counted at T = 2026-03-01 (raised over 7 working days before)."""
    h = Handmade(store_url)
    h.institution("H1")
    for product in ("P1", "P5"):
        h.agreement("H1", product, agreed=100)
        h.order("H1", 60, product)
    for cid in ("K1", "K2"):
        h.complaint(cid, D(2026, 1, 5), reply=D(2026, 1, 12), enterprise="M1")
    h.save()
    return h


def test_the_complaint_tier_needs_many_complaints(store_url):
    h = _tier_store(store_url)
    # H2 holds no agreed volume: its three complaints, never answered, are flagged against M1 but the rate counts
    # the complaints of institutions holding an agreed volume only (有约定量医疗机构诉求, 二（七）).
    h.institution("H2")
    for cid in ("K3", "K4", "K5"):
        h.complaint(cid, D(2026, 1, 5), enterprise="M1", inst="H2")
    h.save()
    users = _users(h.store)
    t = D(2026, 3, 1)
    tiers = monitoring.enterprise_tiers(_view(h.store, users["jinan"], t)).set_index("enterprise_code")
    flagged = tables.flags(h.store, t)
    assert set(flagged.loc[flagged["flag_id"] == "complaint_reply_late", "detail_code"]) == {"K1", "K2", "K3", "K4", "K5"}
    # 2 counted complaints, none timely (rate 0), below the minimum of 3: no complaint tier, tier A from delivery.
    assert tiers.loc["M1", "count_complaints"] == 2 and tiers.loc["M1", "timely_rate"] == 0
    assert tiers.loc["M1", "complaint_tier"] is None and tiers.loc["M1", "tier"] == "A"
    from core.access import settings_change
    settings_change.change(h.store, roles.system_user(h.store), "tier_complaint_min", "2")
    tiers = monitoring.enterprise_tiers(_view(h.store, users["jinan"], t)).set_index("enterprise_code")
    assert tiers.loc["M1", "complaint_tier"] == "D" and tiers.loc["M1", "tier"] == "D"  # 0 < 30%


def test_recorded_non_cooperation_makes_a_tier(store_url, monkeypatch):
    """Non-cooperation counts once per officer and day of recording (defaults: 1 B, 2 C, 3 D). Entered on 02-27:
    jinan's three records dated 02-01..02-03 count once (B: back-dated at one sitting); lixia's of 02-04 makes 2
    (C). Entered on 02-28: jinan's of 02-05 makes 3 (D); on 03-01 lixia's of 02-06 makes 4 (D)."""
    h = _tier_store(store_url)
    users = _users(h.store)
    t = D(2026, 3, 1)

    def m3():
        return monitoring.enterprise_tiers(_view(h.store, users["jinan"], t)).set_index("enterprise_code").loc["M3"]

    def on(day):  # the day the officer records it (recorded_at)
        monkeypatch.setattr(clock, "now", lambda: dt.datetime.combine(day, dt.time(10)))

    assert (m3()["tier"], m3()["cooperation_tier"], m3()["count_uncooperative"]) == ("A", None, 0)
    on(D(2026, 3, 1))
    # Outside the period (2026-01-01 to 04-10): does not count.
    actions.record_action(_view(h.store, users["jinan"], t), "tier", ["M3"], "不配合", "2025年未整改", D(2025, 12, 1))
    assert m3()["count_uncooperative"] == 0
    for who, day, dates, n, letter in (("jinan", D(2026, 2, 27), (1, 2, 3), 1, "B"),
                                       ("lixia", D(2026, 2, 27), (4,), 2, "C"),
                                       ("jinan", D(2026, 2, 28), (5,), 3, "D"), ("lixia", D(2026, 3, 1), (6,), 4, "D")):
        on(day)
        for d in dates:
            actions.record_action(_view(h.store, users[who], t), "tier", ["M3"], "不配合", f"第{d}次", D(2026, 2, d))
        got = m3()
        assert (got["count_uncooperative"], got["cooperation_tier"], got["delivery_tier"], got["tier"]) == (n, letter, "A",
                                                                                                            letter)
    # The figures of an earlier day (02-01, before the latest order of 02-02) count the records dated by that day:
    # jinan's of 02-01 alone.
    earlier = monitoring.enterprise_tiers(_view(h.store, users["jinan"], D(2026, 2, 1))).set_index("enterprise_code")
    assert (earlier.loc["M3", "count_uncooperative"], earlier.loc["M3", "cooperation_tier"]) == (1, "B")
    listed = tables.flags(h.store, t)
    assert ("supplier_tier", "M3", "D") in set(zip(listed["flag_id"], listed["subject_code"], listed["detail_code"]))
    with pytest.raises(ValueError):  # an enterprise is not notified as an institution is
        actions.record_action(_view(h.store, users["jinan"], t), "tier", ["M3"], "已通报", "", t)


def test_the_province_lists_every_imbalanced_county_and_rates_by_level(store_url):
    """Counties of 济南市 with a township health centre (一级, primary) and a hospital (二级), 1000 ordered each,
    delivered (primary, others): 370124 (800, 900): a gap of 10 points, flagged; 370102 (810, 900): 9 points, not;
    370112 (790, 790): none; 370113 (790, 800): primary below 80% while the others reach it, flagged. 济南市:
    primary 3190 / 4000 = 0.7975 below 80%, others 3390 / 4000 = 0.8475: flagged."""
    h = Handmade(store_url)
    for county, (primary, others) in {"370124": (800, 900), "370102": (810, 900), "370112": (790, 790),
                                      "370113": (790, 800)}.items():
        for kind, delivered in (("township", primary), ("hospital", others)):
            code = h.institution(f"{kind[0].upper()}{county}", county, kind)
            h.agreement(code, agreed=1000)
            h.order(code, 1000, delivered=delivered)
    h.save()
    users = _users(h.store)
    leader = _view(h.store, users["boss"], D(2026, 3, 1))
    areas = cases.area_cases(leader)
    # Between levels: 370124's 一级 0.80 and 二级 0.90 are 10 points apart too (a case of its own); 370113 1 point,
    # 济南市 0.7975 against 0.8475, 5 points: not.
    assert sorted(zip(areas["subject_code"], areas["region_level"], areas["flag_id"])) == [
        ("370100", "city", "primary_care_gap"), ("370113", "county", "primary_care_gap"),
        ("370124", "county", "level_gap"), ("370124", "county", "primary_care_gap")]
    gaps = areas.set_index(["subject_code", "flag_id"])
    assert gaps.loc[("370124", "primary_care_gap"), "gap_points"] == pytest.approx(10.0)
    assert gaps.loc[("370124", "primary_care_gap"), "problem"] == "基层配送率比二、三级机构低 10.0 个百分点"
    assert gaps.loc[("370124", "level_gap"), "problem"] == "二级与一级医疗机构配送率相差 10.0 个百分点"
    listed = notice.imbalanced_areas(leader)  # the quarterly notification's section 四, every depth
    assert sorted(zip(listed["area_name"], listed["kind"], listed["gap_text"])) == sorted([
        ("济南市", "基层与二、三级医疗机构", "相差 5.0 个百分点"), ("长清区", "基层与二、三级医疗机构", "相差 1.0 个百分点"),
        ("平阴县", "基层与二、三级医疗机构", "相差 10.0 个百分点"), ("平阴县", "不同等级医疗机构（二级与一级）", "相差 10.0 个百分点")])
    english = cases.area_cases(leader, "en").set_index(["subject_code", "flag_id"])
    assert english.loc[("370124", "level_gap"), "problem"] == "Level II vs Level I: 10.0 points apart"
    assert cases.area_cases(_view(h.store, users["qingdao"], D(2026, 3, 1))).empty
    levels = monitoring.level_balance(leader.with_area("370100")).set_index("region_code")
    assert levels.index[0] == "370100"  # the area first, then its counties
    assert levels.loc["370100", "rate_3"] == 3190 / 4000 and levels.loc["370100", "rate_2"] == 3390 / 4000
    assert levels.loc["370100", "rate_5"] == 3190 / 4000  # 基层: the township health centres
    assert levels.loc["370124", "level_gap_points"] == pytest.approx(10.0)
    assert levels.loc["370112", "level_gap_points"] == pytest.approx(0.0)
    assert levels["rate_1"].isna().all() and levels["rate_4"].isna().all()  # no 三级 or 未定级 institution
    assert levels.loc[levels["is_flagged"]].index.tolist() == ["370124"]
    officer = _view(h.store, users["jinan"], D(2026, 3, 1))
    actions.record_action(officer, "area", [("370124", "primary_care_gap", "")], "已核查", "已约谈配送企业",
                          D(2026, 3, 2))
    checked = cases.area_cases(leader).set_index(["subject_code", "flag_id"])
    assert checked.loc[("370124", "primary_care_gap"), "status"] == "已核查"
    assert checked.loc[("370124", "level_gap"), "status"] == "待处理"  # a case of its own
    actions.record_action(officer, "area", [("370124", "level_gap", "")], "已报送省局", "", D(2026, 3, 2))
    assert cases.area_cases(leader).set_index(["subject_code", "flag_id"]).loc[("370124", "level_gap"), "status"] == "已报送省局"
    with pytest.raises(roles.AccessDenied):
        actions.record_action(_view(h.store, users["qingdao"], D(2026, 3, 1)), "area",
                              [("370124", "primary_care_gap", "")], "已核查", "", D(2026, 3, 2))


def test_an_older_stores_actions_become_cases(store_url):
    """A store of schema version 17, with the actions table and red-flag mart of that version and two recorded
    actions, is upgraded: its institution's action becomes a ladder case, its enterprise's a tier case, with their
    dates and notes; new actions are numbered after them."""
    import sqlalchemy as sa

    from core.store import migrations
    engine = sa.create_engine(store_url)
    migrations.upgrade(engine, target=17)
    key = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as conn:  # version 17's actions table, as that version created it
        conn.execute(sa.text("DROP TABLE actions"))
        conn.execute(sa.text(f"""CREATE TABLE actions (action_id {key} PRIMARY KEY, subject_type VARCHAR(12) NOT NULL,
            subject_code VARCHAR(32) NOT NULL, quarter VARCHAR(7) NOT NULL, status VARCHAR(8) NOT NULL,
            note TEXT DEFAULT '' NOT NULL, action_date DATE NOT NULL, recorded_by VARCHAR(64) NOT NULL,
            recorded_at TIMESTAMP NOT NULL,
            CONSTRAINT ck_action_subject CHECK (subject_type IN ('institution', 'enterprise')))"""))
        conn.execute(sa.text("CREATE INDEX ix_actions_subject ON actions (subject_type, subject_code)"))
        conn.execute(sa.text("CREATE TABLE mart_red_flags (view_id INTEGER, quarter VARCHAR(6), institution_code "
                             "VARCHAR(32), score FLOAT, severity VARCHAR(8), step INTEGER)"))
        for subject_type, code, status in (("institution", "H1", "已通报"), ("enterprise", "M1", "已约谈")):
            conn.execute(sa.text("INSERT INTO actions (subject_type, subject_code, quarter, status, note, action_date, "
                                 "recorded_by, recorded_at) VALUES (:t, :c, '2026Q1', :s, '旧记录', '2026-02-01', 'x', "
                                 "'2026-02-01 10:00:00')"), {"t": subject_type, "c": code, "s": status})
    assert migrations.upgrade(engine, target=18) == [18]
    with engine.begin() as conn:
        conn.execute(sa.insert(S.actions).values(case_kind="area", subject_code="370102", flag_id="primary_care_gap",
                                                 quarter="2026Q1", status="已核查", action_date=D(2026, 3, 1),
                                                 recorded_by="y", recorded_at=dt.datetime(2026, 3, 1)))
        rows = conn.execute(sa.select(S.actions.c.action_id, S.actions.c.case_kind, S.actions.c.subject_code,
                                      S.actions.c.status, S.actions.c.note).order_by(S.actions.c.action_id)).all()
        assert [tuple(r)[1:] for r in rows] == [("ladder", "H1", "已通报", "旧记录"), ("tier", "M1", "已约谈", "旧记录"),
                                                ("area", "370102", "已核查", "")]
        assert rows[2][0] > rows[1][0] > rows[0][0]
        assert not sa.inspect(conn).has_table("mart_red_flags") and sa.inspect(conn).has_table("mart_ladder")
    engine.dispose()


def test_every_kind_of_case_has_statuses_the_store_accepts():
    for kind in C.KINDS.values():
        assert set(kind.statuses) <= set(C.ALL_STATUSES) and kind.subject in C.SUBJECT_TYPES
        assert all(len(s) <= 8 for s in kind.statuses)  # the column's width
    assert C.next_quarter_end(D(2026, 7, 16)) == D(2026, 9, 30) and C.next_quarter_end(D(2026, 9, 30)) == D(2026, 12, 31)


def test_a_case_belongs_to_the_period_of_its_figures(store_url):
    """E1's report for P1 fell in 2025 (70 of 100) and again in 2026 (30 of 100). The 2025 explanation, accepted in
    2025, closes the 2025 case only: the 2026 one is open, with nothing recorded."""
    h = Handmade(store_url)
    h.institution("E1")
    h.agreement("E1", reported=70, prior=100, agreed=100, start=D(2025, 1, 1), end=D(2025, 12, 31))
    h.agreement("E1", reported=30, prior=100, agreed=100, start=D(2026, 1, 1), end=D(2026, 12, 31))
    h.order("E1", 40, day=D(2025, 5, 5))
    h.order("E1", 20, day=D(2026, 2, 2))
    h.save()
    officer = _users(h.store)["lixia"]
    key = ("E1", "report_volume_drop", "P1")
    y2025 = _view(h.store, officer, D(2025, 6, 1))
    for status, note, day in (("待说明", "", D(2025, 6, 2)), ("已说明", "门诊量下降", D(2025, 6, 9)),
                              ("已采纳", "", D(2025, 6, 10))):
        actions.record_action(y2025, "explanation", [key], status, note, day)
    assert _case(cases.explanation_cases(y2025), "E1")["status"] == "已采纳"
    got = _case(cases.explanation_cases(_view(h.store, officer, D(2026, 3, 1))), "E1")
    assert (got["status"], got["closed"], got["explanation"], got["severity"]) == ("待处理", False, "", "serious")


def test_a_notification_that_worked_does_not_lead_to_an_interview(store_url):
    """Agreements of 100 over 2026 (schedules: 01-31 31/365 = 0.085, 02-28 59/365 = 0.162, 03-20 79/365 = 0.216).
    W1 buys 5 on 01-05 (0.05: behind, a warning) and 15 more on 02-20 (0.2: on schedule at 02-28), then falls behind
    again by 03-20 (0.2 < 0.216). W2 buys only the 5 (serious from 02-28 on: 0.05 < 0.081). Both were notified on
    02-01 with a deadline of 02-10, judged at the figures' first date after it, 02-28 (the last month's end of T =
    03-20): W1 was clean, so the notification worked and it starts again at 预警提示; W2 still held its flag: 约谈督导."""
    h = Handmade(store_url)
    for code in ("W1", "W2"):
        h.institution(code)
        h.agreement(code, agreed=100, start=D(2026, 1, 1), end=D(2026, 12, 31))
        h.order(code, 5, day=D(2026, 1, 5))
    h.order("W1", 15, day=D(2026, 2, 20))
    h.save()
    officer = _users(h.store)["lixia"]
    actions.record_action(_view(h.store, officer, D(2026, 1, 31)), "ladder", ["W1", "W2"], "已通报", "", D(2026, 2, 1),
                          deadline=D(2026, 2, 10))
    view = _view(h.store, officer, D(2026, 3, 20))
    held = h.store.read("SELECT as_of, institution_code FROM mart_ladder WHERE view_id = :v", {"v": view.view_id})
    assert sorted((str(d)[:10], c) for d, c in held.values) == [("2026-02-28", "W2"), ("2026-03-20", "W1"),
                                                                ("2026-03-20", "W2")]
    ladder = cases.ladder_cases(view).set_index("subject_code")
    assert (ladder.loc["W1", "step"], ladder.loc["W1", "done"]) == (1, False)
    assert (ladder.loc["W2", "step"], ladder.loc["W2", "done"], ladder.loc["W2", "is_red"]) == (3, False, True)


def test_version_counts_and_figures_hold_when_many_write_and_read_at_once(store_url):
    """Eight writers count the actions' version up at once: it moves by eight (a read and a write apart lost counts
    on PostgreSQL). After a change of setting, four sessions of the process and three other processes ask for the
    figures at once: all get the same view, computed without a deadlock or a duplicate."""
    import subprocess
    import sys
    import threading

    from core.access import settings_change
    from core.paths import ROOT
    h = _offline_store(store_url)
    store = h.store
    marts.refresh(store)
    before = int(store.meta("actions_version", "0"))

    def bump():
        with store.begin() as conn:
            store.bump_meta(conn, "actions_version")
    workers = [threading.Thread(target=bump) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert int(store.meta("actions_version")) == before + 8
    settings_change.change(store, roles.system_user(store), "receipt_confirm_workdays", "6")
    code = f"from core.store.opening import open_store; from core.refresh import marts; " \
           f"print(marts.ensure_default(open_store({store.url!r})).view_id)"
    others = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for _ in range(3)]
    found, errors = [], []

    def ask():
        try:
            found.append(marts.ensure_default(store).view_id)
        except Exception as err:  # noqa: BLE001 - the test names what failed
            errors.append(err)
    sessions = [threading.Thread(target=ask) for _ in range(4)]
    for s in sessions:
        s.start()
    for s in sessions:
        s.join()
    outputs = [p.communicate(timeout=300) for p in others]
    assert not errors and [p.returncode for p in others] == [0, 0, 0], [o[1][-500:] for o in outputs]
    final = marts.ensure_default(store).view_id
    assert set(found) == {final} and {int(o[0].strip().splitlines()[-1]) for o in outputs} <= {final} | set(
        store.read("SELECT view_id FROM mart_views")["view_id"]) | set(range(final))
    assert store.read("SELECT COUNT(*) AS n FROM mart_views WHERE is_default = :t",
                      {"t": True})["n"].iloc[0] == 1


def test_a_record_is_not_made_twice_and_can_be_withdrawn(store_url):
    h = _tier_store(store_url)
    users = _users(h.store)
    t = D(2026, 3, 1)
    view = _view(h.store, users["jinan"], t)
    assert actions.record_action(view, "ladder", ["H1", "H1"], "已提醒", "", D(2026, 3, 2)) == 1  # one case, once
    with pytest.raises(ValueError, match="已有相同记录"):  # a second click
        actions.record_action(view, "ladder", ["H1"], "已提醒", "", D(2026, 3, 2))
    actions.record_action(view, "tier", ["M3"], "不配合", "拒不整改", D(2026, 2, 1))
    assert monitoring.enterprise_tiers(_view(h.store, users["jinan"], t)).set_index("enterprise_code").loc["M3", "tier"] == "B"
    mine = cases.own_records(_view(h.store, users["jinan"], t))
    assert len(mine) == 2 and cases.own_records(_view(h.store, users["lixia"], t)).empty
    wrong = int(mine.loc[mine["label"].str.contains("不配合"), "action_id"].iloc[0])
    with pytest.raises(roles.AccessDenied):  # another officer may not withdraw it
        actions.withdraw(_view(h.store, users["lixia"], t), wrong, "误录")
    with pytest.raises(ValueError):  # a reason is needed
        actions.withdraw(_view(h.store, users["jinan"], t), wrong, " ")
    actions.withdraw(_view(h.store, users["jinan"], t), wrong, "误录，应为另一企业")
    tiers = monitoring.enterprise_tiers(_view(h.store, users["jinan"], t)).set_index("enterprise_code")
    assert (tiers.loc["M3", "tier"], tiers.loc["M3", "count_uncooperative"]) == ("A", 0)  # computed again
    history = cases.subject_history(h.store, "enterprise", "M3")
    assert history["status"].tolist() == ["不配合（已撤销）"] and "误录，应为另一企业" in history["note"].iloc[0]
    with pytest.raises(ValueError, match="已撤销"):
        actions.withdraw(_view(h.store, users["jinan"], t), wrong, "再次")
    logged = h.store.read("SELECT username, target FROM audit_log WHERE action = 'action_withdrawn'")
    assert logged.values.tolist() == [["jinan", "M3"]]
    # an interview of an enterprise runs to no deadline unless one is set: it is never overdue by default
    actions.record_action(_view(h.store, users["jinan"], t), "tier", ["M3"], "已约谈", "", D(2026, 2, 2))
    assert cases.overdue(_view(h.store, users["jinan"], t)).empty
    # an officer moved to another city withdraws nothing of the old one's cases (refused and audited)
    mine = cases.own_records(_view(h.store, users["jinan"], t))
    kept = int(mine.loc[mine["label"].str.contains("H1"), "action_id"].iloc[0])
    admin.set_role(h.store, roles.system_user(h.store), "jinan", "city_officer", "370200")
    moved = accounts.load(h.store, "jinan")
    with pytest.raises(roles.AccessDenied, match="管辖范围"):
        actions.withdraw(_view(h.store, moved, t), kept, "换了地区")
    still = h.store.read("SELECT withdrawn_at FROM actions WHERE action_id = :a", {"a": kept})
    assert still["withdrawn_at"].isna().all()
    assert h.store.read("SELECT detail FROM audit_log WHERE action = 'access_denied'")["detail"].tolist() == \
        [f"withdraw #{kept} outside scope (ladder)"]


def test_odd_inputs_are_refused_with_a_reason(store_url):
    h = _explanation_store(store_url)
    view = _view(h.store, _users(h.store)["lixia"], D(2026, 3, 1))
    for subjects, kind, day in (([None], "ladder", D(2026, 3, 2)), ([("E1", "", "P1")], "ladder", D(2026, 3, 2)),
                                ([("E1", "report_volume_drop", "NOPE")], "explanation", D(2026, 3, 2)),
                                ([("370102", "primary_care_gap", "P1")], "area", D(2026, 3, 2)),
                                (["E1"], "ladder", dt.datetime(2026, 3, 2, 9)), (["E1"], "ladder", "2026-03-02"),
                                (["E1"], "ladder", D(1999, 12, 31))):
        status = "待说明" if kind == "explanation" else "已核查" if kind == "area" else "已提醒"
        with pytest.raises(ValueError):
            actions.record_action(view, kind, subjects, status, "", day)
    assert h.store.read("SELECT COUNT(*) AS n FROM actions")["n"].iloc[0] == 0
    # NUL: PostgreSQL refuses it; a right-to-left override turns the text around; a lone surrogate encodes nowhere
    actions.record_action(view, "ladder", ["E1"], "已提醒", "电话\x00提醒\x07\u202e\ud800", D(2026, 3, 2))
    assert h.store.read("SELECT note FROM actions")["note"].tolist() == ["电话提醒"]


def test_ticks_do_not_carry_to_another_list(app, demo_copy):
    """A row ticked on the city's ladder, then another county chosen: the new list starts with nothing ticked, so
    no action can land on a row the officer did not tick."""
    from .views import table_key
    at = app("demo_city").run()
    at.switch_page("../pages/cases.py").run()
    assert not at.exception
    tables = [list(d.value.columns) for d in at.dataframe]
    ladder, explanation = tables[0], next(c for c in tables if "机构说明" in c or "说明内容" in c)
    # the problem before what qualifies it: at 1400 px the last columns scroll out of view
    assert ladder.index("预警事项") < min(ladder.index(c) for c in ("应采取措施", "问题得分", "红旗")), ladder
    assert explanation.index("阈值") < explanation.index("应采取措施"), explanation
    at.session_state[table_key(demo_copy, "cs_ladder_table", "371400")] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert [b.label for b in at.button if b.label == "保存"] == ["保存"]
    assert any("已选：" in c.value for c in at.caption)
    at.selectbox(key="f_county").set_value("371423").run()
    assert not at.exception and not [b for b in at.button if b.label == "保存"]


def test_an_enterprises_history_keeps_other_areas_notes_to_them(store_url):
    """M3 supplies H1 (历下区, 济南市) and Q1 (市南区, 青岛市). jinan's and lixia's records on its tier case show to
    each other (one's area holds the other's) and to the province; Qingdao's officer sees that they were made and
    what they record, not their notes or who made them."""
    h = Handmade(store_url)
    for code, county in (("H1", "370102"), ("Q1", "370202")):
        h.institution(code, county=county)
        h.agreement(code, "P5", agreed=100)
        h.order(code, 60, "P5")
    h.save()
    users = _users(h.store)
    t = D(2026, 3, 1)
    actions.record_action(_view(h.store, users["jinan"], t), "tier", ["M3"], "已约谈", "济南市内部：拟约谈", D(2026, 2, 2))
    actions.record_action(_view(h.store, users["lixia"], t), "tier", ["M3"], "已提示风险", "历下区：已电话提示",
                          D(2026, 2, 3))

    def history(who):
        shown = scorecard.enterprise_card(_view(h.store, users[who], t), "M3")["actions"]
        return shown[["status", "note", "recorded_by"]].values.tolist()
    full = [["已约谈", "济南市内部：拟约谈", "jinan"], ["已提示风险", "历下区：已电话提示", "lixia"]]
    assert history("jinan") == history("lixia") == history("boss") == full
    assert history("qingdao") == [["已约谈", "（其他地区的记录，内容不显示）", "其他地区"],
                                  ["已提示风险", "（其他地区的记录，内容不显示）", "其他地区"]]
    admin.create_user(h.store, roles.system_user(h.store), "ent_m3", "企业M3", "enterprise", None, PASSWORD,
                      entity_code="M3")
    own = cases.subject_history(h.store, "enterprise", "M3", "zh", _view(h.store, accounts.load(h.store, "ent_m3"), t))
    assert own["recorded_by"].tolist() == ["济南市医保部门", "历下区医保部门"]  # the bureaus, not the officers' accounts
