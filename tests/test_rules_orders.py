"""Hand-worked cases for 诉求, 其他采购行为, supplier tiers, primary-care gap, red flags and the ladder."""
import datetime as dt

import pandas as pd
import pytest

from core.policy import cases, periods
from core.policy.workdays import DEFAULT as CAL
from core.read import cases as read_cases
from core.refresh import marts
from core.refresh.flags import ladder_holders
from core.store import schema as S
from core.store.view import View

from .handmade import D, T, Handmade, found


def test_complaint_working_days_across_labour_day(store_url):
    # 2026: 05-01..05-05 are holidays, Saturday 05-09 is a make-up workday.
    h = Handmade(store_url)
    h.institution("H1")
    # Raised Thu 04-30: working day 1 is Wed 05-06, day 2 is Thu 05-07.
    h.complaint("C1", D(2026, 4, 30), reply=D(2026, 5, 7), promised=D(2026, 5, 13), resolved=D(2026, 5, 13))
    h.complaint("C2", D(2026, 4, 30), reply=D(2026, 5, 8), promised=D(2026, 5, 11), resolved=D(2026, 5, 11))
    # Raised Thu 05-07: day 1 is Fri 05-08, day 2 the make-up Saturday 05-09.
    h.complaint("C3", D(2026, 5, 7), reply=D(2026, 5, 9), promised=D(2026, 5, 14), resolved=D(2026, 5, 12))
    h.complaint("C4", D(2026, 5, 7), reply=D(2026, 5, 11), promised=D(2026, 5, 12), resolved=D(2026, 5, 12))
    # Promise: C1 replied 05-07, promised 05-13 = 05-08, 05-09, 05-11, 05-12, 05-13: the 5th working day, in time.
    # C3 replied 05-09, promised 05-14 = 05-11..05-14: 4 working days, in time. C5: 6 working days, too far.
    h.complaint("C5", D(2026, 5, 7), reply=D(2026, 5, 8), promised=D(2026, 5, 16), resolved=D(2026, 5, 15))
    h.complaint("C6", D(2026, 6, 1), reply=D(2026, 6, 2), promised=D(2026, 6, 4), resolved=D(2026, 6, 5))  # resolved late
    h.complaint("C7", D(2026, 6, 1), reply=D(2026, 6, 2), promised=D(2026, 6, 4))  # unresolved, T past the promise
    h.complaint("C8", D(2026, 6, 1))  # never answered; T is far past 06-03
    h.complaint("C9", D(2026, 6, 29))  # raised the day before T: the two working days are not over
    flags = h.flags(as_of=D(2026, 6, 30))
    late = set(flags.loc[flags["flag_id"] == "complaint_reply_late", "detail_code"])
    unresolved = set(flags.loc[flags["flag_id"] == "complaint_unresolved", "detail_code"])
    assert late == {"C2", "C4", "C8"}
    assert unresolved == {"C5", "C6", "C7"}
    assert set(flags.loc[flags["flag_id"].str.startswith("complaint"), "subject_code"]) == {"M1"}
    assert flags.loc[flags["level"] == "institution"].empty  # complaints never count against the raising institution


def test_receipt_confirmation_fifth_and_sixth_working_day(store_url):
    h = Handmade(store_url)
    h.institution("H1")
    # Delivered Mon 06-01: the 5th working day after is Mon 06-08, the 6th Tue 06-09.
    on_time = h.order("H1", 10, day=D(2026, 5, 31), delivery=D(2026, 6, 1), receipt=D(2026, 6, 8))
    late = h.order("H1", 10, day=D(2026, 5, 31), delivery=D(2026, 6, 1), receipt=D(2026, 6, 9))
    open_ = h.open_order("H1", 10, day=D(2026, 5, 31), delivery=D(2026, 6, 1))
    at_5 = h.flags(as_of=D(2026, 6, 8), flag_id="receipt_confirmation_late")
    assert set(at_5["detail_code"]) == set()  # 06-09 is after T; the open order is on its 5th day
    at_9 = h.flags(as_of=D(2026, 6, 9), flag_id="receipt_confirmation_late")
    assert set(at_9["detail_code"]) == {late, open_}
    assert on_time not in set(at_9["detail_code"])


def test_offline_and_abnormal_orders(store_url):
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", agreed=400)  # 4 months (Jan to Apr): monthly average 100, limit 3 x 100 = 300
    ok = h.order("H1", 300)
    big = h.order("H1", 301)
    offline = h.order("H1", 10, channel="线下")
    h.institution("H2")
    # P2 without agreement: sizes 10 x4, 20 x4, 50, 200 (n = 10). Nearest rank: Q1 = 3rd = 10, Q3 = 8th = 20,
    # IQR 10, limit 20 + 3 x 10 = 50: the order of 50 is not above it, 200 is.
    for qty in (10, 10, 10, 10, 20, 20, 20, 20):
        h.order("H2", qty, "P2")
    fifty = h.order("H2", 50, "P2")
    huge = h.order("H2", 200, "P2")
    flags = h.flags()
    assert set(flags.loc[flags["flag_id"] == "offline_purchase", "detail_code"]) == {offline}
    abnormal = flags[flags["flag_id"] == "abnormal_order"].set_index("detail_code")
    assert set(abnormal.index) == {big, huge} and ok not in abnormal.index and fifty not in abnormal.index
    assert abnormal.loc[big, "threshold"] == 300 and abnormal.loc[huge, "threshold"] == 50


