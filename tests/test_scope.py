"""Nobody sees what is not theirs: for random jurisdictions, areas (inside and outside them) and
filters, no reader, page, download or command-line query returns a row outside the jurisdiction.

What lies inside a jurisdiction is worked out here from the raw tables, independently of core.store.view.
"""
import contextlib
import datetime as dt
import io
import os
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from core import demo
from core.cli import main as cli
from core.paths import ROOT
from core.policy.indicators import FLAGS
from core.read import cases, interviews, map_area, monitoring, overview, scorecard
from core.refresh import marts
from core.store import db
from core.store.opening import open_store
from core.store.view import View

from .browser import master_copy
from .views import sign_in

VIEWS = [(None, ""), (dt.date(2026, 10, 31), ""), (None, "药品"), (None, "耗材")]


class Everything:
    """The codes of everything in the store, and the raw rows that place institutions, complaints and orders, read
    once per store (every jurisdiction's `Inside` is worked out from them)."""
    _cache: dict = {}

    def __init__(self, store):
        self.regions = set(store.regions()["region_code"])
        self.institution_rows = store.read("SELECT institution_code, county_code FROM institutions")
        self.institutions = set(self.institution_rows["institution_code"])
        self.enterprises = set(store.read("SELECT enterprise_code FROM enterprises")["enterprise_code"])
        self.complaint_rows = store.read("SELECT complaint_id, institution_code FROM complaints")
        self.complaints = set(self.complaint_rows["complaint_id"])
        self.order_rows = store.read("SELECT order_id, institution_code FROM orders")
        self.orders = set(self.order_rows["order_id"])

    @classmethod
    def of(cls, store) -> "Everything":
        if store.url not in cls._cache:
            cls._cache[store.url] = cls(store)
        return cls._cache[store.url]


class Inside:
    """The codes of everything inside a jurisdiction, and of everything in the store."""
    _cache: dict = {}

    def __init__(self, store, scope: str):
        everything = Everything.of(store)
        regions = store.regions()
        kids = set(regions.loc[regions["parent_code"] == scope, "region_code"])
        self.regions = {scope} | kids | set(regions.loc[regions["parent_code"].isin(kids), "region_code"])
        self.all_regions = everything.regions
        counties = sorted(self.regions & set(regions.loc[regions["region_level"] == "county", "region_code"]))
        marks = ", ".join(f"'{c}'" for c in counties)
        inst = everything.institution_rows
        self.institutions = set(inst.loc[inst["county_code"].isin(counties), "institution_code"])
        self.all_institutions = everything.institutions
        self.enterprises = set(store.read(f"""
            SELECT o.distributor_code AS e FROM orders o JOIN institutions i ON i.institution_code = o.institution_code
              WHERE i.county_code IN ({marks}) AND o.distributor_code IS NOT NULL
            UNION SELECT p.manufacturer_code FROM orders o JOIN products p ON p.product_code = o.product_code
              JOIN institutions i ON i.institution_code = o.institution_code WHERE i.county_code IN ({marks})
            UNION SELECT a.distributor_code FROM agreements a JOIN institutions i ON i.institution_code = a.institution_code
              WHERE i.county_code IN ({marks}) AND a.distributor_code IS NOT NULL
            UNION SELECT p.manufacturer_code FROM agreements a JOIN products p ON p.product_code = a.product_code
              JOIN institutions i ON i.institution_code = a.institution_code WHERE i.county_code IN ({marks})
            UNION SELECT c.enterprise_code FROM complaints c JOIN institutions i ON i.institution_code = c.institution_code
              WHERE i.county_code IN ({marks})""")["e"])
        self.all_enterprises = everything.enterprises
        comp = everything.complaint_rows
        self.complaints = set(comp.loc[comp["institution_code"].isin(self.institutions), "complaint_id"])
        self.all_complaints = everything.complaints
        orders = everything.order_rows
        self.orders = set(orders.loc[orders["institution_code"].isin(self.institutions), "order_id"])
        self.all_orders = everything.orders

    @classmethod
    def of(cls, store, scope: str) -> "Inside":
        if (store.url, scope) not in cls._cache:
            cls._cache[(store.url, scope)] = cls(store, scope)
        return cls._cache[(store.url, scope)]

    def leaks(self, values) -> set[str]:
        """The values that name something of the store outside the jurisdiction."""
        out = set()
        for v in values:
            if not isinstance(v, str):
                continue
            for inside, everything in ((self.institutions, self.all_institutions), (self.regions, self.all_regions),
                                       (self.enterprises, self.all_enterprises), (self.complaints, self.all_complaints),
                                       (self.orders, self.all_orders)):
                if v in everything and v not in inside:
                    out.add(v)
        return out

    def frame_leaks(self, frame: pd.DataFrame) -> set[str]:
        out = set()
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                out |= self.leaks(frame[column].dropna().unique())
        return out


