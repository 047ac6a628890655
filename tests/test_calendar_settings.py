"""The working-day calendar, the settings table and the registry documenting itself."""
import datetime as dt
import json
import re

import pytest


from core.paths import ROOT
from core.policy import settings as settings_mod
from core.policy.indicators import FLAGS, INDICATORS
from core.policy.workdays import Calendar

from .handmade import Handmade, found

D = dt.date


def test_holidays_and_make_up_days(tmp_path):
    cal = Calendar(tmp_path)
    assert not cal.is_workday(D(2026, 5, 1)) and not cal.is_workday(D(2026, 5, 5))
    assert cal.is_workday(D(2026, 5, 9))  # Saturday make-up workday
    assert cal.add(D(2026, 4, 30), 2) == D(2026, 5, 7)
    assert cal.between(D(2026, 5, 7), D(2026, 5, 11)) == 3  # 05-08, Saturday 05-09, 05-11
    assert cal.source(2026) == "chinese-calendar" and cal.is_covered(2026)


def test_working_days_between_across_new_year_and_a_year_file(tmp_path):
    """By hand: 2026-12-31 is a Thursday (a working day); 2027's file makes 01-01 a holiday and Saturday
    01-02 a make-up day. After 12-30 up to 01-04: 12-31, 01-02, 01-04 = 3."""
    (tmp_path / "2027.json").write_text(json.dumps({"holidays": ["2027-01-01"], "workdays": ["2027-01-02"]}))
    cal = Calendar(tmp_path)
    assert cal.between(D(2026, 12, 30), D(2027, 1, 4)) == 3
    assert cal.between(D(2026, 12, 31), D(2027, 1, 1)) == 0 and cal.between(D(2027, 1, 4), D(2026, 12, 30)) == 0
    # Over two year ends it agrees with counting day by day.
    day, count = D(2025, 12, 1), 0
    while day < D(2028, 1, 10):
        day += dt.timedelta(days=1)
        count += cal.is_workday(day)
    assert cal.between(D(2025, 12, 1), D(2028, 1, 10)) == count


def test_uncovered_year_falls_back_to_weekdays_and_says_so(tmp_path):
    cal = Calendar(tmp_path)
    assert cal.source(2027) == "weekdays" and not cal.is_covered(2027)
    assert cal.is_workday(D(2027, 1, 1))  # a Friday; no holiday list for 2027
    assert not cal.is_workday(D(2027, 1, 2))


def test_a_year_file_adds_a_calendar_without_code(tmp_path):
    (tmp_path / "2027.json").write_text(json.dumps({"holidays": ["2027-01-01"], "workdays": ["2027-01-02"]}))
    cal = Calendar(tmp_path)
    assert cal.source(2027) == "file" and cal.is_covered(2027)
    assert not cal.is_workday(D(2027, 1, 1)) and cal.is_workday(D(2027, 1, 2))


def test_settings_have_help_and_the_notice_defaults():
    for s in settings_mod.SETTINGS:
        assert s.help_zh and s.help_en, s.name
    d = settings_mod.defaults()
    assert (d["report_drop_ratio"], d["delivery_rate_warning"], d["complaint_reply_workdays"],
            d["complaint_resolve_workdays"], d["over_purchase_multiple"]) == (0.8, 0.8, 2, 5, 4.0)
    assert (d["tier_a_min"], d["tier_b_min"], d["tier_c_min"]) == (0.8, 0.6, 0.3)
    # A stored value that is not a number is set aside for the default, and administrators are told why.
    assert settings_mod.resolve({"delivery_rate_warning": "八成"})["delivery_rate_warning"] == 0.8
    said = settings_mod.problems({"delivery_rate_warning": "八成"})
    assert len(said) == 1 and "delivery_rate_warning" in said[0] and "0.8" in said[0]


