"""The two dockings, worked by hand: complaints raised and answered in the app under the notice's working-day rule
(across Labour Day 2026 and its make-up Saturday), explanations given by the institution, the accounts of a
province's enterprises and institutions with their initial passwords, and an entity's account reading its own part
only.

Hand-made store (tests/handmade.py): H1 in 历下区 (370102, 济南市) holds an agreement for P1 (made by M1, delivered
by D1) over 2026; M2 makes P2, which H1 never bought."""
import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa

from core.access import accounts, actions, admin, roles, scope
from core.access import complaints as workflow
from core.read import cases, docking, monitoring, scorecard
from core.refresh import marts
from core.store import schema as S
from core.store.view import EntityOnly, View

from .handmade import D, Handmade

PASSWORD = "docking2026"


def _store(store_url) -> Handmade:
    h = Handmade(store_url)
    h.institution("H1")
    h.institution("H2", county="370112")
    h.agreement("H1", "P1", agreed=120, start=D(2026, 1, 1), end=D(2026, 12, 31))
    h.agreement("H2", "P4", agreed=120, start=D(2026, 1, 1), end=D(2026, 12, 31))
    for month in range(1, 6):
        h.order("H1", 10, "P1", day=D(2026, month, 3))
        h.order("H2", 10, "P4", day=D(2026, month, 3))
    h.save()
    return h


def _accounts(store) -> dict:
    operator = roles.system_user(store)
    for name, role, area, entity in (("h1", "institution", None, "H1"), ("h2", "institution", None, "H2"),
                                     ("m1", "enterprise", None, "M1"), ("d1", "enterprise", None, "D1"),
                                     ("m2", "enterprise", None, "M2"), ("jinan", "city_officer", "370100", None)):
        admin.create_user(store, operator, f"acc_{name}", name, role, area, PASSWORD, entity_code=entity)
    return {name: accounts.load(store, f"acc_{name}") for name in ("h1", "h2", "m1", "d1", "m2", "jinan")}


def _view(store, user, as_of=D(2026, 5, 20)) -> View:
    return View.of(store, marts.ensure_view(store, as_of), user=user)


def test_a_complaint_raised_and_answered_in_the_app_across_labour_day(store_url):
    """2026: 05-01..05-05 are holidays, Saturday 05-09 a make-up working day. K1 raised Thu 04-30: reply due on the
    2nd working day, Thu 05-07 (Wed 05-06 is the 1st); replied 05-07 with a promise no later than the 5th working day
    after it, 05-13 (05-08, Sat 05-09, 05-11, 05-12, 05-13): 05-14 is refused, 05-13 taken; resolved 05-13, confirmed.
    K2 raised Fri 05-08: due Mon 05-11 (the make-up Saturday is the 1st); replied 05-12: late."""
    h = _store(store_url)
    users = _accounts(h.store)
    inst, maker = _view(h.store, users["h1"]), _view(h.store, users["m1"])
    k1 = workflow.raise_complaint(inst, "M1", "P1", "供货不及时", "三月订单至今未配送", today=D(2026, 4, 30))
    assert k1 == "APP2026043000001"
    got = docking.complaints(maker).set_index("complaint_id").loc[k1]
    assert (got["stage"], got["reply_due"], got["source"]) == ("answer", D(2026, 5, 7), "app")
    with pytest.raises(ValueError, match="2026-05-13"):  # the 6th working day after the reply
        workflow.reply(maker, k1, D(2026, 5, 14), "已安排补货", today=D(2026, 5, 7))
    workflow.reply(maker, k1, D(2026, 5, 13), "已安排补货", today=D(2026, 5, 7))
    with pytest.raises(ValueError, match="已回复"):
        workflow.reply(maker, k1, D(2026, 5, 13), "再次回复", today=D(2026, 5, 7))
    assert docking.complaints(inst).set_index("complaint_id").loc[k1, "stage"] == "resolve"  # the other side sees it
    with pytest.raises(ValueError, match="尚未解决"):
        workflow.confirm(inst, k1, True, today=D(2026, 5, 13))
    workflow.resolve(maker, k1, today=D(2026, 5, 13))
    workflow.confirm(inst, k1, True, today=D(2026, 5, 14))
    assert docking.complaints(maker).set_index("complaint_id").loc[k1, "stage"] == "done"
    k2 = workflow.raise_complaint(inst, "D1", None, "供货不及时", "配送延迟", today=D(2026, 5, 8))
    assert docking.complaints(inst).set_index("complaint_id").loc[k2, "reply_due"] == D(2026, 5, 11)
    workflow.reply(_view(h.store, users["d1"]), k2, D(2026, 5, 14), "明日送达", today=D(2026, 5, 12))
    # The figures at T = 05-20 judge both by the same rule as imported complaints.
    done = marts.compute(h.store, D(2026, 5, 20))["mart_complaints"].set_index("complaint_id")
    assert done.loc[k1, ["reply_late", "unresolved", "timely", "counted"]].tolist() == [False, False, True, True]
    assert done.loc[k2, "reply_late"] and not done.loc[k2, "timely"]
    officer = docking.area_complaints(_view(h.store, users["jinan"])).set_index("complaint_id")
    assert officer.loc[k2, "reply_late"] and officer.loc[k2, "stage"] == "resolve"
    raised = h.store.read("SELECT action, target FROM audit_log WHERE action LIKE 'complaint_%' ORDER BY audit_id")
    assert raised["action"].tolist() == ["complaint_raised", "complaint_replied", "complaint_resolved",
                                         "complaint_confirmed", "complaint_raised", "complaint_replied"]


