"""Maps as pure functions returning pydeck decks: no basemap, no internet.

A map's colours and its legend come from one `Scale` of its values: rates in percent, counts in whole-number
bins, other numbers (points of imbalance) to one decimal. Bins whose bounds would read alike are merged, so a
single value gets one legend entry and no two entries read the same.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pydeck as pdk
from shapely.geometry import shape

from core.present.i18n import column_decimals

# Sequential blues, light to dark, for counts and rates.
# Blues from a pale but plainly blue first step: the palest of the usual scale, (222, 235, 247), read as white on
# the page, and its area as one without data.
PALETTE = [(198, 219, 239), (158, 202, 225), (107, 174, 214), (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107)]
# Reds, dark to light, for rates short of their warning line: the lowest darkest, those nearest the line palest.
WARM = [(153, 0, 13), (203, 24, 29), (239, 59, 44), (251, 106, 74), (252, 146, 114), (252, 187, 161), (254, 224, 210)]
RED, PRIMARY, OTHER = [200, 30, 30, 220], [33, 113, 181, 200], [90, 90, 90, 200]
NO_VALUE = (190, 190, 190)  # a mid grey: a light grey and the palest blues look alike
KINDS = ("percent", "count", "number")
CLOSE = {"percent": 0.01, "number": 1.0}  # values within a percentage point (a point of imbalance) share a colour


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    rgb: tuple[int, int, int]
    label: str
    short: bool = False  # under the warning line: its values stop short of its high end (the line meets it)


@dataclass(frozen=True)
class Scale:
    kind: str  # percent | count | number
    bins: tuple[Bin, ...]
    decimals: int = 1  # of a rate in percent: more when the smallest rate is below 1%

    def text(self, value) -> str:
        """A value as the map's tooltip and legend write it."""
        return _format(self.kind, value, self.decimals)

    def color(self, value, alpha: int = 255) -> list[int]:
        """The fill of a value: its bin's colour (grey without a value)."""
        if value is None or value != value or not self.bins:
            return [*NO_VALUE, alpha]  # as its swatch in the key shows it
        for b in self.bins:
            if (value < b.high if b.short else value <= b.high) or b is self.bins[-1]:
                return [*b.rgb, alpha]
        return [*self.bins[-1].rgb, alpha]

    def legend(self) -> list[tuple[list[int], str]]:
        return [(list(b.rgb), b.label) for b in self.bins]


def _format(kind: str, value, decimals: int = 1) -> str:
    if value is None or value != value:
        return "—"
    if kind == "percent":
        return f"{value * 100:.{decimals}f}%"
    if kind == "count":
        return f"{value:,.0f}"
    return f"{value:.1f}"


def _spread(n: int, palette=PALETTE) -> list[tuple[int, int, int]]:
    """n colours of the palette, spread from its first to its last (the middle one when n is 1)."""
    if n == 1:
        return [palette[3]]
    return [palette[round(i * (len(palette) - 1) / (n - 1))] for i in range(n)]


RED_STEP = 0.1  # a rate short of its line is a shade darker for every ten percentage points further below it
RED_SHADES = (WARM[5], WARM[3], WARM[1], WARM[0])  # within 10 points of the line, 10-20, 20-30, 30 or more


def _red_steps(below: float) -> list[float]:
    """The edges of the reds under a line, counted down from it: 30, 20 and 10 points below and the line itself
    (80%: 50, 60, 70, 80), those above 0%."""
    return [e for e in (round(below - k * RED_STEP, 9) for k in range(len(RED_SHADES) - 1, 0, -1)) if e > 0] + [below]


def _depth(value: float, below: float) -> tuple[int, int, int]:
    """The red of a rate short of its line, by how many ten-point steps below it the rate is: the same on every map of
    that line (a delivery rate of 50.1% is as red on a city's map as on its county's, whatever else each shows)."""
    steps = sum(1 for e in _red_steps(below)[:-1] if value < e)
    return RED_SHADES[steps]


def _span(kind: str, a: float, b: float, d: int) -> str:
    """A bin's range as the key writes it: its ends with as many more decimals as tell them apart (49.99% – 50.00%,
    not 50.0% – 50.0%); a bin of one value, that value."""
    if b - a > 1e-12:
        for more in range(4):
            left, right = _format(kind, a, d + more), _format(kind, b, d + more)
            if left != right:
                return f"{left} – {right}"
    return _format(kind, a, d)


