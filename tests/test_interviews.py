"""The interview list: who is on it, recorded actions, and the export that opens in Excel."""
import datetime as dt
import io

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from core.access import accounts, actions, roles
from core.paths import ROOT
from core.policy import cases as C
from core.present import xlsx
from core.read import cases, interviews
from core.store.view import View

from .views import default, mart, of_user, sign_in, table_key


def test_list_holds_red_flags_and_tier_cd_enterprises_of_the_area(demo_store):
    listed = interviews.interview_list(default(demo_store, "370000"))
    red = set(mart(demo_store, "SELECT subject_code FROM mart_flags WHERE view_id = :v AND flag_id = 'red_flag'")["subject_code"])
    cd = set(mart(demo_store, "SELECT enterprise_code FROM mart_enterprises WHERE view_id = :v AND tier IN ('C', 'D')")["enterprise_code"])
    assert set(listed.loc[listed["subject_type"] == "institution", "subject_code"]) == red
    assert set(listed.loc[listed["subject_type"] == "enterprise", "subject_code"]) == cd
    assert listed["score"].is_monotonic_decreasing
    assert listed["recommended"].notna().all() and listed["status"].isin(C.ALL_STATUSES).all()
    # Why each is listed: an institution at the interview step or beyond for a notification that fell short, else
    # for its prominent problems; an enterprise for its tier.
    steps = cases.ladder_cases(default(demo_store, "370000")).set_index("subject_code")["step"]
    inst = listed[listed["subject_type"] == "institution"]
    assert [w == "问题突出，先通报" for w in inst["listed_for"]] == [steps[c] < 3 for c in inst["subject_code"]]
    ent = listed[listed["subject_type"] == "enterprise"]
    assert ent["listed_for"].tolist() == [f"企业分级 {tier} 级" for tier in ent["tier"]]
    city = demo_store.read("SELECT region_code FROM regions WHERE region_level = 'city'")["region_code"]
    for code in city:
        part = interviews.interview_list(default(demo_store, code))
        inst = part[part["subject_type"] == "institution"]["subject_code"]
        assert inst.str[1:5].eq(code[:4]).all()  # nothing from another city


def test_recorded_actions_show_and_drive_the_status(demo_copy):
    officer = accounts.load(demo_copy, "demo_city")  # 德州市
    view = of_user(demo_copy, officer)
    listed = interviews.interview_list(view)
    code = listed[listed["subject_type"] == "institution"].iloc[-1]["subject_code"]  # a row no other test records
    n = actions.record_action(view, "ladder", [code], "已约谈", "约谈院长", dt.date(2026, 11, 21))
    assert n == 1
    after = interviews.interview_list(view).set_index("subject_code")
    assert after.loc[code, "status"] == "已约谈"
    history = cases.subject_history(demo_copy, "institution", code)
    assert history.iloc[-1]["recorded_by"] == "demo_city" and history.iloc[-1]["note"] == "约谈院长"
    with pytest.raises(ValueError):
        actions.record_action(view, "ladder", [code], "随便", "", dt.date(2026, 11, 21))
    logged = demo_copy.read("SELECT username, target FROM audit_log WHERE action = 'action_recorded'")
    assert ("demo_city", code) in set(logged.itertuples(index=False))


def test_actions_outside_the_role_or_the_jurisdiction_are_refused(demo_copy):
    officer = accounts.load(demo_copy, "demo_city")
    elsewhere = demo_copy.read("SELECT institution_code FROM institutions WHERE county_code NOT LIKE '3714%' LIMIT 1")
    outside = elsewhere["institution_code"].iloc[0]
    view = of_user(demo_copy, officer)
    with pytest.raises(roles.AccessDenied):  # a view made for nobody records nothing, even the province's
        actions.record_action(default(demo_copy), "ladder", [outside], "已提醒", "", dt.date(2026, 11, 21))
    with pytest.raises(ValueError):  # and an officer's view cannot pretend to be the province's
        View.of(demo_copy, view.info, scope=demo_copy.province_code, user=officer)
    with pytest.raises(roles.AccessDenied):
        actions.record_action(view, "ladder", [outside], "已提醒", "", dt.date(2026, 11, 21))
    leader = accounts.load(demo_copy, "demo_leader")
    with pytest.raises(roles.AccessDenied):  # leadership reads; it does not record
        actions.record_action(of_user(demo_copy, leader), "ladder", [outside], "已提醒", "", dt.date(2026, 11, 21))
    assert demo_copy.read("SELECT COUNT(*) AS n FROM actions WHERE subject_code = :c", {"c": outside})["n"].iloc[0] == 0
    denied = demo_copy.read("SELECT username FROM audit_log WHERE action = 'access_denied'")["username"]
    assert "demo_city" in set(denied)