def test_each_side_does_its_own_steps_on_its_own_complaints(store_url):
    h = _store(store_url)
    users = _accounts(h.store)
    inst = _view(h.store, users["h1"])
    for nobody in (None, "", "   ", ["M1"], 0):  # the page's list starts with no enterprise chosen; not a code
        with pytest.raises(ValueError, match="请选择被反馈的企业"):
            workflow.raise_complaint(inst, nobody, None, "供货不及时", "x", today=D(2026, 4, 30))
    with pytest.raises(ValueError, match="不向本机构供货"):  # a code with a NUL is no supplier's, not a clash
        workflow.raise_complaint(inst, "M1\x00", None, "供货不及时", "x", today=D(2026, 4, 30))
    with pytest.raises(ValueError, match="不向本机构供货"):  # M2 does not supply H1
        workflow.raise_complaint(inst, "M2", None, "供货不及时", "x", today=D(2026, 4, 30))
    with pytest.raises(ValueError, match="不是该企业向本机构供应的产品"):
        workflow.raise_complaint(inst, "M1", "P2", "供货不及时", "x", today=D(2026, 4, 30))
    with pytest.raises(ValueError, match="问题描述"):
        workflow.raise_complaint(inst, "M1", "P1", "供货不及时", "  ", today=D(2026, 4, 30))
    k = workflow.raise_complaint(inst, "M1", "P1", "质量问题", "包装破损\x00", today=D(2026, 4, 30))
    with pytest.raises(roles.AccessDenied):  # another enterprise cannot answer it
        workflow.reply(_view(h.store, users["m2"]), k, D(2026, 5, 8), "x", today=D(2026, 5, 6))
    with pytest.raises(roles.AccessDenied):  # an officer does not answer for the enterprise
        workflow.reply(_view(h.store, users["jinan"]), k, D(2026, 5, 8), "x", today=D(2026, 5, 6))
    with pytest.raises(roles.AccessDenied):  # nor does another institution confirm
        workflow.confirm(_view(h.store, users["h2"]), k, True, today=D(2026, 5, 6))
    with pytest.raises(ValueError, match="尚未回复"):
        workflow.resolve(_view(h.store, users["m1"]), k, today=D(2026, 5, 6))
    assert h.store.read("SELECT description FROM complaints WHERE complaint_id = :k", {"k": k})["description"].iloc[0] == \
        "包装破损"


