"""Roles and what each may do (鲁医保发〔2023〕14号 三（一）: authorization), and the `User` the rest of core trusts:
its scope (the area it may see) bounds every `View`, and `require` refuses what its role may not do, whoever calls.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    id: str
    zh: str
    en: str
    area_level: str  # province | city | county: the level of the area an account of this role holds; entity: none
    pages: tuple[str, ...]
    can: frozenset[str]

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


DATA_PAGES = ("todo", "overview", "home", "map", "supply", "procurement", "complaints", "institution", "enterprise",
              "interviews", "cases", "notice", "settings")


ROLES: dict[str, Role] = {r.id: r for r in (
    Role("leader", "局领导", "Leadership", "province", DATA_PAGES, frozenset({"view", "export", "notify", "issue"})),
    Role("city_officer", "市级经办", "City officer", "city", DATA_PAGES,
         frozenset({"view", "export", "record", "notify", "issue"})),
    Role("county_officer", "县级经办", "County officer", "county", DATA_PAGES,
         frozenset({"view", "export", "record", "notify", "issue"})),
    Role("analyst", "数据分析员", "Analyst", "province", DATA_PAGES + ("upload",),
         frozenset({"view", "export", "upload", "notify"})),
    Role("admin", "系统管理员", "Administrator", "province", ("admin", "audit", "settings"),
         frozenset({"admin", "settings", "export"})),
    # The two dockings (两个对接): an enterprise's and an institution's own accounts, each tied to one entity of the store.
    Role("enterprise", "企业用户", "Enterprise", "entity", ("todo", "ent_supply", "desk"),
         frozenset({"view", "export", "respond"})),
    Role("institution", "医疗机构用户", "Institution", "entity", ("todo", "inst_self", "desk"),
         frozenset({"view", "export", "complain", "explain"})),
)}
ENTITY_ROLES = ("enterprise", "institution")


PERMISSIONS = {"view": ("查看数据", "view data"), "export": ("导出", "export"), "record": ("记录处理情况", "record actions"),
               "upload": ("上传数据", "upload data"), "admin": ("管理账户", "manage accounts"),
               "settings": ("修改设置", "change settings"), "respond": ("答复诉求", "answer complaints"),
               "complain": ("反馈诉求", "raise complaints"), "explain": ("作出说明", "explain"),
               "notify": ("生成季度通报", "draft the quarterly notification"),
               "issue": ("确认通报已印发", "confirm a notification issued")}


class AccessDenied(PermissionError):
    """Something the user's role or scope does not allow; the message is in Chinese and English."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    scope: str  # the area code the user may see: the province, a city or a county
    is_demo: bool = False
    entity: str | None = None  # an enterprise's or institution's own account: its code; it sees that entity's part only
    must_change_password: bool = False  # signed in with an initial password: nothing but changing it

    def can(self, permission: str) -> bool:
        return permission in ROLES[self.role].can

    @property
    def is_entity(self) -> bool:
        return self.role in ENTITY_ROLES

    @property
    def pages(self) -> tuple[str, ...]:
        return ROLES[self.role].pages


def system_user(store) -> User:
    """The operator at the server's command line: the whole province, every permission."""
    who = os.environ.get("USER") or "operator"
    return User(f"cli:{who}", "命令行", "admin", store.province_code)


def require(user: User, permission: str) -> None:
    """Refuse unless the user's role has the permission (the command line operator has them all); an account still
    on its initial password may do nothing until it has changed it (the page, or an administrator's reset)."""
    if user.username.startswith("cli:"):
        return
    if user.must_change_password:
        raise AccessDenied("请先修改初始密码 / change the initial password first")
    if not user.can(permission):
        zh, en = PERMISSIONS[permission]
        role = ROLES[user.role]
        raise AccessDenied(f"{role.zh}无权{zh} / the role {role.en} may not {en}")
