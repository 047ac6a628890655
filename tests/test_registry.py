"""The registry of indicators is the data every computation reads: a made-up indicator added to it alone shows in
the roll-up at every level, on the map and in the README's table; the institution's monthly delivery rate is
indicator 2's; flag names carry the thresholds in force; the README's tables are the registry's."""
import dataclasses

import pandas as pd
import pytest

from core.paths import ROOT
from core.policy import indicators as I
from core.policy import settings as settings_mod
from core.present.flagtext import describe
from core.present.i18n import t
from core.read import map_area, scorecard
from core.refresh import marts
from core.store import schema as S
from core.store import views
from core.store.view import View

from .handmade import D, T, Handmade

REPORTED_SHARE = I.Indicator(
    8, "reported_share", "报量占约定量", "Reported over agreed", "agreements", ("reported_qty",), ("agreed_qty",),
    "报量", "约定采购量", "reported volume", "agreed volume", "二（一）", "report_drop_ratio", "min",
    where=(("agreed_qty", ">", 0),), kind="ratio")


def _values(store, indicator_id: str) -> dict[tuple[str, str], tuple[float, float, float]]:
    view = views.default_view(store)
    rows = store.read("SELECT level, subject_code, numerator, denominator, value FROM mart_indicators "
                      "WHERE view_id = :v AND indicator_id = :i", {"v": view.view_id, "i": indicator_id})
    return {(r.level, r.subject_code): (r.numerator, r.denominator, r.value) for r in rows.itertuples()}


def test_a_made_up_indicator_is_rolled_up_mapped_and_documented(store_url, monkeypatch):
    monkeypatch.setattr(I, "INDICATORS", I.INDICATORS + (REPORTED_SHARE,))
    h = Handmade(store_url)
    for code, county in (("H1", "370102"), ("H2", "370102"), ("H3", "370202")):
        h.institution(code, county)
    h.agreement("H1", "P1", agreed=100, reported=80)
    h.agreement("H1", "P4", agreed=50, reported=60)
    h.agreement("H2", "P1", agreed=200, reported=100)
    h.agreement("H3", "P1", agreed=0, reported=30)  # no agreed volume: not counted
    h.agreement("H3", "P4", agreed=40, reported=10)
    h.order("H1", 10, "P1", day=D(2026, 2, 2))
    store = h.save()
    marts.refresh(store, T)
    got = _values(store, "reported_share")
    # by hand: H1 (80 + 60) / (100 + 50); H2 100 / 200; H3 10 / 40 (its 0-agreement row left out);
    # 历下区 and 济南市 240 / 350; 青岛市 10 / 40; the province 250 / 390
    expected = {("institution", "H1"): (140, 150), ("institution", "H2"): (100, 200), ("institution", "H3"): (10, 40),
                ("county", "370102"): (240, 350), ("city", "370100"): (240, 350), ("county", "370202"): (10, 40),
                ("city", "370200"): (10, 40), ("province", "370000"): (250, 390)}
    assert {k: got[k][:2] for k in expected} == expected
    assert got[("province", "370000")][2] == pytest.approx(250 / 390)
    # the map: a layer of its own, read as a percent, with the cities' values
    assert "reported_share" in map_area.layers() and map_area.kind_of("reported_share") == "percent"
    view = View.of(store, views.default_view(store))
    kids = map_area.child_values(view, "reported_share").set_index("code")["value"]
    assert kids["370100"] == pytest.approx(240 / 350) and kids["370200"] == pytest.approx(0.25)
    figures = map_area.area_figures(view.with_area("370100"), "370000").set_index("indicator_id")
    assert figures.loc["reported_share", "value"] == pytest.approx(240 / 350)
    assert figures.loc["reported_share", "parent_value"] == pytest.approx(250 / 390)
    # its name in the interface, and a row of the README's table
    assert t("indicator.reported_share", "en") == "Reported over agreed"
    assert "| 8 | `reported_share` | 报量占约定量 |" in I.readme_tables()