def test_an_import_never_overwrites_a_complaint_raised_in_the_app(store_url, tmp_path):
    from core.ingest import exporter, importer
    h = _store(store_url)
    users = _accounts(h.store)
    k = workflow.raise_complaint(_view(h.store, users["h1"]), "M1", "P1", "供货不及时", "未配送", today=D(2026, 4, 30))
    frame = h.store.read("SELECT complaint_id, institution_code, enterprise_code, product_code, issue_type, raised_date, "
                         "reply_date, promised_date, resolved_date FROM complaints")
    frame["issue_type"], frame["raised_date"] = "其他", D(2026, 4, 1)  # a file that says otherwise
    frame.loc[len(frame)] = ["IMP1", "H1", "M1", "P1", "其他", D(2026, 4, 2), None, None, None]
    extract, counts = importer.import_files(h.store, exporter.write_csv({"complaints": frame}, tmp_path),
                                            actor=roles.system_user(h.store))
    assert extract.ok, extract.problems
    kept = h.store.read("SELECT complaint_id, issue_type, source, description FROM complaints ORDER BY complaint_id")
    assert kept.fillna("").values.tolist() == [[k, "供货不及时", "app", "未配送"], ["IMP1", "其他", "import", ""]]
    # An imported complaint is answered on the platform: the app takes no step the next import would undo.
    with pytest.raises(ValueError, match="平台导入的诉求请在招采平台办理"):
        workflow.reply(_view(h.store, users["m1"]), "IMP1", D(2026, 5, 6), "已安排", today=D(2026, 4, 30))
    # A number the extract already holds for a day (APP2026050100002) is skipped, whatever came before it.
    extra = frame.iloc[[0]].assign(complaint_id="APP2026050100002", raised_date=D(2026, 5, 1))
    (tmp_path / "again").mkdir()
    importer.import_files(h.store, exporter.write_csv({"complaints": extra}, tmp_path / "again"),
                          actor=roles.system_user(h.store))
    assert workflow.raise_complaint(_view(h.store, users["h1"]), "M1", "P1", "其他", "再次反映",
                                    today=D(2026, 5, 1)) == "APP2026050100003"


def test_a_manufacturer_delivering_its_own_product_counts_once(store_url):
    """H1 bought 10 of P1 (made by M1) in each of five months, all delivered by M1 itself: M1's supply to H1 is 50
    purchased, not 100 (once as maker, once as distributor)."""
    h = _store(store_url)
    for row in h.rows["agreements"] + h.rows["orders"]:
        if row["institution_code"] == "H1":
            row["distributor_code"] = "M1"
    h.save()
    users = _accounts(h.store)
    supply = docking.supply(_view(h.store, users["m1"]))
    mine = supply[supply["institution_code"] == "H1"]
    assert mine[["product_code", "purchased_qty", "agreed_qty"]].values.tolist() == [["P1", 50.0, 120.0]]


