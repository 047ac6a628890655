"""Views for other filters: product category and as-of date, worked out by hand; stored views and
their reuse; filters read from a URL.

Hand-made store (tests/handmade.py): period 2026-01-01..04-10, 100 days.
"""
import datetime as dt

import pytest

from core.access import scope
from core.access.roles import AccessDenied, User
from core.read import filters, tables
from core.refresh import flags as F
from core.refresh import marts
from core.refresh.facts import Facts
from core.store import views
from core.store.view import View

from .handmade import D, Handmade


def _consumables(h: Handmade) -> None:
    h.rows["products"].append({"product_code": "C1", "generic_name": "冠脉支架", "dosage_form": "支架", "category": "耗材",
                               "manufacturer_code": "M4", "status": "中选"})


def _value(store, view: views.ViewInfo, level: str, code: str, indicator: str):
    rows = store.read("SELECT value FROM mart_indicators WHERE view_id = :v AND level = :l AND subject_code = :c "
                      "AND indicator_id = :i", {"v": view.view_id, "l": level, "c": code, "i": indicator})
    return None if rows.empty else rows["value"].iloc[0]


def test_category_views_by_hand(store_url):
    h = Handmade(store_url)
    _consumables(h)
    h.institution("H1")
    h.agreement("H1", "P1", agreed=1000)
    h.agreement("H1", "C1", agreed=100)
    h.order("H1", 1000, "P1", delivered=500)  # drugs: 500 / 1000 = 50%
    h.order("H1", 100, "C1", delivered=100)  # consumables: 100 / 100 = 100%
    h.complaint("K1", D(2026, 2, 2), D(2026, 2, 3), D(2026, 2, 4), D(2026, 2, 4), enterprise="M1")
    h.rows["complaints"][-1]["product_code"] = "P1"
    h.complaint("K2", D(2026, 2, 2), enterprise="M4")  # never answered: late, about the stent
    h.rows["complaints"][-1]["product_code"] = "C1"
    h.complaint("K3", D(2026, 2, 2), D(2026, 2, 3), D(2026, 2, 4), D(2026, 2, 4), enterprise="M1")  # no product
    store = h.save()
    every = marts.ensure_view(store, D(2026, 3, 1))
    drugs = marts.ensure_view(store, D(2026, 3, 1), "药品")
    kits = marts.ensure_view(store, D(2026, 3, 1), "耗材")
    assert len({every.view_id, drugs.view_id, kits.view_id}) == 3
    # Delivery: every category (500 + 100) / (1000 + 100); drugs 0.5; consumables 1.0.
    assert _value(store, every, "institution", "H1", "delivery") == pytest.approx(600 / 1100)
    assert _value(store, drugs, "institution", "H1", "delivery") == pytest.approx(0.5)
    assert _value(store, kits, "institution", "H1", "delivery") == pytest.approx(1.0)
    assert _value(store, kits, "province", "370000", "delivery") == pytest.approx(1.0)
    # 50% is serious (below 60%) and is a drug's: it is not among the consumables' flags.
    flagged = {v.category: set(store.read("SELECT subject_code, detail_code, severity FROM mart_flags WHERE view_id = :v "
                                          "AND flag_id = 'delivery_rate_low'", {"v": v.view_id}).itertuples(index=False))
               for v in (every, drugs, kits)}
    assert flagged == {"": {("H1", "P1", "serious")}, "药品": {("H1", "P1", "serious")}, "耗材": set()}
    # Complaints: every view holds all three; a category view only those about its products.
    held = {v.category: set(store.read("SELECT complaint_id FROM mart_complaints WHERE view_id = :v",
                                       {"v": v.view_id})["complaint_id"]) for v in (every, drugs, kits)}
    assert held == {"": {"K1", "K2", "K3"}, "药品": {"K1"}, "耗材": {"K2"}}
    late = {v.category: set(store.read("SELECT detail_code FROM mart_flags WHERE view_id = :v "
                                       "AND flag_id = 'complaint_reply_late'", {"v": v.view_id})["detail_code"])
            for v in (every, drugs, kits)}
    assert late == {"": {"K2"}, "药品": set(), "耗材": {"K2"}}


