"""The quarterly notification (通报): its content equals the ladder at the quarter's end for the area, a city officer's
holds nothing from outside the city, it opens in a real client (LibreOffice) as an A4 official document with its
title, page numbers and institutions, generating it is audited, and only a confirmed issue records 已通报.

Hand-made store (tests/handmade.py), T = 04-05 (the last order), Q1 2026 ended 03-31 (schedule 90 / 100):
- R1 (历下区, 济南市): agreement of 100 for P1, bought 10 -> 0.1 below half the schedule (0.45): serious, red-flagged,
  ladder step 2 at 03-31: listed;
- W1 (芝罘区 370602, 烟台市): agreement of 100, bought 40 + 40 -> 0.8 below the schedule 0.9 but above half: a
  warning, score 1, not red; it holds a ladder flag at the quarter's end, so step 2 there: listed (at least once a
  quarter every institution with these problems is notified, 二（七）);
- Q1 (市南区 370202, 青岛市): agreement of 100, bought 46 + 46 by 03-01 -> 0.92, clean at 03-31 (no order of 46
  passes 3 x 100 / 4 months); 1 more on 04-05 -> 0.93 below the schedule 0.95 at T: a warning at T, step 1 (clean
  at the quarter's end, not red): not listed."""
import hashlib
import io
import os
import subprocess
import threading
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Pt

from core.access import accounts, admin, notices, roles
from core.access.roles import AccessDenied
from core.cli.main import main as cli
from core.policy import clock
from core.read import cases, todo
from core.refresh import marts
from core.store.view import View

from .browser import ARTIFACTS
from .handmade import D, Handmade

PASSWORD = "notice2026pass"


def _store(store_url) -> Handmade:
    h = Handmade(store_url)
    h.institution("R1")
    h.agreement("R1", agreed=100)
    h.order("R1", 10, day=D(2026, 2, 2))
    h.institution("Q1", county="370202")
    h.agreement("Q1", agreed=100)
    h.order("Q1", 46, day=D(2026, 2, 2))
    h.order("Q1", 46, day=D(2026, 3, 1))
    h.order("Q1", 1, day=D(2026, 4, 5))
    h.institution("W1", county="370602")
    h.agreement("W1", agreed=100)
    h.order("W1", 40, day=D(2026, 2, 2))
    h.order("W1", 40, day=D(2026, 3, 1))
    h.save()
    return h


def _users(store) -> dict:
    operator = roles.system_user(store)
    for name, role, area, entity in (("jinan", "city_officer", "370100", None), ("qingdao", "city_officer", "370200", None),
                                     ("boss", "leader", None, None), ("analyst", "analyst", None, None),
                                     ("r1", "institution", None, "R1")):
        admin.create_user(store, operator, f"nt_{name}", name, role, area, PASSWORD, entity_code=entity)
    return {name: accounts.load(store, f"nt_{name}") for name in ("jinan", "qingdao", "boss", "analyst", "r1")}