def test_a_quantity_flag_reads_in_its_products_unit(store_url):
    """P1 is counted in 盒 (the products sheet's `unit`), P4 names no unit. H1's order of 301 P1 passes its limit of
    3 x 400 / 4 months = 300 (abnormal); H3, of the same level and without agreement, buys 400 P1 in two orders of 200
    (not abnormal: P1's sizes 200, 200, 301 give Q1 200, Q3 301, limit 301 + 3 x 101), at the median agreed volume
    of its level (400): an unreported purchase of P1. Pages read 301 盒 against 300 盒 and 400 盒 against 400 盒, in
    either language (the unit is the data's word); H1's abnormal order of 400 P4 (no unit: limit 3 x 400 / 4 = 300)
    reads bare."""
    from core.present.flagtext import describe, for_workbook
    from core.read.units import qty_units
    h = Handmade(store_url)
    h.rows["products"][0]["unit"] = "盒"
    h.institution("H1")
    h.agreement("H1", agreed=400)
    h.agreement("H1", "P4", agreed=400)
    big = h.order("H1", 301)
    bare = h.order("H1", 400, "P4")
    h.institution("H3")
    h.order("H3", 200)
    h.order("H3", 200)
    flags = h.flags()
    assert set(zip(flags["flag_id"], flags["detail_code"])) >= {("abnormal_order", big), ("abnormal_order", bare),
                                                                 ("unreported_purchase", "P1")}
    units = qty_units(h.store, flags)
    assert units == {("abnormal_order", big): "盒", ("unreported_purchase", "P1"): "盒"}
    shown = describe(flags, "zh", units=units).set_index(["flag_id", "detail_code"])
    assert shown.loc[("abnormal_order", big), ["value_text", "threshold_text"]].tolist() == ["301 盒", "300 盒"]
    assert shown.loc[("unreported_purchase", "P1"), ["value_text", "threshold_text"]].tolist() == ["400 盒", "400 盒"]
    assert shown.loc[("abnormal_order", bare), ["value_text", "threshold_text"]].tolist() == ["400", "300"]
    english = describe(flags, "en", units=units).set_index(["flag_id", "detail_code"])  # the data's word, as a name
    assert english.loc[("abnormal_order", big), ["value_text", "threshold_text"]].tolist() == ["301 盒", "300 盒"]
    # The Chinese export keeps the numbers, in a number format that says the unit; a unit a format cannot quote
    # (a quotation mark in it) is left out rather than breaking the format.
    rows, _headers, formats = for_workbook(shown.reset_index(), {"value_text": "值", "threshold_text": "阈值"}, "zh")
    at = {(f, d): n for n, (f, d) in enumerate(zip(rows["flag_id"], rows["detail_code"]))}
    assert rows["value_number"].iloc[at[("abnormal_order", big)]] == 301
    assert formats["value_number"][at[("abnormal_order", big)]] == '#,##0 "盒"'
    assert formats["threshold_number"][at[("unreported_purchase", "P1")]] == '#,##0 "盒"'
    assert formats["value_number"][at[("abnormal_order", bare)]] == "#,##0"
    odd = describe(flags, "zh", units={("abnormal_order", big): '盒"&A1'})
    assert for_workbook(odd, {"value_text": "值"}, "zh")[2]["value_number"][at[("abnormal_order", big)]] == "#,##0"


def test_an_order_id_like_a_product_code_reads_in_its_own_products_unit(store_url):
    """The abnormal order O00001 is of P1 (盒); a product happens to be coded O00001 too (瓶): the order's flag reads
    in 盒, its product's unit, not in the other product's."""
    from core.read.units import qty_units
    h = Handmade(store_url)
    h.rows["products"][0]["unit"] = "盒"
    h.rows["products"].append({**h.rows["products"][4], "product_code": "O00001", "unit": "瓶"})
    h.institution("H1")
    h.agreement("H1", agreed=400)
    big = h.order("H1", 301)
    assert big == "O00001"
    flags = h.flags()
    assert qty_units(h.store, flags[flags["flag_id"] == "abnormal_order"]) == {("abnormal_order", big): "盒"}