def test_a_share_reads_and_may_be_typed_in_percent():
    """A share (0 to 1) reads as "80%" and a gap of rates as "10个百分点"; either may be typed as read ("85%",
    "85％", "0.5%") or as a decimal; a count or a multiple takes no percent sign; the range is said both ways."""
    from core.access.settings_change import shown_value
    by = {s.name: s for s in settings_mod.SETTINGS}
    warning, gap, worse, multiple = (by[n] for n in ("delivery_rate_warning", "primary_gap_points", "worse_min_points",
                                                     "over_purchase_multiple"))
    assert [shown_value(warning, 0.8), shown_value(gap, 0.1), shown_value(worse, 0.005)] == ["80%", "10个百分点", "0.5个百分点"]
    assert [shown_value(gap, 0.1, "en"), shown_value(multiple, 4.0), shown_value(by["delivery_grace_days"], 2)] == \
        ["10 pts", "4.0", "2"]
    assert [warning.parse("85%"), warning.parse(" 85 ％"), warning.parse("0.85"), worse.parse("0.5%")] == \
        [0.85, 0.85, 0.85, 0.005]
    assert shown_value(worse, worse.parse("-0%")) == "0个百分点"  # not -0
    for bad in ("%", "abc%", "85%%"):
        with pytest.raises(ValueError, match="takes a number"):
            warning.parse(bad)
    with pytest.raises(ValueError, match="0.01（1%） 至 1（100%）"):
        warning.parse("150%")
    with pytest.raises(ValueError, match="takes a number"):
        multiple.parse("400%")  # a multiple is not a share


def test_a_stored_setting_changes_the_rule_without_code(store_url):
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", agreed=1000)
    h.order("H1", 1000, delivered=820)
    assert found(h.flags(flag_id="delivery_rate_low")) == {}
    with h.store.begin() as conn:
        from core.store import schema as S
        conn.execute(S.settings_table.insert().values(name="delivery_rate_warning", value="0.85"))
        h.store.bump_data_version(conn)  # as every writer of settings does: marts and caches are then stale
    assert found(h.flags(flag_id="delivery_rate_low")) == {("H1", "P1"): "warning"}


def test_registry_entries_are_complete_and_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for i in INDICATORS:
        assert i.zh and i.en and i.numerator and i.denominator and i.clause
        assert re.search(rf"\|\s*{i.number}\s*\|\s*`{i.id}`\s*\|\s*{i.zh}", readme), f"README lacks indicator {i.id}"
    for f in FLAGS:
        assert f"`{f.id}`" in readme, f"README lacks flag {f.id}"
    for s in settings_mod.SETTINGS:
        assert f"`{s.name}`" in readme, f"README lacks setting {s.name}"


def test_a_year_without_holidays_is_said_on_every_page_while_deadlines_run_into_it(app, monkeypatch):
    """From December, deadlines set today run into the next year: a year whose holidays are not loaded is said in
    the sidebar of every page (in the page's language), as on the settings page for the figures' year."""
    from core.access import settings_change
    from core.policy import clock
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 12, 7, 9))
    assert settings_change.years_in_view(D(2026, 11, 20)) == [2026, 2027]
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 7, 9))
    assert settings_change.years_in_view(D(2026, 11, 20)) == [2026]
    assert settings_change.years_in_view(D(2025, 12, 31)) == [2025, 2026]  # the figures' December too
    monkeypatch.setattr(clock, "now", real_now)
    zh, en = settings_change.calendar_notes([2026, 2099]), settings_change.calendar_notes([2026, 2099], "en")
    assert len(zh) == len(en) == 1 and "2099年法定节假日尚未导入" in zh[0] and "2099's public holidays" in en[0]
    assert "管理员" not in zh[0] and "管理员" in settings_change.calendar_notes([2099], admin=True)[0]
    monkeypatch.setattr(settings_change, "years_in_view", lambda _as_of: [2026, 2099])
    at = app("demo_city").run()
    assert not at.exception and f":orange[{zh[0]}]" in [c.value for c in at.sidebar.caption]