def _text(data: bytes) -> str:
    """Every paragraph and table cell of a document."""
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_generated_then_issued_by_hand(store_url):
    h = _store(store_url)
    store = h.store
    u = _users(store)
    assert notices.quarters(store) == ["2026Q1"]  # Q2 has not ended at T = 04-05
    with pytest.raises(ValueError, match="2026Q2"):
        notices.generate(store, u["boss"], "2026Q2")
    with pytest.raises(ValueError, match="2026Q3"):
        notices.generate(store, u["boss"], "2026Q3")
    with pytest.raises(ValueError, match="2026Q3 这样"):
        notices.generate(store, u["boss"], "第三季度")
    with pytest.raises(AccessDenied):  # an institution's account drafts no notification
        notices.generate(store, u["r1"], "2026Q1")

    made = notices.generate(store, u["boss"], "2026Q1", today=D(2026, 4, 7))
    ladder = cases.ladder_cases(View.of(store, marts.ensure_view(store, D(2026, 3, 31)), user=u["boss"]))
    assert set(ladder["subject_code"]) == {"R1", "W1"}
    assert made.content.institution_codes() == set(ladder.loc[ladder["step"] >= 2, "subject_code"]) == {"R1", "W1"}
    at_t = cases.ladder_cases(View.of(store, marts.ensure_default(store), user=u["boss"])).set_index("subject_code")
    assert at_t["step"].to_dict() == {"R1": 2, "W1": 2, "Q1": 1}  # W1 held one at the quarter's end, Q1 did not
    # 20 working days after Tue 04-07: 04-08..04-10 (3), 04-13..04-30 (17), 05-01..05-05 Labour Day, 05-06..05-08: 05-08
    assert made.content.deadline == D(2026, 5, 8)
    rows = made.content.institutions.set_index("institution_code")
    assert rows.loc["R1", ["city_name", "county_name", "step", "measure"]].tolist() == ["济南市", "历下区", 2, "通报提醒"]
    assert rows.loc["R1", "problems"] == ["采购进度低于序时进度 10.0%（阈值 90.0%，《通知》二（七））"]
    assert rows.loc["W1", ["city_name", "county_name", "step", "measure"]].tolist() == ["烟台市", "芝罘区", 2, "通报提醒"]
    assert rows.loc["W1", "problems"] == ["采购进度低于序时进度 80.0%（阈值 90.0%，《通知》二（七））"]
    text = _text(made.document)
    assert "关于2026年第一季度药品和医用耗材集中带量采购执行情况的通报" in text and "鲁医保发〔2023〕14号" in text
    assert "机构R1" in text and "机构W1" in text and "机构Q1" not in text and "2026年5月8日前完成整改" in text
    logged = store.read("SELECT username, action, target, detail FROM audit_log WHERE action = 'notice_generated'")
    assert logged[["username", "target"]].values.tolist() == [["nt_boss", "2026Q1 370000"]]
    assert logged["detail"].iloc[0] == f"#{made.notice_id} n=2 sha256={hashlib.sha256(made.document).hexdigest()}"
    assert store.read("SELECT COUNT(*) AS n FROM actions")["n"].iloc[0] == 0  # a draft records nothing

    # A city's notification: its own area, whatever was asked; Qingdao's lists nobody (Q1 was clean at 03-31).
    jinan = notices.generate(store, u["jinan"], "2026Q1", "370200", today=D(2026, 4, 7))
    assert jinan.content.area_code == "370100" and jinan.notes[0][0] == "青岛市不在您的管辖范围内，已显示济南市"
    assert jinan.content.institution_codes() == {"R1"}
    qingdao = notices.generate(store, u["qingdao"], "2026Q1", today=D(2026, 4, 7))
    assert qingdao.content.institutions.empty and "机构R1" not in _text(qingdao.document)
    assert "无需通报提醒的医疗机构" in _text(qingdao.document)
    assert set(notices.history(store, u["jinan"])["notice_id"]) == {jinan.notice_id}
    assert set(notices.history(store, u["boss"])["notice_id"]) == {made.notice_id, jinan.notice_id, qingdao.notice_id}

    # Issue: refused outside the jurisdiction, for a role that drafts only, with a number that is not one line;
    # then recorded once, with the deadline.
    with pytest.raises(AccessDenied):
        notices.confirm_issued(store, u["qingdao"], jinan.notice_id, "青医保〔2026〕1号", today=D(2026, 4, 8))
    assert store.read("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'access_denied'")["n"].iloc[0] == 1
    with pytest.raises(AccessDenied):
        notices.confirm_issued(store, u["analyst"], jinan.notice_id, "济医保〔2026〕1号", today=D(2026, 4, 8))
    for bad in ("  ", "济医保\t〔2026〕1号", "济医保〔2026〕\n1号", "\u202e号1〕6202〔保医济", "济\u200b医保", "号" * 61):
        with pytest.raises(ValueError, match="文号"):
            notices.confirm_issued(store, u["jinan"], jinan.notice_id, bad, today=D(2026, 4, 8))
    with pytest.raises(ValueError, match="整改期限 2026-05-08 已过，请重新生成"):  # confirmed too late for its deadline
        notices.confirm_issued(store, u["jinan"], jinan.notice_id, "济医保〔2026〕1号", today=D(2026, 5, 11))
    done = notices.confirm_issued(store, u["jinan"], jinan.notice_id, "济医保〔2026〕1号", today=D(2026, 4, 8))
    assert (done.written, done.left_out) == (1, [])
    got = store.read("SELECT case_kind, subject_code, status, action_date, deadline, note, recorded_by FROM actions")
    assert got.astype(str).values.tolist() == [["ladder", "R1", "已通报", "2026-04-08", "2026-05-08",
                                                f"2026Q1 季度通报 #{jinan.notice_id}（济医保〔2026〕1号）", "nt_jinan"]]
    assert store.read("SELECT detail FROM audit_log WHERE action = 'notice_issued'")["detail"].tolist() == \
        ["济医保〔2026〕1号: 1 notified"]
    with pytest.raises(ValueError, match=r"已确认印发（济医保〔2026〕1号）"):  # confirmed again, by another officer's hand
        notices.confirm_issued(store, u["jinan"], jinan.notice_id, "济医保〔2026〕2号", today=D(2026, 4, 8))
    again = notices.generate(store, u["jinan"], "2026Q1", today=D(2026, 4, 8))  # the same quarter and area
    with pytest.raises(ValueError, match="已印发（济医保〔2026〕1号），如需更正请先撤销"):
        notices.confirm_issued(store, u["jinan"], again.notice_id, "济医保〔2026〕3号", today=D(2026, 4, 8))
    with pytest.raises(ValueError, match="文号 济医保〔2026〕1号 已用于另一份通报"):  # one number, one document
        notices.confirm_issued(store, u["boss"], made.notice_id, "济医保〔2026〕1号", today=D(2026, 4, 8))
    # The province's notification issued the same day lists R1 again (one record of that day is enough) and W1.
    assert notices.confirm_issued(store, u["boss"], made.notice_id, "鲁医保〔2026〕9号", today=D(2026, 4, 8)).written == 1
    issued = notices.history(store, u["boss"]).set_index("notice_id")
    assert issued.loc[made.notice_id, "status"] == issued.loc[jinan.notice_id, "status"] == "issued"
    assert issued.loc[qingdao.notice_id, "status"] == "draft"
    after = cases.ladder_cases(View.of(store, marts.ensure_view(store, D(2026, 3, 31)), user=u["boss"]))
    assert after.set_index("subject_code").loc[["R1", "W1"], "done"].tolist() == [True, True]  # step 2 taken

    # A confirmation made by mistake is revoked: the notification set aside, its record withdrawn (kept, marked), and
    # the quarter can be issued again from a new draft.
    assert notices.revoke(store, u["jinan"], jinan.notice_id, "文号填错") == 1
    withdrawn = store.read("SELECT subject_code, withdrawn_reason FROM actions ORDER BY subject_code")
    assert withdrawn.fillna("").values.tolist() == [["R1", "撤销通报印发：文号填错"], ["W1", ""]]  # the province's stays
    assert notices.history(store, u["jinan"]).set_index("notice_id").loc[jinan.notice_id, "status"] == "void"
    with pytest.raises(ValueError, match="尚未印发"):
        notices.revoke(store, u["jinan"], jinan.notice_id, "再次撤销")
    assert notices.confirm_issued(store, u["jinan"], again.notice_id, "济医保〔2026〕3号", today=D(2026, 4, 9)).written == 1


