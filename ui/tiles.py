"""A headline figure as a tile: its value at T, its change since last month and, in red under it, what the notice
asks that it falls short of (core.read.overview says how each reads). The overview shows them all; a monitoring
page shows its own indicator's beside its counts."""
from __future__ import annotations

from core.present.i18n import ruled
from core.read import overview


def tile(col, figure: dict, settings, L: str) -> None:
    """`figure` (one of overview.headline's) in the column `col`."""
    shown = overview.tile_text(figure, L)
    col.metric(figure["label"], shown["value"], shown["delta"], delta_color=shown["color"],
               delta_arrow=shown["arrow"], help=ruled(f"tile.help.{figure['metric']}", L, settings))
    alarm = overview.tile_alarm(figure, settings, L)
    if alarm:  # the project's own words and a threshold in force, never data
        col.caption(f":red[{alarm}]")
