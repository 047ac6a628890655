"""Hand-worked cases for 报量, 配送率, 采购进度 and its companions, with their edges.

Period 2026-01-01..04-10 (100 days), T = 2026-03-01: schedule = 60 / 100 = 0.6; orders
after 2026-02-27 (T - 2 days) are left out of delivery rates.
"""

import math

import pytest

from .handmade import D, T, Handmade, found


def test_report_volume_drop_edges(store_url):
    h = Handmade(store_url)
    for code, reported, prior in (("H1", 80, 100), ("H2", 79.9, 100), ("H3", 50, 100), ("H4", 49, 100), ("H5", 0, 0)):
        h.institution(code)
        h.agreement(code, reported=reported, prior=prior, agreed=reported)
    got = found(h.flags(flag_id="report_volume_drop"))
    # 80/100 = 0.80 is a drop of exactly 20%: no flag. 79.9% and 50% are warnings; 49% is below half: serious.
    # H5 has no prior-year purchases: an empty denominator, no value and no flag.
    assert got == {("H2", "P1"): "warning", ("H3", "P1"): "warning", ("H4", "P1"): "serious"}


def test_delivery_rate_edges_and_grace_days(store_url):
    h = Handmade(store_url)
    for code, delivered in (("H1", 800), ("H2", 799), ("H3", 600), ("H4", 599), ("H5", 300), ("H6", 299)):
        h.institution(code)
        h.agreement(code, agreed=1000)
        h.order(code, 1000, delivered=delivered, day=D(2026, 2, 2))
        # Placed on T - 1 day and not yet delivered: outside the window, so it does not lower the rate.
        h.order(code, 500, delivered=0, day=D(2026, 2, 28))
    h.institution("H7")
    h.agreement("H7", agreed=1000)  # an agreement without orders: no rate, no flag
    h.institution("H8")
    h.order("H8", 1000, delivered=0)  # no agreement: not part of the delivery rate
    got = found(h.flags(flag_id="delivery_rate_low"))
    assert got == {("H2", "P1"): "warning", ("H3", "P1"): "warning", ("H4", "P1"): "serious",
                   ("H5", "P1"): "serious", ("H6", "P1"): "severe"}
    values = h.flags(flag_id="delivery_rate_low").set_index("subject_code")["value"]
    assert values["H2"] == 0.799 and values["H6"] == 0.299


