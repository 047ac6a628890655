"""地图: province -> city -> county -> institutions, by clicking an area; a breadcrumb goes back up."""
import streamlit as st

from core import area_view, drill, maps, monitoring, regions
from core.i18n import t
from core.indicators import INDICATORS
from ui.session import start
from ui.tables import show

s, L = start("pages/map.py", "map.title")

region_rows = s.regions()
crumbs = drill.path_to(region_rows, st.query_params.get("area", s.province_code))
here = crumbs[-1]

crumb_cols = st.columns(len(crumbs) + 4)
for col, crumb in zip(crumb_cols, crumbs):
    if col.button(crumb.name, key=f"crumb_{crumb.code}", type="primary" if crumb is here else "secondary"):
        st.query_params["area"] = crumb.code
        st.rerun()
st.caption(t("map.hint", L))

layer_ids = [i.id for i in INDICATORS] + [area_view.GAP, area_view.RED, area_view.ENTERPRISE]
labels = {i.id: t(f"indicator.{i.id}", L) for i in INDICATORS} | {area_view.GAP: t("map.layer.gap", L),
                                                                 area_view.RED: t("map.layer.red", L),
                                                                 area_view.ENTERPRISE: t("map.layer.enterprise", L)}
default_layer = st.query_params.get("layer", "delivery")
layer = st.selectbox(t("map.layer", L), layer_ids, index=layer_ids.index(default_layer) if default_layer in layer_ids else 1,
                     format_func=labels.get, key="map_layer")
st.query_params["layer"] = layer
enterprise = None
if layer == area_view.ENTERPRISE:
    tiers = monitoring.enterprise_tiers(s)
    codes = tiers["enterprise_code"].tolist()
    wanted = st.query_params.get("enterprise")
    enterprise = st.selectbox(t("map.enterprise", L), codes, index=codes.index(wanted) if wanted in codes else 0,
                              format_func=lambda c: f"{c} {tiers.set_index('enterprise_code').loc[c, 'enterprise_name']}"
                                                    f"（{tiers.set_index('enterprise_code').loc[c, 'tier'] or '—'}）",
                              key="map_enterprise")
    st.query_params["enterprise"] = enterprise

left, right = st.columns([3, 2])
with left:
    bounds = regions.bounds(s.province_code, here.code)
    if here.level in area_view.LEVEL_OF_CHILDREN:
        child_level = area_view.LEVEL_OF_CHILDREN[here.level]
        values = area_view.child_values(s, here.code, child_level, layer, enterprise)
        deck = maps.areas_deck(regions.features(s.province_code, child_level, here.code),
                               dict(zip(values["code"], values["value"])), bounds, "{name}: {value}")
        event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key=f"drill_{here.code}",
                                height=560)
        target = drill.move(region_rows, here.code, drill.selected_code(event))
        if target != here.code:
            st.query_params["area"] = target
            st.rerun()
        legend = maps.legend(values["value"].tolist())
    else:
        values = area_view.institutions_in(s, here.code, layer)
        outline = {"type": "FeatureCollection",
                   "features": [f for f in regions.boundaries(s.province_code)["features"]
                                if f["properties"]["code"] == here.code]}
        deck = maps.institutions_deck(outline, values.to_dict("records"), bounds, "{name}")
        st.pydeck_chart(deck, key=f"points_{here.code}", height=560)
        legend = []
    if legend:
        st.dataframe([{t("map.layer", L): labels[layer], "": label} for _, label in legend], hide_index=True,
                     width="content")

with right:
    st.subheader(t("map.figures", L))
    figures = area_view.area_figures(s, crumbs)
    if not figures.empty:
        show(figures.assign(indicator_id=figures["indicator_id"].map(lambda i: labels[i])),
             {"indicator_id": t("col.indicator", L), "numerator": t("col.numerator", L),
              "denominator": t("col.denominator", L), "value": t("col.value", L),
              "parent_value": t("col.parent_value", L), "count_flagged": t("col.flagged", L)},
             "figures", f"{t('map.figures', L)[:4]}_{here.name}")
    if here.level in area_view.LEVEL_OF_CHILDREN:
        st.subheader(t("map.children", L))
        show(values, {"code": t("col.code", L), "name": t("col.name", L), "value": labels[layer],
                      "count_flagged": t("col.flagged", L), "count_red_flag": t("col.red_flag", L),
                      "count_institutions": t("map.institutions", L)}, "children", f"{t('map.children', L)}_{here.name}")
    else:
        st.subheader(t("map.institutions", L))
        if values.empty:
            st.info(t("empty.no_institutions", L))
        show(values, {"code": t("col.code", L), "name": t("col.name", L), "level": t("col.level", L),
                      "category": t("col.category", L), "is_primary": t("col.primary", L), "value": labels[layer],
                      "score": t("col.score", L)}, "children", f"{t('map.institutions', L)}_{here.name}",
             link=("code", "institution"))