def _short_of(bins: tuple[Bin, ...], below: float, kind: str, d: int, lowest: float, highest: float) -> tuple[Bin, ...]:
    """The values under `below` (a warning line) in reds by the ten-point step below it they fall in (`_depth`: cut at
    the steps, from the lowest value up, so each value has its own step's red), the values at or above it in the
    blues of the bins given (one blue where the bins are one colour)."""
    out: list[Bin] = []
    if lowest < below:
        top = min(below, highest)
        cuts = [lowest] + [e for e in _red_steps(below) if lowest < e < top] + [top]
        for a, b in zip(cuts, cuts[1:]):
            rgb = _depth(a, below)
            if out and out[-1].rgb == rgb:  # two steps of one red are one bin
                a = out.pop().low
            out.append(Bin(a, b, rgb, _span(kind, a, b, d), short=True))
        if lowest < highest == top < below and highest in _red_steps(below):  # on a step's edge: its step's red
            out.append(Bin(highest, highest, _depth(highest, below), _format(kind, highest, d)))
    if highest < below:
        return tuple(out)
    if len(bins) == 1 and math.isinf(bins[0].low):  # values too close to tell apart: those at or above, one blue
        ends = [max(lowest, below), highest]
    else:
        ends = [max(lowest, below)] + [b.high for b in bins if b.high > below]
    if len(ends) == 1 or ends[-1] <= ends[0]:  # the highest value is on the line itself: it meets it, in blue
        return tuple(out) + (Bin(below, below, PALETTE[3], _format(kind, below, d)),)
    blues = _spread(len(ends) - 1)
    return tuple(out) + tuple(Bin(a, b, blues[i], _span(kind, a, b, d)) for i, (a, b) in enumerate(zip(ends, ends[1:])))


def scale(values, kind: str = "percent", below: float | None = None) -> Scale:
    """The bins of a set of values: up to seven, from the lowest to the highest value. `below`: a rate's warning
    line (the indicator asks at least this): bins under it are drawn in reds, the rest in blues, and the line is an
    edge between them."""
    out = _scale(values, kind)
    if below is None or kind != "percent" or not out.bins:
        return out
    finite = [float(v) for v in values if v is not None and v == v and math.isfinite(float(v))]
    return Scale(kind, _short_of(out.bins, float(below), kind, out.decimals, min(finite), max(finite)), out.decimals)


def _scale(values, kind: str) -> Scale:
    if kind not in KINDS:
        raise ValueError(f"unknown kind of map value: {kind}")
    vals = [float(v) for v in values if v is not None and v == v and math.isfinite(float(v))]
    if not vals:
        return Scale(kind, ())
    low, high = min(vals), max(vals)
    d = column_decimals(vals) if kind == "percent" else 1  # 0.01% does not read 0.0%
    if kind == "count":
        low, high = math.floor(low), math.ceil(high)
        width = max(1, math.ceil((high - low + 1) / len(PALETTE)))
        spans = [(a, min(a + width - 1, high)) for a in range(low, high + 1, width)]
        colors = _spread(len(spans))
        return Scale(kind, tuple(Bin(a - 0.5 if i else -math.inf, b + 0.5, colors[i], f"{a:,}" if a == b else f"{a:,}–{b:,}")
                                 for i, (a, b) in enumerate(spans)))
    if high - low < CLOSE[kind]:  # values this close are one colour: no bin says they differ
        text = _format(kind, low, d) if _format(kind, low, d) == _format(kind, high, d) else \
            f"{_format(kind, low, d)} – {_format(kind, high, d)}"
        return Scale(kind, (Bin(-math.inf, math.inf, PALETTE[3], text),), d)
    step = (high - low) / len(PALETTE)
    edges = [low + i * step for i in range(len(PALETTE))] + [high]
    kept = [edges[0]]
    for e in edges[1:]:  # an edge that reads like the one before adds no bin
        if _format(kind, e, d) != _format(kind, kept[-1], d):
            kept.append(e)
    if len(kept) == 1:
        return Scale(kind, (Bin(-math.inf, math.inf, PALETTE[3], _format(kind, low, d)),), d)
    colors = _spread(len(kept) - 1)
    return Scale(kind, tuple(Bin(a, b, colors[i], f"{_format(kind, a, d)} – {_format(kind, b, d)}")
                             for i, (a, b) in enumerate(zip(kept, kept[1:]))), d)