def test_as_of_view_by_hand_and_against_a_fresh_computation(store_url):
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", "P1", agreed=100)
    h.order("H1", 50, "P1", day=D(2026, 2, 2))
    h.order("H1", 10, "P1", day=D(2026, 3, 20))  # the latest order: T of the default view
    store = h.save()
    early = marts.ensure_view(store, D(2026, 2, 15))
    default = views.default_view(store)
    # Schedule at 02-15: 46 / 100 = 0.46; completion 50 / 100 = 0.50 is on schedule.
    # At 03-20 (default T): schedule 79 / 100 = 0.79; completion 60 / 100 = 0.60 is behind.
    assert early.schedule == pytest.approx(0.46) and default.schedule == pytest.approx(0.79)
    assert default.as_of == D(2026, 3, 20)
    behind = {v.as_of: set(store.read("SELECT subject_code FROM mart_flags WHERE view_id = :v "
                                      "AND flag_id = 'progress_behind_schedule'", {"v": v.view_id})["subject_code"])
              for v in (early, default)}
    assert behind == {D(2026, 2, 15): set(), D(2026, 3, 20): {"H1"}}
    assert _value(store, early, "institution", "H1", "progress") == pytest.approx(0.5)
    stored = tables.flags(store, D(2026, 2, 15))
    fresh = F.all_flags(Facts(store, D(2026, 2, 15)))
    assert stored[F.COLUMNS].reset_index(drop=True).equals(fresh[F.COLUMNS].reset_index(drop=True)) or \
        stored.to_dict("records") == fresh.to_dict("records")


def test_views_are_reused_and_dropped_when_the_data_change(store_url):
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", "P1", agreed=100)
    h.order("H1", 50, "P1")
    store = h.save()
    first = marts.ensure_view(store, D(2026, 2, 10), "药品")
    assert marts.ensure_view(store, D(2026, 2, 10), "药品") == first  # stored, not computed again
    assert views.find_view(store, D(2026, 2, 11), "药品") is None
    with pytest.raises(ValueError):
        marts.ensure_view(store, D(2026, 2, 10), "器械")
    h.order("H1", 20, "P1", day=D(2026, 2, 5))
    h.save()  # new data: every stored view is stale
    assert views.default_view(store) is None and views.find_view(store, D(2026, 2, 10), "药品") is None
    marts.refresh(store)
    assert store.read("SELECT COUNT(*) AS n FROM mart_views")["n"].iloc[0] == 1
    again = marts.ensure_view(store, D(2026, 2, 10), "药品")
    assert _value(store, again, "institution", "H1", "progress") == pytest.approx(0.7)


def test_old_views_are_dropped_beyond_the_limit(store_url, monkeypatch):
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", "P1", agreed=100)
    h.order("H1", 50, "P1", day=D(2026, 1, 5))
    store = h.save()
    monkeypatch.setattr(views, "MAX_VIEWS", 2)
    made = [marts.ensure_view(store, D(2026, 1, day)) for day in (10, 11, 12)]
    kept = set(store.read("SELECT view_id FROM mart_views WHERE is_default = :f", {"f": False})["view_id"])
    assert kept == {made[1].view_id, made[2].view_id}
    orphans = store.read("SELECT COUNT(*) AS n FROM mart_flags WHERE view_id NOT IN (SELECT view_id FROM mart_views)")
    assert orphans["n"].iloc[0] == 0


