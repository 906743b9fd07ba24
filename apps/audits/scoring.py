"""Audit arithmetic in Decimal (R-M13-02, AS-34): pure, no database.

- A row's deduction: PER_ITEM = Σ each nonconforming item's amount (the item's own or the row's);
  PER_BEHAVIOUR = the row's amount × the number of nonconforming behaviours observed; BY_COUNT = the
  amount the row's table gives for the number of failed items (policy P-24's alternative reading).
- A row with a stated cap deducts at most the cap (人员素质: 4).
- Inside a level-1 indicator the deductions together never exceed its points; score ≥ 0.
- The audit total is the sum of the indicators' scores. Not-applicable and unanswered items deduct nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class ItemAnswer:
    deduction: Decimal | None  # the item's own amount, or None = the row's
    nonconform: bool
    count: int = 1


@dataclass(frozen=True)
class RowRule:
    mode: str  # per_item | per_behaviour | by_count
    per_item: Decimal
    cap: Decimal | None
    count_deductions: dict[str, str] = field(default_factory=dict)


def row_deduction(rule: RowRule, answers: Iterable[ItemAnswer]) -> Decimal:
    failed = [a for a in answers if a.nonconform]
    if rule.mode == "by_count":
        raw = Decimal(str(rule.count_deductions.get(str(len(failed)), "0"))) if failed else ZERO
    elif rule.mode == "per_behaviour":
        raw = sum((rule.per_item * max(a.count, 0) for a in failed), ZERO)
    else:
        raw = sum(((a.deduction if a.deduction is not None else rule.per_item) for a in failed), ZERO)
    if rule.cap is not None:
        raw = min(raw, rule.cap)
    return raw


def indicator_score(points: Decimal, row_deductions: Sequence[Decimal]) -> Decimal:
    """Points − deductions, the deductions together capped at the points (never below 0)."""
    return points - min(sum(row_deductions, ZERO), points)
