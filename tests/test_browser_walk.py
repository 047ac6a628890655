"""Every page for every role, in both languages, in a real browser: what a user sees has no error, no Python
object, no placeholder word, no English on a Chinese page (beyond codes, units and product names) and no untranslated
vocabulary on an English page; the pages ask nothing of any host but the app's own. Each page is looked at once the
server has run it to the end (its address is the page's own, the script is idle): a page with nothing but its
title, a data page without its filters or a map that shows blank in the picture fails. One screenshot per page and
role goes to tests/artifacts/walk/."""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from core.access import accounts, roles
from core.demo import DEMO_PASSWORD
from core.demo.catalog import GROUPS, SUBSTITUTES
from core.policy import extract
from core.present.i18n import t
from core.store import db


from .browser import ARTIFACTS, CHROMIUM, master_copy, screenshot_drawn, shared_browser, streamlit_server

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")

ROLES = ("demo_leader", "demo_city", "demo_county", "demo_analyst", "demo_admin", "demo_enterprise", "demo_institution")
SHOTS = ARTIFACTS / "walk"
BAD_WORDS = re.compile(r"\b(None|nan|NaN|NaT|empty|null|undefined|Traceback|DeltaGenerator)\b|<[a-zA-Z_.]+ object at 0x|"
                       r"\{\}|\[\]")
# Latin words a Chinese page may show: units, codes and names of the data, and a few words no Chinese user would
# translate. Words with a digit or an underscore are codes (H3701020001, demo_city) and always allowed.
ALLOWED = {"English", "Excel", "CSV", "SHA", "GB", "T", "IQR", "Q1", "Q3", "mg", "g", "ml", "mm", "x", "A", "B", "C",
           "D", "k", "MB", "KB", "ID", "sub", "YYYY", "MM", "DD", "xlsx", "xls", "ods", "xlsb", "csv", "sso", "Word",
           "WPS", "docx",
           "N"}  # N: a setting's own value in its meaning (N个工作日)
ENGLISH_ONLY = set(extract.LEVELS + extract.INSTITUTION_CATEGORIES + extract.ENTERPRISE_ROLES + extract.PRODUCT_STATUSES
                   + extract.CHANNELS + extract.ISSUE_TYPES + extract.OWNERSHIPS) - {"其他"} | \
    {g.dosage_form for g in GROUPS} | {s[1] for s in SUBSTITUTES}
FILTERED = {"overview", "home", "map", "supply", "procurement", "complaints", "institution", "enterprise", "interviews",
            "cases", "ent_supply", "inst_self", "desk"}


@pytest.fixture(scope="module")
def walk_url(demo_master, tmp_path_factory):
    """A private copy of the demo store (signing in writes sessions and the audit log)."""
    url = master_copy(demo_master, tmp_path_factory.mktemp("walk"), "walk.sqlite3")
    with streamlit_server(url) as base:
        yield base
    db.dispose(url)


@pytest.fixture(scope="module")
def browser():
    """One browser profile for the walk (its cache keeps the map's scripts); each walk starts without cookies."""
    SHOTS.mkdir(parents=True, exist_ok=True)  # each walk replaces its own pictures (two workers may walk at once)
    context = shared_browser().new_context(viewport={"width": 1400, "height": 1800}, locale="zh-CN")
    yield context
    context.close()
    print(f"\nscreenshots of every page: {SHOTS}")


IDLE = """() => { const app = document.querySelector('[data-testid="stApp"]');
                  return app && app.getAttribute('data-test-script-state') === 'notRunning'
                      && !document.querySelector('[data-stale="true"]'); }"""
SEEN = """() => {
  const icons = new Set(Array.from(document.querySelectorAll('[data-testid="stIconMaterial"]')).map(i => i.textContent));
  const text = (el) => el ? el.innerText.split('\\n').filter(l => !icons.has(l.trim())).join('\\n') : '';
  const main = document.querySelector('[data-testid="stMain"]'), side = document.querySelector('[data-testid="stSidebar"]');
  const cells = Array.from(document.querySelectorAll('[data-testid="stDataFrame"] td, [data-testid="stDataFrame"] th'))
      .map(c => c.textContent);
  const svg = Array.from(document.querySelectorAll('.js-plotly-plot text')).map(t => t.textContent);
  // a tile's title cut short (an ellipsis where the words do not fit)
  const cut = Array.from(document.querySelectorAll('[data-testid="stMetricLabel"]')).filter(
      l => [l, ...l.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)).map(l => l.innerText);
  return {main: text(main), side: text(side), cells: cells, charts: svg, cut: cut,
          errors: document.querySelectorAll('[data-testid="stException"]').length,
          help: document.querySelectorAll('[data-testid="stHelp"], [data-testid="stHelpDoc"]').length};
}"""


DRAWN = """() => Array.from(document.querySelectorAll('[data-testid="stDateInput"]'))
                      .every(d => d.querySelector('[role="spinbutton"]'))
                  && Array.from(document.querySelectorAll('[data-testid="stDeckGlJsonChart"]'))
                      .every(d => d.querySelector('canvas'))
                  && !document.querySelector('[data-testid="stSkeleton"]')
                  && Array.from(document.querySelectorAll('[data-testid="stDataFrame"]'))
                      .every(d => !d.getClientRects().length || d.querySelector('th, td'))"""  # tables in view drawn