def test_drafts_are_set_aside_and_a_listed_institution_gone_from_the_area_is_left_out(store_url):
    h = _store(store_url)
    store = h.store
    u = _users(store)
    first = notices.generate(store, u["jinan"], "2026Q1", today=D(2026, 4, 7))
    second = notices.generate(store, u["jinan"], "2026Q1", today=D(2026, 4, 7))  # only the latest draft can be issued
    listed = notices.history(store, u["jinan"]).set_index("notice_id")
    assert listed.loc[first.notice_id, ["status", "void_reason"]].tolist() == ["void", "被新的通报稿取代"]
    with pytest.raises(ValueError, match="不是待印发"):
        notices.confirm_issued(store, u["jinan"], first.notice_id, "济医保〔2026〕1号", today=D(2026, 4, 8))
    with pytest.raises(ValueError, match="作废原因"):
        notices.discard(store, u["jinan"], second.notice_id, "")
    third = notices.generate(store, u["jinan"], "2026Q1", today=D(2026, 4, 7))
    notices.discard(store, u["jinan"], third.notice_id, "数据待更正")
    assert notices.history(store, u["jinan"]).set_index("notice_id").loc[third.notice_id, "void_reason"] == "数据待更正"
    fourth = notices.generate(store, u["jinan"], "2026Q1", today=D(2026, 4, 7))
    h.rows["institutions"][0]["county_code"] = "370202"  # a corrected extract moves R1 to Qingdao
    h.save()
    done = notices.confirm_issued(store, u["jinan"], fourth.notice_id, "济医保〔2026〕1号", today=D(2026, 4, 8))
    assert (done.written, done.left_out) == (0, ["R1"])
    assert store.read("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'access_denied'")["n"].iloc[0] == 0