def test_the_institution_monthly_delivery_rate_is_indicator_2(store_url):
    """T = 2026-03-01, two grace days: the window holds orders placed up to 2026-02-27, delivered by T."""
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", "P1", agreed=100)
    h.order("H1", 10, "P1", day=D(2026, 1, 10), delivered=10)
    h.order("H1", 10, "P1", day=D(2026, 1, 20), delivered=10, delivery=D(2026, 3, 5))  # delivered after T: not yet
    h.order("H1", 20, "P1", day=D(2026, 2, 27), delivered=5)  # the window's last day
    h.order("H1", 30, "P1", day=D(2026, 2, 28), delivered=30)  # in the grace days: left out
    h.order("H1", 40, "P4", day=D(2026, 2, 2), delivered=0)  # no agreement for P4: left out
    store = h.save()
    marts.refresh(store, T)
    card = scorecard.institution_card(View.of(store, views.default_view(store)), "H1")
    monthly = card["monthly"].set_index("month")
    # by hand: January 10 / 20 (the second order not delivered at T); February 5 / 20
    assert monthly.loc["2026-01", "delivery"] == pytest.approx(0.5)
    assert monthly.loc["2026-02", "delivery"] == pytest.approx(0.25)
    num, den, value = _values(store, "delivery")[("institution", "H1")]
    assert (num, den) == (15, 40) and value == pytest.approx(0.375)
    assert monthly["agreed_delivered_qty"].sum() == num and monthly["agreed_order_qty"].sum() == den


def test_the_monthly_selected_share_weighs_the_groups_indicator_5_weighs(store_url):
    """H1 bought 80 of P1 (selected 阿司匹林 片剂) in January and, in February, 20 of P2 (non-selected of its
    group) and 50 of P7 (non-selected 头孢克洛 胶囊, a group without a selected product: not weighed). Indicator 5:
    80 / (80 + 20) = 0.8; the months: January 80 / 80, February 0 / 20; summed 80 / 100."""
    h = Handmade(store_url)
    h.rows["products"].append({"product_code": "P7", "generic_name": "头孢克洛", "dosage_form": "胶囊", "category": "药品",
                               "manufacturer_code": "M4", "status": "非中选"})
    h.institution("H1")
    h.order("H1", 80, "P1", day=D(2026, 1, 10))
    h.order("H1", 20, "P2", day=D(2026, 2, 2))
    h.order("H1", 50, "P7", day=D(2026, 2, 3))
    store = h.save()
    marts.refresh(store, T)
    monthly = scorecard.institution_card(View.of(store, views.default_view(store)), "H1")["monthly"].set_index("month")
    assert monthly[["selected_qty", "nonselected_qty"]].values.tolist() == [[80, 0], [0, 20]]
    num, den, value = _values(store, "nonselected")[("institution", "H1")]
    assert (num, den, value) == (80, 100, 0.8) == (monthly["selected_qty"].sum(),
                                                  monthly[["selected_qty", "nonselected_qty"]].sum().sum(), 0.8)


def test_every_institution_of_the_demo_sums_its_months_to_its_indicators(demo_store):
    view = views.default_view(demo_store)
    months = demo_store.read("SELECT institution_code, SUM(agreed_delivered_qty) AS num, SUM(agreed_order_qty) AS den, "
                             "SUM(count_timely) AS t, SUM(count_complaints) AS c FROM mart_institution_monthly "
                             "WHERE view_id = :v GROUP BY institution_code", {"v": view.view_id}).set_index("institution_code")
    for indicator, num, den in (("delivery", "num", "den"), ("complaint", "t", "c")):
        rows = demo_store.read("SELECT subject_code, numerator, denominator FROM mart_indicators WHERE view_id = :v "
                               "AND level = 'institution' AND indicator_id = :i", {"v": view.view_id, "i": indicator})
        rows = rows.set_index("subject_code")
        assert len(rows) > 100
        joined = rows.join(months, how="left").fillna(0)
        assert (joined["numerator"] - joined[num]).abs().max() < 1e-6, indicator
        assert (joined["denominator"] - joined[den]).abs().max() < 1e-6, indicator
    # and the areas' series are the institutions' sums
    area = demo_store.read("SELECT SUM(agreed_order_qty) AS den FROM mart_monthly WHERE view_id = :v AND region_level = "
                           "'province'", {"v": view.view_id})["den"].iloc[0]
    assert area == pytest.approx(months["den"].sum())


