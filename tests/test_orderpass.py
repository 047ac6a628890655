"""The one pass over the orders gives, at T and at earlier month ends, what one direct query per date gives;
derived order columns are written by every writer and filled in by the upgrade."""
import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from core.refresh.facts import Facts
from core.refresh.orderpass import KEYS, OrdersPass, SUMS
from core.store import migrations

from .handmade import D, Handmade

DIRECT = """
SELECT institution_code, product_code, distributor_code,
       SUM(order_qty) AS purchased_qty,
       SUM(CASE WHEN order_date <= :grace THEN order_qty ELSE 0 END) AS rate_order_qty,
       SUM(CASE WHEN order_date <= :grace AND (delivery_date IS NULL OR delivery_date <= :t)
                THEN COALESCE(delivered_qty, 0) ELSE 0 END) AS rate_delivered_qty,
       COUNT(*) AS count_orders, MAX(order_qty) AS max_order_qty
FROM orders WHERE order_date >= :start AND order_date <= :t
GROUP BY institution_code, product_code, distributor_code
"""


def _direct(store, start, t, grace_days=2, keys=KEYS):
    """The direct query's figures by `keys` (institution x product x distributor, or x product)."""
    d = (lambda x: x) if store.is_postgres else (lambda x: x.isoformat())
    sql = DIRECT.replace("institution_code, product_code, distributor_code", ", ".join(keys))
    frame = store.read(sql, {"start": d(start), "t": d(t), "grace": d(t - dt.timedelta(days=grace_days))})
    return _sorted(frame, keys)


def _sorted(frame, keys=KEYS):
    frame = frame[keys + SUMS].copy()
    if "distributor_code" in keys:
        frame["distributor_code"] = frame["distributor_code"].fillna("")
    for c in SUMS:
        frame[c] = frame[c].astype(float)
    return frame.sort_values(keys).reset_index(drop=True)


def _store(url):
    h = Handmade(url)
    for code in ("H1", "H2"):
        h.institution(code)
        h.agreement(code, "P1", agreed=1000)
    # Across month ends: ordered on the last days of January and February (inside the grace days of those
    # month ends), delivered in the next month; one never delivered, one without a distributor.
    h.order("H1", 10, day=D(2026, 1, 5), delivery=D(2026, 1, 6))
    h.order("H1", 20, day=D(2026, 1, 30), delivery=D(2026, 2, 2))
    h.order("H1", 30, day=D(2026, 1, 31), delivered=25, delivery=D(2026, 1, 31))
    h.order("H1", 40, day=D(2026, 2, 27), delivery=D(2026, 3, 3))
    h.order("H2", 50, day=D(2026, 2, 28), delivered=0)
    h.rows["orders"][-1]["distributor_code"] = None  # in the grace days of 02-28 and of T, without a distributor
    h.order("H2", 60, day=D(2026, 3, 1), delivery=D(2026, 3, 9))  # delivered after T = 03-02
    h.order("H2", 70, day=D(2026, 2, 10), delivery=D(2026, 2, 11))
    h.rows["orders"][-1]["distributor_code"] = None
    h.order("H2", 5, day=D(2026, 3, 2), delivery=D(2026, 3, 2))  # on T
    return h.save()