def _readers(view: View, inst_code: str, ent_code: str):
    """Every frame a page asks core for, for this view."""
    out = {"counts_by_area": overview.counts_by_area(view), "monthly": overview.monthly_rates(view),
           "ranked": overview.children_ranked(view), "institutions ranked": overview.institutions_ranked(view),
           "headline": pd.DataFrame(overview.headline(view)).drop(columns=["label"], errors="ignore"),
           "products": monitoring.delivery_by_product(view), "tiers": monitoring.enterprise_tiers(view),
           "balance": monitoring.primary_balance(view), "complaints": monitoring.complaint_table(view),
           "flags": monitoring.institution_flags(view, tuple(f.id for f in FLAGS if f.level == "institution"))}
    listed = interviews.interview_list(view)
    out["interviews"] = listed
    out["evidence"] = interviews.evidence(view, listed)
    parent = view.store.regions().set_index("region_code")["parent_code"].get(view.area)
    out["figures"] = map_area.area_figures(view, parent if isinstance(parent, str) else None)
    for layer in map_area.layers():
        ent = ent_code if layer == map_area.ENTERPRISE else None
        out[f"layer {layer}"] = (map_area.institutions_in(view, layer, ent) if view.area_level == "county"
                                 else map_area.child_values(view, layer, ent))
    for name, card in (("institution", scorecard.institution_card(view, inst_code)),
                       ("enterprise", scorecard.enterprise_card(view, ent_code))):
        if card is not None:
            for part, value in card.items():
                if value is not None:
                    out[f"{name} {part}"] = pd.DataFrame([value]) if isinstance(value, dict) else value
    for kind, reader in cases.READERS.items():
        out[f"cases {kind}"] = reader(view)
    out["levels"] = monitoring.level_balance(view)
    return out


@pytest.fixture(scope="module")
def demo_store(demo_master, tmp_path_factory):
    """This module's own copy of the demo: its tests compute views, sign in and export (which write to the store),
    and the views one computes the next reuses."""
    url = master_copy(demo_master, tmp_path_factory.mktemp("scope"))
    yield open_store(url)
    db.dispose(url)


@pytest.fixture(scope="module")
def codes(demo_store):
    regions = demo_store.regions()
    return {"cities": sorted(regions.loc[regions["region_level"] == "city", "region_code"]),
            "counties": sorted(regions.loc[regions["region_level"] == "county", "region_code"]),
            "institutions": sorted(demo_store.read("SELECT institution_code FROM institutions")["institution_code"]),
            "enterprises": sorted(demo_store.read("SELECT enterprise_code FROM enterprises")["enterprise_code"])}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_reader_returns_a_row_outside_the_jurisdiction(demo_store, codes, data):
    level = data.draw(st.sampled_from(["city", "county"]), label="officer")
    scope = data.draw(st.sampled_from(codes["cities"] if level == "city" else codes["counties"]), label="scope")
    area = data.draw(st.sampled_from(["370000"] + codes["cities"] + codes["counties"]), label="area asked for")
    as_of, category = data.draw(st.sampled_from(VIEWS), label="filters")
    inst = data.draw(st.sampled_from(codes["institutions"]), label="institution card asked for")
    ent = data.draw(st.sampled_from(codes["enterprises"]), label="enterprise card asked for")
    view = View.of(demo_store, marts.ensure_view(demo_store, as_of, category), area, scope)
    inside = Inside.of(demo_store, scope)
    assert view.area in inside.regions
    frames = _readers(view, inst, ent)
    leaks = {name: inside.frame_leaks(frame) for name, frame in frames.items()}
    assert not any(leaks.values()), {k: sorted(v)[:5] for k, v in leaks.items() if v}
    if inst not in inside.institutions:
        assert scorecard.institution_card(view, inst) is None
    if ent not in inside.enterprises:
        assert scorecard.enterprise_card(view, ent) is None