def test_export_opens_with_the_rows_and_their_evidence(demo_copy):
    data = actions.export(of_user(demo_copy, accounts.load(demo_copy, "demo_leader")))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["约谈名单", "预警依据", "说明"]
    listed = interviews.interview_list(default(demo_copy, "370000"))
    sheet = list(wb["约谈名单"].values)
    assert sheet[0][:3] == ("对象类型", "编码", "名称")
    assert [r[1] for r in sheet[1:]] == listed["subject_code"].tolist()
    evidence = list(wb["预警依据"].values)
    assert {r[0] for r in evidence[1:]} == set(listed["subject_code"])
    flags = mart(demo_copy, "SELECT flag_id, level FROM mart_flags WHERE view_id = :v AND flag_id NOT IN ('red_flag') "
                             "AND subject_code IN (" + ", ".join(f"'{c}'" for c in listed["subject_code"]) + ")")
    supply = flags["flag_id"] == "delivery_rate_low"  # an institution's suppliers' failures are not its evidence
    assert len(evidence) - 1 == (~supply).sum() and supply.any()
    info = dict((r[0], r[1]) for r in list(wb["说明"].values)[1:])
    assert info["导出人"] == "演示·局领导（demo_leader）" and info["统计截止日"] == dt.datetime(2026, 11, 20)  # a date
    assert info["数据范围"] == "山东省" and info["导出时间"].year == 2026
    exported = demo_copy.read("SELECT username, target FROM audit_log WHERE action = 'export'")
    assert ("demo_leader", "约谈名单 山东省") in set(exported.itertuples(index=False))


def test_exported_cells_never_run_as_formulas(tmp_path):
    import pandas as pd
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "普通医院"]})
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.workbook([("s", frame, {"name": "名称"})], "me", {})))
    cells = [c for c in wb["s"]["A"][1:]]
    assert [c.value for c in cells] == frame["name"].tolist()
    assert all(c.data_type == "s" for c in cells)


def test_page_records_an_action_for_selected_rows(demo_copy, monkeypatch):
    monkeypatch.setenv("VBP_DATABASE_URL", demo_copy.url)
    from ui import session
    session._store.clear()
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), "demo_city").run()
    at.switch_page("../pages/interviews.py").run()
    assert not at.exception
    listed = interviews.interview_list(default(demo_copy, "371400"))
    table = at.dataframe[0].value
    assert table["编码"].tolist() == listed["subject_code"].tolist()
    columns = list(table.columns)  # why listed, what to do, where it stands and by when before the flags (they scroll
    # out first)
    assert columns[:9] == ["对象类型", "编码", "名称", "所在区县", "列入原因", "建议措施", "处理状态", "整改/说明期限",
                           "预警事项"], columns
    assert table["预警事项"].str.len().gt(0).all()
    at.session_state[table_key(demo_copy, "iv_table", "371400")] = {"selection": {"rows": [1, 2], "columns": []}}
    at.run()
    # Ladder cases take no explanation: the note is a note (an explanation's form says whose explanation it holds)
    assert at.text_area(key="iv_note").label == "处理说明"
    at.selectbox(key="iv_status").set_value("已通报")
    at.text_area(key="iv_note").set_value("书面通报")
    at.button[0].click().run()
    assert not at.exception
    chosen = listed.iloc[[1, 2]]["subject_code"].tolist()
    recorded = demo_copy.read("SELECT subject_code, status, note, recorded_by FROM actions WHERE note = '书面通报'")
    assert sorted(recorded["subject_code"]) == sorted(chosen) and set(recorded["status"]) == {"已通报"}
    assert set(recorded["recorded_by"]) == {"demo_city"}
    assert "已记录 2 条处理情况。" in [m.value for m in at.success]
    assert at.text_area(key="iv_note").value == ""  # the saved note does not stay in the form for the next rows
    at.selectbox(key="f_county").set_value("371422").run()  # 宁津县
    table = at.dataframe[0].value
    assert at.query_params["area"] in (["371422"], "371422")
    institutions = table[table["对象类型"] == "医疗机构"]
    assert len(institutions) and institutions["所在区县"].eq("宁津县").all()
    session._store.clear()


def test_leadership_sees_the_list_without_the_form(demo_copy, monkeypatch):
    monkeypatch.setenv("VBP_DATABASE_URL", demo_copy.url)
    from ui import session
    session._store.clear()
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), "demo_leader").run()
    at.switch_page("../pages/interviews.py").run()
    assert not at.exception and len(at.dataframe[0].value) == len(interviews.interview_list(default(demo_copy)))
    assert not [b for b in at.button if b.label == "保存"] and any("只能查看和导出" in c.value for c in at.caption)
    session._store.clear()


def test_page_headers_follow_the_language_and_the_export_stays_chinese(demo_copy, monkeypatch):
    monkeypatch.setenv("VBP_DATABASE_URL", demo_copy.url)
    from ui import session
    session._store.clear()
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120))
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("../pages/interviews.py").run()
    assert not at.exception
    columns = list(at.dataframe[0].value.columns)
    assert columns[:3] == ["Type", "Code", "Name"] and "Recommended measure" in columns
    assert set(at.dataframe[0].value["Type"]) <= {"Institution", "Enterprise"}
    assert list(actions.LIST_HEADERS.values())[:3] == ["对象类型", "编码", "名称"]
    session._store.clear()


def test_a_list_longer_than_the_table_says_how_many_rows_it_holds(demo_store, monkeypatch):
    """The province's list holds more rows than the ten the table shows at a time: the page says how many, as every
    other table that scrolls does."""
    monkeypatch.setenv("VBP_DATABASE_URL", demo_store.url)
    from ui import session
    session._store.clear()
    try:
        at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), "demo_leader").run()
        at.switch_page("../pages/interviews.py").run()
        assert not at.exception
        listed = interviews.interview_list(default(demo_store))
        assert len(listed) > 10 and len(at.dataframe[0].value) == len(listed)
        assert f"共 {len(listed)} 行，表内滚动可看其余各行。" in [c.value for c in at.caption]
    finally:
        session._store.clear()