@pytest.mark.parametrize("t", [D(2026, 3, 2), D(2026, 3, 1)])
def test_every_date_equals_a_direct_query(store_url, t):
    store = _store(store_url)
    one = OrdersPass(store, D(2026, 1, 1), t, 2, "", {"t": t if store.is_postgres else t.isoformat(),
                                                     "start": D(2026, 1, 1) if store.is_postgres else "2026-01-01",
                                                     "cat": ""})
    # T on the 1st or 2nd of March: the grace days reach back into February. Last month's end is 02-28;
    # last quarter's end, 2025-12-31, is before the period.
    assert one.dates == [t, D(2026, 2, 28)]
    for x in one.dates:
        assert one.serves(D(2026, 1, 1), x)
        got = _sorted(one.pairs_at(x))
        pd.testing.assert_frame_equal(got, _direct(store, D(2026, 1, 1), x), check_dtype=False)
        ips = KEYS[:2]  # H2's orders of P1 go through a distributor and without one: summed, the largest kept
        pd.testing.assert_frame_equal(_sorted(one.ips_at(x), ips), _direct(store, D(2026, 1, 1), x, keys=ips),
                                      check_dtype=False)
    assert not one.serves(D(2026, 1, 1), D(2026, 1, 31))  # another date: a pass of its own
    later = OrdersPass(store, D(2026, 1, 1), D(2026, 4, 10), 2, "", {"t": D(2026, 4, 10) if store.is_postgres else
                                                                      "2026-04-10", "start": D(2026, 1, 1) if
                                                                      store.is_postgres else "2026-01-01", "cat": ""})
    assert later.dates == [D(2026, 4, 10), D(2026, 3, 31)]  # last month's end is also last quarter's
    pd.testing.assert_frame_equal(_sorted(later.pairs_at(D(2026, 3, 31))), _direct(store, D(2026, 1, 1), D(2026, 3, 31)),
                                  check_dtype=False)


def test_the_facts_of_a_month_end_share_the_pass_and_agree_by_hand(store_url):
    store = _store(store_url)
    f = Facts(store, D(2026, 3, 2))
    earlier = Facts(store, D(2026, 2, 28), like=f)
    assert earlier.source is f.source
    h1 = earlier.inst_product.set_index("institution_code").loc["H1"]
    # At 02-28 (grace to 02-26): H1 ordered 10 + 20 + 30 + 40 = 100; in the window 60, of which delivered
    # by 02-28: 10 + 20 (02-02) + 25 = 55; the order of 02-27 is inside the grace days.
    assert (h1["purchased_qty"], h1["rate_order_qty"], h1["rate_delivered_qty"]) == (100, 60, 55)
    h2 = f.inst_product.set_index("institution_code").loc["H2"]
    # At T = 03-02 (grace to 02-28): H2 ordered 50 + 60 + 70 + 5 = 185; in the window 50 + 70 = 120,
    # delivered by T: 0 + 70; the order of 03-01, delivered 03-09, is after the grace day anyway.
    assert (h2["purchased_qty"], h2["rate_order_qty"], h2["rate_delivered_qty"]) == (185, 120, 70)


def test_a_month_end_sees_the_agreements_in_force_on_its_day(store_url):
    """One read of the agreements serves T and its month ends: an agreement that ended between the month
    end and T counts at the month end only; one that starts after the month end counts at T only."""
    h = Handmade(store_url)
    h.institution("H1")
    h.agreement("H1", "P1", agreed=100, start=D(2025, 3, 1), end=D(2026, 2, 28))  # ends on the month end
    h.agreement("H1", "P2", agreed=200, start=D(2026, 3, 1), end=D(2027, 2, 28))  # starts the day after
    h.agreement("H1", "P3", agreed=300, start=D(2025, 3, 1), end=D(2027, 2, 28))  # in force throughout
    h.order("H1", 10, product="P3", day=D(2026, 3, 1))
    store = h.save()
    f = Facts(store, D(2026, 3, 2))
    earlier = Facts(store, D(2026, 2, 28), like=f)
    alone = Facts(store, D(2026, 2, 28))
    assert sorted(f.agreements["product_code"]) == ["P2", "P3"]
    assert sorted(earlier.agreements["product_code"]) == ["P1", "P3"]
    pd.testing.assert_frame_equal(earlier.agreements.sort_values("product_code").reset_index(drop=True),
                                  alone.agreements.sort_values("product_code").reset_index(drop=True))