def test_a_promise_beyond_five_working_days_is_late_from_the_reply():
    """Raised Mon 2026-06-01, replied 06-02 promising 06-30: 19 working days after the reply (06-19 is the Dragon
    Boat Festival), beyond 5: unresolved from 06-02 on, not only once 06-30 has come. Before the reply nothing is
    known of the promise; a promise of 06-09 (5 working days) is within the rule until it passes unresolved."""
    from core.policy import complaints as rule
    from core.policy.settings import SETTINGS
    settings = {x.name: x.default for x in SETTINGS}

    def judged(promised, at):
        return rule.timeliness(D(2026, 6, 1), D(2026, 6, 2), promised, None, at, settings, CAL)
    assert judged(D(2026, 6, 30), D(2026, 6, 2)).promise_workdays == 19
    assert [judged(D(2026, 6, 30), day).unresolved for day in (D(2026, 6, 1), D(2026, 6, 2), D(2026, 6, 10))] == \
        [False, True, True]
    assert judged(D(2026, 6, 9), D(2026, 6, 3)).promise_workdays == 5
    assert [judged(D(2026, 6, 9), day).unresolved for day in (D(2026, 6, 9), D(2026, 6, 10))] == [False, True]


def test_a_reply_that_names_no_promised_date_is_held_to_the_latest_the_rule_allows():
    """Raised Mon 2026-03-02 (March has no holiday), replied Tue 03-03 without a promised date: the rule allows a
    promise up to 5 working days after the reply, Tue 03-10 (03-04..03-06, 03-09, 03-10). Unresolved, it is not late
    on 03-10 and late on Wed 03-11; resolved on 03-10 it is timely, on 03-11 it is resolved late. A reply that
    promises nothing cannot escape the rule (二（四）: 回复并承诺问题解决时限)."""
    from core.policy import complaints as rule
    from core.policy.settings import SETTINGS
    settings = {x.name: x.default for x in SETTINGS}

    def judged(at, resolved=None):
        return rule.timeliness(D(2026, 3, 2), D(2026, 3, 3), None, resolved, at, settings, CAL)
    assert judged(D(2026, 3, 3)).promise_due == D(2026, 3, 10)
    assert [judged(day).unresolved for day in (D(2026, 3, 10), D(2026, 3, 11))] == [False, True]
    on_time, late = judged(D(2026, 3, 20), D(2026, 3, 10)), judged(D(2026, 3, 20), D(2026, 3, 11))
    assert (on_time.unresolved, on_time.timely) == (False, True)
    assert (late.unresolved, late.timely) == (True, False)
    assert judged(D(2026, 3, 20)).promise_workdays != judged(D(2026, 3, 20)).promise_workdays  # no promise: none shown


def test_offline_purchase_concerns_the_products_of_a_vbp_group(store_url):
    """Offline orders of P1 (selected, 阿司匹林 片剂) and P2 (non-selected of its group) are flagged; of P3 (a
    substitute: another drug) and P7 (non-selected 头孢克洛 胶囊, no selected product of its group) they are not."""
    h = Handmade(store_url)
    h.rows["products"].append({"product_code": "P7", "generic_name": "头孢克洛", "dosage_form": "胶囊", "category": "药品",
                               "manufacturer_code": "M4", "status": "非中选"})
    h.institution("H1")
    shown = {product: h.order("H1", 10, product, channel="线下") for product in ("P1", "P2", "P3", "P7")}
    offline = h.flags(flag_id="offline_purchase")
    assert set(offline["detail_code"]) == {shown["P1"], shown["P2"]}


def test_a_reply_on_its_due_day_and_the_age_a_complaint_counts_from():
    """March 2026 has no holiday. Raised Mon 03-02: the reply is due Wed 03-04 (2 working days); unanswered, it is
    not late on 03-04 and late on Thu 03-05. It counts toward the timely rate from 7 working days after raising
    (03-03..03-06, 03-09..03-11): Wed 03-11 counts, Tue 03-10 (6) does not."""
    from core.policy import complaints as rule
    from core.policy.settings import SETTINGS
    settings = {x.name: x.default for x in SETTINGS}

    def judged(at, reply=None):
        return rule.timeliness(D(2026, 3, 2), reply, None, None, at, settings, CAL)
    assert judged(D(2026, 3, 4)).reply_due == D(2026, 3, 4)
    assert [judged(day).reply_late for day in (D(2026, 3, 4), D(2026, 3, 5))] == [False, True]
    assert [judged(day, D(2026, 3, 4)).reply_late for day in (D(2026, 3, 4), D(2026, 3, 9))] == [False, False]
    assert [judged(day).counted for day in (D(2026, 3, 10), D(2026, 3, 11))] == [False, True]