@pytest.fixture
def deferred(monkeypatch):
    """The callables behind deferred download buttons, by file id: the real registration, watched."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    made, register = {}, MediaFileManager.add_deferred

    def watched(self, data_callable, *args, **kwargs):
        file_id = register(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id
    monkeypatch.setattr(MediaFileManager, "add_deferred", watched)
    return made


PAGES = ["todo", "overview", "home", "map", "supply", "procurement", "complaints", "institution", "enterprise",
         "interviews", "cases", "notice"]


@pytest.mark.parametrize("username", ["demo_city", "demo_county"])
def test_pages_and_downloads_stay_inside_the_jurisdiction(demo_store, monkeypatch, deferred, username):
    monkeypatch.setenv("VBP_DATABASE_URL", demo_store.url)
    from core.access import accounts
    from ui import session
    session._store.clear()
    user = accounts.load(demo_store, username)
    inside = Inside.of(demo_store, user.scope)
    elsewhere = "370100"  # 济南市: a crafted link to another city
    outsider = demo_store.read("SELECT institution_code FROM institutions WHERE county_code LIKE '3701%' LIMIT 1")
    stranger = sorted(Inside.of(demo_store, elsewhere).enterprises - inside.enterprises)[0]
    for page in PAGES:
        at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=180), username)
        at.query_params.update({"area": elsewhere, "layer": "red_flag",
                                "code": outsider["institution_code"].iloc[0] if page == "institution" else stranger})
        at.run()
        if page != "todo":  # the first page after signing in
            at.switch_page(f"../pages/{page}.py").run()
        assert not at.exception, (page, [e.message for e in at.exception])
        if page not in ("todo", "notice"):  # pages without the area filter
            assert at.session_state["filters"].area in inside.regions, page
        for frame in (d.value for d in at.dataframe):
            assert not inside.frame_leaks(frame), (page, sorted(inside.frame_leaks(frame))[:5])
        for chart in at.get("deck_gl_json_chart"):
            import json
            spec = json.loads(chart.proto.json)
            found = {f["properties"]["code"] for layer in spec["layers"] if isinstance(layer.get("data"), dict)
                     for f in layer["data"].get("features", [])}
            assert not inside.leaks(found), (page, found - inside.regions)
        for button in at.download_button:
            key = button.proto.id.split("-")[-1]
            data = deferred[button.proto.deferred_file_id]()  # what a click in the browser runs
            wb = openpyxl.load_workbook(io.BytesIO(data))
            for ws in wb.worksheets:
                values = [v for row in ws.iter_rows(values_only=True) for v in row]
                assert not inside.leaks(values), (page, key, ws.title, sorted(inside.leaks(values))[:5])
            info = dict(list(wb["说明"].values)[1:])
            assert info["导出人"].endswith(f"（{username}）") and info["导出时间"]
        if page in ("institution", "enterprise"):
            assert any("没有编码为" in w.value for w in at.warning), page  # the card is not shown, nor is it said to exist
    exported = demo_store.read("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'export' AND username = :u",
                               {"u": username})["n"].iloc[0]
    assert exported > 0
    session._store.clear()


@pytest.mark.parametrize("username", ["demo_city", "demo_county"])
def test_command_line_queries_stay_inside_the_jurisdiction(demo_store, username, monkeypatch):
    from core.access import accounts
    inside = Inside.of(demo_store, accounts.load(demo_store, username).scope)
    monkeypatch.setenv("VBP_PASSWORD", demo.DEMO_PASSWORD)
    for args in (["flags"], ["flags", "--category", "耗材"], ["indicators", "--level", "institution"],
                 ["indicators", "--level", "county"], ["indicators", "--level", "city"],
                 ["indicators", "--level", "province"], ["indicators", "--level", "enterprise"]):
        printed, errors = io.StringIO(), io.StringIO()  # what `python -m core ...` runs, in this process
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
            code = cli.main([*args, "--db", demo_store.url, "--user", username])
        assert code == 0, errors.getvalue()
        frame = pd.read_csv(io.StringIO(printed.getvalue()), dtype=str)
        assert not inside.frame_leaks(frame), (args, sorted(inside.frame_leaks(frame))[:5])
        if args == ["indicators", "--level", "institution"]:
            assert set(frame["institution_code"]) and set(frame["institution_code"]) <= inside.institutions
    wrong = subprocess.run([sys.executable, "-m", "core", "flags", "--db", demo_store.url, "--user", username],
                           cwd=ROOT, capture_output=True, text=True, timeout=600,
                           env={**os.environ, "VBP_PASSWORD": "nope"})  # the command itself, as a shell runs it
    assert wrong.returncode == 3 and "密码错误" in wrong.stderr and wrong.stdout == ""


class Own:
    """What an enterprise's or institution's own account may name: for an institution, itself, its complaints and
    orders; for an enterprise, itself, the complaints addressed to it, and (a manufacturer) its products. Anything
    else of those kinds in a frame is a leak; other kinds (regions, products an institution buys, the enterprises
    supplying it, the institutions an enterprise supplies) belong to the entity's own part."""

    def __init__(self, store, kind: str, code: str):
        everything = Everything.of(store)
        self.kind, self.code = kind, code
        complaints = everything.complaint_rows
        if kind == "institution":
            self.allowed = {"institution": {code},
                            "complaint": set(complaints.loc[complaints["institution_code"] == code, "complaint_id"]),
                            "order": set(everything.order_rows.loc[everything.order_rows["institution_code"] == code,
                                                                    "order_id"])}
            self.all = {"institution": everything.institutions, "complaint": everything.complaints,
                        "order": everything.orders}
        else:  # the institutions it supplies or that complained to it; the products it makes or delivers
            mine = store.read("SELECT complaint_id, institution_code FROM complaints WHERE enterprise_code = :c",
                              {"c": code})
            served = store.read("""SELECT o.institution_code, o.product_code FROM orders o
                                   JOIN products p ON p.product_code = o.product_code
                                   WHERE o.distributor_code = :c OR p.manufacturer_code = :c
                                   UNION SELECT a.institution_code, a.product_code FROM agreements a
                                   JOIN products p ON p.product_code = a.product_code
                                   WHERE a.distributor_code = :c OR p.manufacturer_code = :c""", {"c": code})
            made = store.read("SELECT product_code FROM products WHERE manufacturer_code = :c", {"c": code})
            self.allowed = {"enterprise": {code}, "complaint": set(mine["complaint_id"]),
                            "institution": set(served["institution_code"]) | set(mine["institution_code"]),
                            "product": set(served["product_code"]) | set(made["product_code"])}
            self.all = {"enterprise": everything.enterprises, "complaint": everything.complaints,
                        "institution": everything.institutions,
                        "product": set(store.read("SELECT product_code FROM products")["product_code"])}

    def leaks(self, frame: pd.DataFrame) -> set[str]:
        out = set()
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                for v in frame[column].dropna().unique():
                    if isinstance(v, str):
                        out |= {v for kind, every in self.all.items() if v in every and v not in self.allowed[kind]}
        return out