def test_an_institution_gives_its_explanation_and_the_officer_judges_it(store_url):
    """E1 reported 70 against 100 last year (agreement over 2026): its report drop is to be explained."""
    h = _store(store_url)
    h.institution("E1")
    h.agreement("E1", "P1", reported=70, prior=100, agreed=100, start=D(2026, 1, 1), end=D(2026, 12, 31))
    h.save()
    operator = roles.system_user(h.store)
    admin.create_user(h.store, operator, "acc_e1", "e1", "institution", None, PASSWORD, entity_code="E1")
    users = {**_accounts(h.store), "e1": accounts.load(h.store, "acc_e1")}
    mine = _view(h.store, users["e1"])
    with pytest.raises(ValueError, match="说明内容"):
        actions.explain(mine, "report_volume_drop", "P1", " ", today=D(2026, 5, 21))
    with pytest.raises(ValueError, match="没有这项"):  # not a flag of its own
        actions.explain(mine, "purchase_over_4x", "P1", "x", today=D(2026, 5, 21))
    with pytest.raises(ValueError, match="没有这项"):  # an account explains for its own institution only: H1 has none
        actions.explain(_view(h.store, users["h1"]), "report_volume_drop", "P1", "x", today=D(2026, 5, 21))
    with pytest.raises(roles.AccessDenied):  # an officer's account records, it does not explain
        actions.explain(_view(h.store, users["jinan"]), "report_volume_drop", "P1", "x", today=D(2026, 5, 21))
    actions.explain(mine, "report_volume_drop", "P1", "床位压缩，用量下降", today=D(2026, 5, 21))
    officer = _view(h.store, users["jinan"])
    got = cases.explanation_cases(officer).set_index("subject_code").loc["E1"]
    assert (got["status"], got["explanation"]) == ("已说明", "床位压缩，用量下降")
    actions.record_action(officer, "explanation", [("E1", "report_volume_drop", "P1")], "已采纳", "", D(2026, 5, 22))
    assert scorecard.institution_card(mine, "E1")["explanations"]["status"].tolist() == ["已采纳"]
    with pytest.raises(ValueError, match="已采纳"):  # an accepted explanation is closed: the institution cannot reopen it
        actions.explain(mine, "report_volume_drop", "P1", "补充说明", today=D(2026, 5, 23))
    with pytest.raises(ValueError, match="说明内容"):  # marks that show nothing are no text
        actions.explain(mine, "report_volume_drop", "P1", "\u200b\u202e", today=D(2026, 5, 23))
    recorded = h.store.read("SELECT status, recorded_by FROM actions ORDER BY action_id")
    assert recorded.values.tolist() == [["已说明", "acc_e1"], ["已采纳", "acc_jinan"]]
    logged = h.store.read("SELECT username, action, target FROM audit_log WHERE action IN "
                          "('explanation_given', 'action_recorded') ORDER BY audit_id")
    assert logged.values.tolist() == [["acc_e1", "explanation_given", "E1:report_volume_drop:P1"],
                                      ["acc_jinan", "action_recorded", "E1:report_volume_drop:P1"]]


def test_accounts_for_a_city_with_initial_passwords_changed_at_first_sign_in(store_url):
    h = _store(store_url)
    operator = roles.system_user(h.store)
    issued = admin.issue_accounts(h.store, operator, city="370100")
    # 济南's institutions H1 and H2; the enterprises of their agreements: M1 and M2 (makers of P1, P4), D1.
    assert sorted(issued["username"]) == ["jg_H1", "jg_H2", "qy_D1", "qy_M1", "qy_M2"]
    assert len(admin.issue_accounts(h.store, operator, city="370100")) == 0  # once per entity
    book = openpyxl.load_workbook(io.BytesIO(admin.issued_workbook(h.store, operator, issued)))
    rows = list(book[book.sheetnames[0]].values)
    assert rows[0][:2] == ("用户名", "账户类型") and len(rows) == 6
    password = issued.set_index("username").loc["jg_H1", "password"]
    user = accounts.authenticate(h.store, "jg_H1", password)
    assert user.must_change_password and user.entity == "H1" and user.role == "institution"
    with pytest.raises(roles.AccessDenied, match="请先修改初始密码"):  # core refuses it too, not only the page
        scope.resolve(h.store, user, {})
    with pytest.raises(roles.AccessDenied, match="请先修改初始密码"):
        workflow.raise_complaint(_view(h.store, user), "M1", "P1", "供货不及时", "未到货", today=D(2026, 5, 6))
    with pytest.raises(ValueError, match="原密码不正确"):
        accounts.change_password(h.store, user, "wrong", "newpass2026")
    with pytest.raises(ValueError):  # the rule: letters and digits, long enough
        accounts.change_password(h.store, user, password, "short")
    accounts.change_password(h.store, user, password, "newpass2026")
    changed = accounts.authenticate(h.store, "jg_H1", "newpass2026")
    assert not changed.must_change_password and scope.resolve(h.store, changed, {}).view.entity == ("institution", "H1")
    with pytest.raises(ValueError):  # an entity's account stays tied to it
        admin.set_role(h.store, operator, "jg_H1", "leader", None)
    with pytest.raises(ValueError, match="须指定数据中已有"):
        admin.create_user(h.store, operator, "nobody", "x", "enterprise", None, PASSWORD, entity_code="NOPE")
    logged = h.store.read("SELECT action FROM audit_log WHERE action IN ('accounts_issued', 'export', 'password_changed')")
    assert sorted(set(logged["action"])) == ["accounts_issued", "export", "password_changed"]


