"""AppTest: the login page, session timeout, disabled accounts, role navigation, the admin and audit pages."""
import datetime as dt

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from core import demo
from core.access import accounts, roles
from core.paths import ROOT


from .views import sign_in


@pytest.fixture
def app(demo_copy, monkeypatch):
    monkeypatch.setenv("VBP_DATABASE_URL", demo_copy.url)
    from ui import session
    session._store.clear()
    yield lambda: AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=180)
    session._store.clear()


def _login(at, username, password):
    at.text_input(key="login_user").set_value(username)
    at.text_input(key="login_password").set_value(password)
    at.button[-1].click().run()
    return at


def test_nothing_before_signing_in_and_the_form_works(app, demo_copy):
    at = app().run()
    assert not at.exception and not at.dataframe and not at.metric  # no data on the login page
    assert any("demo_city" in i.value for i in at.info)  # a demo store lists its accounts
    _login(at, "demo_city", "wrong1password")
    assert "用户名或密码错误" in at.error[0].value and not at.metric
    _login(at, "demo_city", demo.DEMO_PASSWORD)
    assert not at.exception and at.title[0].value == "待办事项"  # what waits comes first
    at.switch_page("../pages/overview.py").run()
    assert not at.exception and at.metric  # the overview's tiles
    assert at.session_state["filters"].area == "371400"
    log = demo_copy.read("SELECT username, action, outcome FROM audit_log WHERE action = 'login' ORDER BY audit_id")
    assert log.values.tolist()[-2:] == [["demo_city", "login", "failed:wrong"], ["demo_city", "login", "ok"]]


def test_lockout_through_the_form(app, demo_copy):
    at = app().run()
    for _ in range(5):
        _login(at, "demo_county", "wrong1password")
    assert "用户名或密码错误" in at.error[0].value  # locked now, said in the words of any failure
    _login(at, "demo_county", demo.DEMO_PASSWORD)
    assert "用户名或密码错误" in at.error[0].value and not at.metric
    assert demo_copy.read("SELECT locked_until FROM users WHERE username = 'demo_county'")["locked_until"].notna().all()


def test_an_idle_session_expires(app, demo_copy):
    at = sign_in(app(), "demo_leader").run().switch_page("../pages/overview.py").run()
    assert at.metric
    demo_copy.engine.dispose()
    with demo_copy.begin() as conn:  # the last activity 31 minutes ago (the timeout is 30)
        conn.execute(sa.text("UPDATE user_sessions SET last_seen_at = :t WHERE session_id = :s"),
                     {"t": dt.datetime.now() - dt.timedelta(minutes=31), "s": at.session_state["auth"]["session_id"]})
    at.run()
    assert not at.metric and not at.dataframe and "会话已结束" in at.warning[0].value
    assert "filters" not in at.session_state  # the session forgot what it held
    assert demo_copy.read("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'session_expired'")["n"].iloc[0] == 1


def test_a_disabled_account_is_signed_out_at_its_next_page(app, demo_copy):
    at = sign_in(app(), "demo_city").run().switch_page("../pages/overview.py").run()
    assert at.metric
    accounts_admin = roles.system_user(demo_copy)
    from core.access import admin
    admin.set_active(demo_copy, accounts_admin, "demo_city", False)
    at.run()
    assert not at.metric and "已停用" in at.warning[0].value
    at = _login(app().run(), "demo_city", demo.DEMO_PASSWORD)  # signing in again, in a new session
    assert "账户已停用" in at.error[0].value


@pytest.mark.parametrize("username,allowed,refused", [
    ("demo_leader", "overview", "upload"), ("demo_county", "interviews", "admin"),
    ("demo_analyst", "upload", "audit"), ("demo_admin", "audit", "overview")])