def test_a_draft_waits_for_those_who_may_issue_it(store_url):
    h = _store(store_url)
    store = h.store
    u = _users(store)
    made = notices.generate(store, u["jinan"], "2026Q1", today=clock.today())

    def drafts(user) -> list:
        found = todo.items(View.of(store, marts.ensure_default(store), user=user), "zh")
        return found.loc[found["item"] == "notice_draft", ["key", "where"]].values.tolist()

    assert drafts(u["jinan"]) == drafts(u["boss"]) == [[f"notice:{made.notice_id}", "济南市"]]
    assert drafts(u["qingdao"]) == [] and drafts(u["analyst"]) == []  # another city; a role that does not issue
    notices.confirm_issued(store, u["jinan"], made.notice_id, "济医保〔2026〕1号")
    assert drafts(u["jinan"]) == [] and drafts(u["boss"]) == []


def test_two_officers_confirming_at_once_record_it_once(store_url):
    h = _store(store_url)
    store = h.store
    u = _users(store)
    made = notices.generate(store, u["jinan"], "2026Q1", today=D(2026, 4, 7))
    outcomes, start = [], threading.Barrier(2)

    def confirm(number: str) -> None:
        start.wait()
        try:
            outcomes.append(notices.confirm_issued(store, u["jinan"], made.notice_id, number, today=D(2026, 4, 8)).written)
        except ValueError as err:
            outcomes.append(str(err))

    threads = [threading.Thread(target=confirm, args=(f"济医保〔2026〕{n}号",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes))[0] == "1" and "已" in sorted(map(str, outcomes))[1], outcomes
    assert store.read("SELECT COUNT(*) AS n FROM actions")["n"].iloc[0] == 1
    assert store.read("SELECT COUNT(*) AS n FROM notices WHERE status = 'issued'")["n"].iloc[0] == 1


def test_a_name_that_looks_like_a_formula_stays_text(tmp_path):
    h = Handmade(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    h.institution("R1")
    h.rows["institutions"][-1]["institution_name"] = '=HYPERLINK("http://evil.example")\x07医院'
    h.agreement("R1", agreed=100)
    h.order("R1", 10, day=D(2026, 2, 2))
    h.order("R1", 1, day=D(2026, 4, 5))
    h.save()
    made = notices.generate(h.store, roles.system_user(h.store), "2026Q1", today=D(2026, 4, 7))
    text = _text(made.document)
    assert '=HYPERLINK("http://evil.example")医院' in text and "\x07" not in text
    with zipfile.ZipFile(io.BytesIO(made.document)) as parts:  # no field in the body: only the footers' page number
        assert "instrText" not in parts.read("word/document.xml").decode()
        assert "PAGE" in parts.read("word/footer1.xml").decode()


def _pdf(data: bytes, folder: Path) -> Path:
    source = folder / "notice.docx"
    source.write_bytes(data)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    return folder / "notice.pdf"


def test_the_demo_provinces_notification_opens_as_an_official_document(demo_copy, tmp_path):
    store = demo_copy
    leader, city = accounts.load(store, "demo_leader"), accounts.load(store, "demo_city")
    made = notices.generate(store, leader, "2026Q3", today=D(2026, 10, 12))
    ladder = cases.ladder_cases(View.of(store, marts.ensure_view(store, D(2026, 9, 30)), user=leader))
    wanted = ladder[ladder["step"] >= 2]
    assert len(wanted) > 5 and made.content.institution_codes() == set(wanted["subject_code"])

    document = docx.Document(io.BytesIO(made.document))
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin, section.left_margin,
             section.right_margin)
    assert [round(x.mm) for x in sizes] == [210, 297, 37, 35, 28, 26]  # A4; GB/T 9704's margins (kept in twips)
    title = next(p for p in document.paragraphs if p.text == made.content.title)
    assert (title.runs[0].font.name, title.runs[0].font.size) == ("方正小标宋简体", Pt(22))
    body = next(p for p in document.paragraphs if p.text.startswith("根据"))
    assert (body.runs[0].font.name, body.runs[0].font.size) == ("仿宋_GB2312", Pt(16))
    assert "PAGE" in section.footer._element.xml and "PAGE" in section.even_page_footer._element.xml
    assert "××医保〔2026〕××号" in [p.text for p in document.paragraphs]

    pdf = _pdf(made.document, tmp_path)  # LibreOffice, a real client
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.3" in info and "841.89" in info and "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 3
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(words.split())
    assert made.content.title in flat
    assert all(f"—{n}—" in flat for n in range(1, pages + 1))  # every page numbered
    for name in wanted["subject_name"]:
        assert name in flat, name
    # the indicators' table: no name, change or clause broken over two lines of its cell ("中选产品占/比", "个百分/点")
    lines = [line.strip() for line in words.splitlines()]
    table = made.content.indicators
    for i, r in enumerate(table.itertuples(index=False), start=1):
        assert f"{i}. {r.indicator}" in lines or r.indicator in lines, r.indicator
        assert r.change_text in lines and r.clause in lines, (r.change_text, r.clause)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(ARTIFACTS / "notice_first_page")], check=True, timeout=60)
    assert (ARTIFACTS / "notice_first_page.png").stat().st_size > 10_000

    # A city officer's notification names nothing outside the city, even when asked for another.
    mine = notices.generate(store, city, "2026Q3", "370100", today=D(2026, 10, 12))
    assert mine.content.area_code == city.scope and mine.notes
    inside = View.of(store, marts.ensure_view(store, D(2026, 9, 30)), user=city)
    own = cases.ladder_cases(inside)
    assert mine.content.institution_codes() == set(own.loc[own["step"] >= 2, "subject_code"])
    text = _text(mine.document)
    others = store.read("SELECT i.institution_name FROM institutions i JOIN regions k ON k.region_code = i.county_code "
                        "WHERE k.prefecture_code <> :c", {"c": city.scope})["institution_name"]
    assert not [n for n in others if n in text]
    cities = store.read("SELECT region_name FROM regions WHERE region_level = 'city' AND region_code <> :c",
                        {"c": city.scope})["region_name"]
    assert not [n for n in cities if n in text]