def test_the_supplier_tiers_leave_out_the_grace_days_as_indicator_2_does(store_url):
    """T = 03-01, two grace days: H1's order of 100 on 02-02, delivered, counts; its order of 100 on 02-28, not
    yet delivered, is within the grace days and does not. M1 and D1: 100 / 100, tier A (with it: 100 / 200, C)."""
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", agreed=1000)
    h.order("H1", 100, day=D(2026, 2, 2))
    h.order("H1", 100, day=D(2026, 2, 28), delivered=0)
    h.save()
    tiers = marts.compute(h.store, T)["mart_enterprises"].set_index("enterprise_code")
    assert tiers.loc[["M1", "D1"], "delivery_rate"].tolist() == [1.0, 1.0]
    assert tiers.loc[["M1", "D1"], "tier"].tolist() == ["A", "A"]


def test_the_abnormal_limit_divides_by_the_periods_months(store_url):
    """An agreement from 2026-01-15 to 2027-01-14 runs 12 months (not the 13 calendar months it touches): 1200
    agreed, a monthly average of 100, a limit of 3 x 100 = 300: an order of 300 is not above it, 301 is."""
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", agreed=1200, start=D(2026, 1, 15), end=D(2027, 1, 14))
    ok = h.order("H1", 300)
    big = h.order("H1", 301)
    abnormal = h.flags(flag_id="abnormal_order").set_index("detail_code")
    assert set(abnormal.index) == {big} and ok not in abnormal.index and abnormal.loc[big, "threshold"] == 300


def test_an_agreement_of_nothing_is_no_agreement_for_the_tiers(store_url):
    """H1 holds an agreement of 0 for P1 and ordered 1000, none delivered; H2 agreed 100, ordered 1000, all
    delivered. Indicator 2 counts H2 alone (agreed above zero): 1000 / 1000; so do the tiers of M1 and D1: A."""
    h = Handmade(store_url)
    for code, agreed, delivered in (("H1", 0, 0), ("H2", 100, 1000)):
        h.institution(code)
        h.agreement(code, agreed=agreed)
        h.order(code, 1000, delivered=delivered)
    h.save()
    tiers = marts.compute(h.store, T)["mart_enterprises"].set_index("enterprise_code")
    assert tiers.loc[["M1", "D1"], "delivery_rate"].tolist() == [1.0, 1.0]
    assert tiers.loc[["M1", "D1"], "tier"].tolist() == ["A", "A"]


def _tier_store(h: Handmade, rates: dict[str, float]):
    # One selected product per maker: P1 (M1), P4 (M2), P5 (M3), P6 (M4); 1000 ordered by an agreement holder.
    product = {"M1": "P1", "M2": "P4", "M3": "P5", "M4": "P6"}
    h.institution("H1")
    for maker, rate in rates.items():
        h.agreement("H1", product[maker], agreed=1000)
        h.order("H1", 1000, product[maker], delivered=1000 * rate)


def test_complaint_tier_cut_points(store_url):
    """Ten counted complaints each (raised Mon 01-05 by H1, which holds the agreements; T = 03-01): timely ones
    replied 01-06 and resolved 01-08 as promised, the others replied 01-12 (late). Timely 8, 6, 3 and 2 of 10:
    0.8 is A (at the bound), 0.6 B, 0.3 C, 0.2 D; every delivery rate is 100% (A), so the complaint tier decides."""
    h = Handmade(store_url)
    _tier_store(h, {"M1": 1.0, "M2": 1.0, "M3": 1.0, "M4": 1.0})
    timely = {"M1": 2, "M2": 8, "M3": 6, "M4": 3}
    for maker, good in timely.items():
        for i in range(10):
            ok = i < good
            h.complaint(f"{maker}K{i}", D(2026, 1, 5), reply=D(2026, 1, 6) if ok else D(2026, 1, 12),
                        promised=D(2026, 1, 8) if ok else D(2026, 1, 13), resolved=D(2026, 1, 8) if ok else D(2026, 1, 13),
                        enterprise=maker)
    h.save()
    tiers = marts.compute(h.store, T)["mart_enterprises"].set_index("enterprise_code")
    assert tiers.loc[["M1", "M2", "M3", "M4"], "timely_rate"].tolist() == [0.2, 0.8, 0.6, 0.3]
    assert tiers.loc[["M1", "M2", "M3", "M4"], "complaint_tier"].tolist() == ["D", "A", "B", "C"]
    assert tiers.loc[["M1", "M2", "M3", "M4"], "tier"].tolist() == ["D", "A", "B", "C"]


