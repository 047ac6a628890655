"""Every setting states where its default comes from and has a valid range; a change outside its range, one that is
not a number, or one that breaks the order of related settings is refused with the rule it breaks, and nothing is
saved."""
import pytest

from core.access import settings_change
from core.access.roles import User
from core.policy import settings as settings_mod

from .handmade import Handmade

ROOT_USER = User("root", "管理员", "admin", "370000")


def _saved(store) -> dict:
    return dict(store.read("SELECT name, value FROM settings").itertuples(index=False))


def test_each_default_names_its_source():
    named = {s.name for s in settings_mod.SETTINGS if s.named}
    # the numbers the notice names: 20% report drop, 80/60/30 delivery, 2 and 5 working days, 4x, the tier bounds
    assert named == {"report_drop_ratio", "delivery_rate_warning", "delivery_rate_serious", "delivery_rate_severe",
                     "complaint_reply_workdays", "complaint_resolve_workdays", "over_purchase_multiple",
                     "tier_a_min", "tier_b_min", "tier_c_min"}
    for s in settings_mod.SETTINGS:
        assert (s.source == f"《通知》{s.clause}") if s.named else (s.source == "本系统默认值（《通知》未规定具体数值）")
        assert not s.named or s.clause
    for name in ("nonselected_share_min", "abnormal_order_multiple", "receipt_confirm_workdays", "primary_gap_points",
                 "red_flag_min_flags", "notification_score", "timely_min_age_workdays"):
        assert not settings_mod.BY_NAME[name].named, name  # the notice names no number for these


def test_every_number_setting_has_a_range_holding_its_default():
    for s in settings_mod.SETTINGS:
        if isinstance(s.default, str):
            continue
        low, high = s.bounds
        assert low <= s.default <= high, s.name
    assert settings_mod.broken_rules(settings_mod.defaults()) == []


def test_values_outside_each_range_are_refused_and_nothing_is_saved(store_url):
    store = Handmade(store_url).save()
    changeable = [s for s in settings_mod.SETTINGS if not isinstance(s.default, str)]
    for s in changeable:
        low, high = s.bounds
        for wrong in (low - 1, high + 1, "八成", "nan", "inf", ""):
            with pytest.raises(ValueError) as err:
                settings_change.change(store, ROOT_USER, s.name, str(wrong))
            assert s.name in str(err.value) and " / " in str(err.value)  # named, in Chinese and in English
    assert _saved(store) == {}
    refused = store.read("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'setting_changed'")["n"].iloc[0]
    assert refused == 0


def test_a_text_setting_is_one_printable_line():
    """The notice's number is printed in the official document: no line break, DEL, right-to-left override,
    zero-width mark or lone surrogate gets into it."""
    reference = settings_mod.BY_NAME["notice_reference"]
    assert reference.parse("  鲁医保发〔2023〕14号 ") == "鲁医保发〔2023〕14号"
    for wrong in ("鲁医保发〔2023〕\u202e14号", "鲁医保发\x7f〔2023〕14号", "鲁医保\u2028发", "鲁医保\u200b发", "鲁\ud800", "鲁\n医保", ""):
        with pytest.raises(ValueError, match="notice_reference"):
            reference.parse(wrong)


def test_related_settings_keep_their_order(store_url):
    store = Handmade(store_url).save()
    with pytest.raises(ValueError) as err:  # B's bound above A's
        settings_change.change(store, ROOT_USER, "tier_b_min", "0.85")
    assert "A级 > B级 > C级" in str(err.value) and "tier_b_min = 0.85" in str(err.value)
    with pytest.raises(ValueError, match="依次降低"):  # serious at the warning's value is not below it
        settings_change.change(store, ROOT_USER, "delivery_rate_serious", "0.8")
    with pytest.raises(ValueError, match="重点关注比例应低于预警比例"):
        settings_change.change(store, ROOT_USER, "report_drop_ratio", "0.4")
    assert _saved(store) == {}
    settings_change.change(store, ROOT_USER, "tier_c_min", "0.4")  # still below B's 0.6: kept
    assert _saved(store) == {"tier_c_min": "0.4"}
    with pytest.raises(ValueError):  # and now B cannot drop to C's new bound
        settings_change.change(store, ROOT_USER, "tier_b_min", "0.4")
    assert store.settings()["tier_b_min"] == 0.6


def test_stored_rows_that_break_a_rule_are_said_to_administrators(store_url):
    store = Handmade(store_url).save()
    from core.store import schema as S
    with store.begin() as conn:  # written behind the page's back
        conn.execute(S.settings_table.insert(), [{"name": "tier_a_min", "value": "0.5"}])
    said = settings_change.stored_problems(store)
    assert len(said) == 1 and "tier_a_min = 0.5" in said[0]
