"""账户管理: create, disable and reset accounts and set their role and area (administrators)."""
import streamlit as st

from core.access import admin, roles
from core.policy.regions import prefecture_units
from core.present.i18n import headers, t, tn

from ui import text
from ui.session import start, user
from ui.tables import show

s, L = start("pages/admin.py", "nav.admin", needs_marts=False)
me = user()
regions = s.regions()
names = dict(zip(regions["region_code"], regions["region_name"]))
role_ids = list(roles.ROLES)


def role_name(r: str) -> str:
    return roles.ROLES[r].name(L)


def area_options(role: str) -> list[str]:
    level = roles.ROLES[role].area_level
    if level == "province":
        return []
    return prefecture_units(regions) if level == "city" else regions[regions["region_level"] == level]["region_code"].tolist()


parents = dict(zip(regions["region_code"], regions["prefecture_code"]))
levels = dict(zip(regions["region_code"], regions["region_level"]))


def area_label(code: str) -> str:
    """A county shows its city's name before its own."""
    city = names.get(parents.get(code), "") if levels.get(code) == "county" and parents.get(code) != code else ""
    return f"{code} {city}{names[code]}"


def attempt(action, message: str) -> None:
    try:
        action()
        st.session_state["ad_flash"] = message
        st.rerun()
    except (ValueError, roles.AccessDenied) as err:
        st.error(text.plain(str(err)))


table = admin.users(s, me, L)
show(table.assign(role_name=table["role"].map(role_name)),
     headers(["username", "display_name", "role_name", "scope_text", "status_text", "is_demo", "failed_logins",
              "last_login_at", "sso_subject", "created_on"], L), "ad_users", t("nav.admin", L))
if "ad_flash" in st.session_state:
    st.success(st.session_state.pop("ad_flash"))

create, change, password, issue = st.tabs([t("ad.create", L), t("ad.change", L), t("ad.reset", L), t("ad.issue", L)])
with create:
    role = st.selectbox(t("ad.role", L), role_ids, format_func=role_name, key="ad_new_role")
    with st.form("ad_create"):
        username = st.text_input(t("auth.username", L), key="ad_new_user")
        display = st.text_input(t("ad.display_name", L), key="ad_new_display")
        options = area_options(role)
        area = st.selectbox(t("ad.area", L), options, format_func=area_label, key="ad_new_area") if options else None
        entity = st.text_input(t(f"ad.entity.{role}", L), key="ad_new_entity") if role in roles.ENTITY_ROLES else None
        secret = st.text_input(t("auth.password", L), type="password", key="ad_new_password")
        if st.form_submit_button(t("ad.create", L)):
            attempt(lambda: admin.create_user(s, me, username.strip(), display.strip(), role, area, secret,
                                              entity_code=(entity or "").strip() or None),
                    t("ad.created", L).format(user=username))
with change:
    who = st.selectbox(t("auth.username", L), table["username"].tolist(), key="ad_who")
    row = table.set_index("username").loc[who] if who else None
    if row is not None:
        role = st.selectbox(t("ad.role", L), role_ids, index=role_ids.index(row["role"]), format_func=role_name,
                            key=f"ad_role_{who}")
        options = area_options(role)
        area = st.selectbox(t("ad.area", L), options, format_func=area_label, key=f"ad_area_{who}",
                            index=options.index(row["area_code"]) if row["area_code"] in options else 0) if options else None
        c1, c2, c3 = st.columns(3)
        if c1.button(t("ad.save_role", L), key="ad_save_role"):
            attempt(lambda: admin.set_role(s, me, who, role, area), t("ad.changed", L).format(user=who))
        if c2.button(t("ad.disable", L) if row["is_active"] else t("ad.enable", L), key="ad_toggle"):
            attempt(lambda: admin.set_active(s, me, who, not row["is_active"]), t("ad.changed", L).format(user=who))
        subject = c3.text_input(t("ad.sso", L), value=row["sso_subject"] or "", key=f"ad_sso_{who}")
        if c3.button(t("ad.save_sso", L), key="ad_save_sso"):
            attempt(lambda: admin.link_sso(s, me, who, subject.strip() or None), t("ad.changed", L).format(user=who))
with password:
    with st.form("ad_reset"):
        who = st.selectbox(t("auth.username", L), table["username"].tolist(), key="ad_reset_who")
        secret = st.text_input(t("ad.new_password", L), type="password", key="ad_reset_password")
        if st.form_submit_button(t("ad.reset", L)):
            attempt(lambda: admin.reset_password(s, me, who, secret), t("ad.changed", L).format(user=who))
with issue:
    st.caption(t("ad.issue_note", L))
    with st.form("ad_issue"):
        kinds = st.multiselect(t("ad.issue_kinds", L), list(roles.ENTITY_ROLES), default=list(roles.ENTITY_ROLES),
                               format_func=role_name, key="ad_issue_kinds")
        cities = prefecture_units(regions)
        city = st.selectbox(t("ad.issue_city", L), [""] + cities, key="ad_issue_city",
                            format_func=lambda c: t("iv.all", L) if not c else area_label(c))
        if st.form_submit_button(t("ad.issue_button", L), type="primary"):
            bar = st.progress(0.0, text=t("ad.issuing", L))
            try:
                issued = admin.issue_accounts(s, me, tuple(kinds), city or None,
                                              progress=lambda f, m: bar.progress(min(f, 1.0), text=f"{t('ad.issuing', L)} {m}"))
                st.session_state["ad_issued"] = (len(issued), admin.issued_workbook(s, me, issued) if len(issued) else None)
                if issued.attrs.get("skipped"):
                    st.warning(text.plain(t("ad.issue_skipped", L).format(codes="、".join(issued.attrs["skipped"][:50]))))
            except (ValueError, roles.AccessDenied) as err:
                st.error(text.plain(str(err)))
            bar.empty()
    held = st.session_state.get("ad_issued")
    if held is not None:
        count, workbook = held
        if workbook is None:
            st.info(t("ad.issued_none", L))
        else:
            st.warning(tn("ad.issued", L, n=count))
            st.download_button(t("ad.issued_download", L), data=workbook, file_name="账户初始密码.xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="ad_issued_xlsx",
                               on_click=lambda: st.session_state.pop("ad_issued", None))