def test_supplier_tier_cut_points(store_url):
    h = Handmade(store_url)
    _tier_store(h, {"M1": 0.8, "M2": 0.6, "M3": 0.3, "M4": 0.29})
    # M1 also has complaints: 7 of 10 handled in time -> complaint tier B, so its tier is B (the worse).
    for i in range(10):
        good = i < 7
        h.complaint(f"K{i}", D(2026, 1, 5), reply=D(2026, 1, 6) if good else D(2026, 1, 12),
                    promised=D(2026, 1, 8) if good else D(2026, 1, 13), resolved=D(2026, 1, 8) if good else D(2026, 1, 13))
    h.save()
    tiers = marts.compute(h.store, T)["mart_enterprises"].set_index("enterprise_code")
    assert tiers.loc["M1", "delivery_tier"] == "A" and tiers.loc["M1", "complaint_tier"] == "B" and tiers.loc["M1", "tier"] == "B"
    assert tiers.loc["M1", "timely_rate"] == 0.7
    assert tiers.loc[["M2", "M3", "M4"], "tier"].tolist() == ["B", "C", "D"]
    # The distributor delivered all four: (800 + 600 + 300 + 290) / 4000 = 0.4975 -> C
    assert tiers.loc["D1", "delivery_rate"] == 0.4975 and tiers.loc["D1", "tier"] == "C"
    flags = h.flags(flag_id="supplier_tier")
    assert found(flags) == {("M1", "B"): "warning", ("M2", "B"): "warning", ("M3", "C"): "serious",
                            ("M4", "D"): "severe", ("D1", "C"): "serious"}


def test_primary_care_gap(store_url):
    h = Handmade(store_url)
    # county: (primary delivered, others delivered) out of 1000 each
    cases = {"370124": (800, 900), "370102": (810, 900), "370112": (790, 790), "370113": (790, 800)}
    for county, (primary, others) in cases.items():
        for kind, delivered in (("township", primary), ("hospital", others)):
            code = h.institution(f"{kind[0].upper()}{county}", county, kind)
            h.agreement(code, agreed=1000)
            h.order(code, 1000, delivered=delivered)
    # A private first-level hospital is on neither side (the design compares primary care with secondary and
    # tertiary institutions): counted with the others, 370102's would be 1900/2000 = 0.95, 14 points, flagged.
    h.institution("X370102", "370102", "private")
    h.agreement("X370102", agreed=1000)
    h.order("X370102", 1000, delivered=1000)
    # 370103 has primary care and a private hospital only: no comparison.
    h.institution("T370103", "370103", "township")
    h.agreement("T370103", agreed=1000)
    h.order("T370103", 1000, delivered=500)
    h.institution("X370103", "370103", "private")
    h.agreement("X370103", agreed=1000)
    h.order("X370103", 1000, delivered=1000)
    flags = h.flags(flag_id="primary_care_gap")
    # 370124: 0.90 - 0.80 = 10 points exactly -> flagged; 370102: 9 points -> not; 370112: both at 0.79,
    # no gap and the others are below 80% too -> not; 370113: primary 0.79 below 80% while others 0.80 -> flagged.
    # 济南 370100 as a whole: primary (3190 + 500)/5000 = 0.738 below 80%, others 3390/4000 = 0.8475 -> flagged.
    assert set(zip(flags["level"], flags["subject_code"])) == {("county", "370124"), ("county", "370113"), ("city", "370100")}
    areas = marts.compute(h.store, T)["mart_areas"].set_index("region_code")[
        ["primary_delivered_qty", "primary_ordered_qty", "others_delivered_qty", "others_ordered_qty", "count_institutions"]]
    assert areas.loc["370102"].tolist() == [810, 1000, 900, 1000, 3]  # the private hospital counted, not compared
    assert areas.loc["370103"].tolist() == [500, 1000, 0, 0, 2]
    assert areas.loc["370100"].tolist() == [3690, 5000, 3390, 4000, 11]  # 4 x 2 + 3


