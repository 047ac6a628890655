"""Account administration: create, change, disable and reset accounts. Only an administrator (or
the command line operator) may; every change is audited with who made it."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd
import sqlalchemy as sa

from core.access import audit, exports, sessions
from core.access.accounts import check_password_rule, hash_password, initial_passwords
from core.access.roles import AccessDenied, ENTITY_ROLES, require, ROLES, User
from core.policy import clock, regions
from core.present.i18n import t
from core.store import schema as S

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")


def _now() -> dt.datetime:
    return clock.now()


def check_area(store, role: str, area_code: str | None) -> str | None:
    """The area an account of this role holds: the province for province-wide roles (stored as none),
    a city for a city officer, a county for a county officer."""
    if role not in ROLES:
        raise ValueError(f"未知角色 / unknown role: {role}")
    level = ROLES[role].area_level
    if level in ("province", "entity"):  # an entity's account is bounded by its entity, not by an area
        return None
    table = store.regions()
    allowed = regions.prefecture_units(table) if level == "city" else \
        table.loc[table["region_level"] == "county", "region_code"].tolist()
    if not area_code or area_code not in allowed:
        word = {"city": ("市", "city"), "county": ("区县", "county")}[level]
        raise ValueError(f"{ROLES[role].zh}须指定一个{word[0]}级区域代码 / an account of the role {ROLES[role].en} "
                         f"needs a {word[1]} code")
    return area_code


def _exists(conn, username: str) -> bool:
    return conn.execute(sa.select(S.users.c.username).where(S.users.c.username == username)).first() is not None


def _plain_text(label: tuple[str, str], value: str, length: int) -> str:
    """A name or identity typed by an administrator: at most `length` characters, nothing invisible."""
    value = (value or "").strip()
    if len(value) > length:
        raise ValueError(f"{label[0]}最长 {length} 个字符（现为 {len(value)} 个） / {label[1]} has at most {length} characters")
    odd = next((ch for ch in value if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")), None)
    if odd is not None:
        raise ValueError(f"{label[0]}含有不可见字符 U+{ord(odd):04X} / {label[1]} holds an invisible character U+{ord(odd):04X}")
    return value


DISPLAY_NAME = ("姓名", "a display name")
SSO_SUBJECT = ("统一身份认证标识", "a single sign-on identity")


def check_entity(store, role: str, entity_code: str | None) -> dict:
    """The entity an enterprise's or institution's account is tied to (its code must be in the store), as the
    users row holds it; nothing for the other roles, which may not name one."""
    if role not in ROLES:
        raise ValueError(f"未知角色 / unknown role: {role}")
    if role not in ENTITY_ROLES:
        if entity_code:
            raise ValueError(f"{ROLES[role].zh}不绑定企业或医疗机构 / an account of the role {ROLES[role].en} names no entity")
        return {}
    table, key = ("enterprises", "enterprise_code") if role == "enterprise" else ("institutions", "institution_code")
    if not entity_code or store.read(f"SELECT COUNT(*) AS n FROM {table} WHERE {key} = :c",
                                     {"c": str(entity_code)})["n"].iloc[0] == 0:
        word = ("企业编码", "an enterprise code") if role == "enterprise" else ("医疗机构编码", "an institution code")
        raise ValueError(f"{ROLES[role].zh}须指定数据中已有的{word[0]} / an account of the role {ROLES[role].en} "
                         f"needs {word[1]} of the "
                         f"store: {str(entity_code or '')[:32]}")
    return {key: str(entity_code)}


def create_user(store, actor: User, username: str, display_name: str, role: str, area_code: str | None,
                password: str, is_demo: bool = False, entity_code: str | None = None) -> None:
    require(actor, "admin")
    display_name = _plain_text(DISPLAY_NAME, display_name, 100)
    _check_username(username)
    area = check_area(store, role, area_code)
    entity = check_entity(store, role, entity_code)
    check_password_rule(password, int(store.settings()["password_min_length"]))
    with store.begin() as conn:
        if _exists(conn, username):
            raise ValueError(f"用户名 {username} 已存在 / the user name {username} is taken")
        now = _now()
        conn.execute(S.users.insert().values(username=username, display_name=display_name or username, role=role,
                                             area_code=area, password_hash=hash_password(password), is_active=True,
                                             is_demo=is_demo, failed_logins=0, created_at=now, password_changed_at=now,
                                             **entity))
    audit.record(store, actor, "account_created", target=username,
                 detail=f"{role} {next(iter(entity.values()), None) or area or store.province_code}")


def _check_username(username: str) -> None:
    if not USERNAME.match(username or ""):
        raise ValueError("用户名为3至64位字母、数字或 _ . @ - / a user name is 3 to 64 letters, digits or _ . @ -")
    if username.startswith("cli:"):
        raise ValueError("用户名不能以 cli: 开头 / a user name cannot start with cli:")


PREFIX = {"enterprise": "qy_", "institution": "jg_"}  # 企业, 机构: the user name of an entity's account is its code


def issued_workbook(store, actor: User, issued: pd.DataFrame) -> bytes:
    """The accounts just issued with their initial passwords, as a workbook to hand out (its export audited)."""
    headers = {"username": "用户名", "role_name": "账户类型", "entity_code": "单位编码", "entity_name": "单位名称",
               "password": "初始密码（首次登录须修改）"}
    return exports.sheets(store, actor, "账户初始密码", [("账户", issued, headers)], ("内容", "企业和医疗机构账户的初始密码"),
                          {"说明": "初始密码仅此一份；首次登录后须修改。请按单位分发，妥善保管。"})


def issue_accounts(store, actor: User, kinds: tuple[str, ...] = ENTITY_ROLES, city: str | None = None,
                   progress=None) -> pd.DataFrame:
    """Accounts for every enterprise and institution of the store (of one city: its institutions, and the
    enterprises supplying them) that has none, each with a random initial password to change at the first sign-in,
    in one transaction. Returns who got which (user name, the entity, the password): the only copy of the passwords,
    for the administrator to hand out (as a workbook). Audited with the count."""
    require(actor, "admin")
    if city:
        check_area(store, "city_officer", city)
    inside = "1 = 1" if not city else "i.county_code IN (SELECT region_code FROM regions WHERE prefecture_code = :c)"
    wanted = []
    if "institution" in kinds:
        inst = store.read(f"SELECT i.institution_code AS code, i.institution_name AS name FROM institutions i "
                          f"WHERE {inside} ORDER BY i.institution_code", {"c": city})
        wanted += [("institution", r.code, r.name) for r in inst.itertuples()]
    if "enterprise" in kinds:  # a city's: the distributors and makers of its institutions' agreements
        ent = store.read(f"""SELECT enterprise_code AS code, enterprise_name AS name FROM enterprises
                             WHERE :all = 1 OR enterprise_code IN (
                                 SELECT a.distributor_code FROM agreements a JOIN institutions i
                                 ON i.institution_code = a.institution_code WHERE {inside}
                                 UNION SELECT p.manufacturer_code FROM agreements a
                                 JOIN products p ON p.product_code = a.product_code
                                 JOIN institutions i ON i.institution_code = a.institution_code WHERE {inside})
                             ORDER BY enterprise_code""", {"c": city, "all": 0 if city else 1})
        wanted += [("enterprise", r.code, r.name) for r in ent.itertuples()]
    held = store.read("SELECT enterprise_code, institution_code FROM users WHERE role IN ('enterprise', 'institution')")
    have = {"enterprise": set(held["enterprise_code"].dropna()), "institution": set(held["institution_code"].dropna())}
    now, rows, out = _now(), [], []  # an enterprise and an institution may share a code: each kind its own
    fresh = [w for w in wanted if w[1] not in have[w[0]]]
    todo = [w for w in fresh if USERNAME.match(PREFIX[w[0]] + str(w[1]))]
    skipped = [str(w[1]) for w in fresh if not USERNAME.match(PREFIX[w[0]] + str(w[1]))]  # no valid user name
    if progress is not None:
        progress(0.0, f"0 / {len(todo)}")
    secrets_ = initial_passwords(len(todo), progress)
    for n, ((role, code, name), (password, hashed)) in enumerate(zip(todo, secrets_)):
        username = PREFIX[role] + str(code)
        rows.append({"username": username, "display_name": str(name)[:100], "role": role, "password_hash": hashed,
                     "is_active": True, "is_demo": False, "failed_logins": 0, "created_at": now,
                     "password_changed_at": None, "must_change_password": True, f"{role}_code": str(code)})
        out.append({"username": username, "role_name": ROLES[role].zh, "entity_code": str(code),
                    "entity_name": str(name), "password": password})
    if rows:
        try:
            with store.begin() as conn:
                taken = {r.username for r in conn.execute(sa.select(S.users.c.username).where(
                    S.users.c.username.in_([r["username"] for r in rows])))}
                if taken:
                    raise ValueError(f"用户名已被占用：{', '.join(sorted(taken))[:200]} / user names taken")
                for part in range(0, len(rows), 500):
                    conn.execute(S.users.insert(), [
                        {"enterprise_code": None, "institution_code": None, **r} for r in rows[part:part + 500]])
        except sa.exc.IntegrityError:  # another administrator issued some of them at the same moment: none written
            raise ValueError("另一位管理员刚刚创建了其中的部分账户，本次未创建任何账户，请刷新后重试 / another administrator "
                             "has just issued some of these accounts: none were made, try again") from None
    audit.record(store, actor, "accounts_issued", target=city or store.province_code,
                 detail=f"{len(rows)} accounts ({'/'.join(kinds)})")
    made = pd.DataFrame(out, columns=["username", "role_name", "entity_code", "entity_name", "password"])
    made.attrs["skipped"] = skipped  # codes that make no valid user name: their accounts are made one by one
    return made


def _change(store, actor: User, username: str, action: str, detail: str, end_sessions: str = "", **values) -> None:
    """Change an account's row; `end_sessions` (a reason) also ends every session it has, in the same transaction."""
    require(actor, "admin")
    with store.begin() as conn:
        if not _exists(conn, username):
            raise ValueError(f"没有用户 {username} / no user {username}")
        conn.execute(S.users.update().where(S.users.c.username == username).values(**values))
        if end_sessions:
            sessions.end_all(conn, username, end_sessions)
    audit.record(store, actor, action, target=username, detail=detail)


