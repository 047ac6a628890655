"""The jurisdiction, checked in one place: what a user asked for (an area, an as-of date, a product category, as
a page's address or a command's options give them) becomes the `View` the user may see, with a note for each
thing that had to be set aside ("济南市不在您的管辖范围内，已显示德州市"). Every reader, export, recorded action
and command then takes that View; nothing else checks scope.

The view's stored figures are found, or computed and stored first with progress (core.refresh.marts.ensure_view).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Mapping

from core.access.roles import User, require
from core.read.filters import Filters, order_dates
from core.refresh import marts
from core.store import views
from core.store.view import View

Note = tuple[str, str]  # (Chinese, English); holds what the user typed: show it as text


@dataclass(frozen=True)
class Resolved:
    view: View
    notes: list[Note]
    default_as_of: dt.date
    area: str  # the area asked for, inside the jurisdiction (the view's own area unless it takes the whole scope)

    @property
    def filters(self) -> Filters:
        return Filters(self.area, self.view.as_of, self.view.category)

    def params(self) -> dict[str, str]:
        """The address's parameters that reproduce the filters (the default date and category left out)."""
        out = {"area": self.area}
        if self.view.as_of != self.default_as_of:
            out["asof"] = self.view.as_of.isoformat()
        if self.view.category:
            out["cat"] = self.view.category
        return out


def _asked(store, params: Mapping, default_as_of: dt.date) -> tuple[str | None, dt.date, str, list[Note]]:
    """The area, date and category asked for, each replaced by its default when it cannot be served, with notes."""
    notes: list[Note] = []
    names = dict(zip(store.regions()["region_code"], store.regions()["region_name"]))
    area = str(params["area"]) if params.get("area") else None
    if area is not None and area not in names:
        notes.append((f"区域代码 {area[:20]} 不存在，已显示默认区域", f"no area has the code {area[:20]}: showing the default"))
        area = None
    as_of = default_as_of
    if params.get("asof"):
        asked = str(params["asof"])[:20]
        try:
            as_of = dt.date.fromisoformat(asked)
        except ValueError:
            notes.append((f"日期 {asked} 无法识别（应为 YYYY-MM-DD）", f"the date {asked} is not YYYY-MM-DD"))
        dates = order_dates(store)
        if dates and not dates[0] <= as_of <= dates[1]:
            notes.append((f"统计截止日应在 {dates[0]} 至 {dates[1]} 之间", f"the as-of date lies between {dates[0]} and {dates[1]}"))
            as_of = min(max(as_of, dates[0]), dates[1])
    category = params.get("cat") or ""
    if category not in views.CATEGORIES:
        notes.append((f"产品类别 {str(category)[:20]} 不存在（药品 / 耗材）", f"no product category {str(category)[:20]} "
                      "(drugs or consumables)"))
        category = ""
    return area, as_of, category, notes


def resolve(store, user: User, params: Mapping, progress: Callable[[float, str], None] | None = None,
            with_area: bool = True) -> Resolved:
    """The view `user` may see of what `params` ask for (area, asof, cat as in a page's address); `with_area`
    False: the user's whole jurisdiction, whatever area was asked (pages without an area filter)."""
    require(user, "view")
    # figures for the store's data, computed first when there are none yet (a first start, an import another process
    # made, a change of setting, a non-cooperation record)
    default = marts.ensure_default(store, progress or _quiet)
    area, as_of, category, notes = _asked(store, params, default.as_of)
    info = marts.ensure_view(store, as_of, category, progress or _quiet)
    if info.stale:
        notes.append((f"数据已更新，新的统计结果正在后台计算；计算完成前显示上次的结果（截至 {info.as_of}），其他统计日期和"
                      "产品类别届时可选，请稍后刷新页面", f"the data changed and the new figures are being computed: until "
                      f"they are ready these are the previous ones (as of {info.as_of}), and other dates and categories "
                      "come with them; refresh the page in a while"))
    view = View.of(store, info, area, user=user)  # the one check: an area outside the scope becomes the scope
    if area is not None and view.area != area:
        asked = view.name_of(area)  # the area exists (checked above) but lies outside the jurisdiction
        notes.append((f"{asked}不在您的管辖范围内，已显示{view.area_name}",
                      f"{asked} is outside your jurisdiction: showing {view.area_name}"))
    return Resolved(view if with_area else view.with_area(view.scope), notes, default.as_of, view.area)


def _quiet(_fraction: float, _message: str) -> None:
    pass