def test_level_gap(store_url):
    """不同等级医疗机构供应不平衡 (二（五））: the widest gap between two levels' delivery rates, over the levels with
    orders in the window, against primary_gap_points (10 points)."""
    h = Handmade(store_url)
    plan = [  # (code, county, kind, delivered of 1000 ordered; None: an agreement and no order)
        ("A3", "370102", "tertiary", 950), ("A2", "370102", "hospital", 900), ("A1", "370102", "township", 850),
        ("B3", "370103", "tertiary", 900), ("B1", "370103", "private", 810),
        ("C2", "370112", "hospital", 500), ("C2b", "370112", "hospital", 1000),
        ("D0", "370113", "village", 700), ("D2", "370113", "hospital", None),
    ]
    for code, county, kind, delivered in plan:
        h.institution(code, county, kind)
        h.agreement(code, agreed=1000)
        if delivered is not None:
            h.order(code, 1000, delivered=delivered)
    h.institution("E2", "370104", "hospital")  # 槐荫区: its one order in the grace days, no rate anywhere
    h.agreement("E2", agreed=1000)
    h.order("E2", 1000, day=D(2026, 2, 28), delivered=0)
    flags = h.flags()
    levels = flags[flags["flag_id"] == "level_gap"]
    # 370102: 三级 0.95 - 一级 0.85 = 10 points exactly -> flagged; 370103: 三级 0.90 - 一级 0.81 = 9 points -> not;
    # 370112: one level (二级 0.50 and 1.00 are one rate, 0.75) -> no comparison; 370113: 未定级 0.70 and a 二级
    # hospital without orders -> one level -> not. 济南 370100: 三级 1850/2000 = 0.925, 二级 2400/3000 = 0.80,
    # 一级 (850 + 810)/2000 = 0.83, 未定级 0.70: 22.5 points -> flagged.
    got = {(r.level, r.subject_code): round(r.value, 9) for r in levels.itertuples()}
    assert got == {("county", "370102"): 0.1, ("city", "370100"): 0.225}
    assert set(levels["threshold"]) == {0.1} and set(levels["severity"]) == {"warning"}
    # Primary care against secondary and tertiary: 370102 0.85 against 1850/2000 = 0.925 (7.5 points, 0.85 above
    # 80%) -> not; 济南: primary (850 + 700)/2000 = 0.775 below 80%, the others 4250/5000 = 0.85 -> flagged.
    primary = flags[flags["flag_id"] == "primary_care_gap"]
    assert set(zip(primary["level"], primary["subject_code"])) == {("city", "370100")}
    # The supply page's table of levels for 济南: the gap where two levels or more have a rate, none with one.
    from core.read import monitoring
    table = monitoring.level_balance(View.of(h.store, marts.ensure_view(h.store, T)).with_area("370100"))
    table = table.set_index("region_code")
    assert table.loc["370102", "level_gap_points"] == pytest.approx(10.0) and table.loc["370102", "is_flagged"]
    assert table.loc["370103", "level_gap_points"] == pytest.approx(9.0) and not table.loc["370103", "is_flagged"]
    assert table.loc["370112", "level_gap_points"] != table.loc["370112", "level_gap_points"]  # one level: no gap
    assert table.loc["370113", "level_gap_points"] != table.loc["370113", "level_gap_points"]
    assert table.loc["370100", "level_gap_points"] == pytest.approx(22.5)
    assert table.loc["370104"].drop(["region_name", "region_level", "is_flagged"]).isna().all()  # listed, "—"
    # The map's layer of the same gap, for 济南's counties (a county without two levels has none).
    from core.read import map_area
    city = View.of(h.store, marts.ensure_view(h.store, T)).with_area("370100")
    layer = map_area.child_values(city, map_area.LEVEL_GAP).set_index("code")["value"]
    assert layer[["370102", "370103"]].tolist() == pytest.approx([10.0, 9.0])
    assert layer[["370104", "370112", "370113"]].isna().all() and map_area.kind_of(map_area.LEVEL_GAP) == "number"


def test_red_flags_and_scores(store_url):
    """Only the ladder's flags make an institution red (二（七）); T = 2026-03-01, schedule 0.6."""
    h = Handmade(store_url)
    # R1: warnings of three distinct ladder flags -> red, score 3: progress 45 / 100 = 0.45 (below 0.6, above 0.3),
    # an offline order, a receipt confirmed 16 working days after delivery.
    h.institution("R1")
    h.agreement("R1", agreed=100)
    h.order("R1", 40, day=D(2026, 2, 2), delivery=D(2026, 2, 3), receipt=D(2026, 2, 25))
    h.order("R1", 5, channel="线下")
    # R2: four flags, two of them the ladder's (progress 55 / 100, an offline order): not red. Its report drop calls
    # for an explanation and its 70% delivery is its supplier's failure.
    h.institution("R2")
    h.agreement("R2", agreed=100, reported=70, prior=100)
    h.order("R2", 50, delivered=35)
    h.order("R2", 5, channel="线下")
    # R3: a serious delivery rate (50%) alone: the enterprises' problem, never the institution's red flag.
    h.institution("R3")
    h.agreement("R3", agreed=100)
    h.order("R3", 50, delivered=25)
    h.order("R3", 50, delivered=25)
    # R4: one serious ladder flag (progress 20 / 100 = 0.2, below half the schedule) -> red, score 3.
    h.institution("R4")
    h.agreement("R4", agreed=100)
    h.order("R4", 20)
    # R5: three offline orders and progress behind: warnings of two distinct ladder flags, however many orders -> not red.
    h.institution("R5")
    h.agreement("R5", agreed=100)
    h.order("R5", 40)
    for _ in range(3):
        h.order("R5", 5, channel="线下")
    flags = h.flags()
    assert (flags[flags["subject_code"] == "R5"]["flag_id"] == "offline_purchase").sum() == 3
    mine = flags[flags["subject_code"] == "R2"]["flag_id"]
    assert set(mine) == {"report_volume_drop", "delivery_rate_low", "progress_behind_schedule", "offline_purchase"}
    assert set(flags.loc[flags["subject_code"] == "R3", "flag_id"]) == {"delivery_rate_low"}
    red = flags[flags["flag_id"] == "red_flag"].set_index("subject_code")
    assert set(red.index) == {"R1", "R4"}
    # The red flag's value is the kinds of ladder flag held, against the rule: 3 kinds, or any serious one.
    assert red.loc["R1", "value"] == 3 and red.loc["R1", "severity"] == "warning"
    assert red.loc["R4", "value"] == 1 and red.loc["R4", "severity"] == "serious"
    from core.present.flagtext import describe
    said = describe(red.reset_index()).set_index("subject_code")
    assert said.loc["R4", "value_text"] == "1 类预警" and said.loc["R4", "threshold_text"] == "3 类及以上预警或任一重点关注"
    assert describe(red.reset_index(), "en").set_index("subject_code").loc["R1", "threshold_text"] == \
        "3 or more kinds of flag, or any serious one"
    # The score (1, 3, 9 a flag) is the ladder's: R1 three warnings, 3; R4 one serious flag, 3.
    scores = ladder_holders(flags, 3).set_index("institution_code")["score"]
    assert (scores["R1"], scores["R4"]) == (3, 3)


