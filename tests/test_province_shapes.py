"""Provinces of every shape, by hand: municipalities (Beijing, whose index names a city 110100 again; Chongqing,
whose city row carries the province's code), a city without counties (东莞), a province of units directly under it
(Hainan: 琼海, 儋州) and a county-level unit directly under a province (仙桃). Each store holds an extract naming those
units; its figures are worked out by hand at every level, and the map drill (an injected selection) reaches their
institutions. A municipality's districts stand at the prefecture level as themselves, as the units directly under a
province do.

In each store two hospitals hold agreements for P1; by T = 2026-03-01 (delivery window to 2026-02-27):
- the tricky unit's hospital ordered 100 of 400 agreed and received 90 (delivery 0.9, completion 0.25, below half the
  schedule of 0.6: a serious progress flag, so it is red-flagged),
- the other hospital ordered 100 and received 70 (delivery 0.7, progress 100 / 100 = 1.0).
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.access import admin
from core.access.roles import system_user
from core.cli import main as cli
from core.paths import ROOT
from core.refresh import marts
from core.store import views
from core.store.opening import open_store

from .handmade import T, Handmade
from .views import sign_in

# province: (tricky unit, its prefecture-level unit, other county, its prefecture-level unit, the tricky unit's path)
SHAPES = {
    "110000": ("110101", "110101", "110108", "110108", ["北京市", "东城区"]),  # a municipality's districts
    "500000": ("500101", "500101", "500103", "500103", ["重庆市", "万州区"]),  # counties directly under the province
    "440000": ("441900", "441900", "440106", "440100", ["广东省", "东莞市"]),  # a city without counties
    "460000": ("469002", "469002", "460400", "460400", ["海南省", "琼海市"]),  # units directly under the province
    "420000": ("429004", "429004", "420102", "420100", ["湖北省", "仙桃市"]),  # a county-level unit under the province
}


def _store(tmp_path, province: str):
    url = f"sqlite:///{tmp_path / f'p{province}.sqlite3'}"
    open_store(url, province_code=province)
    unit, _, other, _, _ = SHAPES[province]
    h = Handmade(url)
    h.institution("H1", county=unit)
    h.institution("H2", county=other)
    h.agreement("H1", agreed=400)
    h.agreement("H2", agreed=100)
    h.order("H1", 100, delivered=90)
    h.order("H2", 100, delivered=70)
    store = h.save()
    marts.refresh(store, as_of=T)
    return store


def _values(store, indicator: str) -> dict[tuple[str, str], float]:
    view = views.default_view(store).view_id
    rows = store.read("SELECT level, subject_code, value FROM mart_indicators WHERE view_id = :v AND indicator_id = :i",
                      {"v": view, "i": indicator})
    return {(r.level, r.subject_code): round(r.value, 6) for r in rows.itertuples()}


@pytest.mark.parametrize("province", sorted(SHAPES))
def test_figures_at_every_level_by_hand(tmp_path, province):
    unit, unit_pref, other, other_pref, _ = SHAPES[province]
    store = _store(tmp_path, province)
    delivery, progress = _values(store, "delivery"), _values(store, "progress")
    assert delivery[("county", unit)] == 0.9 and delivery[("county", other)] == 0.7
    assert delivery[("city", unit_pref)] == 0.9 and delivery[("city", other_pref)] == 0.7  # the level above, as itself
    assert delivery[("province", province)] == 0.8  # 160 / 200: each hospital counted once
    assert progress[("county", unit)] == 0.25 and progress[("province", province)] == 0.4  # 200 / 500
    assert {k for k in delivery if k[0] == "city"} == {("city", unit_pref), ("city", other_pref)}
    view = views.default_view(store).view_id
    areas = store.read("SELECT region_code, count_institutions, count_red_flag FROM mart_areas WHERE view_id = :v",
                       {"v": view})
    counted = dict(zip(areas["region_code"], areas["count_institutions"]))
    red = dict(zip(areas["region_code"], areas["count_red_flag"]))
    assert counted[unit] == 1 and counted[province] == 2 and red[unit] == 1 and red[province] == 1  # none twice
    snapshot = store.read("SELECT region_code, value FROM mart_snapshots WHERE view_id = :v AND as_of = :t "
                          "AND metric = 'count_red_flag'", {"v": view, "t": T})
    assert dict(zip(snapshot["region_code"], snapshot["value"]))[unit] == 1.0
    assert areas["region_code"].is_unique


@pytest.mark.parametrize("province", sorted(SHAPES))
def test_an_extract_naming_the_unit_imports(tmp_path, province, capsys):
    """The unit's code is a county code for the import (it was refused as "not a county of this province")."""
    unit = SHAPES[province][0]
    url = f"sqlite:///{tmp_path / 'import.sqlite3'}"
    store = open_store(url, province_code=province)
    from .extract_fixture import frames
    f = frames()
    f["institutions"]["county_code"] = [unit, SHAPES[province][2]]
    f["institutions"][["longitude", "latitude"]] = None
    from core.ingest import exporter
    path = exporter.write_xlsx(f, tmp_path / "x.xlsx")
    assert cli.main(["import", str(path), "--db", url]) == 0, capsys.readouterr().err
    assert set(store.read("SELECT county_code FROM institutions")["county_code"]) == {unit, SHAPES[province][2]}
    assert cli.main(["indicators", "--level", "county", "--db", url]) == 0
    assert unit in capsys.readouterr().out