def test_an_entitys_view_reads_its_own_part_only(store_url):
    h = _store(store_url)
    users = _accounts(h.store)
    inst, maker = _view(h.store, users["h1"]), _view(h.store, users["m1"])
    for reader in (monitoring.delivery_by_product, monitoring.enterprise_tiers, cases.open_cases):
        with pytest.raises(EntityOnly):  # no reader of areas runs for an entity's account
            reader(inst)
        with pytest.raises(EntityOnly):
            reader(maker)
    with pytest.raises(EntityOnly):  # an enterprise opens no institution's card
        scorecard.institution_card(maker, "H1")
    assert scorecard.institution_card(inst, "H2") is None  # nor an institution another's
    assert scorecard.enterprise_card(maker, "M2") is None
    supply = docking.supply(maker)
    assert set(supply["product_code"]) == {"P1"} and set(supply["institution_code"]) == {"H1"}
    # 5 orders of 10 for P1, all delivered by 05-18 (T - 2 days): a rate of 1 against 120 agreed.
    assert supply[["agreed_qty", "purchased_qty", "ordered_qty", "delivery_rate"]].values.tolist() == [[120, 50, 50, 1]]
    mine = docking.self_inspection(inst)
    assert list(mine["indicator_id"]) == ["report", "delivery", "complaint", "progress", "nonselected", "substitute",
                                          "other"]
    progress = mine.set_index("indicator_id").loc["progress"]
    # 50 of 120 bought: 0.4167, behind the schedule at 05-20 (140 / 365 = 0.3836)? No: ahead, nothing to correct.
    assert progress["value"] == pytest.approx(50 / 120) and progress["to_correct"] == "否"
    assert progress["requirement"] == "不低于序时进度 38.4%" and progress["meets"] == "达标"
    delivery = mine.set_index("indicator_id").loc["delivery"]  # all 50 delivered: 100% against 80%, suppliers' part
    assert (delivery["value"], delivery["requirement"], delivery["meets"], delivery["to_correct"]) == \
        (1, "不低于80.0%", "达标", "否")
    assert mine.set_index("indicator_id").loc["other", "requirement"] == "每笔问题订单预警"  # no threshold to meet
    # advice wherever there is something to correct, the suppliers' part included, and only there
    assert ((mine["advice"] == "—") == (mine["to_correct"] == "否")).all(), mine[["indicator_id", "to_correct", "advice"]]
    assert progress["county_value"] == pytest.approx(50 / 120)  # its county holds H1 alone
    assert set(docking.suppliers(inst)["enterprise_code"]) == {"M1", "D1"}
    with pytest.raises(EntityOnly):
        docking.supply(inst)


