"""The settings in force, for the settings page: name, value, default, meaning, source."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from core.access import audit
from core.access.roles import require
from core.policy import clock
from core.policy import settings as settings_mod
from core.policy.workdays import DEFAULT as CAL
from core.present.i18n import clause_text
from core.read import whatif
from core.store import db
from core.store import schema as S


def settings_in_force(store, lang: str = "zh") -> pd.DataFrame:
    """Every setting: its name, value in force, default, whether it was changed, meaning and source (the clause of
    the notice, which the page names once), the clause in the interface language."""
    values = store.settings()
    return pd.DataFrame([{
        "name": s.name, "value": shown_value(s, values[s.name], lang), "default": shown_value(s, s.default, lang),
        "changed": values[s.name] != s.default,
        "help_zh": s.help_zh, "help_en": s.help_en,
        "source": _source(s, lang),
    } for s in settings_mod.SETTINGS])


def shown_value(setting, value, lang: str = "zh") -> str:
    """A setting's value as a reader reads it: a share in percent ("80%"), a gap of rates in percentage points
    ("10个百分点"), others as typed ("2", "4.0", "鲁医保发〔2023〕14号"). A share may be typed either way (85% or 0.85)."""
    if not setting.in_percent or not isinstance(value, (int, float)):
        return str(value)
    hundred = f"{value * 100:.4f}".rstrip("0").rstrip(".")
    if setting.name.endswith("_points"):
        return f"{hundred} pts" if lang == "en" else f"{hundred}个百分点"
    return f"{hundred}%"


def _source(setting, lang: str) -> str:
    """Where the default comes from, as the page's table reads it (the notice is named once, in the caption): the
    clause, or the project's own default."""
    if setting.named:
        return clause_text(setting.clause, lang)
    return "default" if lang == "en" else "本系统默认值"  # the notice names no number ("project" read oddly)


def calendar_notes(years: list[int], lang: str = "zh", admin: bool = False) -> list[str]:
    """A sentence for each year whose working days fall back to Monday to Friday (its holidays not loaded): its
    deadlines are counted over its holidays, so the real ones may come later than shown. `admin`: with what to do."""
    if lang == "en":
        todo = " (Administrator: add the year's holiday file as the deployment notes describe.)" if admin else ""
        return [f"Note: {y}'s public holidays are not loaded; deadlines falling in {y} are counted Monday to Friday, "
                f"so the real ones may be later than shown.{todo}" for y in years if not CAL.is_covered(y)]
    todo = "（管理员：请按部署说明导入该年的节假日文件。）" if admin else ""
    return [f"提示：{y}年法定节假日尚未导入，落在{y}年的期限暂按周一至周五推算，实际期限可能比所示日期晚。{todo}"
            for y in years if not CAL.is_covered(y)]


def years_in_view(as_of: dt.date | None) -> list[int]:
    """The years whose working days the figures and the deadlines set now use: the figures' as-of year, this year,
    and the next one in December (deadlines then run into January)."""
    out: set[int] = set()
    for day in (as_of or clock.today(), clock.today()):
        out |= {day.year, day.year + 1} if day.month == 12 else {day.year}
    return sorted(out)


FIXED = ("province_code",)  # chosen when the store is created
# Words the documents use (the notice a notification cites), shown in their own table: a line of text beside numbers
# would widen every column of the thresholds' table.
WORDING = tuple(s.name for s in settings_mod.SETTINGS if isinstance(s.default, str) and s.name not in FIXED)


def checked(store, name: str, raw: str) -> float | int | str:
    """The value a setting would take: a number of its kind, in its range, keeping the relations between settings
    (tier bounds ordered, severity bounds ordered); ValueError says which rule a value breaks."""
    if name not in settings_mod.BY_NAME or name in FIXED:
        raise ValueError(f"该参数不可修改 / this setting cannot be changed: {name}")
    value = settings_mod.BY_NAME[name].parse(raw)
    broken = settings_mod.broken_rules({**store.settings(), name: value})
    if broken:
        raise ValueError("；".join(broken))
    return value


def preview(store, actor, name: str, raw: str) -> whatif.Preview:
    """What setting `name` to `raw` would change (administrators only), checked as a change is; nothing is saved."""
    require(actor, "settings")
    value = checked(store, name, raw)
    return whatif.preview(store, name, value, {**store.settings(), name: value})


def change(store, actor, name: str, raw: str) -> None:
    """Set a setting in the store (administrators only). Thresholds change the figures, so the data
    version moves on and every view is recomputed when next asked for."""
    require(actor, "settings")
    value = checked(store, name, raw)
    with store.writing("settings") as conn:  # checked again against the settings as they are now, then written
        rows = conn.execute(sa.select(S.settings_table.c.name, S.settings_table.c.value)).all()
        now = settings_mod.resolve(dict(rows))
        broken = settings_mod.broken_rules({**now, name: value})
        if broken:
            raise ValueError("；".join(broken))
        before = now[name]
        db.upsert(conn, S.settings_table, pd.DataFrame([{"name": name, "value": str(value), "updated_by": actor.username,
                                                         "updated_at": clock.now()}]))
        store.bump_data_version(conn)
        audit.record(store, actor, "setting_changed", target=name, detail=f"{before} -> {value}", conn=conn)


def stored_problems(store) -> list[str]:
    """Stored values set aside for their defaults (for administrators to correct)."""
    rows = store.read("SELECT name, value FROM settings")
    return settings_mod.problems(dict(zip(rows["name"], rows["value"])))
