"""Sampling (R-M10-03, P-20, AS-24)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.surveys import sampling


def _m(households: int, delivered: dt.date, all_owners: bool = False) -> sampling.Minimum:
    return sampling.compute_minimum(households=households, delivered=delivered, taken_over=None,
                                    received_on=dt.date(2025, 9, 26), all_owners=all_owners,
                                    rate_young=Decimal("0.30"), rate_old=Decimal("0.15"), old_years=5)


def test_as_24_project_a_b_and_the_exact_five_year_boundary() -> None:
    """AS-24: A 800/3 y → 240; B 1,200/7 y → 180; C 1,235 exactly 5 y → 186, one day short → 371."""
    assert _m(800, dt.date(2022, 6, 30)).minimum == 240
    assert _m(1200, dt.date(2018, 5, 1)).minimum == 180
    c = _m(1235, dt.date(2020, 9, 26))
    assert (c.age, c.rate, c.minimum) == (5, Decimal("0.15"), 186)
    assert "1,235 户" in c.explanation and "满 5 年" in c.explanation and "15%" in c.explanation
    assert c.explanation.endswith("⌈185.25⌉ = 186 户")
    young = _m(1235, dt.date(2020, 9, 27))
    assert (young.age, young.minimum) == (4, 371)


def test_as_24_all_owners_policy() -> None:
    """AS-24 with P-20 = all owners: A 800, B 1,200."""
    assert _m(800, dt.date(2022, 6, 30), all_owners=True).minimum == 800
    assert _m(1200, dt.date(2018, 5, 1), all_owners=True).minimum == 1200


def test_r_m10_03_stratified_draw_is_even_and_reproducible() -> None:
    """R-M10-03: random and evenly spread over buildings; the same seed gives the same sample."""
    homes = [(i, 1) for i in range(100)] + [(i, 2) for i in range(100, 150)] + [(i, 3) for i in range(150, 200)]
    a = sampling.draw(homes, 60, seed=42)
    assert len(a) == 60 and a == sampling.draw(homes, 60, seed=42)
    per = {b: sum(1 for _, x in a if x == b) for b in (1, 2, 3)}
    assert per == {1: 30, 2: 15, 3: 15}
    assert a != sampling.draw(homes, 60, seed=43)


def test_allocate_largest_remainder_sums_to_total() -> None:
    shares = sampling.allocate({1: 7, 2: 7, 3: 7}, 10)
    assert sum(shares.values()) == 10 and max(shares.values()) - min(shares.values()) <= 1
