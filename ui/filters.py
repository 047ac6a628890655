"""Filters shared by the pages; they live in the URL (?area=...), so a link reproduces the view."""
from __future__ import annotations

import streamlit as st

from core.i18n import t


def area_picker(store, L: str) -> tuple[str, str]:
    """City and county select boxes; returns (area code, area name) and writes ?area= to the URL."""
    regions = store.regions()
    names = dict(zip(regions["region_code"], regions["region_name"]))
    province = store.province_code
    cities = regions[regions["region_level"] == "city"]["region_code"].tolist()
    # The URL wins (a shared link); otherwise the area chosen on another page of this session.
    area = st.query_params.get("area", st.session_state.get("area", province))
    area = area if area in names else province
    city_now = area if area in cities else (regions.set_index("region_code")["parent_code"].get(area) or province)
    c1, c2 = st.columns(2)
    city = c1.selectbox(t("iv.city", L), [province] + cities,
                        index=([province] + cities).index(city_now) if city_now in cities else 0,
                        format_func=lambda c: t("iv.all", L) if c == province else names[c], key="f_city")
    counties = regions[regions["parent_code"] == city]["region_code"].tolist() if city != province else []
    county = c2.selectbox(t("iv.county", L), [city] + counties,
                          index=([city] + counties).index(area) if area in counties else 0,
                          format_func=lambda c: t("iv.all", L) if c == city else names[c], key="f_county",
                          disabled=not counties)
    st.query_params["area"] = county
    st.session_state["area"] = county
    return county, names[county]