def set_role(store, actor: User, username: str, role: str, area_code: str | None) -> None:
    current = store.read("SELECT role FROM users WHERE username = :u", {"u": username})["role"]
    if role in ENTITY_ROLES or (len(current) and current.iloc[0] in ENTITY_ROLES):
        raise ValueError("企业和医疗机构的账户绑定其单位，不能改为其他角色；请另建账户 / an enterprise's or institution's "
                         "account stays tied to it: make another account instead")
    area = check_area(store, role, area_code)
    _change(store, actor, username, "account_role", f"{role} {area or store.province_code}", role=role, area_code=area)


def set_active(store, actor: User, username: str, active: bool) -> None:
    if not active and username == actor.username:
        raise AccessDenied("不能停用自己的账户 / you cannot disable your own account")
    _change(store, actor, username, "account_enabled" if active else "account_disabled", "",
            end_sessions="" if active else "disabled", is_active=active, failed_logins=0, locked_until=None)


def reset_password(store, actor: User, username: str, password: str) -> None:
    check_password_rule(password, int(store.settings()["password_min_length"]))
    _change(store, actor, username, "password_reset", "", end_sessions="password_reset",
            password_hash=hash_password(password), failed_logins=0, locked_until=None, password_changed_at=_now())


def link_sso(store, actor: User, username: str, subject: str | None) -> None:
    """Link a single sign-on identity (the e-mail or subject the provider gives) to an account; an identity links
    to one account only."""
    subject = _plain_text(SSO_SUBJECT, subject or "", 200) or None
    if subject is not None:
        taken = store.read("SELECT username FROM users WHERE sso_subject = :s AND username <> :u", {"s": subject, "u": username})
        if len(taken):
            raise ValueError(f"该统一身份认证标识已关联账户 {taken['username'].iloc[0]} / this identity is already linked to "
                             f"{taken['username'].iloc[0]}")
    _change(store, actor, username, "account_sso", subject or "", sso_subject=subject)


