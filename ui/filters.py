"""The filters shared by the pages, in the sidebar: area (city, county), period, as-of date and
product category. They live in the URL and in the session, so a link reproduces the view and
the choice carries from page to page. The result is a `core.store.view.View`.

A widget shows its value as its default when it is drawn. When the filters change from outside
the widgets (a map click, a breadcrumb, a link), the widgets are drawn afresh under new keys
(`_key`): a browser keeps a widget's old value for as long as its key lives."""
from __future__ import annotations

import streamlit as st

from core.policy.regions import prefecture_units
from core.present.i18n import t
from core.read import filters as F
from core.access import scope
from core.access.roles import User
from core.store import views
from core.store.view import View
from ui import text

STATE = "filters"
GENERATION = "filters_generation"


def _key(name: str) -> str:
    """A widget's key: the plain name until the filters first change from outside the widgets."""
    generation = st.session_state.get(GENERATION, 0)
    return name if generation == 0 else f"{name}_{generation}"


def _redraw() -> None:
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def _asked() -> dict:
    """URL parameters win (a shared link, a map click); what they leave out comes from the session."""
    held: F.Filters | None = st.session_state.get(STATE)
    params = {}
    if held is not None:
        params = {"area": held.area, "asof": held.as_of.isoformat(), "cat": held.category}
    from_url = {k: v for k, v in st.query_params.to_dict().items() if k in ("area", "asof", "cat")}
    if held is not None and any(params.get(k) != v for k, v in from_url.items()):
        _redraw()  # the URL moved the filters (a link opened in this session)
    return {**params, **from_url}


def _set(**changes) -> None:
    """A change of the filters: into the session and the URL, which the next run reads."""
    st.session_state[STATE] = F.Filters(**{**st.session_state[STATE].__dict__, **changes})
    if "area" in changes:
        st.query_params["area"] = changes["area"]
    if "as_of" in changes:
        st.query_params["asof"] = changes["as_of"].isoformat()
    if "category" in changes:
        if changes["category"]:
            st.query_params["cat"] = changes["category"]
        elif "cat" in st.query_params:
            del st.query_params["cat"]


def _from_widget(field: str, key: str):
    """The callback of a widget: its new value into the filters."""
    def changed() -> None:
        value = st.session_state[key]
        if field == "period":
            _set(as_of=min(value.end, st.session_state["filters_last_order"]))
        elif value is not None:
            _set(**{field: value})
    return changed


def _area_widgets(store, L: str, chosen: F.Filters, scope: str) -> None:
    regions = store.regions()
    names = dict(zip(regions["region_code"], regions["region_name"]))
    levels = dict(zip(regions["region_code"], regions["region_level"]))
    prefectures = dict(zip(regions["region_code"], regions["prefecture_code"]))
    province = store.province_code
    if levels.get(scope) == "county":
        st.sidebar.caption(f"{t('iv.county', L)}{'：' if L == 'zh' else ': '}{names[scope]}")
        return
    city_scope = levels.get(scope) == "city"
    cities = [scope] if city_scope else prefecture_units(regions)  # cities, and the units standing as one
    city_options = cities if city_scope else [province] + cities
    city_now = prefectures.get(chosen.area) or province
    city_now = city_now if city_now in city_options else city_options[0]
    # a municipality's units under it are its districts and counties: named so, with no second list under them
    municipal = not city_scope and not any(levels.get(c) == "city" for c in cities)
    key = _key("f_city")
    city = st.sidebar.selectbox(t("iv.district" if municipal else "iv.city", L), city_options,
                                index=city_options.index(city_now), key=key,
                                on_change=_from_widget("area", key), disabled=city_scope,
                                format_func=lambda c: t("iv.all", L) if c == province else names[c])
    if municipal:
        return
    counties = regions[(regions["parent_code"] == city) & (regions["region_level"] == "county")]["region_code"].tolist() \
        if city != province else []
    county_options = [city] + counties
    county_now = chosen.area if chosen.area in counties else city
    key = _key("f_county")
    st.sidebar.selectbox(t("iv.county", L), county_options, index=county_options.index(county_now), key=key,
                         on_change=_from_widget("area", key), disabled=not counties,
                         format_func=lambda c: t("iv.all", L) if c == city else names[c])


def _time_widgets(store, L: str, chosen: F.Filters) -> None:
    options = F.periods(store)
    dates = F.order_dates(store)
    if not options or dates is None:
        return
    st.session_state["filters_last_order"] = dates[1]
    period = F.period_of(options, chosen.as_of) or options[0]
    key = _key("f_period")
    st.sidebar.selectbox(t("flt.period", L), options, index=options.index(period), key=key,
                         on_change=_from_widget("period", key), format_func=F.Period.label)
    low, high = max(period.start, dates[0]), min(period.end, dates[1])
    key = _key("f_asof")
    st.sidebar.date_input(t("flt.as_of", L), value=min(max(chosen.as_of, low), high), min_value=low, max_value=high,
                          key=key, on_change=_from_widget("as_of", key), format="YYYY-MM-DD")
    key = _key("f_cat")
    st.sidebar.selectbox(t("flt.category", L), views.CATEGORIES, index=views.CATEGORIES.index(chosen.category), key=key,
                         on_change=_from_widget("category", key), format_func=lambda c: t(f"flt.cat.{c or 'all'}", L))


def view(store, L: str, user: User, with_area: bool = True) -> View:
    """The view the user's filters choose (core.access.scope resolves them within the jurisdiction, computing the
    view first when new, with progress), and the sidebar's filters drawn from it."""
    bar = []

    def progress(fraction: float, message: str) -> None:
        if not bar:
            bar.append(st.progress(0.0, text=t("flt.computing", L)))
        bar[0].progress(min(max(fraction, 0.0), 1.0), text=f"{t('flt.computing', L)} {message}")
    asked = _asked()
    resolved = scope.resolve(store, user, asked, progress, with_area)
    if bar:
        bar[0].empty()
    for zh, en in resolved.notes:  # the address's text, shown as text
        st.sidebar.warning(text.plain(en if L == "en" else zh))
    result, chosen = resolved.view, resolved.filters  # the area chosen carries to the next page, with an area or not
    st.session_state[STATE] = chosen
    st.sidebar.subheader(t("flt.title", L))
    if with_area:
        _area_widgets(store, L, chosen, user.scope)
    _time_widgets(store, L, chosen)
    for key in ("asof", "cat"):
        if key in st.query_params:
            del st.query_params[key]
    st.query_params.update(resolved.params())
    info = result.info
    st.sidebar.caption(t("flt.schedule", L).format(start=info.period_start, end=info.period_end, schedule=info.schedule)
                       if info.one_schedule is not None else
                       t("flt.schedules", L).format(count=info.period_count, start=info.period_start,
                                                    end=info.period_end))
    return result


def go_to(area: str) -> None:
    """Move to another area (a map click, a breadcrumb) and draw the page again."""
    _set(area=area)
    _redraw()
    st.rerun()