def _events(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"action_id": n, "status": status, "action_date": day, "deadline": deadline, "note": ""}
                         for n, (status, day, deadline) in enumerate(rows)],
                        columns=["action_id", "status", "action_date", "deadline", "note"])


def test_measures_ladder_reads_recorded_actions():
    """The step of an institution holding a ladder flag at T = 2026-11-20, from what was recorded (deadlines judged
    against T; none set: the quarter's end after the action)."""
    settings, t = {"explanation_workdays": 10}, D(2026, 11, 20)

    def step(prominent=False, *rows, clean=()):
        got = cases.ladder_step(_events(*rows), t, prominent, settings, CAL, lambda day: day not in clean)
        return got.step, got.done, got.due

    assert step(False) == (1, False, None)  # holds a flag: 预警提示
    assert step(True) == (2, False, None)  # held one at the quarter's end, red, or a high score: 通报提醒
    assert step(False, ("已提醒", D(2026, 11, 1), None)) == (1, True, D(2026, 12, 31))
    # notified with a deadline T has passed: 约谈督导 is due; with one still ahead: notified, waiting
    assert step(False, ("已通报", D(2026, 7, 1), D(2026, 8, 31))) == (3, False, None)
    assert step(False, ("已通报", D(2026, 11, 1), None)) == (2, True, D(2026, 12, 31))
    # interviewed on 08-01 without a deadline: due 09-30, passed at T -> 纪检监察联动; with a deadline ahead: waiting
    assert step(False, ("已通报", D(2026, 5, 1), None), ("已约谈", D(2026, 8, 1), None)) == (4, False, None)
    assert step(False, ("已约谈", D(2026, 11, 10), D(2027, 1, 15))) == (3, True, D(2027, 1, 15))
    assert step(False, ("已移交纪检", D(2026, 10, 1), None)) == (4, True, None)
    # rectified after the notification: what came before no longer counts
    assert step(False, ("已通报", D(2026, 7, 1), None), ("已整改", D(2026, 8, 1), None)) == (1, False, None)
    # clean at the notification's deadline (08-31): it worked, even if flagged again at T -> back to the start
    assert step(False, ("已通报", D(2026, 7, 1), D(2026, 8, 31)), clean={D(2026, 8, 31)}) == (1, False, None)
    # a later notification does not undo an earlier one whose deadline passed with problems left: still 约谈督导
    assert step(False, ("已通报", D(2026, 7, 1), D(2026, 8, 31)), ("已通报", D(2026, 10, 10), None)) == (3, False, None)
    # two interviews, the first's deadline passed with problems left: 纪检监察联动, whatever the second's
    assert step(False, ("已约谈", D(2026, 8, 1), D(2026, 9, 30)), ("已约谈", D(2026, 11, 1), None)) == (4, False, None)
    assert periods.quarter_of(t) == "2026Q4" and periods.previous_quarter_end(t) == D(2026, 9, 30)