def test_periods_and_url_parameters(store_url):
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", "P1", agreed=100)
    h.order("H1", 50, "P1", day=D(2026, 2, 2))
    h.order("H1", 5, "P2", day=D(2025, 11, 3))  # before any agreement: calendar year 2025
    store = h.save()
    assert filters.periods(store) == [filters.Period(D(2026, 1, 1), D(2026, 4, 10)),
                                      filters.Period(D(2025, 1, 1), D(2025, 12, 31))]
    leader = User("lead", "领导", "leader", "370000")
    got = scope.resolve(store, leader, {"area": "370102", "asof": "2026-02-10", "cat": "耗材"})
    assert got.filters == filters.Filters("370102", D(2026, 2, 2), "耗材") and len(got.notes) == 1  # after the last order
    got = scope.resolve(store, leader, {"area": "999999", "asof": "2026-13-01", "cat": "器械"})
    assert got.filters == filters.Filters("370000", D(2026, 2, 2), "") and len(got.notes) == 3
    assert [zh[:4] for zh, _ in got.notes] == ["区域代码", "日期 2", "产品类别"]  # each in Chinese ...
    assert [en[:8] for _, en in got.notes] == ["no area ", "the date", "no produ"]  # ... and in English
    assert scope.resolve(store, leader, {"area": "370102"}).params() == {"area": "370102"}
    assert scope.resolve(store, leader, {"area": "370102", "asof": "2026-01-31", "cat": "药品"}).params() == \
        {"area": "370102", "asof": "2026-01-31", "cat": "药品"}


def test_what_a_user_asks_for_is_resolved_inside_the_jurisdiction(store_url):
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", "P1", agreed=100)
    h.order("H1", 50, "P1", day=D(2026, 2, 2))
    store = h.save()
    officer = User("jinan", "济南经办", "city_officer", "370100")
    got = scope.resolve(store, officer, {"area": "371402"})  # a county of 德州市
    assert got.view.area == "370100" and got.view.scope == "370100" and got.view.user is officer
    assert got.notes == [("德城区不在您的管辖范围内，已显示济南市", "德城区 is outside your jurisdiction: showing 济南市")]
    inside = scope.resolve(store, officer, {"area": "370102"}, with_area=False)  # a page without an area filter
    assert inside.view.area == "370100" and inside.filters.area == "370102" and not inside.notes
    with pytest.raises(ValueError):
        View.of(store, got.view.info, scope="370000", user=officer)  # a user's view has the user's scope
    with pytest.raises(ValueError):  # an account whose area the store does not know sees nothing, not everything
        scope.resolve(store, User("lost", "失联", "county_officer", "999999"), {})
    admin = User("root", "管理员", "admin", "370000")  # a role without "view"
    with pytest.raises(AccessDenied):
        scope.resolve(store, admin, {})


def test_a_view_never_leaves_its_scope(store_url):
    h = Handmade(store_url)
    h.institution("H1")
    store = h.save()
    info = marts.ensure_view(store)
    assert View.of(store, info, "370102", "370100").area == "370102"  # a county of the city
    assert View.of(store, info, "371402", "370100").area == "370100"  # another city's county: back to scope
    assert View.of(store, info, "370000", "370100").area == "370100"  # the province is above the scope
    assert View.of(store, info, None, "370102").area_level == "county"
    assert isinstance(info.as_of, dt.date)


def test_command_line_category(store_url):
    import subprocess
    import sys
    from core.paths import ROOT
    h = Handmade(store_url)
    _consumables(h)
    h.institution("H1")
    h.agreement("H1", "P1", agreed=1000)
    h.agreement("H1", "C1", agreed=100)
    h.order("H1", 1000, "P1", delivered=500)
    h.order("H1", 100, "C1", delivered=10)
    h.save()

    def flags(*extra):
        out = subprocess.run([sys.executable, "-m", "core", "flags", "--db", store_url, "--as-of", "2026-03-01", *extra],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        rows = [line.split(",") for line in out.stdout.strip().splitlines()[1:]]
        return {(r[0], r[4]) for r in rows if r[0] == "delivery_rate_low"}
    # Drugs 500 / 1000 = 0.5 and the stent 10 / 100 = 0.1 are both below 80%.
    assert flags() == {("delivery_rate_low", "P1"), ("delivery_rate_low", "C1")}
    assert flags("--category", "耗材") == {("delivery_rate_low", "C1")}
    assert flags("--category", "药品") == {("delivery_rate_low", "P1")}