def _entity_account(store, kind: str, code: str):
    from core.access import accounts, admin, roles
    name = f"prop_{kind[:3]}_{code}"
    if accounts.load(store, name) is None:
        admin.create_user(store, roles.system_user(store), name, name, kind, None, demo.DEMO_PASSWORD, entity_code=code)
    return accounts.load(store, name)


@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_entitys_account_sees_its_own_part_only(demo_store, codes, data, monkeypatch):
    """For any enterprise or institution account: every reader its pages use, the cards, and the command line's
    flags, indicators of every level and complaints name nothing of another entity; every reader of areas refuses
    its view; another entity's card does not exist for it."""
    from core.read import docking, tables
    from core.store.view import EntityOnly
    kind = data.draw(st.sampled_from(["enterprise", "institution"]), label="kind")
    code = data.draw(st.sampled_from(codes["enterprises" if kind == "enterprise" else "institutions"]), label="entity")
    other = data.draw(st.sampled_from(codes["enterprises" if kind == "enterprise" else "institutions"]), label="other")
    as_of, category = data.draw(st.sampled_from(VIEWS), label="filters")
    user = _entity_account(demo_store, kind, code)
    view = View.of(demo_store, marts.ensure_view(demo_store, as_of, category), user=user)
    own = Own(demo_store, kind, code)
    frames = {"complaints": docking.complaints(view), "flags": docking.visible_flags(view, tables.flags(demo_store, as_of,
                                                                                                        category))}
    if kind == "enterprise":
        frames.update(supply=docking.supply(view), me=pd.DataFrame([docking.enterprise(view)]))
        card = scorecard.enterprise_card(view, code)
        assert other == code or scorecard.enterprise_card(view, other) is None
    else:
        frames.update(self=docking.self_inspection(view), suppliers=docking.suppliers(view),
                      partners=docking.counterparts(view), me=pd.DataFrame([docking.institution(view)]),
                      ladder=cases.ladder_cases(view), explanations=cases.explanation_cases(view))
        card = scorecard.institution_card(view, code)
        assert other == code or scorecard.institution_card(view, other) is None
        # its figures by supplier come from its own orders: only the enterprises that supply it
        assert set(frames["suppliers"]["enterprise_code"]) <= set(frames["partners"]["enterprise_code"])
    for part, value in card.items():
        if value is not None:
            frames[f"card {part}"] = pd.DataFrame([value]) if isinstance(value, dict) else value
    monkeypatch.setenv("VBP_PASSWORD", demo.DEMO_PASSWORD)
    for args in (["flags"], ["complaints", "list"], *(["indicators", "--level", lv] for lv in
                                                      ("province", "city", "county", "institution", "enterprise"))):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
            assert cli.main([*args, "--db", demo_store.url, "--user", user.username]) == 0
        frames[" ".join(args)] = pd.read_csv(io.StringIO(printed.getvalue()), dtype=str)
    leaks = {name: own.leaks(frame) for name, frame in frames.items()}
    assert not any(leaks.values()), {k: sorted(v)[:5] for k, v in leaks.items() if v}
    for reader in (monitoring.delivery_by_product, monitoring.enterprise_tiers, monitoring.primary_balance,
                   interviews.interview_list, overview.counts_by_area, cases.tier_cases, cases.area_cases):
        with pytest.raises(EntityOnly):
            reader(view)