def test_each_role_opens_only_its_pages(app, username, allowed, refused):
    at = sign_in(app(), username).run()
    at.switch_page(f"../pages/{allowed}.py").run()
    assert not at.exception and not any("无权打开" in w.value for w in at.warning)
    at.switch_page(f"../pages/{refused}.py").run()  # as a crafted link to a page outside the role would
    assert any("无权打开" in w.value for w in at.warning) and not at.dataframe


def test_admin_creates_an_account_and_the_audit_log_shows_it(app, demo_copy):
    at = sign_in(app(), "demo_admin").run()  # the admin's first page: accounts
    assert not at.exception and "demo_city" in set(at.dataframe[0].value["用户"])
    at.selectbox(key="ad_new_role").set_value("county_officer").run()
    at.text_input(key="ad_new_user").set_value("ningjin2")
    at.text_input(key="ad_new_display").set_value("宁津县经办")
    at.selectbox(key="ad_new_area").set_value("371422")
    at.text_input(key="ad_new_password").set_value("ningjin2026")
    next(b for b in at.button if b.label == "新建账户").click().run()
    assert not at.exception and "已创建账户 ningjin2" in at.success[0].value
    user = accounts.authenticate(demo_copy, "ningjin2", "ningjin2026")
    assert (user.role, user.scope, user.is_demo) == ("county_officer", "371422", False)
    at.switch_page("../pages/audit.py").run()
    log = at.dataframe[0].value
    assert ("demo_admin", "创建账户", "ningjin2") in set(zip(log["用户"], log["操作"], log["对象"]))


def test_a_crafted_link_to_another_city_shows_the_own(app):
    at = sign_in(app(), "demo_city")
    at.query_params["area"] = "370100"
    at.run().switch_page("../pages/overview.py").run()
    assert any("不在您的管辖范围内" in w.value for w in at.warning)
    assert at.session_state["filters"].area == "371400" and at.query_params["area"] in ("371400", ["371400"])


def test_the_audit_log_names_roles_in_english_when_asked(app):
    at = sign_in(app(), "demo_admin")
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("../pages/audit.py").run()
    log = at.dataframe[0].value
    assert not at.exception and "Administrator" in set(log["Role"]) and "系统管理员" not in set(log["Role"])


def test_an_initial_password_opens_nothing_but_its_change(app, demo_copy):
    from core.access import admin
    issued = admin.issue_accounts(demo_copy, roles.system_user(demo_copy), kinds=("institution",), city="371400")
    name, password = issued[["username", "password"]].iloc[0]
    at = _login(app().run(), name, password)
    assert not at.exception and at.title[0].value == "修改初始密码" and not at.dataframe
    at.text_input(key="pw_old").set_value(password)
    at.text_input(key="pw_new").set_value("mine2026pass")
    at.text_input(key="pw_again").set_value("mine2026pass")
    next(b for b in at.button if b.label == "修改密码").click().run()
    assert not at.exception and at.title[0].value == "待办事项"  # then the account's own pages, what waits first


@pytest.mark.parametrize("username,table,key,name", [
    ("demo_enterprise", "enterprises", "enterprise_code", "enterprise_name"),
    ("demo_institution", "institutions", "institution_code", "institution_name")])
def test_an_entitys_account_names_its_entity_in_the_sidebar(app, demo_copy, username, table, key, name):
    """The sidebar said "企业用户 · 0072" and the to-do list, the first page, "演示·医疗机构 · 列于…": the account's
    enterprise or institution by its name (its code beside it in the sidebar)."""
    user = accounts.load(demo_copy, username)
    expected = demo_copy.read(f"SELECT {name} AS n FROM {table} WHERE {key} = :c", {"c": user.entity})["n"].iloc[0]
    at = sign_in(app(), username).run()
    assert not at.exception
    said = [c.value for c in at.sidebar.caption]
    assert any(c.endswith(f" · {expected}（{user.entity}）") for c in said), said
    assert at.title[0].value == "待办事项" and at.main.caption[0].value.startswith(f"{expected} · 生成于"), \
        at.main.caption[0].value