def legend(values, kind: str = "percent", below: float | None = None) -> list[tuple[list[int], str]]:
    """The colour key of a choropleth of these values: (rgb, label) from low to high."""
    return scale(values, kind, below).legend()


def view_for(bounds: tuple[float, float, float, float]) -> pdk.ViewState:
    """A view fitted to (min_lon, min_lat, max_lon, max_lat)."""
    min_lon, min_lat, max_lon, max_lat = bounds
    span = max(max_lon - min_lon, (max_lat - min_lat) * 1.3, 0.05)
    zoom = 8.6 - math.log2(span)
    return pdk.ViewState(longitude=(min_lon + max_lon) / 2, latitude=(min_lat + max_lat) / 2, zoom=zoom)


def choropleth(fc: dict, bounds: tuple[float, float, float, float], layer_id: str = "areas",
               tooltip: str = "{name}: {value_text}", kind: str = "count") -> pdk.Deck:
    """Areas coloured by their properties.value, labelled with their names."""
    values = {f["properties"]["code"]: f["properties"].get("value") for f in fc["features"]}
    return areas_deck(fc, values, bounds, tooltip, layer_id, kind)


LABEL_PX = 13  # the labels' size in pixels: a Chinese character is about this wide and high
WORLD_PX = 512  # deck.gl's world at zoom 0, in pixels


def placed_labels(fc: dict, view: pdk.ViewState) -> list[dict]:
    """The area names that fit on the map at its zoom without touching one another: the larger areas' first, each
    kept only where its box (with a few pixels' room) overlaps none kept before. The others are in the table below
    the map, and their areas still draw, colour and click. Each is written in the ink its area's fill calls for."""
    per_degree = WORLD_PX * 2 ** view.zoom / 360
    pad = 3
    order = sorted(fc["features"], key=lambda f: (-shape(f["geometry"]).area, f["properties"]["code"]))
    kept, boxes = [], []
    for f in order:
        p = f["properties"]
        lon, lat = p["label_lon"], p["label_lat"]
        x = lon * per_degree
        y = math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))) * per_degree  # Mercator
        half_w, half_h = len(p["name"]) * LABEL_PX / 2 + pad, LABEL_PX / 2 + pad
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            continue
        boxes.append(box)
        kept.append({"name": p["name"], "code": p["code"], "position": [lon, lat], "ink": ink(p.get("fill"))})
    return sorted(kept, key=lambda k: k["code"])


INK_DARK, INK_LIGHT = [30, 30, 30], [255, 255, 255]


def ink(fill) -> list[int]:
    """The colour of a name written on `fill`: white on the darker colours of the scale, near-black on the lighter
    (and where the area has no fill), by the fill's relative luminance."""
    if not fill:
        return INK_DARK
    r, g, b = (((c / 255) / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4) for c in fill[:3])
    return INK_LIGHT if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.18 else INK_DARK


def _labels(fc: dict, layer_id: str, view: pdk.ViewState) -> pdk.Layer:
    return pdk.Layer("TextLayer", placed_labels(fc, view), id=f"{layer_id}-labels", get_position="position",
                     get_text="name", get_size=LABEL_PX, get_color="ink", character_set='"auto"')


class Frozen(pdk.Deck):
    """A deck whose JSON is made once: a page drawn again sends the same text without rebuilding it."""

    def __init__(self, deck: pdk.Deck):
        self.__dict__.update(deck.__dict__)
        self._frozen_json = deck.to_json()

    def to_json(self) -> str:
        return self._frozen_json


def areas_deck(fc: dict, values: dict[str, float], bounds, tooltip: str, layer_id: str = "areas",
               kind: str = "percent", below: float | None = None) -> pdk.Deck:
    """Child areas coloured by value on the values' scale (grey where there is no value; reds under the warning
    line `below`), pickable for the drill; `value_text` is the value as the legend writes it."""
    fc = {**fc, "features": [{**f, "properties": dict(f["properties"])} for f in fc["features"]]}  # geometry shared
    for f in fc["features"]:
        v = values.get(f["properties"]["code"])
        f["properties"]["value"] = None if v is None or v != v else round(float(v), 4)
    colours = scale([f["properties"]["value"] for f in fc["features"]], kind, below)
    for f in fc["features"]:
        v = f["properties"]["value"]
        f["properties"]["value_text"] = colours.text(v)
        f["properties"]["fill"] = colours.color(v)
    areas = pdk.Layer("GeoJsonLayer", fc, id=layer_id, pickable=True, stroked=True, filled=True, auto_highlight=True,
                      get_fill_color="properties.fill", get_line_color=[90, 90, 90], line_width_min_pixels=1)
    view = view_for(bounds)
    return pdk.Deck(layers=[areas, _labels(fc, layer_id, view)], initial_view_state=view, map_provider=None,
                    tooltip={"text": tooltip})


