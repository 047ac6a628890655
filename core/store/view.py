"""What one reader sees: a stored view of the marts (as-of date, product category), the area
looked at, the scope it may not leave, and the user it was made for.

Every reader of figures, export and recorded action takes a `View`. The area is always inside the scope
(`View.of` moves an area outside the scope back to the scope), and readers restrict their rows to the area,
so a reader can never return a row outside the scope. core.access.scope.resolve makes the View of what a
signed-in user asked for; the scope is then the user's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.store.views import ViewInfo


def area_chain(regions: pd.DataFrame, code: str) -> list[str]:
    """The code and its parents up to the province."""
    parents = dict(zip(regions["region_code"], regions["parent_code"]))
    out = []
    while isinstance(code, str) and code in parents:
        out.append(code)
        code = parents[code]
    return out


class EntityOnly(PermissionError):
    """A reader of areas was handed the view of an enterprise's or institution's own account, which may read only
    through the readers made for it (core.read.docking)."""


@dataclass(frozen=True)
class View:
    store: object
    info: ViewInfo
    area: str
    scope: str
    area_level: str = "province"
    user: object = None  # the signed-in account (core.access.roles.User) the view was made for, if any
    _names: dict = field(default_factory=dict, compare=False, repr=False)
    entity: tuple[str, str] | None = None  # (enterprise | institution, its code): an entity's own account

    @classmethod
    def of(cls, store, info: ViewInfo, area: str | None = None, scope: str | None = None, user=None) -> "View":
        """A view of `area` (default: the whole scope) inside `scope` (default: the user's, else the province)."""
        regions = store.regions()
        if user is not None:
            if scope is not None and scope != user.scope:
                raise ValueError("a user's view has the user's scope")
            scope = user.scope
        scope = scope or store.province_code
        if scope not in set(regions["region_code"]):  # never a view of everything for a scope nobody knows
            raise ValueError(f"未知的管辖区域 / unknown jurisdiction: {str(scope)[:20]}")
        area = area or scope
        if scope not in area_chain(regions, area):
            area = scope
        level = regions.set_index("region_code")["region_level"].get(area, "province")
        entity = (user.role, user.entity) if user is not None and getattr(user, "entity", None) else None
        return cls(store, info, area, scope, level, user, dict(zip(regions["region_code"], regions["region_name"])),
                   entity)

    # -- reading ------------------------------------------------------------------------
    @property
    def view_id(self) -> int:
        return self.info.view_id

    @property
    def as_of(self):
        return self.info.as_of

    @property
    def category(self) -> str:
        return self.info.category

    @property
    def area_name(self) -> str:
        return self._names.get(self.area, self.area)

    def name_of(self, code: str) -> str:
        return self._names.get(code, code)

    def read(self, sql: str, params: dict | None = None, entity_ok: str | None = None) -> pd.DataFrame:
        """Run a query with :v bound to this view's id and :area to the area (and :entity to an entity's code). The
        view of an entity's own account reads only for a reader made for that kind of entity (`entity_ok`:
        enterprise or institution), which restricts its rows to the entity: no reader of areas can hand an
        enterprise or an institution the rows of others."""
        if self.entity is not None and self.entity[0] != entity_ok:
            raise EntityOnly(f"此账户只能查看本单位的数据 / this account sees its own entity only ({self.entity[0]})")
        extra = {"entity": self.entity[1]} if self.entity is not None else {}
        return self.store.read(sql, {"v": self.view_id, "area": self.area, **extra, **(params or {})})

    def with_area(self, area: str) -> "View":
        return View.of(self.store, self.info, area, self.scope, self.user)

    def in_scope(self, code: str) -> bool:
        return self.scope in self._chain(code)

    def _chain(self, code: str) -> list[str]:
        return area_chain(self.store.regions(), code)

    # -- SQL conditions -------------------------------------------------------------------
    def institutions_in_area(self, alias: str = "i") -> str:
        """A condition keeping institutions (table alias `alias`) inside the area; uses :area. For an institution's
        own account, that institution; for an enterprise's, every institution (its readers keep the rows of its own
        products and deliveries)."""
        if self.entity is not None:
            return f"{alias}.institution_code = :entity" if self.entity[0] == "institution" else "1 = 1"
        if self.area_level == "province":
            return "1 = 1"  # every institution lies in a county of the province (checked on import)
        if self.area_level == "city":
            return f"{alias}.county_code IN (SELECT region_code FROM regions WHERE prefecture_code = :area)"
        return f"{alias}.county_code = :area"

    def regions_in_area(self, alias: str = "r") -> str:
        """A condition keeping regions (alias `alias`) that are the area or lie inside it; uses :area."""
        if self.area_level == "province":
            return "1 = 1"
        if self.area_level == "city":
            return f"({alias}.region_code = :area OR {alias}.parent_code = :area)"
        return f"{alias}.region_code = :area"

    def enterprises_in_area(self) -> str:
        """A sub-query of the enterprises that supply institutions of the area, make what they buy,
        or received their complaints (in this view); uses :v and :area."""
        if self.entity is not None and self.entity[0] == "enterprise":
            return "(SELECT :entity)"
        inside = self.institutions_in_area("i")
        return f"""(SELECT m.enterprise_code FROM mart_enterprise_institutions m
                    JOIN institutions i ON i.institution_code = m.institution_code WHERE m.view_id = :v AND {inside}
                    UNION SELECT p.manufacturer_code FROM mart_inst_product m JOIN products p ON p.product_code = m.product_code
                    JOIN institutions i ON i.institution_code = m.institution_code WHERE m.view_id = :v AND {inside}
                    UNION SELECT c.enterprise_code FROM complaints c JOIN institutions i ON i.institution_code = c.institution_code
                    WHERE {inside})"""

    # -- what lies inside the area, for checking or restricting computed frames -------------
    def institution_codes(self) -> set[str]:
        return set(self.read(f"SELECT i.institution_code FROM institutions i WHERE {self.institutions_in_area()}")
                   ["institution_code"])

    def enterprise_codes(self) -> set[str]:
        return set(self.read(f"SELECT enterprise_code FROM enterprises WHERE enterprise_code IN {self.enterprises_in_area()}")
                   ["enterprise_code"])

    def region_codes(self) -> set[str]:
        return set(self.read(f"SELECT r.region_code FROM regions r WHERE {self.regions_in_area()}")["region_code"])

    def complaint_ids(self) -> set[str]:
        return set(self.read(f"SELECT c.complaint_id FROM complaints c JOIN institutions i "
                             f"ON i.institution_code = c.institution_code WHERE {self.institutions_in_area()}")["complaint_id"])

    def complaint_flags_raised_inside(self, flags: pd.DataFrame) -> pd.DataFrame:
        """Flags without the complaint flags (which name the complaint as detail_code) of complaints raised
        outside the area: an enterprise serving the area answers here for the complaints of the area's
        institutions only."""
        if self.area_level == "province":
            return flags
        about_complaint = flags["flag_id"].str.startswith("complaint_")
        return flags[~about_complaint | flags["detail_code"].isin(self.complaint_ids())]

    def restrict(self, frame: pd.DataFrame, code: str, level: str | pd.Series) -> pd.DataFrame:
        """The rows of `frame` whose `code` lies inside the area; `level` (a level name or a column of
        them) says what the code is: institution, enterprise, or a region level."""
        levels = pd.Series(level, index=frame.index) if isinstance(level, str) else level
        inside = {"institution": self.institution_codes(), "enterprise": self.enterprise_codes()}
        regions = self.region_codes()
        keep = [c in inside.get(lv, regions) for c, lv in zip(frame[code], levels)]
        return frame[keep]
