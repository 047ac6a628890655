"""Charts as pure functions returning plotly figures (no Streamlit, testable without a browser).

Months read as the interface language writes them (2026年1月 / Jan 2026) on a category axis, and rate axes get
ticks of their own making: evenly spaced, each label distinct at the precision shown (never 100%, 100%, 99%).
"""
from __future__ import annotations

import functools
import math

import pandas as pd
import plotly.graph_objects as go

from core.present.i18n import month_label, percent_text

FONT = dict(family="Noto Sans CJK SC, Microsoft YaHei, sans-serif", size=13)
_STEPS = (1, 2, 5, 10)


def rate_ticks(values, target: int = 5, from_zero: bool = False) -> tuple[list[float], list[str], list[float]]:
    """Ticks for an axis of rates (0.95 = 95%): (values, labels, range). The range runs from a tick at or below the
    lowest value (zero with `from_zero`, as bars need) to one at or above the highest, and stops at 100% when no
    value passes it; the ticks are a round step apart, each label with the fewest decimals that show it exactly,
    so no two labels read alike."""
    present = [float(v) for v in values if v is not None and v == v and math.isfinite(float(v))]
    low, high = (min(present), max(present)) if present else (0.0, 1.0)
    if from_zero:
        low = min(low, 0.0)
    span = high - low
    pad = span * 0.04 if span > 0 else max(0.005, abs(high) * 0.01)
    lo, hi = low - pad, high + pad
    if low >= 0:
        lo = max(lo, 0.0)
    raw = (hi - lo) / target
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in _STEPS if s * power >= raw)
    lo, hi = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    if high <= 1.0 < hi:  # a rate never passes 100%: neither does its axis
        hi = 1.0
    ticks = [round(lo + i * step, 12) for i in range(int(round((hi - lo) / step)) + 1)]
    ticks = [v for v in ticks if v <= hi + 1e-12]
    decimals = next(d for d in range(0, 8) if all(abs(round(v * 100, d) - v * 100) < 1e-9 for v in ticks))
    margin = step * 0.15  # the line at the range's edge stays visible
    return ticks, [f"{v * 100:.{decimals}f}%" for v in ticks], [lo - (0 if from_zero or lo <= 0 else margin), hi + margin]


def trend(monthly: pd.DataFrame, series: dict[str, str], title: str, lang: str = "zh") -> go.Figure:
    """Lines of monthly rates: `series` maps a column of `monthly` to its label; months (YYYY-MM) in `month`."""
    fig = go.Figure()
    months = [month_label(m, lang) for m in monthly["month"]]
    for column, label in series.items():
        fig.add_trace(go.Scatter(x=months, y=monthly[column], mode="lines+markers", name=label,
                                 hovertemplate="%{x}: %{y:.2%}<extra>" + label + "</extra>"))
    ticks, labels, span = rate_ticks(pd.concat([monthly[c] for c in series]) if len(monthly) else [])
    fig.update_layout(title=text(title), font=FONT, height=360, margin=dict(l=50, r=20, t=50, b=40),
                      legend=dict(orientation="h", y=-0.2), xaxis=dict(type="category"),
                      yaxis=dict(tickvals=ticks, ticktext=labels, range=span))
    return fig


BAR = "#2171b5"  # a rate at or above its threshold
BAR_BELOW = "#c0392b"  # a rate below it: the colour of the threshold's line


def ranked(frame: pd.DataFrame, value: str, label: str, title: str, threshold: float | None = None,
           threshold_label: str = "") -> go.Figure:
    """Horizontal bars from zero, worst at the top, with the threshold as a labelled line and each bar's rate
    beside it; a bar below the threshold (a rate that should reach it, as the delivery rate) is drawn in the
    line's red, the others in blue. The figure is shared by every run that draws the same bars (read only:
    Streamlit copies it)."""
    data = frame.dropna(subset=[value]).sort_values(value, ascending=False)
    return _ranked(tuple(float(v) for v in data[value]), tuple(text(v) for v in data[label]), text(title),
                   None if threshold is None else float(threshold), threshold_label)


@functools.lru_cache(maxsize=128)
def _ranked(values: tuple, labels: tuple, title: str, threshold: float | None, threshold_label: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=list(values), y=list(labels), orientation="h",
                           text=[percent_text(v) for v in values], textposition="outside", cliponaxis=False,
                           marker_color=[BAR_BELOW if threshold is not None and v < threshold else BAR for v in values],
                           hovertemplate="%{y}: %{x:.2%}<extra></extra>"))
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dash", line_color=BAR_BELOW, annotation_text=threshold_label,
                      annotation_position="top", annotation_font=dict(size=11, color=BAR_BELOW))
    ticks, tick_labels, span = rate_ticks(list(values) + ([threshold] if threshold is not None else []), from_zero=True)
    fig.update_layout(title=title, font=FONT, xaxis=dict(tickvals=ticks, ticktext=tick_labels, range=span),
                      height=max(300, 28 * len(values) + 80), margin=dict(l=90, r=70, t=60, b=30))
    return fig


def text(value) -> str:
    """Data as plotly shows it, never as its markup: plotly reads <b>, <a href> and other tags in labels."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def legend(keys: list[tuple], title: str = "") -> go.Figure:
    """A colour key: one swatch and its label a row, top to bottom (low to high for a choropleth), so labels
    never run into each other. A key is (rgb, label), a filled square, or (rgb, label, "ring"), a hollow circle
    as a map draws around its points."""
    return _legend(tuple((tuple(k[0]), k[1], k[2] if len(k) > 2 else "fill") for k in keys), title)


@functools.lru_cache(maxsize=256)
def _legend(keys: tuple, title: str) -> go.Figure:  # the same key is drawn on every rerun: build it once
    fig = go.Figure()
    rows = len(keys)
    for i, (rgb, label, mark) in enumerate(keys):
        top = rows - i
        colour = f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"
        if mark == "ring":
            fig.add_shape(type="circle", x0=0.05, x1=0.55, y0=top - 0.8, y1=top - 0.2, line=dict(color=colour, width=2.5),
                          fillcolor="rgba(0,0,0,0)")
        else:
            fig.add_shape(type="rect", x0=0, x1=0.6, y0=top - 0.85, y1=top - 0.15, line_width=0, fillcolor=colour)
        fig.add_annotation(x=0.8, y=top - 0.5, text=text(label), showarrow=False, xanchor="left", font=dict(size=12))
    fig.update_xaxes(visible=False, range=[0, 6], fixedrange=True)
    fig.update_yaxes(visible=False, range=[0, max(1, rows)], fixedrange=True)
    fig.update_layout(title=dict(text=title, font=dict(size=13), x=0, y=1, yanchor="top"), font=FONT,
                      height=34 + 24 * max(1, rows), margin=dict(l=5, r=5, t=28, b=0), plot_bgcolor="white",
                      showlegend=False)
    return fig