AT = """(path) => location.pathname.replace(/\\/$/, '') === path"""
# What the main part shows beside its title: elements with text, a table, a chart or a map.
CONTENT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const boxes = main ? Array.from(main.querySelectorAll('[data-testid="stElementContainer"]')) : [];
  return {title: main && main.querySelector('h1') ? main.querySelector('h1').innerText : '',
          more: boxes.filter(b => !b.querySelector('h1') && (b.innerText.trim()
                || b.querySelector('canvas, [data-testid="stDataFrame"], .js-plotly-plot'))).length};
}"""


def _wait_idle(page) -> None:
    page.wait_for_function(IDLE, timeout=120_000, polling=200)


def _latin_words(text: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_.@-]*", text))
    return {w for w in words if not re.search(r"[0-9_]", w) and w.strip(".") not in ALLOWED and len(w.strip(".")) > 0}


def _problems(seen: dict, lang: str, products: set[str]) -> list[str]:
    found = []
    if seen["errors"]:
        found.append(f"{seen['errors']} exception elements")
    if seen["help"]:
        found.append("a help/documentation element")
    if seen["cut"]:
        found.append(f"tiles whose titles are cut short: {seen['cut']}")
    for where in ("main", "side", "cells", "charts"):
        text = "\n".join(seen[where]) if isinstance(seen[where], list) else seen[where]
        for m in BAD_WORDS.finditer(text):
            found.append(f"{where}: {m.group(0)!r} in …{text[max(0, m.start() - 40):m.end() + 40]!r}")
        if lang == "zh":
            words = _latin_words(text) - products
            if words:
                found.append(f"{where}: English on a Chinese page: {sorted(words)[:15]}")
        else:
            items = seen[where] if isinstance(seen[where], list) else re.split(r"[\n\t]", text)
            left = {v for v in items if v.strip() in ENGLISH_ONLY}
            if left:
                found.append(f"{where}: untranslated on an English page: {sorted(left)}")
    return found


@pytest.mark.parametrize("lang", [pytest.param(lang, marks=pytest.mark.xdist_group(f"walk-{lang}")) for lang in ("zh", "en")])
@pytest.mark.parametrize("username", ROLES)
def test_every_page_reads_clean(walk_url, browser, demo_store, username, lang):
    role = accounts.load(demo_store, username).role
    products = set(re.findall(r"[A-Za-z][A-Za-z0-9_./@-]*", " ".join(
        demo_store.read("SELECT specification FROM products WHERE specification IS NOT NULL")["specification"])))
    for old in SHOTS.glob(f"{username}-{lang}-*.png"):
        old.unlink()
    browser.clear_cookies()
    page = browser.new_page()
    foreign: list[str] = []
    host = walk_url.split("//", 1)[1]
    page.on("request", lambda r: foreign.append(r.url) if r.url.split("/")[2] != host and
            not r.url.startswith(("data:", "blob:")) else None)
    page.goto(walk_url + ("/?lang=en" if lang == "en" else "/"))
    page.get_by_role("button", name="Sign in" if lang == "en" else "登录").wait_for(timeout=120_000)
    page.get_by_label("User name" if lang == "en" else "用户名").fill(username)
    page.get_by_label("Password" if lang == "en" else "密码", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in" if lang == "en" else "登录").click()
    nav = page.locator('[data-testid="stSidebarNavLink"]')
    nav.first.wait_for(timeout=120_000)
    _wait_idle(page)
    titles = nav.all_inner_texts()
    assert len(titles) == len(roles.ROLES[role].pages)
    problems = {}
    shots = set()
    for i, title in enumerate(titles):
        link = nav.nth(i)
        path = "/" + urlparse(urljoin(page.url, link.get_attribute("href"))).path.strip("/")
        slug = path.strip("/")
        if not page.evaluate(AT, path):  # the first page is open already (signing in opens it)
            link.click()
        # The link marks itself at once; the address changes when the server runs the page (st.navigation), and
        # only then does "not running" mean the page is drawn.
        page.wait_for_function(AT, arg=path, timeout=60_000, polling=100)
        _wait_idle(page)
        page.wait_for_function(DRAWN, timeout=60_000, polling=200)
        _wait_idle(page)
        seen, content = page.evaluate(SEEN), page.evaluate(CONTENT)
        found = _problems(seen, lang, products)
        if not content["title"] or not content["more"]:
            found.append(f"the page shows its title only: {content}")
        if slug in FILTERED and t("flt.title", lang) not in seen["side"].split("\n"):
            found.append("the sidebar shows no filters")
        if not screenshot_drawn(page, SHOTS / f"{username}-{lang}-{slug}.png"):
            found.append("a map shows blank")
        shots.add(slug)
        if found:
            problems[f"{title.split()[-1]} ({slug})"] = found
    page.close()
    assert shots == set(roles.ROLES[role].pages), f"pages without a screenshot: {set(roles.ROLES[role].pages) - shots}"
    assert not foreign, f"requests to other hosts: {sorted(set(foreign))[:10]}"
    assert not problems, "\n".join(f"{page}: {p}" for page, found in problems.items() for p in found)