def test_an_older_store_gains_the_dockings(store_url):
    """A store of schema version 18, its users table and complaints as that version made them, with an account and a
    complaint: upgraded, the account and the complaint are kept (an imported one), an institution's account can be
    made, and one without its institution is refused by the store itself."""
    from core.store import migrations
    engine = sa.create_engine(store_url)
    migrations.upgrade(engine, target=18)
    with engine.begin() as conn:  # version 18's users and complaints
        conn.execute(sa.text("DROP TABLE user_sessions"))
        conn.execute(sa.text("DROP TABLE users"))
        conn.execute(sa.text("""CREATE TABLE users (username VARCHAR(64) PRIMARY KEY, display_name VARCHAR(100) NOT NULL,
            password_hash VARCHAR(255) NOT NULL, role VARCHAR(16) NOT NULL, area_code VARCHAR(6), is_active BOOLEAN
            DEFAULT true NOT NULL, is_demo BOOLEAN DEFAULT false NOT NULL, failed_logins INTEGER DEFAULT 0 NOT NULL,
            locked_until TIMESTAMP, created_at TIMESTAMP NOT NULL, sso_subject VARCHAR(200) UNIQUE,
            last_login_at TIMESTAMP, password_changed_at TIMESTAMP,
            CONSTRAINT ck_user_role CHECK (role IN ('leader', 'city_officer', 'county_officer', 'analyst', 'admin')))"""))
        S.user_sessions.create(conn)
        for name in S.COMPLAINT_COLUMNS_V19:
            conn.execute(sa.text(f"ALTER TABLE complaints DROP COLUMN {name}"))
        conn.execute(sa.text("INSERT INTO users (username, display_name, password_hash, role, created_at) "
                             "VALUES ('old_admin', '管理员', 'x', 'admin', '2026-01-01 00:00:00')"))
        conn.execute(S.user_sessions.insert().values(session_id="s1", username="old_admin", source="web",
                                                     created_at=dt.datetime(2026, 1, 1), last_seen_at=dt.datetime(2026, 1, 1)))
        for code, name, level, parent in (("370000", "山东省", "province", None), ("370100", "济南市", "city", "370000"),
                                          ("370102", "历下区", "county", "370100")):
            conn.execute(S.regions.insert().values(region_code=code, region_name=name, region_level=level,
                                                   parent_code=parent))
        conn.execute(S.institutions.insert().values(institution_code="H1", institution_name="机构", county_code="370102",
                                                    level="二级", category="综合医院", is_primary=False))
        conn.execute(S.enterprises.insert().values(enterprise_code="M1", enterprise_name="企业", role="生产企业"))
        conn.execute(sa.text("INSERT INTO complaints (complaint_id, institution_code, enterprise_code, issue_type, "
                             "raised_date) VALUES ('K1', 'H1', 'M1', '其他', '2026-03-02')"))
    assert migrations.upgrade(engine) == list(range(19, migrations.HEAD + 1))  # 19, 20 and any later
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT display_name, role FROM users")).all() == [("管理员", "admin")]
        assert conn.execute(sa.text("SELECT source FROM complaints")).scalar() == "import"
        conn.execute(S.users.insert().values(username="jg_H1", display_name="机构", password_hash="x", role="institution",
                                             institution_code="H1", created_at=dt.datetime(2026, 1, 1)))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(S.users.insert().values(username="jg_none", display_name="x", password_hash="x", role="institution",
                                             created_at=dt.datetime(2026, 1, 1)))
    engine.dispose()


def test_the_command_line_issues_accounts_only_where_their_passwords_can_go(store_url, tmp_path, capsys):
    """The workbook is the only copy of the initial passwords: no --out, or one that cannot be written, issues none."""
    from core.cli.main import main as cli
    h = _store(store_url)

    def count() -> int:
        return h.store.read("SELECT COUNT(*) AS n FROM users")["n"].iloc[0]

    assert cli(["users", "issue", "--db", h.store.url]) == 2 and count() == 0  # misuse
    assert cli(["users", "issue", "--db", h.store.url, "--out", str(tmp_path / "none" / "x.xlsx")]) == 2 and count() == 0
    assert "无法写入" in capsys.readouterr().err
    out = tmp_path / "初始密码.xlsx"
    assert cli(["users", "issue", "--db", h.store.url, "--out", str(out)]) == 0  # the province: every entity
    every = {"jg_H1", "jg_H2", "qy_D1", "qy_M1", "qy_M2", "qy_M3", "qy_M4"}
    rows = list(openpyxl.load_workbook(out).active.values)
    assert count() == 7 and {r[0] for r in rows[1:]} == every