def users(store, actor: User, lang: str = "zh") -> pd.DataFrame:
    """Every account, with its times as times (to the second), its creation day, and its state in words
    (`status_text`: active, disabled, or locked until when)."""
    require(actor, "admin")
    frame = store.read("""SELECT u.username, u.display_name, u.role, u.area_code, r.region_name AS area_name, u.is_active,
                                 u.is_demo, u.failed_logins, u.locked_until, u.last_login_at, u.sso_subject, u.created_at,
                                 COALESCE(u.enterprise_code, u.institution_code) AS entity_code
                          FROM users u LEFT JOIN regions r ON r.region_code = u.area_code ORDER BY u.username""")
    frame["area_code"] = frame["area_code"].fillna(store.province_code)
    frame["area_name"] = frame["area_name"].fillna(store.regions().set_index("region_code")
                                                   .loc[store.province_code, "region_name"])
    # What the account sees: its area, or for an enterprise's or institution's account that entity alone (by its
    # code: the role says which kind, and the table must stay within the page).
    frame["scope_text"] = [str(code) if pd.notna(code) else area for code, area in zip(frame["entity_code"],
                                                                                       frame["area_name"])]
    frame["role_name"] = frame["role"].map(lambda r: ROLES[r].name())
    frame[["is_active", "is_demo"]] = frame[["is_active", "is_demo"]].astype(bool)
    for column in ("locked_until", "last_login_at", "created_at"):  # SQLite gives text: times as times
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").dt.floor("s")
    frame["created_on"] = frame["created_at"].dt.normalize()
    locked = frame["locked_until"] > pd.Timestamp(_now())
    frame["status_text"] = [t("ad.status.disabled", lang) if not active else
                            t("ad.status.locked", lang).format(until=f"{until:%Y-%m-%d %H:%M}") if lock else
                            t("ad.status.active", lang)
                            for active, lock, until in zip(frame["is_active"], locked, frame["locked_until"])]
    return frame


def remove_demo_accounts(conn) -> int:
    """Inside the transaction that imports real data: demo accounts go."""
    return conn.execute(S.users.delete().where(S.users.c.is_demo.is_(True))).rowcount
