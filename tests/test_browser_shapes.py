"""A real browser clicks into 东莞 (a city without counties) on a Guangdong store and into a district of Beijing, and
sees their institutions."""
import math
import os
import re
from pathlib import Path

import pytest

from core import demo
from core.policy import regions
from core.present import maps
from core.store.opening import open_store

from .browser import ARTIFACTS, CHROMIUM, DECK_CANVAS, browser_page, click_map, sign_in, streamlit_server

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")


def _store(tmp_path, province: str):
    store = open_store(f"sqlite:///{tmp_path / f'{province}.sqlite3'}", province_code=province)
    demo.load(store, scale="mini")
    return store


def _mercator(lat: float) -> float:
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _click_at(page, province: str, area: str, lon: float, lat: float) -> None:
    """Click the map of `area` where (lon, lat) lies, as deck.gl projects it (its view as core.present.maps frames the area)."""
    view = maps.view_for(regions.frame_bounds(province, area))
    per_degree = maps.WORLD_PX * 2 ** view.zoom / 360

    def point(box):
        return (box["x"] + box["width"] / 2 + (lon - view.longitude) * per_degree,
                box["y"] + box["height"] / 2 - (_mercator(lat) - _mercator(view.latitude)) * per_degree)
    assert click_map(page, point), f"the map did not drill: {page.url}"


def _area(page) -> str:
    found = re.search(r"area=(\d{6})", page.url)
    return found.group(1) if found else ""


def _label(store, code: str) -> tuple[float, float]:
    row = store.regions().set_index("region_code").loc[code]
    return float(row["label_lon"]), float(row["label_lat"])


def _sees_institutions(page, store, code: str, shot: str) -> None:
    page.get_by_text("辖区医疗机构").first.wait_for(timeout=60_000)
    first = store.read("SELECT institution_code FROM institutions WHERE county_code = :c ORDER BY 1",
                       {"c": code})["institution_code"].iloc[0]
    page.get_by_text(first).first.wait_for(state="attached", timeout=60_000)
    page.locator(DECK_CANVAS).first.wait_for(state="visible", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / shot))


def test_click_into_dongguan(tmp_path):
    store = _store(tmp_path, "440000")
    with streamlit_server(store.url) as base, browser_page() as page:
        sign_in(page, base + "/map?area=440000", "demo_leader")
        page.get_by_role("button", name="广东省").wait_for(timeout=120_000)
        _click_at(page, "440000", "440000", *_label(store, "441900"))
        assert _area(page) == "441900"
        page.get_by_role("button", name="东莞市").wait_for(timeout=60_000)
        _sees_institutions(page, store, "441900", "map-dongguan.png")


def test_click_into_a_district_of_beijing(tmp_path):
    store = _store(tmp_path, "110000")
    names = dict(zip(store.regions()["region_code"], store.regions()["region_name"]))
    with streamlit_server(store.url) as base, browser_page() as page:
        sign_in(page, base + "/map?area=110000", "demo_leader")
        page.get_by_role("button", name="北京市").wait_for(timeout=120_000)
        _click_at(page, "110000", "110000", *_label(store, "110108"))  # 海淀区, straight from the municipality
        district = _area(page)
        assert district == "110108", names.get(district)
        page.get_by_role("button", name="海淀区").wait_for(timeout=60_000)
        _sees_institutions(page, store, "110108", "map-beijing-district.png")
        labels = page.locator('[data-testid="stSidebar"] [data-testid="stWidgetLabel"]').all_inner_texts()
        assert "城市" not in labels and labels.count("区县") == 1, labels  # its districts, in one list, not "cities"