def test_issuing_names_the_codes_it_cannot_make_names_of_and_two_at_once_make_each_account_once(store_url):
    import threading
    h = _store(store_url)
    h.rows["enterprises"].append({"enterprise_code": "ZX/001", "enterprise_name": "斜杠企业", "role": "配送企业"})
    h.rows["institutions"].append({**h.rows["institutions"][0], "institution_code": "M1", "institution_name": "同码机构"})
    h.save()
    operator = roles.system_user(h.store)
    outcomes, start = [], threading.Barrier(2)

    def issue() -> None:
        start.wait()
        try:
            outcomes.append(admin.issue_accounts(h.store, operator))
        except ValueError as err:
            outcomes.append(str(err))

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2, outcomes  # neither ended in anything but a result or a message
    made = [o for o in outcomes if not isinstance(o, str) and len(o)]
    assert len(made) == 1, outcomes  # one made them; the other made none (found them, or was told to try again)
    names = set(h.store.read("SELECT username FROM users")["username"])
    # the institution M1 gets its own account beside the enterprise M1; ZX/001 makes no user name: named, not made
    assert names == {"jg_H1", "jg_H2", "jg_M1", "qy_D1", "qy_M1", "qy_M2", "qy_M3", "qy_M4"}
    assert made[0].attrs["skipped"] == ["ZX/001"]


@pytest.mark.parametrize("value, threshold, direction, meets", [
    (0.5012, 0.8, "min", "未达标"), (0.8, 0.8, "min", "达标"),  # at the threshold meets it
    (0.468, 0.888, "max", "达标"), (0.888, 0.888, "max", "达标"), (0.9, 0.888, "max", "未达标"),
    (None, 0.8, "min", "—"), (float("nan"), 0.8, "min", "—"), (0.0086, None, "max", "—")])
def test_the_self_inspection_reads_a_value_against_its_threshold_as_its_direction_says(value, threshold, direction,
                                                                                       meets):
    assert docking._meets(value, threshold, direction) == meets


def test_the_suppliers_answer_for_delivery_and_complaints_only():
    assert docking.SUPPLIERS_ANSWER == {"delivery", "complaint"}


def test_rounds_of_different_periods_are_each_judged_on_their_own_schedule(store_url):
    """H1 holds P1 over 2026 and P4 of a later round, 2026-05-01 to 2027-04-30, 100 each; it bought 40 of each (P1 on
    02-02, P4 on 06-01). At T = 06-30 two periods are in force: P1's schedule is 181 / 365 = 49.6% (completion 40%:
    behind), P4's 61 / 365 = 16.7% (40%: ahead). H1's progress, 80 / 200 = 40%, is above the pooled period's schedule
    (01-01 to 2027-04-30: 181 / 485 = 37.3%), yet one agreement is behind: the self-inspection asks for each
    agreement's own schedule and does not meet it; the notification's standard says the same. The overview's
    progress against plan is the purchases over what the agreements ask by now, 80 / (100 x 181/365 + 100 x
    61/365) = 29,200 / 24,200 = 120.7% (not 40% / 37.3% = 107.2%)."""
    from core.read import notice
    h = Handmade(store_url)
    h.two_rounds("H1")
    h.order("H1", 40, "P1", day=D(2026, 2, 2))
    h.order("H1", 40, "P4", day=D(2026, 6, 1))
    h.institution("H2", county="370112")  # for the accounts' helper; no agreement
    h.save()
    users = _accounts(h.store)
    t = D(2026, 6, 30)
    inst, officer = _view(h.store, users["h1"], t), _view(h.store, users["jinan"], t)
    assert inst.info.period_count == 2 and inst.info.one_schedule is None
    progress = docking.self_inspection(inst).set_index("indicator_id").loc["progress"]
    assert progress["value"] == pytest.approx(0.4) and progress["requirement"] == "不低于各协议周期的序时进度"
    assert progress["meets"] == "未达标" and progress["to_correct"] == "是"
    assert progress["involved"] == "P1 阿司匹林"  # which agreement is behind: the one of the round begun in January
    table = notice.indicator_table(officer, None).set_index("indicator_id")
    assert table.loc["progress", "threshold_text"] == "不低于各协议周期的序时进度"
    assert table.loc["substitute", "threshold_text"] == "不高于各协议周期的序时进度"
    snap = h.store.read("SELECT region_code, metric, value FROM mart_snapshots WHERE view_id = :v AND as_of = :t",
                        {"v": inst.info.view_id, "t": t if h.store.is_postgres else t.isoformat()})
    tile = snap[(snap["region_code"] == h.store.province_code) & (snap["metric"] == "progress")]["value"]
    assert tile.tolist() == [pytest.approx(29200 / 24200)]


