"""A real browser drills the map: a city, then a county, sees its institutions, and goes back up."""
import os
import re
from pathlib import Path

import pytest


from .browser import ARTIFACTS, CHROMIUM, DECK_CANVAS, browser_page, click_map, sign_in, streamlit_server

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")


def _area(page) -> str:
    found = re.search(r"area=(\d{6})", page.url)
    return found.group(1) if found else ""


def _drill(page, accept) -> str:
    """Click the centre of the map (click_map repeats a click the page lost) and return the area the address then
    names, which `accept` must take."""
    if click_map(page, lambda box: (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)) \
            and accept(_area(page)):
        return _area(page)
    raise AssertionError(f"the map did not drill: {page.url}")


def test_click_drill_and_breadcrumb(demo_store):
    with streamlit_server(demo_store.url) as base, browser_page() as page:
        sign_in(page, base + "/map?area=370000", "demo_leader")
        page.get_by_role("button", name="山东省").wait_for(timeout=120_000)
        names = dict(zip(demo_store.regions()["region_code"], demo_store.regions()["region_name"]))
        page.get_by_text(names["370100"]).first.wait_for(state="attached", timeout=60_000)  # cities in the table
        page.locator(DECK_CANVAS).first.wait_for(state="visible", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "map-province.png"), full_page=True)
        city = _drill(page, lambda code: code.endswith("00") and code != "370000")
        assert city != "370000" and city.endswith("00")
        page.get_by_role("button", name=names[city]).wait_for(timeout=60_000)  # the city's level has rendered
        county = _drill(page, lambda code: not code.endswith("00"))
        assert county[:4] == city[:4]
        page.get_by_role("button", name=names[county]).wait_for(timeout=60_000)
        page.get_by_text("辖区医疗机构").first.wait_for(timeout=60_000)
        page.locator(DECK_CANVAS).first.wait_for(state="visible", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "map-county.png"), full_page=True)
        page.get_by_role("button", name="山东省").click()
        page.wait_for_function("() => location.search.includes('area=370000')", timeout=60_000)
        page.get_by_text("下级区域").wait_for(timeout=60_000)


def test_a_shared_link_opens_the_view_it_names(demo_store):
    with streamlit_server(demo_store.url) as base, browser_page() as page:
        sign_in(page, base + "/map?area=370100&layer=report", "demo_leader")  # a fresh server: through pages/
        page.get_by_role("button", name="济南市").wait_for(timeout=120_000)
        page.get_by_text("历下区").first.wait_for(state="attached", timeout=60_000)
        assert "area=370100" in page.url and "layer=report" in page.url