def test_flag_names_carry_the_thresholds_in_force(store_url):
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", agreed=1000)
    h.order("H1", 1000, delivered=820)
    store = h.save()
    assert I.flag_name("delivery_rate_low") == "配送率低于80%"
    assert I.flag_name("report_volume_drop", "en") == "Reported volume more than 20% below last year's purchases"
    assert I.flag_name("purchase_over_4x") == "采购量超出约定采购量4倍"
    with store.begin() as conn:
        conn.execute(S.settings_table.insert(), [{"name": "delivery_rate_warning", "value": "0.85"},
                                                 {"name": "over_purchase_multiple", "value": "5"}])
        store.bump_data_version(conn)
    values = store.settings()
    flags = h.flags(flag_id="delivery_rate_low")
    shown = describe(flags, "zh", values)
    assert list(shown["flag_name"]) == ["配送率低于85%"]
    assert describe(flags, "en", values)["flag_name"].iloc[0] == "Delivery rate below 85%"
    assert I.flag_name("purchase_over_4x", "en", values) == "Purchases above 5x the agreed volume"
    marts.refresh(store, T)
    card = scorecard.institution_card(View.of(store, views.default_view(store)), "H1")
    mine = card["supply_flags"]  # its supplier's shortfall, shown apart from its own flags
    assert list(mine.loc[mine["flag_id"] == "delivery_rate_low", "flag_name"]) == ["配送率低于85%"]
    assert "delivery_rate_low" not in set(card["flags"]["flag_id"])


def test_an_indicators_words_name_the_settings_in_force():
    """The delivery rate leaves out the orders of the last `delivery_grace_days`; the timely rate counts complaints
    at least `timely_min_age_workdays` old: an administrator who changes them reads the new numbers."""
    changed = {**settings_mod.defaults(), "delivery_grace_days": 3, "timely_min_age_workdays": 10}
    assert I.indicator("delivery").definition("zh") == "配送数量 ÷ 采购数量（有约定量的中选产品，截止日前2天以前的订单）"
    assert I.indicator("delivery").definition("zh", changed).endswith("截止日前3天以前的订单）")
    assert "orders placed 3 days or more before the as-of date" in I.indicator("delivery").definition("en", changed)
    assert I.indicator("complaint").words("zh", changed)[1] == "有约定量的医疗机构在截止日前至少10个工作日提出的诉求数"
    assert "at least 10 working days" in I.indicator("complaint").definition("en", changed)
    assert not any("{" in i.definition(lang) for i in I.INDICATORS for lang in ("zh", "en"))


def test_the_readme_tables_are_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    indicators, flags = I.readme_tables().split("\n\n")
    assert indicators in readme and flags in readme and settings_mod.readme_table() in readme


def test_every_indicator_is_declared_whole():
    names = [f.name for f in dataclasses.fields(I.Indicator)]
    assert names[:6] == ["number", "id", "zh", "en", "source", "numerator"]
    for i in I.INDICATORS:
        assert i.kind in I.KINDS and i.direction in ("min", "max") and i.numerator and i.denominator
        assert i.threshold in ("", "schedule") or i.threshold in settings_mod.BY_NAME, i.id
        assert not i.monthly or len(i.monthly) == 2
    for f in I.FLAGS:
        assert ("{x}" in f.zh) == bool(f.named_by) == ("{x}" in f.en), f.id
        assert not f.named_by or f.named_by in settings_mod.BY_NAME


def test_rate_has_no_value_on_an_empty_denominator():
    assert I.rate(3, 4) == 0.75 and I.rate(3, 0) is None and I.rate(0, None) is None
    got = I.rate(pd.Series([1.0, 2.0, 0.0]), pd.Series([2.0, 0.0, -1.0]))
    assert got.iloc[0] == 0.5 and got.iloc[1:].isna().all()


def test_the_rules_said_on_the_supply_page_are_the_settings_in_force():
    from core.present import flagtext
    values = {**{x.name: x.default for x in settings_mod.SETTINGS}, "tier_a_min": 0.85, "tier_b_min": 0.65,
              "cooperation_tier_d": 4, "tier_complaint_min": 5, "primary_gap_points": 0.15,
              "delivery_rate_warning": 0.9}
    zh = flagtext.tier_rule(values, "zh")
    assert "A ≥ 85%，B 65%–85%，C 30%–65%，D < 30%" in zh and "3次及以上D" not in zh and "4次及以上D" in zh
    assert "计入诉求达到5件" in zh and "4 or more: D" in flagtext.tier_rule(values, "en")
    assert flagtext.primary_rule(values, "zh").startswith("二、三级医疗机构配送率比基层高15个百分点以上，或基层低于90%")