def test_progress_over_purchase_and_unreported(store_url):
    h = Handmade(store_url)
    for code, bought in (("H1", 60), ("H2", 59), ("H3", 30), ("H4", 29), ("H5", 400), ("H6", 401)):
        h.institution(code)
        h.agreement(code, agreed=100)
        for _ in range(int(bought // 50)):
            h.order(code, 50)
        if bought % 50:
            h.order(code, bought % 50)
    # Same-level (二级) agreed volumes for P1: 100 each, so the median is 100.
    h.institution("H7")
    h.order("H7", 50)
    h.order("H7", 50)  # 100 without an agreement: at the median, flagged
    h.institution("H8")
    h.order("H8", 50)
    h.order("H8", 49)  # 99: below the median
    h.institution("H9", kind="township")
    h.order("H9", 50, day=D(2026, 2, 3))  # no 一级 institution holds an agreement for P1: no median, no flag
    progress = found(h.flags(flag_id="progress_behind_schedule"))
    # completion = bought / 100 against schedule 0.6: 0.60 is on schedule; 0.59 and 0.30 are behind (warning);
    # 0.29 is below half the schedule (0.30): serious.
    assert progress == {("H2", "P1"): "warning", ("H3", "P1"): "warning", ("H4", "P1"): "serious"}
    over = h.flags(flag_id="purchase_over_4x")
    assert found(over) == {("H6", "P1"): "warning"}  # 400 is exactly 4x: not over
    assert over["value"].tolist() == [4.01]
    unreported = h.flags(flag_id="unreported_purchase")
    assert found(unreported) == {("H7", "P1"): "warning"}
    assert unreported["threshold"].tolist() == [100.0]


def test_groups_and_pairs_without_a_hit_give_no_flag_rows(store_url):
    """Rows are there to test, none is flagged: no flag row at all (not a row without an institution)."""
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", agreed=100)
    h.order("H1", 70, "P1", delivered=70)  # selected share exactly 0.70, delivered in full
    h.order("H1", 30, "P2", delivered=30)
    flags = h.flags()
    assert flags["subject_code"].notna().all()
    assert not set(flags["flag_id"]) & {"nonselected_share_high", "delivery_rate_low", "purchase_over_4x",
                                        "substitute_increase", "unreported_purchase", "report_volume_drop"}


def test_nonselected_share_and_substitutes(store_url):
    h = Handmade(store_url)
    for code, sel, non in (("H1", 70, 30), ("H2", 69, 31), ("H3", 40, 60), ("H4", 50, 50)):
        h.institution(code)
        h.order(code, sel, "P1")
        h.order(code, non, "P2")
    h.agreement("H1", agreed=1000)  # sets the period in force (2026-01-01..04-10), so the schedule is 0.6
    for code, prior, bought in (("S1", 100, 60), ("S2", 100, 61), ("S3", 100, 101), ("S4", 100, 100), ("S5", 0, 10)):
        h.institution(code)
        h.baseline(code, "P3", prior)
        h.order(code, bought, "P3")
    share = found(h.flags(flag_id="nonselected_share_high"))
    # share = selected / (selected + non-selected): 0.70 is not below 0.70; 0.69 and 0.50 warn;
    # 60 non-selected above 40 selected is serious.
    assert share == {("H2", "阿司匹林|片剂"): "warning", ("H3", "阿司匹林|片剂"): "serious", ("H4", "阿司匹林|片剂"): "warning"}
    subs = found(h.flags(flag_id="substitute_increase"))
    # against last year x schedule (100 x 0.6 = 60): 60 is on pace; 61 and 100 are ahead (warning);
    # 101 already exceeds last year: serious. S5 had no purchases last year: no value, no flag.
    assert subs == {("S2", "P3"): "warning", ("S3", "P3"): "serious", ("S4", "P3"): "warning"}


def test_each_round_runs_on_its_own_schedule(store_url):
    """H1 holds P1's agreement for 2026 (100) and P4's of a later round, 2026-05-01 to 2027-04-30 (100). It bought
    40 of P1 on 02-02, and 40 of P4 on 03-10, before P4's round. At T = 06-30: P1's schedule is 181 / 365 = 0.496,
    completion 0.40: a warning; P4's is 61 / 365 = 0.167 and its round's purchases are 0 (March is not its
    round's): serious (below half its schedule). One schedule for both (the earliest start to the latest end,
    181 / 485 = 0.373) would flag neither."""
    from core.refresh import marts
    h = Handmade(store_url)
    h.two_rounds("H1")
    h.order("H1", 40, "P1", day=D(2026, 2, 2))
    h.order("H1", 40, "P4", day=D(2026, 3, 10))
    progress = h.flags(as_of=D(2026, 6, 30), flag_id="progress_behind_schedule").set_index("detail_code")
    assert progress["severity"].to_dict() == {"P1": "warning", "P4": "serious"}
    assert progress.loc["P1", "threshold"] == pytest.approx(181 / 365) and progress.loc["P1", "value"] == 0.4
    assert progress.loc["P4", "threshold"] == pytest.approx(61 / 365) and progress.loc["P4", "value"] == 0
    parts = marts.compute(h.store, D(2026, 6, 30))["mart_indicators"]
    mine = parts[(parts["level"] == "institution") & (parts["indicator_id"] == "progress")].iloc[0]
    assert (mine["numerator"], mine["denominator"]) == (40, 200)  # P4's March purchase is not its round's


def test_a_later_round_delivers_and_orders_from_its_own_start(store_url):
    """H1 holds P1 (maker M1) for 2026 and P4 (maker M2) of a later round, 2026-05-01 to 2027-04-30, 100 each; D1
    delivers all. P1: 20 ordered on 02-02, all delivered. P4: 40 on 03-10 (before its round) of which 10 delivered,
    50 on 06-01 all delivered, 20 on 06-29 (in the grace days at T = 06-30). P4's delivery window is [05-01, 06-28]:
    50 / 50, no flag (from the earliest start it would be 60 / 90 = 66.7%, a warning). The institution's delivery
    rate is (20 + 50) / (20 + 50); M2's is 50 / 50 (tier A, not B at 66.7%); D1's (20 + 50) / (20 + 50) (A, not B at
    80 / 110 = 72.7%). P4's abnormal-order limit is 3 x 100 / 12 = 25: the 06-01 order of 50 is above it, the 03-10
    order of 40 was placed before the agreement it would be held to. P4's orders: 3 in the period (indicator 7 weighs
    every order's behaviour, whichever round it fell in); the monthly series: 70 / 70 agreed, 90 selected (20 + 50 +
    20), 4 orders, March's one order and nothing bought of its round."""
    from core.refresh import marts
    h = Handmade(store_url)
    h.two_rounds("H1")
    h.order("H1", 20, "P1", day=D(2026, 2, 2))
    h.order("H1", 40, "P4", day=D(2026, 3, 10), delivered=10)
    big = h.order("H1", 50, "P4", day=D(2026, 6, 1))
    h.order("H1", 20, "P4", day=D(2026, 6, 29), delivered=0, delivery=D(2026, 6, 30))
    t = D(2026, 6, 30)
    assert h.flags(as_of=t, flag_id="delivery_rate_low").empty
    assert set(h.flags(as_of=t, flag_id="abnormal_order")["detail_code"]) == {big}
    parts = marts.compute(h.store, t)
    ind = parts["mart_indicators"]
    mine = ind[(ind["level"] == "institution") & (ind["indicator_id"] == "delivery")].iloc[0]
    assert (mine["numerator"], mine["denominator"]) == (70, 70)
    tiers = parts["mart_enterprises"].set_index("enterprise_code")
    parts_of = ["delivered_qty", "ordered_qty", "delivery_tier"]
    assert tiers.loc["M2", parts_of].tolist() == [50, 50, "A"] and tiers.loc["D1", parts_of].tolist() == [70, 70, "A"]
    p4 = parts["mart_inst_product"].set_index("product_code").loc["P4"]
    assert (p4["purchased_qty"], p4["rate_order_qty"], p4["rate_delivered_qty"], p4["count_orders"]) == (70, 50, 50, 3)
    # The monthly series add up to the same: March's order is no month of P4's round.
    months = parts["mart_institution_monthly"].set_index("month")
    assert months[["agreed_order_qty", "agreed_delivered_qty", "selected_qty", "count_orders"]].sum().to_dict() == {
        "agreed_order_qty": 70, "agreed_delivered_qty": 70, "selected_qty": 90, "count_orders": 4}
    assert months.loc["2026-03", ["agreed_order_qty", "selected_qty", "count_orders"]].tolist() == [0, 0, 1]


def test_a_county_overview_ranks_its_institutions(store_url):
    """A county has no area below it: its overview ranks its institutions. In 370102 at T = 03-01: H1 ordered 10 of
    P1 on 02-02 and got 5 (50%), H2 (township) ordered 10 and got 10 (100%), H3 holds nothing and bought nothing
    (no rate: last). H1 and H2 bought 10 of 100 agreed (10%), below half the schedule 0.6: a serious ladder flag,
    red-flagged; H3 is not."""
    from core.read import overview
    from core.refresh import marts
    from core.store.view import View
    h = Handmade(store_url)
    for code, kind in (("H1", "hospital"), ("H2", "township"), ("H3", "hospital")):
        h.institution(code, kind=kind)
    h.agreement("H1", "P1")
    h.agreement("H2", "P1")
    h.order("H1", 10, delivered=5)
    h.order("H2", 10)
    h.save()
    ranked = overview.institutions_ranked(View.of(h.store, marts.ensure_view(h.store, T), "370102"))
    assert ranked["institution_code"].tolist() == ["H1", "H2", "H3"]
    assert ranked["delivery"].tolist()[:2] == [0.5, 1.0] and math.isnan(ranked["delivery"].iloc[2])
    assert ranked["completion"].tolist()[:2] == [0.1, 0.1] and ranked["is_red"].tolist() == [True, True, False]


def test_a_substitutable_drug_runs_on_the_round_of_the_generic_it_substitutes(store_url):
    """H1 and H2 hold 氨氯地平 (P4) over 2026 and 阿司匹林 (P1) of a later round, 2026-05-01 to 2027-04-30; each bought
    100 of 吲哚布芬 (P3, substitutes 阿司匹林) in 2025. At T = 06-30 P3 runs on 阿司匹林's round: schedule 61 / 365 =
    16.7%, purchases from 05-01. H1 bought 30 on 03-10 and 10 on 06-01: 10 of its round, 10% (no flag; from the
    earliest start it was 40%, above the pooled schedule 181 / 485 = 37.3%). H2 bought 20 on 06-01: 20%, above 16.7%:
    a warning (against the pooled 37.3% it was none)."""
    from core.refresh import marts
    h = Handmade(store_url)
    for inst in ("H1", "H2"):
        h.institution(inst)
        h.agreement(inst, "P4", agreed=100, start=D(2026, 1, 1), end=D(2026, 12, 31))
        h.agreement(inst, "P1", agreed=100, start=D(2026, 5, 1), end=D(2027, 4, 30))
        h.baseline(inst, "P3", 100)
        h.order(inst, 50, "P4", day=D(2026, 2, 2))
        h.order(inst, 20, "P1", day=D(2026, 6, 1))
    h.order("H1", 30, "P3", day=D(2026, 3, 10))
    h.order("H1", 10, "P3", day=D(2026, 6, 1))
    h.order("H2", 20, "P3", day=D(2026, 6, 1))
    t = D(2026, 6, 30)
    flags = h.flags(as_of=t, flag_id="substitute_increase").set_index("subject_code")
    assert list(flags.index) == ["H2"] and flags.loc["H2", "detail_code"] == "P3"
    assert flags.loc["H2", "value"] == pytest.approx(0.2) and flags.loc["H2", "threshold"] == pytest.approx(61 / 365)
    ind = marts.compute(h.store, t)["mart_indicators"]
    mine = ind[(ind["level"] == "institution") & (ind["indicator_id"] == "substitute")].set_index("subject_code")
    assert (mine.loc["H1", "numerator"], mine.loc["H1", "denominator"]) == (10, 100)


def test_a_round_never_takes_off_more_than_was_bought(store_url):
    """H5 holds P1 and (an agreement of its own) the substitutable P3, both from 2026-05-01 after H6's P4 over 2026
    set the view's period from 01-01; H5 bought 10 of P3 on 02-10 and 4 on 05-10, and three offline orders of P1 in
    March. At 06-30: P3's purchases of its round are 4 (its own agreement's start, taken once though its generic's
    round starts the same day); every order of the period still counts for indicator 7: 5 orders, 3 offline, 60%."""
    from core.refresh import marts
    h = Handmade(store_url)
    h.institution("H6")
    h.agreement("H6", "P4", agreed=100, start=D(2026, 1, 1), end=D(2026, 12, 31))
    h.institution("H5")
    for product in ("P1", "P3"):
        h.agreement("H5", product, agreed=100, start=D(2026, 5, 1), end=D(2027, 4, 30))
    h.order("H5", 10, "P3", day=D(2026, 2, 10))
    h.order("H5", 4, "P3", day=D(2026, 5, 10))
    for day in (3, 4, 5):
        h.order("H5", 1, "P1", day=D(2026, 3, day), channel="线下")
    h.save()
    parts = marts.compute(h.store, D(2026, 6, 30))
    p3 = parts["mart_inst_product"].set_index(["institution_code", "product_code"]).loc[("H5", "P3")]
    assert (p3["purchased_qty"], p3["count_orders"]) == (4, 2)
    ind = parts["mart_indicators"]
    other = ind[(ind["level"] == "institution") & (ind["indicator_id"] == "other")].set_index("subject_code").loc["H5"]
    assert (other["numerator"], other["denominator"]) == (3, 5)
    assert (ind[["numerator", "denominator"]] >= 0).all().all()


def test_the_product_table_names_the_distributors_that_failed(store_url):
    """P1 (made by M1) goes to H1 through D1, which delivered 50 of 100, and to H2 through M1 itself, 100 of 100;
    P4 (M2) to H1 through D1, 30 of 30. By product: P1 75.0% (150 / 200), its distributor D1 at 50.0% (M1, the
    maker delivering its own, is not a distributor of it); P4 100.0%, D1 100.0%."""
    from core.read import monitoring
    from core.refresh import marts
    from core.store.view import View
    h = Handmade(store_url)
    h.institution("H1")
    h.institution("H2")
    h.agreement("H1", "P1", agreed=400)
    h.agreement("H2", "P1", agreed=400)
    h.agreement("H1", "P4", agreed=400)
    h.rows["agreements"][1]["distributor_code"] = "M1"
    h.order("H1", 100, "P1", delivered=50)
    h.order("H2", 100, "P1", delivered=100)
    h.rows["orders"][-1]["distributor_code"] = "M1"
    h.order("H1", 30, "P4", delivered=30)
    store = h.save()
    table = monitoring.delivery_by_product(View.of(store, marts.ensure_view(store, T))).set_index("product_code")
    assert table.loc["P1", "delivery_rate"] == pytest.approx(0.75) and table.loc["P1", "distributors"] == "企业D1 50.0%"
    assert table.loc["P4", "distributors"] == "企业D1 100.0%"
    assert table.loc["P1", "manufacturer"] == "企业M1"


def test_two_distributors_of_one_name_are_told_apart(store_url):
    """D1 and D4 are both called 企业D1: D1 delivered P1 to H1 in full (100 of 100), D4 nothing to H2 (0 of 100).
    Grouped by name they would read as one 50.0%; each is named with its code, the failing one first."""
    from core.read import monitoring
    from core.refresh import marts
    from core.store.view import View
    h = Handmade(store_url)
    h.rows["enterprises"].append({"enterprise_code": "D4", "enterprise_name": "企业D1", "role": "配送企业"})
    for inst, dist, delivered in (("H1", "D1", 100), ("H2", "D4", 0)):
        h.institution(inst)
        h.agreement(inst, "P1", agreed=400)
        h.rows["agreements"][-1]["distributor_code"] = dist
        h.order(inst, 100, "P1", delivered=delivered)
        h.rows["orders"][-1]["distributor_code"] = dist
    store = h.save()
    table = monitoring.delivery_by_product(View.of(store, marts.ensure_view(store, T))).set_index("product_code")
    assert table.loc["P1", "distributors"] == "企业D1（D4） 0.0%；企业D1（D1） 100.0%"
