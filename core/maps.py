"""Maps as pure functions returning pydeck decks: no basemap, no internet."""
from __future__ import annotations

import copy
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
    """Areas coloured by properties.value, labelled with their names."""
    fc = copy.deepcopy(fc)
    values = [f["properties"].get("value", 0) or 0 for f in fc["features"]]
    low, high = (min(values), max(values)) if values else (0, 0)
    for f in fc["features"]:
        f["properties"]["fill"] = _color(f["properties"].get("value", 0) or 0, low, high)
    areas = pdk.Layer("GeoJsonLayer", fc, id=layer_id, pickable=True, stroked=True, filled=True,
                      get_fill_color="properties.fill", get_line_color=[90, 90, 90], line_width_min_pixels=1)
    labels = pdk.Layer("TextLayer", [{"name": f["properties"]["name"],
                                      "position": [f["properties"]["label_lon"], f["properties"]["label_lat"]]}
                                     for f in fc["features"]],
                       id=f"{layer_id}-labels", get_position="position", get_text="name", get_size=13,
                       get_color=[30, 30, 30], character_set='"auto"')
    return pdk.Deck(layers=[areas, labels], initial_view_state=view_for(bounds), map_provider=None,
                    tooltip={"text": tooltip})