@pytest.mark.parametrize("province", sorted(SHAPES))
def test_the_map_drill_reaches_the_units_institutions(tmp_path, province, monkeypatch):
    unit, _, _, _, path = SHAPES[province]
    store = _store(tmp_path, province)
    admin.create_user(store, system_user(store), "chief", "局领导", "leader", None, "Secret2026pass")
    monkeypatch.setenv("VBP_DATABASE_URL", store.url)
    from ui import session
    session._store.clear()
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), "chief").run()
    at.switch_page("../pages/map.py").run()
    here = province
    for step in path[1:]:  # click the next unit of the path on the map, as a user would
        children = at.dataframe[-1].value
        code = children.loc[children["名称"] == step, "代码"].iloc[0]
        at.session_state[f"drill_{here}"] = {"selection": {"indices": {"areas": [0]},
                                                           "objects": {"areas": [{"properties": {"code": code}}]}}}
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        here = code
    assert [b.label for b in at.main.button] == path
    institutions = at.dataframe[-1].value
    assert institutions["代码"].tolist() == ["H1"]
    session._store.clear()


def test_a_province_with_counties_directly_under_it_imports_whole(tmp_path, capsys):
    """Chongqing's counties lie directly under the municipality: the import, then the marts, then every page's
    figures (the refresh failed on a second row of the province's own code)."""
    store = _store(tmp_path, "500000")
    view = views.default_view(store)
    assert view is not None
    snaps = store.read("SELECT as_of, region_code, metric FROM mart_snapshots WHERE view_id = :v", {"v": view.view_id})
    assert not snaps.duplicated().any()
    red = store.read("SELECT value FROM mart_snapshots WHERE view_id = :v AND region_code = '500101' "
                     "AND metric = 'count_red_flag' AND as_of = :t", {"v": view.view_id, "t": T})
    assert red["value"].tolist() == [1.0]  # H1 is red-flagged, counted once in 万州区


def test_an_officer_of_a_unit_standing_as_a_city(tmp_path):
    """A city officer may hold 东莞 (a city without counties) and sees its institutions; a county there is its own."""
    store = _store(tmp_path, "440000")
    operator = system_user(store)
    admin.create_user(store, operator, "dg_city", "东莞经办", "city_officer", "441900", "Secret2026pass")
    admin.create_user(store, operator, "dg_county", "东莞县级", "county_officer", "441900", "Secret2026pass")
    with pytest.raises(ValueError):
        admin.create_user(store, operator, "th_city", "天河", "city_officer", "440106", "Secret2026pass")  # a district
    from core.store.view import View
    seen = View.of(store, views.default_view(store), scope="441900").institution_codes()
    assert seen == {"H1"}


def test_a_row_of_the_areas_below_goes_into_that_area(tmp_path, monkeypatch):
    """Every unit is reachable from the table beside the map, also one too small or too far out to click (三沙)."""
    store = _store(tmp_path, "460000")
    admin.create_user(store, system_user(store), "chief", "局领导", "leader", None, "Secret2026pass")
    monkeypatch.setenv("VBP_DATABASE_URL", store.url)
    from ui import session
    session._store.clear()
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), "chief").run()
    at.switch_page("../pages/map.py").run()
    children = at.dataframe[-1].value
    row = children.index[children["名称"] == "三沙市"][0]
    at.session_state["children_460000"] = {"selection": {"rows": [int(row)], "columns": []}}
    at.run()
    assert not at.exception
    assert [b.label for b in at.main.button] == ["海南省", "三沙市"]
    session._store.clear()


def test_the_province_map_frames_the_land_and_its_labels_never_touch():
    from core.present import maps
    from core.policy import regions
    low = regions.frame_bounds("460000", "460000")
    assert low[1] > 18 and regions.bounds("460000", "460000")[1] < 6  # the island, not the islets 1,500 km south
    for province, area in (("460000", "460000"), ("110000", "110000"), ("370000", "370100"), ("440000", "440000")):
        fc = regions.features(province, None, area)
        view = maps.view_for(regions.frame_bounds(province, area))
        kept = maps.placed_labels(fc, view)
        per_degree = maps.WORLD_PX * 2 ** view.zoom / 360
        boxes = []
        for k in kept:  # each label's box in pixels, as deck.gl draws it
            lon, lat = k["position"]
            import math
            x = lon * per_degree
            y = math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))) * per_degree
            w, h = len(k["name"]) * maps.LABEL_PX / 2, maps.LABEL_PX / 2
            boxes.append((x - w, y - h, x + w, y + h))
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (area, kept)
        assert len(kept) >= len(fc["features"]) // 2  # most areas keep their name