def test_derived_columns_are_written_and_filled_by_the_upgrade(store_url):
    store = _store(store_url)
    rows = store.read("SELECT order_date, order_month, receipt_lag, delivery_date, receipt_date "
                      "FROM orders ORDER BY order_id")
    first = rows.iloc[1]  # ordered 01-30, delivered 02-02, received on delivery (handmade receipts)
    assert (first["order_month"], first["receipt_lag"]) == (202601, 0)
    assert rows["order_month"].notna().all()
    # Rows written before version 9 have no derived values: the upgrade fills them in from the dates.
    derived = ["order_month", "receipt_lag"]
    with store.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET order_month = NULL, receipt_lag = NULL"))
        migrations._orders_derived(conn)
    again = store.read("SELECT order_month, receipt_lag FROM orders ORDER BY order_id")

    def plain(frame):
        return [[None if pd.isna(v) else int(v) for v in row] for row in frame[derived].itertuples(index=False)]
    assert plain(again) == plain(rows)


def test_quartiles_take_the_nearest_rank_of_the_sizes_up_to_the_date(store_url):
    """Q1 is the ceil(n/4)-th smallest size, Q3 the ceil(3n/4)-th; a month end counts the sizes ordered by then."""
    h = Handmade(store_url)
    h.institution("H1")
    h.order("H1", 7, "P2", day=D(2026, 2, 2))  # n = 1: both quartiles are the one size
    for qty in (9, 3):  # n = 2: Q1 = 1st = 3, Q3 = ceil(1.5) = 2nd = 9
        h.order("H1", qty, "P4", day=D(2026, 2, 2))
    for qty, day in ((5, D(2026, 2, 2)), (1, D(2026, 2, 3)), (4, D(2026, 2, 4)), (2, D(2026, 2, 5)),
                     (3, D(2026, 2, 6)), (100, D(2026, 3, 1))):
        h.order("H1", qty, "P5", day=day)
    store = h.save()
    t = D(2026, 3, 2)
    f = Facts(store, t)
    at_t = f.source.quartiles(["P2", "P4", "P5", "P6"], t).set_index("product_code")
    # P5 at T: 1 2 3 4 5 100 (n = 6): Q1 = 2nd = 2, Q3 = ceil(4.5) = 5th = 5. P6 has no orders: no row.
    assert at_t.loc[["P2", "P4", "P5"], ["q1", "q3"]].values.tolist() == [[7, 7], [3, 9], [2, 5]]
    assert "P6" not in at_t.index
    # At the month end 02-28 the order of 03-01 is not yet placed: 1 2 3 4 5 (n = 5): Q1 = 2nd = 2, Q3 = 4th = 4.
    at_end = f.source.quartiles(["P5"], D(2026, 2, 28)).set_index("product_code")
    assert at_end.loc["P5", ["q1", "q3"]].tolist() == [2, 4]
    f.source.close()


def test_orders_without_a_distributor_are_one_pair_across_months(store_url):
    """H1 bought P4 in March (40, of which 10 delivered) and June (50), both without a distributor; P4's agreement is
    of a later round (from 05-01). The pass keeps one institution x product x distributor for the two months (a
    missing distributor is one key, not one per month), so taking March's order off as not its round's leaves June's:
    50 bought, both orders in the period's count."""
    h = Handmade(store_url)
    h.two_rounds("H1")
    h.order("H1", 20, "P1", day=D(2026, 2, 2))
    for day, qty, delivered in ((D(2026, 3, 10), 40, 10), (D(2026, 6, 1), 50, 50)):
        h.order("H1", qty, "P4", day=day, delivered=delivered)
        h.rows["orders"][-1]["distributor_code"] = None
    h.save()
    f = Facts(h.store, D(2026, 6, 30))
    assert len(f.source.pairs_at(f.as_of)) == 2  # P1 with D1, P4 without a distributor
    p4 = f.inst_product_distributor.set_index("product_code").loc["P4"]
    assert (p4["purchased_qty"], p4["rate_order_qty"], p4["rate_delivered_qty"], p4["count_orders"]) == (50, 50, 50, 2)
    assert pd.isna(p4["distributor_code"])