def test_the_command_line_writes_the_document(demo_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VBP_PASSWORD", "demo2026vbp")
    out = tmp_path / "通报.docx"
    assert cli(["notice", "--db", demo_copy.url, "--quarter", "2026Q3", "--user", "demo_county", "--out", str(out)]) == 0
    county = accounts.load(demo_copy, "demo_county")
    name = demo_copy.read("SELECT region_name FROM regions WHERE region_code = :c", {"c": county.scope})["region_name"].iloc[0]
    assert f"{name}医疗保障局" in _text(out.read_bytes())
    assert capsys.readouterr().out.startswith(f"{out}\t#")
    assert cli(["notice", "--db", demo_copy.url, "--quarter", "2026Q4", "--out", str(out)]) == 1
    assert "2026Q4 尚未结束" in capsys.readouterr().err
    before = demo_copy.read("SELECT COUNT(*) AS n FROM notices")["n"].iloc[0]
    assert cli(["notice", "--db", demo_copy.url, "--quarter", "2026Q3", "--out", str(tmp_path / "无此目录" / "x.docx")]) == 1
    assert "无法写入" in capsys.readouterr().err
    assert demo_copy.read("SELECT COUNT(*) AS n FROM notices")["n"].iloc[0] == before  # nothing drafted
    for odd in ("9999Q4", "0000Q1", "2026Q0"):
        assert cli(["notice", "--db", demo_copy.url, "--quarter", odd, "--out", str(out)]) == 1
        assert "2026Q3 这样" in capsys.readouterr().err
    assert cli(["notice", "--db", demo_copy.url, "--quarter", " 2026\tq3 ", "--out", str(out)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("VBP_PASSWORD", "wrong")
    assert cli(["notice", "--db", demo_copy.url, "--quarter", "2026Q3", "--user", "demo_county", "--out", str(out)]) == 3
    assert os.path.exists(out)


def test_the_pages_show_what_waits_and_draft_then_confirm(app, demo_copy):
    at = app("demo_city").run()  # signing in opens 待办事项
    assert not at.exception and at.title[0].value == "待办事项"
    city = accounts.load(demo_copy, "demo_city")
    from core.present.i18n import t as label
    from core.read import todo  # what the page lists is what core finds for the account
    wanted = todo.items(View.of(demo_copy, marts.ensure_default(demo_copy), user=city), "zh", None)
    shown = [m.value for m in at.markdown if m.value.startswith("**")]
    assert len(wanted) and shown == [f"**{t}**（{n}）" for t, n in
                                     ((label(f"todo.item.{i}", "zh"), int((wanted["item"] == i).sum()))
                                      for i in todo.ITEMS) if n]
    at.switch_page("../pages/notice.py").run()
    assert not at.exception and at.selectbox(key="nt_quarter").value == "2026Q3"
    at.button(key="nt_generate").click().run()
    assert not at.exception and not at.error
    lines = [x.value for x in at.text]
    assert "关于2026年第三季度药品和医用耗材集中带量采购执行情况的通报" in lines
    made = demo_copy.read("SELECT notice_id, count_institutions FROM notices")
    assert len(made) == 1 and made["count_institutions"].iloc[0] > 0
    options = [o for box in at.selectbox for o in box.options]  # plain text: shown as written, never escaped
    assert f"#{made['notice_id'].iloc[0]} · 2026年第三季度 · 德州市" in options and not any("\\" in o for o in options)
    at.text_input(key="nt_number").input("德医保〔2026〕7号")
    next(b for b in at.button if b.label == "确认已印发并记录“已通报”").click().run()
    assert not at.exception and at.success[0].value.startswith("已确认印发")
    recorded = demo_copy.read("SELECT COUNT(*) AS n FROM actions WHERE status = '已通报' AND recorded_by = 'demo_city'")
    assert recorded["n"].iloc[0] == made["count_institutions"].iloc[0]


def test_a_draft_made_or_set_aside_shows_in_the_to_do_list_at_once(store_url):
    """The list a page asks for (no `now`) is made once a minute for the same versions: drafting a notification and
    setting it aside move them on, so the draft comes and goes at once."""
    store = _store(store_url).store
    u = _users(store)

    def drafts() -> list:
        found = todo.items(View.of(store, marts.ensure_default(store), user=u["jinan"]), "zh")
        return found.loc[found["item"] == "notice_draft", "key"].tolist()

    before = drafts()
    made = notices.generate(store, u["jinan"], "2026Q1", today=clock.today())
    assert before == [] and drafts() == [f"notice:{made.notice_id}"]
    notices.discard(store, u["jinan"], made.notice_id, "重写")
    assert drafts() == []


@pytest.mark.parametrize("value, previous, text", [
    (0.99049, 0.99051, "-0.1 个百分点"),  # printed 99.0% and 99.1%: they differ by 0.1, however close the rates
    (0.97751, 0.97749, "+0.1 个百分点"), (0.9904, 0.9901, "持平"), (0.5, 0.4, "+10.0 个百分点"),
    (None, 0.9, "—"), (0.9, float("nan"), "—")])
def test_a_change_between_quarters_reads_as_the_two_printed_figures_differ(value, previous, text):
    from core.read.notice import change_text
    assert change_text(value, previous) == text


def test_the_warnings_counted_are_the_quarter_ends_not_todays(store_url):
    """预警数 and the figure are those at the quarter's end. Schedule 90/100 at 03-31, 95/100 at T = 04-05:
    R1 bought 10 (flagged at both); R2 and R4 bought 10, then 90 on 04-02 (flagged at 03-31 only: 100 by T);
    R3 bought 92 (0.92 >= 0.90 at 03-31; 0.92 < 0.95 at T: flagged later). At 03-31: R1, R2, R4 = 3 flagged,
    bought 10 + 10 + 92 + 10 = 122 of 400 = 30.5%; at T: R1, R3 = 2, bought 10 + 100 + 92 + 100 = 302 of 400."""
    h = Handmade(store_url)
    for code, first, later in (("R1", 10, None), ("R2", 10, 90), ("R3", 92, None), ("R4", 10, 90)):
        h.institution(code)
        h.agreement(code, agreed=100)
        h.order(code, first, day=D(2026, 2, 2))
        if later:
            h.order(code, later, day=D(2026, 4, 2))
    h.order("R1", 0.5, product="P1", day=D(2026, 4, 5))  # T = 04-05
    store = h.save()
    boss = _users(store)["boss"]
    row = notices.generate(store, boss, "2026Q1", today=D(2026, 4, 7)).content.indicators.set_index("indicator_id")
    progress = row.loc["progress"]
    assert progress["count_flagged"] == 3 and progress["value_text"] == "30.5%"
    assert progress["threshold_text"] == "不低于序时进度 90.0%"  # the quarter end's schedule, as 自查自纠 says it
    today = View.of(store, marts.ensure_view(store), user=boss)
    flagged_now = today.read("SELECT count_flagged FROM mart_indicators WHERE view_id = :v AND level = 'province' "
                             "AND indicator_id = 'progress'")["count_flagged"].tolist()
    assert flagged_now == [2]  # what a notification computed on today's figures would have said
