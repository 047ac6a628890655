"""审计日志: who did what, when, from which scope (administrators); exportable."""
import datetime as dt

import streamlit as st

from core.access import audit
from core.policy import clock
from core.present.i18n import headers, t, tn
from ui.session import start, user
from ui.tables import show

s, L = start("pages/audit.py", "nav.audit", needs_marts=False)
me = user()
c1, c2, c3, c4 = st.columns(4)
since = c1.date_input(t("au.since", L), value=clock.today() - dt.timedelta(days=30), key="au_since", format="YYYY-MM-DD")
until = c2.date_input(t("au.until", L), value=clock.today(), key="au_until", format="YYYY-MM-DD")
who = c3.text_input(t("auth.username", L), key="au_user")
action = c4.selectbox(t("au.action", L), [""] + list(audit.ACTIONS), key="au_action",
                      format_func=lambda a: t("iv.all", L) if not a else audit.ACTIONS[a][0 if L == "zh" else 1])
entries = audit.readable(audit.entries(s, me, since, until, who.strip() or None, action or None), s.regions(), L)
st.caption(tn("au.count", L, n=len(entries)))
show(entries, headers(["at", "who", "role_name", "scope_name", "action_name", "target", "detail_text",
                       "outcome_text"], L), "au_table", t("nav.audit", L))
