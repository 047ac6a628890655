"""Charts as pure functions returning plotly figures (no Streamlit, testable without a browser)."""
from __future__ import annotations

import functools

import pandas as pd
import plotly.graph_objects as go

FONT = dict(family="Noto Sans CJK SC, Microsoft YaHei, sans-serif", size=13)


def trend(monthly: pd.DataFrame, series: dict[str, str], title: str) -> go.Figure:
    """Lines of monthly rates: `series` maps a column of `monthly` to its label."""
    fig = go.Figure()
    for column, label in series.items():
        fig.add_trace(go.Scatter(x=monthly["month"], y=monthly[column], mode="lines+markers", name=label))
    fig.update_layout(title=title, font=FONT, yaxis_tickformat=".0%", height=360, margin=dict(l=40, r=20, t=50, b=40),
                      legend=dict(orientation="h", y=-0.2))
    return fig


def ranked(frame: pd.DataFrame, value: str, label: str, title: str, threshold: float | None = None) -> go.Figure:
    """Horizontal bars, worst at the top, with the threshold as a line."""
    data = frame.dropna(subset=[value]).sort_values(value, ascending=False)
    fig = go.Figure(go.Bar(x=data[value], y=data[label], orientation="h", text=[f"{v:.1%}" for v in data[value]],
                           textposition="outside", marker_color="#2171b5"))
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dash", line_color="#c81e1e")
    low = min([threshold or 1.0] + data[value].tolist()) if len(data) else 0
    fig.update_layout(title=title, font=FONT, xaxis_tickformat=".0%", xaxis_range=[max(0, low - 0.05), 1.02],
                      height=max(300, 28 * len(data) + 80), margin=dict(l=90, r=40, t=50, b=30))
    return fig


def legend(keys: list[tuple[list[int], str]], title: str = "") -> go.Figure:
    """A colour key as a strip of swatches, each with its label beneath (low to high for a choropleth)."""
    return _legend(tuple((tuple(rgb), label) for rgb, label in keys), title)


@functools.lru_cache(maxsize=256)
def _legend(keys: tuple, title: str) -> go.Figure:  # the same key is drawn on every rerun: build it once
    fig = go.Figure()
    for i, (rgb, label) in enumerate(keys):
        fig.add_shape(type="rect", x0=i + 0.04, x1=i + 0.96, y0=0.45, y1=1, line_width=0,
                      fillcolor=f"rgb({rgb[0]},{rgb[1]},{rgb[2]})")
        fig.add_annotation(x=i + 0.5, y=0.2, text=label, showarrow=False, font=dict(size=11))
    fig.update_xaxes(visible=False, range=[0, max(1, len(keys))])
    fig.update_yaxes(visible=False, range=[0, 1])
    fig.update_layout(title=dict(text=title, font=dict(size=13), x=0, y=0.95), font=FONT, height=95,
                      margin=dict(l=5, r=5, t=24, b=0), plot_bgcolor="white", showlegend=False)
    return fig
