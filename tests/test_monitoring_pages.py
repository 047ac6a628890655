"""AppTest: the monitoring pages and the scorecards show what core computes."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from core.paths import ROOT
from core.read import cases, monitoring, scorecard
from .views import default, mart, sign_in


@pytest.fixture
def page(demo_store, monkeypatch):
    monkeypatch.setenv("VBP_DATABASE_URL", demo_store.url)
    from ui import session
    session._store.clear()

    def run(name: str, **params) -> AppTest:
        at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120)).run()
        for k, v in params.items():
            at.query_params[k] = v
        at.switch_page(f"../pages/{name}.py").run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    yield run
    session._store.clear()


def test_supply_page(page, demo_store):
    at = page("supply")
    from core.present import flagtext
    captions = [c.value for c in at.caption]  # the rules as the settings in force say them
    assert flagtext.tier_rule(demo_store.settings(), "zh") in captions
    assert flagtext.primary_rule(demo_store.settings(), "zh") in captions
    products = at.dataframe[0].value
    expected = monitoring.delivery_by_product(default(demo_store))
    assert products["产品编码"].tolist() == expected["product_code"].tolist()
    assert products["配送率"].iloc[0] == pytest.approx(100 * expected["delivery_rate"].iloc[0])  # read in percent
    tiers = at.dataframe[1].value
    assert set(tiers.loc[tiers["等级"].isin(["C", "D"]), "企业编码"]) == \
        set(mart(demo_store, "SELECT enterprise_code FROM mart_enterprises WHERE view_id = :v AND tier IN ('C', 'D')")["enterprise_code"])
    flagged = set(mart(demo_store, "SELECT subject_code FROM mart_flags WHERE view_id = :v AND flag_id = 'primary_care_gap'")["subject_code"])
    county = sorted(c for c in flagged if not c.endswith("00"))[0]
    at.selectbox(key="f_city").set_value(county[:4] + "00").run()  # the city holding a planted gap
    balance = at.dataframe[2].value
    imbalanced = balance["不平衡"] == "是"  # yes and no read as words
    assert county in set(balance.loc[imbalanced, "代码"])
    assert set(balance.loc[imbalanced, "代码"]) == flagged & set(balance["代码"])


def test_procurement_page_counts_flags_of_the_area(page, demo_store):
    at = page("procurement", area="370000")
    counts = {m.label: int(m.value) for m in at.metric}
    stored = mart(demo_store, "SELECT flag_id, COUNT(*) AS n FROM mart_flags WHERE view_id = :v AND level = 'institution' GROUP BY flag_id")
    from core.policy.indicators import FLAG_BY_ID
    for r in stored.itertuples():
        if FLAG_BY_ID[r.flag_id].zh in counts:
            assert counts[FLAG_BY_ID[r.flag_id].zh] == r.n
    columns = list(at.dataframe[0].value.columns)  # the value against its threshold before whose it is
    assert columns[:4] == ["预警事项", "等级", "实际值", "阈值"], columns
    # each tab names what its flags concern (a header as wide as "涉及产品/品种/订单/诉求" pushed the name out of view)
    assert [next(c for c in frame.value.columns if c.startswith("涉及")) for frame in at.dataframe] == \
        ["涉及产品", "涉及品种/产品", "涉及订单"]


def test_complaints_page(page, demo_store):
    at = page("complaints")
    table = monitoring.complaint_table(default(demo_store))
    metrics = {m.label: m.value for m in at.metric}
    timely = metrics.pop("诉求及时解决率")  # the area's rate as the overview's tile gives it, its numbers beside it
    metrics = {k: int(v) for k, v in metrics.items()}
    assert metrics == {"诉求数": len(table), "未按时回复": int(table["reply_late"].sum()),
                       "未按时解决": int(table["unresolved"].sum())}
    stored = mart(demo_store, "SELECT numerator, denominator FROM mart_indicators WHERE view_id = :v AND "
                              "level = 'province' AND indicator_id = 'complaint'").iloc[0]
    assert timely == f"{100 * stored['numerator'] / stored['denominator']:.1f}%"
    assert metrics["未按时回复"] == len(mart(demo_store, "SELECT 1 FROM mart_flags WHERE view_id = :v AND flag_id = 'complaint_reply_late'"))
    overdue = list(at.dataframe[-1].value.columns)  # how long the reply took beside the reply, not scrolled away last
    assert overdue[overdue.index("回复日期") + 1] == "回复用时（工作日）" != overdue[-1], overdue


def test_institution_scorecard(page, demo_store):
    code = mart(demo_store, "SELECT subject_code FROM mart_flags WHERE view_id = :v AND flag_id = 'red_flag' ORDER BY value DESC LIMIT 1")["subject_code"].iloc[0]
    at = page("institution", code=code)
    card = scorecard.institution_card(default(demo_store), code)
    assert at.title[0].value == "机构档案" and at.subheader[0].value.replace("\\", "") == card["info"]["institution_name"]
    indicators = at.dataframe[0].value
    assert indicators["实际值"].tolist() == pytest.approx((100 * card["indicators"]["value"]).tolist(), nan_ok=True)
    assert '"format": "%.1f%%"' in at.dataframe[0].proto.columns  # the values read in percent, one decimal
    flags = at.dataframe[1].value
    assert len(flags) == len(card["flags"]) > 0
    # each flag's value and threshold read in its unit, e.g. a delivery rate of 0.4567 under 0.8 as 45.7% / 80.0%
    assert flags["实际值"].tolist() == card["flags"]["value_text"].tolist()
    delivery = card["flags"][card["flags"]["flag_id"] == "delivery_rate_low"]
    for value, text in zip(delivery["value"], delivery["value_text"]):
        assert text == f"{value * 100:.1f}%"
    assert set(delivery["threshold_text"]) <= {"80.0%"}
    ladder = card["ladder"]  # a red flag: notified at once, step 2, nothing recorded yet
    assert at.error[0].value.startswith("红旗机构 · ") and f"梯度措施第 {ladder['step']} 步“通报提醒”待落实" in at.error[0].value


def test_institution_flags_read_in_english(page, demo_store):
    code = mart(demo_store, "SELECT subject_code FROM mart_flags WHERE view_id = :v AND flag_id = 'delivery_rate_low' "
                            "ORDER BY subject_code LIMIT 1")["subject_code"].iloc[0]
    at = page("institution", code=code, lang="en")
    flags = next(d.value for d in at.dataframe if "Flag" in d.value.columns)
    delivery = flags[flags["Flag"] == "Delivery rate below 80%"]
    assert len(delivery) > 0 and set(delivery["Threshold"]) == {"80.0%"}
    assert set(delivery["Severity"]) <= {"Warning", "Serious", "Severe"}
    stored = mart(demo_store, "SELECT value FROM mart_flags WHERE view_id = :v AND flag_id = 'delivery_rate_low' "
                              "AND subject_code = :c ORDER BY detail_code", {"c": code})["value"]
    assert sorted(delivery["Value"]) == sorted(f"{v * 100:.1f}%" for v in stored)


def test_enterprise_scorecard_and_unknown_code(page, demo_store):
    code = mart(demo_store, "SELECT enterprise_code FROM mart_enterprises WHERE view_id = :v AND tier = 'D'")["enterprise_code"].iloc[0]
    at = page("enterprise", code=code)
    assert at.metric[0].value == "D" and "不接受参加集采" in at.error[0].value
    at = page("enterprise", code="NOPE")
    assert "没有编码为 NOPE 的记录" in at.warning[0].value
    assert at.selectbox(key="pick_enterprise").value is None


def test_pages_switch_to_english(page):
    at = page("supply", lang="en")
    assert at.title[0].value == "Supply"
    assert "Delivery rate" in at.dataframe[0].value.columns
    at = page("procurement", lang="en")
    assert at.title[0].value == "Procurement" and at.metric[0].label == "Purchases behind schedule"


def test_self_inspection_shows_what_to_correct_before_the_comparisons(demo_store, monkeypatch):
    """An institution's 自查自纠: the columns it acts on (是否达标, 需整改, 整改建议) come before the county's and city's
    figures, which scroll out of view first on a narrow screen; every row names its advice or says there is none."""
    monkeypatch.setenv("VBP_DATABASE_URL", demo_store.url)
    from ui import session
    session._store.clear()
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), "demo_institution").run()
    at.switch_page("../pages/inst_self.py").run()
    assert not at.exception, [e.message for e in at.exception]
    table = at.dataframe[0].value
    columns = list(table.columns)
    assert columns.index("整改建议") == columns.index("需整改") + 1
    assert max(columns.index(c) for c in ("指标", "是否达标", "需整改", "整改建议")) < columns.index("所在区县")
    assert columns[-2:] == ["所在区县", "所在市"]
    to_correct = table[table["需整改"] != "否"]
    assert len(to_correct) and (to_correct["整改建议"] != "—").all()
    # a "是" says how many of its own flags: 达标 beside a bare 是 read as a contradiction
    own = table[table["需整改"].str.startswith("是")]
    assert len(own) and (own["需整改"] == [f"是（{n}项）" for n in own["本机构预警"]]).all(), own[["需整改", "本机构预警"]]
    session._store.clear()


@pytest.mark.parametrize("username, own, other", [("demo_enterprise", "企业名称", "医疗机构"),
                                                   ("demo_institution", "医疗机构", "企业名称")])
def test_the_complaint_desk_leaves_out_the_accounts_own_name(demo_store, monkeypatch, username, own, other):
    """诉求对接: each row names the other side; the account's own name, the same on every row, would only push the
    dates out of view."""
    monkeypatch.setenv("VBP_DATABASE_URL", demo_store.url)
    from ui import session
    session._store.clear()
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), username).run()
    at.switch_page("../pages/desk.py").run()
    assert not at.exception, [e.message for e in at.exception]
    columns = list(at.dataframe[0].value.columns)
    assert other in columns and own not in columns and "回复期限" in columns, columns
    session._store.clear()


def test_the_enterprise_sees_its_delivery_and_the_agreements_progress_first(demo_store, monkeypatch):
    """供应对接: the rate, what is short and the agreement's progress before the rate's basis (the last columns scroll
    out of view at 1400 px)."""
    from core.present.i18n import headers
    monkeypatch.setenv("VBP_DATABASE_URL", demo_store.url)
    from ui import session
    session._store.clear()
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), "demo_enterprise").run()
    at.switch_page("../pages/ent_supply.py").run()
    assert not at.exception, [e.message for e in at.exception]
    columns = list(at.dataframe[0].value.columns)
    label = {**headers(["delivery_rate", "agreed_qty", "purchased_qty", "completion"], "zh"),
             "ordered_qty": "计入配送率的采购数量"}  # not "采购数量" beside "已采购": a column that read as its twin
    assert columns.index(label["delivery_rate"]) < columns.index(label["agreed_qty"]) < \
        columns.index(label["purchased_qty"]) < columns.index(label["completion"]) < columns.index(label["ordered_qty"])
    assert "采购数量" not in columns
    session._store.clear()


def test_the_institution_card_counts_its_own_flags_apart_from_its_suppliers(page, demo_store):
    """机构档案's seven indicators: the institution's own flags apart from its suppliers' (a delivery flag is theirs,
    二（三）; a complaint it raised that was handled late counts against the enterprise), as 自查自纠 counts its own."""
    from core.access import accounts
    from core.read import docking
    from .views import of_user
    me = accounts.load(demo_store, "demo_institution")
    at = page("institution", code=me.entity)
    card = scorecard.institution_card(default(demo_store), me.entity)
    indicators = at.dataframe[0].value
    own = dict(zip(indicators["指标"], indicators["本机构预警"]))
    theirs = dict(zip(indicators["指标"], indicators["供应企业预警"]))
    assert own["配送率"] == 0 and theirs["配送率"] == (card["supply_flags"]["flag_id"] == "delivery_rate_low").sum() > 0
    assert own["其他采购行为"] == card["flags"]["flag_id"].isin(
        ["offline_purchase", "abnormal_order", "receipt_confirmation_late"]).sum() > 0 and theirs["其他采购行为"] == 0
    late = card["complaints"]["reply_late"].astype(bool) | card["complaints"]["unresolved"].astype(bool)
    assert own["诉求解决"] == 0 and theirs["诉求解决"] == late.sum()
    mine = docking.self_inspection(of_user(demo_store, me))
    assert dict(zip(mine["indicator"], mine["count_own"])) == own
    assert dict(zip(mine["indicator"], mine["count_supply"])) == theirs


def test_a_complaint_names_the_enterprise_its_institution_chose(demo_store, monkeypatch):
    """诉求对接: the enterprise list starts empty (none chosen for the institution); sent so, the form says to choose
    one and nothing is written."""
    monkeypatch.setenv("VBP_DATABASE_URL", demo_store.url)
    from ui import session
    session._store.clear()
    before = demo_store.read("SELECT COUNT(*) AS n FROM complaints")["n"].iloc[0]
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), "demo_institution").run()
    at.switch_page("../pages/desk.py").run()
    assert at.selectbox(key="desk_enterprise").value is None
    at.text_area(key="desk_description").set_value("测试：未选企业")
    next(b for b in at.button if b.label == "提交诉求").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("请选择被反馈的企业" in e.value for e in at.error), [e.value for e in at.error]
    assert demo_store.read("SELECT COUNT(*) AS n FROM complaints")["n"].iloc[0] == before
    session._store.clear()


def test_complaint_figures_say_what_they_count_with_the_rule_in_force(demo_copy, monkeypatch):
    """诉求: "未按时回复 4 · 未按时解决 6" beside a timely rate of 98.1% (10 of 525 untimely) read as a contradiction:
    each count says what it holds and that the rate counts both. The rule's working days are the settings in force
    (the help said "2个工作日" after an administrator had set 3)."""
    from core.access import roles, settings_change
    for name, value in (("complaint_reply_workdays", "3"), ("timely_min_age_workdays", "8")):
        settings_change.change(demo_copy, roles.system_user(demo_copy), name, value)
    monkeypatch.setenv("VBP_DATABASE_URL", demo_copy.url)
    from ui import session
    session._store.clear()
    try:
        at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120)).run()
        at.switch_page("../pages/complaints.py").run()
        assert not at.exception, [e.message for e in at.exception]
        helps = {m.label: m.proto.help for m in at.metric}
        assert helps["未按时回复"].startswith("提出后3个工作日内未回复") and "不计为及时解决" in helps["未按时回复"]
        assert "回复后5个工作日" in helps["未按时解决"] and "两者都计为不及时" in helps["未按时解决"]
        assert "至少8个工作日" in helps["诉求及时解决率"]  # the rate's tile
        columns = json.loads(at.dataframe[0].proto.columns)  # the table's column settings, as the page sends them
        assert "3个工作日" in columns["未按时回复"]["help"] and "3个工作日" in columns["及时解决率"]["help"]
        assert "回复后5个工作日" in columns["未按时解决"]["help"]
    finally:
        session._store.clear()


def test_a_card_page_opens_on_whose_card_to_open_first(page, demo_store):
    """机构档案 and 企业档案 opened on a search box alone. Before a choice they list the institutions with the highest
    problem scores (the red-flagged first among equals, as the ladder ranks them) and the enterprises of the lowest
    tiers, each row opening its card; the table scrolls and says how many rows it holds."""
    at = page("institution")
    listed = at.dataframe[0].value
    held = cases.ladder_cases(default(demo_store))
    assert listed["机构编码"].tolist() == held["subject_code"].tolist() and len(listed) > 10
    assert listed["问题得分"].is_monotonic_decreasing and at.subheader[0].value == "问题得分最高的医疗机构"
    assert f"共 {len(held)} 行" in " ".join(c.value for c in at.caption)
    at = page("enterprise")
    listed = at.dataframe[0].value
    tiers = monitoring.enterprise_tiers(default(demo_store))
    assert listed["企业编码"].tolist() == tiers["enterprise_code"].tolist()
    assert listed["等级"].iloc[0] == min(tiers["tier"], key="DCBA".index)  # the worst tier first
    assert any("按企业在全省的供应计算" in c.value for c in at.caption)  # a tier is the enterprise's, not the area's
    at = page("institution", code=held["subject_code"].iloc[0])  # a card chosen: no list
    assert at.subheader[0].value != "问题得分最高的医疗机构"