@pytest.mark.parametrize("username", ["demo_enterprise", "demo_institution"])
def test_an_entitys_pages_and_downloads_hold_its_own_part_only(demo_copy, monkeypatch, deferred, username):
    """Every page of an enterprise's or institution's account runs; every table it offers downloads (what a click
    runs) as a workbook that names nothing of another entity, and each download is in the audit log."""
    from core.access import accounts, roles
    from ui import session
    monkeypatch.setenv("VBP_DATABASE_URL", demo_copy.url)
    session._store.clear()
    user = accounts.load(demo_copy, username)
    own = Own(demo_copy, user.role, user.entity)
    downloads = 0
    for page in roles.ROLES[user.role].pages:
        at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=180), username)
        at.run()
        if page != "todo":
            at.switch_page(f"../pages/{page}.py").run()
        assert not at.exception, (page, [e.message for e in at.exception])
        for button in at.download_button:
            data = deferred[button.proto.deferred_file_id]()
            sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str)
            for title, frame in sheets.items():
                assert not own.leaks(frame), (page, title, sorted(own.leaks(frame))[:5])
            info = dict(list(openpyxl.load_workbook(io.BytesIO(data))["说明"].values)[1:])
            assert info["数据范围"].endswith(f"（{user.entity}）")  # its own part, not the province
            downloads += 1
    exported = demo_copy.read("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'export' AND username = :u",
                              {"u": username})["n"].iloc[0]
    assert downloads >= 2 and exported == downloads
    session._store.clear()