DOT_PX, RING_PX = 6, 3  # an institution's dot (radius) and a red-flagged one's ring, in screen pixels
RING_GAP = 3  # between a dot and its ring: the ring reads apart from a red dot (a rate short of its line)
EDGE = [60, 60, 60, 160]  # every dot's thin edge


def institutions_deck(outline: dict, points: list[dict], bounds, tooltip: str, by_value: bool = False,
                      kind: str = "percent", below: float | None = None) -> pdk.Deck:
    """A county's outline with its institutions as points. By default red-flagged ones are red and
    sized by score, primary care blue, others grey; `by_value` colours them by their value on the
    values' scale (grey without one) and rings red-flagged ones in red, a gap from the dot (the dot itself may be a
    shade of red). Sizes are in screen pixels, so a dot is as
    easy to see and to point at in a county as in a city drawn without counties (in metres, a city's frame left
    them two or three pixels wide); each has a thin dark edge, so the palest colours show on the light outline."""
    pts = []
    colours = scale([p.get("value") for p in points], kind, below) if by_value else None
    for p in points:
        p = {k: (None if isinstance(v, float) and v != v else v) for k, v in p.items()}  # JSON has no NaN
        red = p.get("score") is not None
        if colours is not None:
            color, radius = colours.color(p.get("value")), DOT_PX
            p["value_text"] = colours.text(p.get("value"))
            ring, edge = EDGE, 1
        else:
            color = RED if red else (PRIMARY if p.get("is_primary") else OTHER)
            radius = DOT_PX + (min(float(p["score"]), DOT_PX) if red else 0)  # a pixel more a weight, twice at most
            ring, edge = EDGE, 1
        pts.append({**p, "radius": radius, "color": color, "ring": ring, "edge": edge})
    area = pdk.Layer("GeoJsonLayer", outline, id="outline", pickable=False, stroked=True, filled=True,
                     get_fill_color=[240, 240, 240, 120], get_line_color=[90, 90, 90], line_width_min_pixels=1)
    # units quoted: pydeck passes a bare string to deck.gl as an expression over the rows
    dots = pdk.Layer("ScatterplotLayer", pts, id="institutions", pickable=True, get_position=["longitude", "latitude"],
                     get_radius="radius", radius_units="'pixels'", get_fill_color="color", stroked=True,
                     get_line_color="ring", get_line_width="edge", line_width_units="'pixels'")
    layers = [area, dots]
    if colours is not None:  # by value: red flags as rings around their dots
        flagged = [{"longitude": p["longitude"], "latitude": p["latitude"]} for p in pts if p.get("score") is not None]
        layers.insert(1, pdk.Layer("ScatterplotLayer", flagged, id="red_rings", pickable=False,
                                   get_position=["longitude", "latitude"], get_radius=DOT_PX + RING_GAP + RING_PX / 2,
                                   radius_units="'pixels'", filled=False, stroked=True, get_line_color=RED,
                                   get_line_width=RING_PX, line_width_units="'pixels'"))
    return pdk.Deck(layers=layers, initial_view_state=view_for(bounds), map_provider=None, tooltip={"text": tooltip})


def point_legend(by_value: bool, without_value: bool = True) -> list[tuple[list[int], str, str]]:
    """The institutions map's keys: (rgb, catalogue key, "fill" or "ring"), as `institutions_deck` draws them (a
    map by value rings red-flagged institutions in red; "无数据" where some institution has no value)."""
    if by_value:
        return [(RED[:3], "legend.ring_red", "ring")] + \
            ([(list(NO_VALUE), "legend.no_value", "fill")] if without_value else [])
    return [(RED[:3], "legend.red", "fill"), (PRIMARY[:3], "legend.primary", "fill"), (OTHER[:3], "legend.other", "fill")]