def test_the_complaints_by_enterprise_say_what_the_timely_rate_counts(store_url):
    """M1 got two complaints from H1 raised Mon 2026-03-02: K1 answered Fri 03-06 (the 4th working day: late) with a
    promise of 03-10 kept; K2 answered 03-03 with 03-05 kept. At 05-20 both are counted (raised 7 working days
    before and more): 1 timely of 2, 50%, while 未按时解决 is 0: the row shows 计入考核 2 and 及时解决 1 beside it."""
    h = _store(store_url)
    h.complaint("K1", D(2026, 3, 2), reply=D(2026, 3, 6), promised=D(2026, 3, 10), resolved=D(2026, 3, 10), inst="H1")
    h.complaint("K2", D(2026, 3, 2), reply=D(2026, 3, 3), promised=D(2026, 3, 5), resolved=D(2026, 3, 5), inst="H1")
    h.save()
    users = _accounts(h.store)
    row = monitoring.complaints_by_enterprise(_view(h.store, users["jinan"])).set_index("enterprise_code").loc["M1"]
    assert row[["count_complaints", "count_reply_late", "count_unresolved", "count_counted", "count_timely"]].tolist() \
        == [2, 1, 0, 2, 1]
    assert row["timely_rate"] == 0.5


def test_a_distributor_is_told_the_credit_evaluation_not_a_reduced_volume(store_url):
    """H1 ordered 100 of P1 (made by M1, delivered by D1) on 02-02 and got 50: at 05-20 both are tier C (50%, between
    30% and 60%). The manufacturer's measure is a reduced agreed volume in the next round; the distributor bids for
    none, and the same clause names the procurement credit evaluation for it (二（七））."""
    from core.policy import cases as rules
    h = Handmade(store_url)
    h.institution("H1")
    h.institution("H2", county="370112")
    h.agreement("H1", "P1", agreed=120, start=D(2026, 1, 1), end=D(2026, 12, 31))
    h.order("H1", 100, "P1", day=D(2026, 2, 2), delivered=50)
    h.save()
    users = _accounts(h.store)
    listed = cases.tier_cases(_view(h.store, users["jinan"])).set_index("subject_code")
    assert listed.loc[["M1", "D1"], "tier"].tolist() == ["C", "C"]
    assert listed.loc["M1", "measure"] == "减少约定采购量" and listed.loc["D1", "measure"] == "落实招采信用评价"
    english = cases.tier_cases(_view(h.store, users["jinan"]), "en").set_index("subject_code")
    assert english.loc["D1", "measure"] == "Credit evaluation applies"
    assert rules.tier_measure("A", "配送企业") is None and rules.tier_measure("D", "生产企业") == "不接受参加集采"


def test_what_a_flag_concerns_reads_by_product_group_or_order():
    """自查自纠's 涉及: a product by code and generic name, a group by its words, an order by its number; three, then
    how many in all."""
    names = {"P1": "阿司匹林", "P4": "氨氯地平"}
    assert docking._involved(["P1", "P1", "阿司匹林|片剂", "O00001"], names, "zh") == "P1 阿司匹林、阿司匹林 片剂、O00001"
    assert docking._involved(["O1", "O2", "O3", "O4", "O5"], names, "zh") == "O1、O2、O3 等 5 项"
    assert docking._involved(["O1", "O2", "O3", "O4", "O5"], names, "en") == "O1, O2, O3 and 2 more"
    assert docking._involved(["", ""], names, "zh") == "" and docking._involved([], names, "en") == ""
