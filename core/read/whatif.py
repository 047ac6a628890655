"""What a change of setting would do, before it is saved: the flags that would appear and disappear at the
default view's as-of date, against the flags in force; and from them the red-flag institutions, supplier tiers
and interview-list cases that would change. Nothing is written."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.policy.indicators import FLAG_BY_ID, flag_name
from core.present.flagtext import describe
from core.present.i18n import t
from core.read import tables
from core.refresh import flags as F
from core.refresh.facts import Facts
from core.store import views

# What a flag row is, for the comparison (its threshold is the setting itself, so it is left out).
KEYS = ["flag_id", "severity", "level", "subject_code", "detail_code", "value"]


@dataclass(frozen=True)
class Preview:
    name: str
    before: object
    after: object
    changes: pd.DataFrame  # change (appear | disappear) and KEYS, sorted
    settings: dict  # the values the new figures were computed with
    before_flags: pd.DataFrame  # the flags in force (KEYS)
    after_flags: pd.DataFrame  # the flags under the new value (KEYS)
    names: dict  # subject code -> name (institution, enterprise or area) of the subjects that change

    def counts(self, lang: str = "zh") -> pd.DataFrame:
        """Per flag: how many would appear and disappear, the flag named as the new settings name it."""
        if self.changes.empty:
            return pd.DataFrame(columns=["flag_id", "flag_name", "appear", "disappear"])
        g = self.changes.groupby(["flag_id", "change"]).size().unstack(fill_value=0)
        g = g.reindex(columns=["appear", "disappear"], fill_value=0).reset_index()
        return g.assign(flag_name=g["flag_id"].map(lambda f: flag_name(f, lang, self.settings)))[
            ["flag_id", "flag_name", "appear", "disappear"]]

    def readable(self, lang: str = "zh") -> pd.DataFrame:
        """The changes as a page shows them: added or removed, the flag's name, severity and value as they read."""
        shown = describe(self.changes.assign(threshold=None), lang, self.settings)
        return shown.assign(change_text=shown["change"].map(lambda c: t(f"set.{c}", lang)),
                            subject_name=shown["subject_code"].map(self.names))

    def subjects(self, flag_id: str) -> tuple[set[str], set[str]]:
        """The subjects of one flag that would appear and disappear (red_flag: institutions; supplier_tier:
        enterprises)."""
        rows = self.changes[self.changes["flag_id"] == flag_id]
        return (set(rows.loc[rows["change"] == "appear", "subject_code"]),
                set(rows.loc[rows["change"] == "disappear", "subject_code"]))


    def cases(self, lang: str = "zh") -> pd.DataFrame:
        """The cases that would open and close (a case is what a flag puts on a party's desk: an institution on the
        ladder, an explanation, an enterprise's tier, an area's imbalance), whatever their flags' details: an
        institution that loses one ladder flag but keeps another stays on the ladder."""
        rows = []
        for kind, keys in CASE_KEYS.items():
            before, after = keys(self.before_flags), keys(self.after_flags)
            rows += [(kind, "appear", *k) for k in sorted(after - before)]
            rows += [(kind, "disappear", *k) for k in sorted(before - after)]
        out = pd.DataFrame(rows, columns=["case_kind", "change", "subject_code", "about_key"])
        return out.assign(case_name=out["case_kind"].map(lambda k: t(f"case.tab.{k}", lang)),
                          change_text=out["change"].map(lambda c: t(f"set.case_{c}", lang)),
                          subject_name=out["subject_code"].map(self.names),
                          about=[self._about(kind, key, lang) for kind, key in zip(out["case_kind"], out["about_key"])])

    def _about(self, kind: str, key: str, lang: str) -> str:
        """What a case is about, as a page reads it: a flag by its name (with its product's code), a tier by its
        letter; nothing for the ladder (the institution is the case)."""
        if kind in ("explanation", "area"):
            flag, _, detail = key.partition(":")
            name = flag_name(flag, lang, self.settings)
            return f"{name} · {detail}" if detail else name
        return key


def _group(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    return frame[frame["flag_id"].map(lambda f: FLAG_BY_ID[f].group == group).astype(bool)]


# Each kind of case, as the set of (subject, what about) its flags make.
CASE_KEYS = {
    "ladder": lambda f: {(c, "") for c in _group(f, "ladder")["subject_code"]},
    "explanation": lambda f: {(c, f"{x}:{d}") for c, x, d in _group(f, "explanation")[["subject_code", "flag_id",
                                                                                          "detail_code"]].values},
    "tier": lambda f: {(c, d) for c, d in f.loc[f["flag_id"] == "supplier_tier", ["subject_code", "detail_code"]].values},
    "area": lambda f: {(c, x) for c, x in _group(f, "area")[["subject_code", "flag_id"]].values},  # a case per flag
}


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[KEYS].copy()
    out["value"] = out["value"].astype(float)
    return out.assign(_same=out["value"].round(9))  # one figure, whether stored and read back or just computed


def preview(store, name: str, value, settings: dict) -> Preview:
    """The flags at the default view's as-of date under `settings` (the values in force with `name` = `value`)
    against the flags in force."""
    default = views.default_view(store)
    as_of = default.as_of if default is not None else None
    now = _rows(tables.flags(store, as_of))
    then = _rows(F.all_flags(Facts(store, as_of, settings=settings)))
    merged = now.merge(then, on=[*KEYS[:-1], "_same"], how="outer", suffixes=("", "_then"), indicator=True)
    merged["value"] = merged["value"].where(merged["_merge"] != "right_only", merged["value_then"])
    changes = merged[merged["_merge"] != "both"].assign(
        change=lambda x: x["_merge"].map({"left_only": "disappear", "right_only": "appear"}))
    changes = changes[["change", *KEYS]].sort_values(["change", "flag_id", "level", "subject_code", "detail_code"])
    changes = changes.reset_index(drop=True)
    return Preview(name, store.settings()[name], value, changes, settings, now[KEYS], then[KEYS],
                   _names(store, set(changes["subject_code"])))


def _names(store, codes: set[str]) -> dict:
    """The names of these subjects: institutions, enterprises and areas (a flag's subject is one of the three)."""
    if not codes:
        return {}
    marks = ", ".join(f":c{n}" for n in range(len(codes)))
    args = {f"c{n}": c for n, c in enumerate(sorted(codes))}
    found = store.read(f"""SELECT institution_code AS code, institution_name AS name FROM institutions
                           WHERE institution_code IN ({marks})
                           UNION ALL SELECT enterprise_code, enterprise_name FROM enterprises
                           WHERE enterprise_code IN ({marks})
                           UNION ALL SELECT region_code, region_name FROM regions WHERE region_code IN ({marks})""",
                       args)
    return dict(zip(found["code"], found["name"]))
