"""地图: province -> city -> county -> institutions, by clicking an area; a breadcrumb goes back up."""
import streamlit as st

from core.policy import drill
from core.policy.indicators import INDICATORS
from core.present import charts, maps
from core.present.i18n import paren, percent_text, t
from core.read import map_area, monitoring
from ui.filters import go_to
from ui.session import viewed
from ui.tables import show

view, L = viewed("pages/map.py", "map.title")
s = view.store
region_rows = s.regions()
crumbs = [c for c in drill.path_to(region_rows, view.area) if view.in_scope(c.code)]
here = crumbs[-1]

trail = st.container(horizontal=True, gap="small")  # each name as wide as it is, side by side
for crumb in crumbs:
    if trail.button(crumb.name, key=f"crumb_{crumb.code}", type="primary" if crumb is here else "secondary"):
        go_to(crumb.code)
st.caption(t("map.hint", L))

labels = {i.id: t(f"indicator.{i.id}", L) for i in INDICATORS} | {map_area.GAP: t("map.layer.gap", L),
                                                                 map_area.LEVEL_GAP: t("map.layer.level_gap", L),
                                                                 map_area.RED: t("map.layer.red", L),
                                                                 map_area.ENTERPRISE: t("map.layer.enterprise", L)}
layers = list(map_area.layers())
default_layer = st.query_params.get("layer", "delivery")
layer = st.selectbox(t("map.layer", L), layers, index=layers.index(default_layer) if default_layer in layers else 1,
                     format_func=labels.get, key="map_layer")
st.query_params["layer"] = layer
enterprise = None
if layer == map_area.ENTERPRISE:
    tiers = monitoring.enterprise_tiers(view.with_area(view.scope)).set_index("enterprise_code")
    codes = tiers.index.tolist()
    wanted = st.query_params.get("enterprise")
    enterprise = st.selectbox(t("map.enterprise", L), codes, index=codes.index(wanted) if wanted in codes else 0,
                              format_func=lambda c: f"{c} {tiers.loc[c, 'enterprise_name']}"
                                                    f"{paren(tiers.loc[c, 'tier'] or '—', L)}",
                              key="map_enterprise")
    if enterprise:
        st.query_params["enterprise"] = enterprise

kind = map_area.kind_of(layer)
line = map_area.warning_line(view, layer)
left, right = st.columns([4, 1])
with left:
    if here.level in map_area.LEVEL_OF_CHILDREN:
        values = map_area.child_values(view, layer, enterprise)
        event = st.pydeck_chart(map_area.children_deck(view, layer, enterprise), on_select="rerun",
                                selection_mode="single-object", key=f"drill_{here.code}", height=560)
        target = drill.move(region_rows, here.code, drill.selected_code(event))
        if target != here.code:
            go_to(target)
        keys = maps.legend(values["value"].tolist(), kind, line)
        keys = keys + [(list(maps.NO_VALUE), t("legend.no_value", L))] if values["value"].isna().any() else keys
    else:
        by_value = map_area.is_rate(layer)
        values = map_area.institutions_in(view, layer, enterprise)
        st.pydeck_chart(map_area.institutions_deck(view, layer, enterprise), key=f"points_{here.code}", height=560)
        keys = (maps.legend(values["value"].tolist(), kind, line) if by_value else []) + \
            [(rgb, t(key, L), mark) for rgb, key, mark in maps.point_legend(by_value, values["value"].isna().any())]

with right:
    if keys:
        st.plotly_chart(charts.legend(keys, labels[layer]), key="map_legend", config={"displayModeBar": False})
        if line is not None:
            st.caption(t("map.line", L).format(bar=percent_text(line)))

figures = map_area.area_figures(view, crumbs[-2].code if len(crumbs) > 1 else None)
compared = not figures.empty and figures["parent_value"].notna().any()  # the level above, when the user may see it
st.subheader(t("map.figures" if compared else "map.figures_alone", L))
if figures.empty:
    st.info(t("map.no_figures", L))
else:
    columns = {"indicator_id": t("col.indicator", L), "value": t("col.value", L),
               "parent_value": t("col.parent_value", L), "count_flagged": t("col.flagged", L),
               "numerator": t("col.numerator", L), "denominator": t("col.denominator", L)}
    if not compared:
        del columns["parent_value"]
    definitions = {i.id: i.definition(L, view.store.settings()) for i in INDICATORS}
    show(figures.assign(definition=figures["indicator_id"].map(definitions),
                        indicator_id=figures["indicator_id"].map(lambda i: labels[i])),
         {**columns, "definition": t("col.definition", L)}, "figures", f"{t('map.figures_alone', L)}_{here.name}",
         percent=("value", "parent_value"), helps={"count_flagged": t("help.count_flagged", L)})

if here.level in map_area.LEVEL_OF_CHILDREN:
    st.subheader(t("map.children", L))
    columns = {"code": t("col.code", L), "name": t("col.name", L), "value": labels[layer],
               "count_flagged": t("col.flagged", L), "count_red_flag": t("col.red_flag", L),
               "count_institutions": t("map.count_institutions", L)}
    if layer in (map_area.RED, map_area.GAP, map_area.LEVEL_GAP, map_area.ENTERPRISE):
        del columns["count_flagged"]  # flags of an indicator: the other layers have none
    if layer == map_area.RED:
        del columns["value"]  # the layer's value is the red-flag count itself
    if layer in (map_area.GAP, map_area.LEVEL_GAP):  # points of a gap read with one decimal, as on the supply page
        values, columns = values.rename(columns={"value": "gap_points"}), \
            {("gap_points" if k == "value" else k): v for k, v in columns.items()}
    show(values, columns, f"children_{here.code}", f"{t('map.children', L)}_{here.name}", link=("code", "area"),
         percent=("value",) if map_area.is_rate(layer) else (),
         helps={"count_flagged": t("help.count_flagged", L)})
else:
    st.subheader(t("map.institutions", L))
    columns = {"code": t("col.code", L), "name": t("col.name", L), "level": t("col.level", L),
               "category": t("col.category", L), "is_primary": t("col.primary", L), "value": labels[layer],
               "score": t("col.score", L)}
    if not map_area.is_rate(layer):
        del columns["value"]  # an institution's value on these layers is its red-flag score
    show(values, columns, f"children_{here.code}", f"{t('map.institutions', L)}_{here.name}", link=("code", "institution"),
         percent=("value",) if map_area.is_rate(layer) else ())
