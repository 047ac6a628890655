"""Maps as pure functions returning pydeck decks: no basemap, no internet."""
from __future__ import annotations

import math

import pydeck as pdk

# Sequential blues, light to dark, for counts and rates.
PALETTE = [(222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214), (66, 146, 198), (33, 113, 181), (8, 69, 148)]


def _color(value: float, low: float, high: float) -> list[int]:
    if high <= low:
        return [*PALETTE[3], 200]
    i = int((value - low) / (high - low) * (len(PALETTE) - 1) + 0.5)
    return [*PALETTE[max(0, min(i, len(PALETTE) - 1))], 200]


def view_for(bounds: tuple[float, float, float, float]) -> pdk.ViewState:
    """A view fitted to (min_lon, min_lat, max_lon, max_lat)."""
    min_lon, min_lat, max_lon, max_lat = bounds
    span = max(max_lon - min_lon, (max_lat - min_lat) * 1.3, 0.05)
    zoom = 8.6 - math.log2(span)
    return pdk.ViewState(longitude=(min_lon + max_lon) / 2, latitude=(min_lat + max_lat) / 2, zoom=zoom)


def choropleth(fc: dict, bounds: tuple[float, float, float, float], layer_id: str = "areas",
               tooltip: str = "{name}: {value}") -> pdk.Deck:
    """Areas coloured by their properties.value, labelled with their names."""
    values = {f["properties"]["code"]: f["properties"].get("value") for f in fc["features"]}
    return areas_deck(fc, values, bounds, tooltip, layer_id)


def _labels(fc: dict, layer_id: str) -> pdk.Layer:
    return pdk.Layer("TextLayer", [{"name": f["properties"]["name"],
                                    "position": [f["properties"]["label_lon"], f["properties"]["label_lat"]]}
                                   for f in fc["features"]],
                     id=f"{layer_id}-labels", get_position="position", get_text="name", get_size=13,
                     get_color=[30, 30, 30], character_set='"auto"')


def legend(values, decimals: int = 2, percent: bool = False) -> list[tuple[list[int], str]]:
    """The colour bins of a choropleth: (rgb, label) from low to high."""
    vals = [v for v in values if v is not None and v == v]
    if not vals:
        return []
    low, high = min(vals), max(vals)
    step = (high - low) / len(PALETTE) if high > low else 0
    fmt = (lambda v: f"{v * 100:.{max(0, decimals - 2)}f}%") if percent else (lambda v: f"{v:.{decimals}f}")
    if step == 0:
        return [(list(PALETTE[3]), fmt(low))]
    return [(list(c), f"{fmt(low + i * step)} – {fmt(low + (i + 1) * step)}") for i, c in enumerate(PALETTE)]


class Frozen(pdk.Deck):
    """A deck whose JSON is made once: a page drawn again sends the same text without rebuilding it."""

    def __init__(self, deck: pdk.Deck):
        self.__dict__.update(deck.__dict__)
        self._frozen_json = deck.to_json()

    def to_json(self) -> str:
        return self._frozen_json


def areas_deck(fc: dict, values: dict[str, float], bounds, tooltip: str, layer_id: str = "areas") -> pdk.Deck:
    """Child areas coloured by value (grey where there is no value), pickable for the drill."""
    fc = {**fc, "features": [{**f, "properties": dict(f["properties"])} for f in fc["features"]]}  # geometry shared
    for f in fc["features"]:
        v = values.get(f["properties"]["code"])
        f["properties"]["value"] = None if v is None or v != v else round(float(v), 4)
    present = [f["properties"]["value"] for f in fc["features"] if f["properties"]["value"] is not None]
    low, high = (min(present), max(present)) if present else (0, 0)
    for f in fc["features"]:
        v = f["properties"]["value"]
        f["properties"]["fill"] = [220, 220, 220, 160] if v is None else _color(v, low, high)
    areas = pdk.Layer("GeoJsonLayer", fc, id=layer_id, pickable=True, stroked=True, filled=True, auto_highlight=True,
                      get_fill_color="properties.fill", get_line_color=[90, 90, 90], line_width_min_pixels=1)
    return pdk.Deck(layers=[areas, _labels(fc, layer_id)], initial_view_state=view_for(bounds), map_provider=None,
                    tooltip={"text": tooltip})


def institutions_deck(outline: dict, points: list[dict], bounds, tooltip: str, by_value: bool = False) -> pdk.Deck:
    """A county's outline with its institutions as points. By default red-flagged ones are red and
    sized by score, primary care blue, others grey; `by_value` colours them by their value on the
    choropleth palette (grey without one) and rings red-flagged ones in red."""
    pts = []
    present = [p.get("value") for p in points if isinstance(p.get("value"), (int, float)) and p.get("value") == p.get("value")]
    low, high = (min(present), max(present)) if present else (0, 0)
    for p in points:
        p = {k: (None if isinstance(v, float) and v != v else v) for k, v in p.items()}  # JSON has no NaN
        red = p.get("score") is not None
        if by_value:
            value = p.get("value")
            color = [200, 200, 200, 200] if value is None else _color(value, low, high)
            radius = 400
        else:
            color = RED if red else (PRIMARY if p.get("is_primary") else OTHER)
            radius = 300 + (150 * float(p["score"]) if red else 0)
        pts.append({**p, "radius": radius, "color": color, "ring": RED if red else [255, 255, 255, 0]})
    area = pdk.Layer("GeoJsonLayer", outline, id="outline", pickable=False, stroked=True, filled=True,
                     get_fill_color=[240, 240, 240, 120], get_line_color=[90, 90, 90], line_width_min_pixels=1)
    dots = pdk.Layer("ScatterplotLayer", pts, id="institutions", pickable=True, get_position=["longitude", "latitude"],
                     get_radius="radius", get_fill_color="color", radius_min_pixels=3, radius_max_pixels=30,
                     stroked=by_value, get_line_color="ring", line_width_min_pixels=2)
    return pdk.Deck(layers=[area, dots], initial_view_state=view_for(bounds), map_provider=None, tooltip={"text": tooltip})


RED, PRIMARY, OTHER = [200, 30, 30, 220], [33, 113, 181, 200], [90, 90, 90, 200]
NO_VALUE = (220, 220, 220)


def point_legend(by_value: bool) -> list[tuple[list[int], str]]:
    """The institutions map's keys: (rgb, catalogue key)."""
    if by_value:
        return [(RED[:3], "legend.ring_red"), (list(NO_VALUE), "legend.no_value")]
    return [(RED[:3], "legend.red"), (PRIMARY[:3], "legend.primary"), (OTHER[:3], "legend.other")]