def test_what_each_indicator_asks_reads_the_same_everywhere():
    """The notification's 标准 and an institution's 要求 (自查自纠) come from one function: the setting in force, the
    schedule of the view for the two indicators judged against it, the direction as 不低于 / 不高于."""
    from core.present import flagtext
    values = {**{x.name: x.default for x in settings_mod.SETTINGS}, "delivery_rate_warning": 0.85}
    asked = {i.id: flagtext.requirement(i, values, 0.888, "zh") for i in I.INDICATORS}
    assert asked == {"report": (0.8, "不低于80.0%"), "delivery": (0.85, "不低于85.0%"), "complaint": (0.8, "不低于80.0%"),
                     "progress": (0.888, "不低于序时进度 88.8%"), "nonselected": (0.7, "不低于70.0%"),
                     "substitute": (0.888, "不高于序时进度 88.8%"), "other": (None, "每笔问题订单预警")}
    substitute = next(i for i in I.INDICATORS if i.id == "substitute")
    assert flagtext.requirement(substitute, values, 0.5, "en")[1] == "at most the schedule, 50.0%"


# Labels that state a rule's number and the settings they take it from (core.present.i18n.ruled)
RULED = {"help.timely_rate": ("complaint_reply_workdays", "complaint_resolve_workdays", "timely_min_age_workdays"),
         "help.reply_late": ("complaint_reply_workdays",), "help.unresolved": ("complaint_resolve_workdays",),
         "tile.help.delivery": ("delivery_grace_days",), "tile.help.complaint": ("timely_min_age_workdays",),
         "case.help.explanation": ("report_drop_ratio", "over_purchase_multiple"),
         "case.help.tier": ("cooperation_tier_b", "cooperation_tier_c", "cooperation_tier_d"),
         "dk.supply_note": ("delivery_grace_days", "delivery_rate_warning"),
         "dk.desk_note.enterprise": ("complaint_reply_workdays", "complaint_resolve_workdays"),
         "dk.raised": ("complaint_reply_workdays",), "dk.promised_help": ("complaint_resolve_workdays",)}


def test_labels_state_a_rules_numbers_as_the_settings_in_force():
    """A help or a note that says "2个工作日", "4倍" or "期内1次B级" keeps saying it after an administrator changed the
    setting: every such label takes its numbers from the settings, and no label writes one as digits (but the 30 days
    a record can be withdrawn in, which no setting holds)."""
    import re

    from core.present.i18n import CATALOGUE, ruled
    digits = re.compile(r"\d+\s*个工作日|\d+(\.\d+)?\s*倍|\d+ working days|\d+x\b|\d+\s*天|\d+\s*次|超过\d+%")
    written = {k for k, pair in CATALOGUE.items() if any(digits.search(text) for text in pair)}
    assert written == {"case.withdraw", "case.withdraw_none"}, written
    changed = {**settings_mod.defaults(), "complaint_reply_workdays": 3, "complaint_resolve_workdays": 6,
               "timely_min_age_workdays": 8, "delivery_grace_days": 4, "report_drop_ratio": 0.75,
               "over_purchase_multiple": 4.5, "cooperation_tier_b": 2, "cooperation_tier_c": 4, "cooperation_tier_d": 6,
               "delivery_rate_warning": 0.825}
    said = {"complaint_reply_workdays": ("3个工作日", "3 working days"), "complaint_resolve_workdays": ("6个工作日", "6 working days"),
            "timely_min_age_workdays": ("8个工作日", "8 working days"), "delivery_grace_days": ("4天", "4 days"),
            "report_drop_ratio": ("75%", "75%"), "over_purchase_multiple": ("4.5倍", "4.5x"),
            "cooperation_tier_b": ("2次B级", "2 in the period: B"), "cooperation_tier_c": ("4次C级", "4: C"),
            "cooperation_tier_d": ("6次及以上D级", "6 or more: D"), "delivery_rate_warning": ("82.5%", "82.5%")}
    for key, names in RULED.items():
        for i, lang in enumerate(("zh", "en")):
            text = ruled(key, lang, changed, n=1, latest="2026-12-31")
            assert "{" not in text and "}" not in text, (key, lang, text)
            for name in names:
                assert said[name][i] in text, (key, lang, name, text)
            default = ruled(key, lang, settings_mod.defaults(), n=1, latest="2026-12-31")
            assert default != text  # the numbers come from the settings given, not from the text
