"""The demo province through the core: every planted problem is found, clean entities stay clean,
the marts hold their invariants, and SQLite and PostgreSQL agree."""
import pandas as pd
import pytest


from core.read import cases as read_cases
from core.read import tables
from core.store import views

from .views import default, mart

SHARE_INDICATORS = ("delivery", "complaint", "nonselected")  # true rates, within [0, 1]


@pytest.fixture(scope="module")
def demo_flags(demo_store):
    return tables.flags(demo_store)


def test_marts_are_current_after_the_demo_load(demo_store):
    assert views.current_as_of(demo_store).isoformat() == demo_store.meta("demo_as_of")


def test_every_planted_problem_is_flagged(demo_store, demo_flags):
    manifest = demo_store.read("SELECT * FROM demo_manifest WHERE flag_id <> 'clean'")
    got = {(r.flag_id, r.subject_code, r.detail_code): r.severity for r in demo_flags.itertuples()}
    missing = [m for m in manifest.itertuples() if (m.flag_id, m.subject_code, m.detail_code or "") not in got]
    assert not missing, missing[:5]
    wrong = [(m.flag_id, m.subject_code, m.detail_code, m.severity, got[(m.flag_id, m.subject_code, m.detail_code or "")])
             for m in manifest.itertuples()
             if isinstance(m.severity, str) and got[(m.flag_id, m.subject_code, m.detail_code or "")] != m.severity]
    assert not wrong, wrong[:5]


def test_clean_entities_carry_no_flag(demo_store, demo_flags):
    clean = demo_store.read("SELECT level, subject_code FROM demo_manifest WHERE flag_id = 'clean'")
    assert len(clean) > 100
    flagged = set(zip(demo_flags["level"], demo_flags["subject_code"]))
    assert not [c for c in clean.itertuples(index=False) if (c.level, c.subject_code) in flagged]
    # Beyond the sample: no institution the demo left alone carries any flag.
    planted = set(demo_store.read("SELECT subject_code FROM demo_manifest WHERE level = 'institution' "
                                  "AND flag_id <> 'clean'")["subject_code"])
    stray = demo_flags[(demo_flags["level"] == "institution") & ~demo_flags["subject_code"].isin(planted)]
    assert stray.empty, stray.head()


def test_every_flag_of_the_registry_occurs_in_the_demo(demo_flags):
    from core.policy.indicators import FLAGS
    assert {f.id for f in FLAGS} == set(demo_flags["flag_id"])


def test_mart_invariants(demo_store):
    ind = mart(demo_store, "SELECT * FROM mart_indicators WHERE view_id = :v")
    rates = ind[ind["indicator_id"].isin(SHARE_INDICATORS) & ind["value"].notna()]
    assert ((rates["value"] >= 0) & (rates["value"] <= 1)).all()
    assert (ind["numerator"] >= 0).all() and (ind["denominator"] >= 0).all()
    assert ind.loc[ind["denominator"] == 0, "value"].isna().all()  # an empty denominator has no value
    ip = mart(demo_store, "SELECT * FROM mart_inst_product WHERE view_id = :v")
    assert (ip["rate_delivered_qty"] <= ip["rate_order_qty"] + 1e-9).all()
    ent = mart(demo_store, "SELECT * FROM mart_enterprises WHERE view_id = :v")
    assert (ent["delivered_qty"].dropna() <= ent["ordered_qty"].dropna() + 1e-9).all()
    # Roll-ups add up: institution -> county -> city -> province, for numerators, denominators and counts.
    sums = ind[ind["level"] != "enterprise"].groupby(["level", "indicator_id"])[["numerator", "denominator", "count_flagged"]].sum()
    for indicator in ind["indicator_id"].unique():
        if indicator not in sums.loc["province"].index:
            continue
        province = sums.loc[("province", indicator)]
        for level in ("institution", "county", "city"):
            assert sums.loc[(level, indicator)].to_numpy() == pytest.approx(province.to_numpy(), rel=1e-9), (level, indicator)
    # One row per region and level in the area mart, and red flags add up too.
    areas = mart(demo_store, "SELECT * FROM mart_areas WHERE view_id = :v")
    red = int((mart(demo_store, "SELECT COUNT(*) AS n FROM mart_flags WHERE view_id = :v AND flag_id = 'red_flag'"))["n"].iloc[0])
    for level in ("county", "city", "province"):
        assert areas.loc[areas["region_level"] == level, "count_red_flag"].sum() == red


def test_ladder_for_every_red_flag(demo_store):
    held = mart(demo_store, "SELECT * FROM mart_ladder WHERE view_id = :v AND as_of = :t",
                {"t": demo_store.meta("demo_as_of")})
    flags = mart(demo_store, "SELECT subject_code FROM mart_flags WHERE view_id = :v AND flag_id = 'red_flag'")
    assert set(held.loc[held["is_red"].astype(bool), "institution_code"]) == set(flags["subject_code"])
    steps = read_cases.ladder_cases(default(demo_store)).set_index("subject_code")
    assert set(steps.index) == set(held["institution_code"]) and steps["step"].between(1, 4).all()
    assert (steps.loc[list(flags["subject_code"]), "step"] >= 2).all()  # a red flag is notified at once


def test_cli_tables(demo_store):
    city = tables.indicator_table(demo_store, "city")
    assert len(city) == 16 and {"delivery_numerator", "delivery_denominator", "delivery_value"} <= set(city.columns)
    ent = tables.indicator_table(demo_store, "enterprise")
    assert set(ent.loc[ent["tier"].notna(), "tier"]) == {"A", "B", "C", "D"}


def test_sqlite_and_postgres_give_identical_flags(demo_store, demo_store_pg, demo_flags):
    pg = tables.flags(demo_store_pg)
    key = ["flag_id", "level", "subject_code", "detail_code"]
    a = demo_flags.sort_values(key).reset_index(drop=True)
    b = pg.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a[key + ["severity"]], b[key + ["severity"]])
    assert a["value"].to_numpy() == pytest.approx(b["value"].to_numpy(), rel=1e-9, nan_ok=True)
    ia = tables.indicator_table(demo_store, "city").set_index("city_code").sort_index()
    ib = tables.indicator_table(demo_store_pg, "city").set_index("city_code").sort_index()
    assert ia.to_numpy(dtype=float) == pytest.approx(ib.to_numpy(dtype=float), rel=1e-9, nan_ok=True)
