"""Sampling (R-M10-03, P-20, AS-24): the minimum sample and the stratified, reproducible draw.

Pure functions (no database): the actions feed them the households of a project as
``(household_id, building_id)`` pairs and store what they return.

- Project age: whole years from the first delivery date (or, failing that, the takeover date) to
  the date the campaign is received; "五年以上" is ≥ 5 years (T-11), so a project delivered on
  2020-09-26 is 5 years old on 2025-09-26 (AS-24).
- Minimum = ⌈rate × households⌉ with exact decimals (15% × 1,235 = 185.25 → 186).
- The draw is random and evenly spread (随机、均匀分布): the sample size is shared among the buildings
  in proportion to their households (largest remainder), then each building's households are drawn
  with a generator seeded by the stored seed and the building, so the same seed and the same
  households always give the same sample.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal


def age_years(first: dt.date | None, on: dt.date) -> int | None:
    """Whole years from ``first`` to ``on`` (an anniversary counts on its day); None when unknown."""
    if first is None:
        return None
    years = on.year - first.year
    if (on.month, on.day) < (first.month, first.day):
        years -= 1
    return max(years, 0)


def minimum(rate: Decimal, households: int) -> int:
    """⌈rate × households⌉, exactly (no float)."""
    return int((Decimal(rate) * households).to_integral_value(rounding=ROUND_CEILING))


def percent(rate: Decimal) -> str:
    """0.150 → "15%", 0.333 → "33.3%"."""
    value = (Decimal(rate) * 100).normalize()
    return f"{value:f}%"


@dataclass(frozen=True)
class Minimum:
    households: int
    age: int | None
    age_from: dt.date | None
    rate: Decimal
    minimum: int
    explanation: str


def compute_minimum(*, households: int, delivered: dt.date | None, taken_over: dt.date | None, received_on: dt.date,
                    all_owners: bool, rate_young: Decimal, rate_old: Decimal, old_years: int) -> Minimum:
    """The P-20 minimum with its explanation in words (shown on the page and in the API)."""
    start = delivered or taken_over
    age = age_years(start, received_on)
    n = f"{households:,}"
    if all_owners:
        return Minimum(households, age, start, Decimal("1"), households, f"{n} 户，按全体业主发放 → {n} 户")
    if age is None:
        rate = rate_young
        why = f"{n} 户，未登记交付/接管日期，按不满{old_years}年计"
    else:
        rate = rate_old if age >= old_years else rate_young
        what = "首次交付" if delivered else "接管"
        exact = "（整）" if (start is not None and (start.month, start.day) == (received_on.month, received_on.day)) else ""
        why = f"{n} 户，{start:%Y-%m-%d} {what}，至收到日 {received_on:%Y-%m-%d} 满 {age} 年{exact}"
    m = minimum(rate, households)
    exact_value = Decimal(rate) * households
    shown = f"⌈{exact_value.normalize():f}⌉ = " if exact_value != m else ""
    return Minimum(households, age, start, Decimal(rate), m, f"{why} → {percent(rate)} → {shown}{m} 户")


def allocate(sizes: dict[int, int], total: int) -> dict[int, int]:
    """Share ``total`` among strata in proportion to ``sizes`` (largest remainder; ties by key)."""
    population = sum(sizes.values())
    total = min(total, population)
    if population == 0 or total <= 0:
        return {k: 0 for k in sizes}
    quotas = {k: Decimal(total) * v / population for k, v in sizes.items()}
    shares = {k: min(sizes[k], math.floor(q)) for k, q in quotas.items()}
    left = total - sum(shares.values())
    order = sorted(sizes, key=lambda k: (-(quotas[k] - math.floor(quotas[k])), k))
    while left > 0:
        progressed = False
        for k in order:
            if left == 0:
                break
            if shares[k] < sizes[k]:
                shares[k] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return shares


def draw(households: Iterable[tuple[int, int]], size: int, seed: int) -> list[tuple[int, int]]:
    """A stratified random sample of ``size`` (household_id, building_id) pairs, reproducible from ``seed``."""
    by_building: dict[int, list[int]] = defaultdict(list)
    for hh, building in households:
        by_building[building].append(hh)
    shares = allocate({b: len(ids) for b, ids in by_building.items()}, size)
    picked: list[tuple[int, int]] = []
    for building in sorted(by_building):
        ids = sorted(by_building[building])
        k = shares.get(building, 0)
        if k <= 0:
            continue
        rng = random.Random(f"{seed}:{building}")
        picked.extend((hh, building) for hh in sorted(rng.sample(ids, k)))
    return picked