def test_ladder_in_the_marts_uses_last_quarter(store_url):
    """Schedules over 2026: 273 / 365 = 0.748 at the last quarter's end (2026-09-30), 306 / 365 = 0.838 at T = 11-02."""
    h = Handmade(store_url)
    h.institution("R3")
    h.agreement("R3", agreed=100, start=D(2026, 1, 1), end=D(2026, 12, 31))
    h.order("R3", 10, day=D(2026, 8, 3))  # completion 0.1: serious at both dates, red in Q3 and in Q4
    h.institution("R4")
    h.agreement("R4", agreed=100, start=D(2026, 1, 1), end=D(2026, 12, 31))
    h.order("R4", 40, day=D(2026, 8, 3))  # 0.4: a warning at 09-30 (above 0.374), serious at T (below 0.419)
    h.save()
    with h.store.begin() as conn:
        conn.execute(S.actions.insert().values(case_kind="ladder", subject_code="R3", quarter="2026Q3",
                                               status="已通报", note="", action_date=D(2026, 9, 1), recorded_by="t",
                                               recorded_at=dt.datetime(2026, 9, 1)))
    held = marts.compute(h.store, D(2026, 11, 2))["mart_ladder"].set_index(["as_of", "institution_code"])
    # T, the last month's end (10-31: schedule 304 / 365 = 0.833; 0.4 is serious) and the last quarter's end
    assert held["is_red"].to_dict() == {(D(2026, 11, 2), "R3"): True, (D(2026, 11, 2), "R4"): True,
                                        (D(2026, 10, 31), "R3"): True, (D(2026, 10, 31), "R4"): True,
                                        (D(2026, 9, 30), "R3"): True, (D(2026, 9, 30), "R4"): False}
    view = View.of(h.store, marts.ensure_view(h.store, D(2026, 11, 2)))
    now = read_cases.ladder_cases(view).set_index("subject_code")["step"].to_dict()
    # R3: notified on 09-01 (due 09-30), still red at T -> 3; R4: held a ladder flag at 09-30 -> 2.
    assert now == {"R3": 3, "R4": 2}


def test_the_notification_score_sends_a_busy_institution_to_step_2(store_url):
    """S10: ten offline orders of P1, ten warnings of one flag: not red (one distinct flag), score 10 = the
    notification score: step 2 (通报提醒). S9: nine: score 9, step 1 (预警提示)."""
    h = Handmade(store_url)
    for code, n in (("S10", 10), ("S9", 9)):
        h.institution(code)
        for _ in range(n):
            h.order(code, 10, channel="线下")
    h.save()
    view = View.of(h.store, marts.ensure_view(h.store, T))
    ladder = read_cases.ladder_cases(view).set_index("subject_code")
    assert ladder.loc[["S10", "S9"], ["score", "is_red", "step"]].values.tolist() == [[10, False, 2], [9, False, 1]]


def test_an_agreement_of_nothing_is_no_agreement_for_the_institutions_flags(store_url):
    """H1 holds an agreement of 0 for P1, ordered 100, nothing delivered; H2 (same level) agreed 100, ordered and
    received 60. H1's delivery is no indicator-2 figure (no delivery_rate_low); its purchase of 100 is unreported
    (at the median agreed volume of its level, 100)."""
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", agreed=0)
    h.order("H1", 100, delivered=0)
    h.institution("H2")
    h.agreement("H2", agreed=100)
    h.order("H2", 60)
    flags = h.flags()
    assert flags[flags["flag_id"] == "delivery_rate_low"].empty
    unreported = flags[flags["flag_id"] == "unreported_purchase"]
    assert set(zip(unreported["subject_code"], unreported["detail_code"])) == {("H1", "P1")}


def test_progress_at_the_periods_last_day_is_judged_against_all_of_it(store_url):
    """T = 04-10, the period's last day: the schedule is 100 / 100 = 1. H1 bought 99 of 100 (0.99): a warning;
    H2 bought 100: on schedule."""
    h = Handmade(store_url)
    for code, bought in (("H1", 99), ("H2", 100)):
        h.institution(code)
        h.agreement(code, agreed=100)
        h.order(code, bought, day=D(2026, 4, 1))
    progress = h.flags(as_of=D(2026, 4, 10), flag_id="progress_behind_schedule")
    assert found(progress) == {("H1", "P1"): "warning"}
    assert progress["threshold"].tolist() == [1.0]


def test_a_store_upgraded_past_version_23_computes_its_area_flags_again(store_url):
    """Figures stored before version 23 knew no level_gap and counted a private first-level hospital with the
    others: the upgrade drops the stored views and the next look computes them again. 370102: a township health
    centre (一级) delivered 800 of 1000, a hospital (二级) 975: 17.5 points between the levels."""
    from core.store import db, migrations
    from core.store.opening import open_store
    h = Handmade(store_url)
    for code, kind, delivered in (("T1", "township", 800), ("H1", "hospital", 975)):
        h.institution(code, "370102", kind)
        h.agreement(code, agreed=1000)
        h.order(code, 1000, delivered=delivered)
    store = h.save()
    marts.refresh(store, T)
    with store.begin() as conn:  # the figures as version 22 stored them: no level_gap
        conn.execute(S.mart_flags.delete().where(S.mart_flags.c.flag_id == "level_gap"))
        conn.execute(S.schema_version.delete().where(S.schema_version.c.version == 23))
    db.dispose(store_url)
    store = open_store(store_url)
    with store.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.HEAD
    assert store.read("SELECT COUNT(*) AS n FROM mart_views")["n"].iloc[0] == 0
    marts.ensure_view(store, T)
    got = store.read("SELECT subject_code, value FROM mart_flags WHERE flag_id = 'level_gap' ORDER BY subject_code")
    assert got["subject_code"].tolist() == ["370100", "370102"] and got["value"].tolist() == pytest.approx([0.175] * 2)
