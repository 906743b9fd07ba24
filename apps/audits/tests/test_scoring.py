"""R-M13-02 / AS-34: the audit score in Decimal with the caps, and the pure arithmetic."""
from __future__ import annotations

from decimal import Decimal

import pytest

from apps.audits import actions
from apps.audits.models import Audit, StandardItem
from apps.audits.queries import score_audit
from apps.audits.scoring import ItemAnswer, RowRule, indicator_score, row_deduction
from apps.audits.tests.conftest import AS34, answer_all

pytestmark = pytest.mark.django_db


def test_r_m13_01_r_m13_05_seed_version_holds_the_known_17_points(standard):
    assert standard.total_points == Decimal("17")
    assert [(i.name, i.points) for i in standard.indicators.order_by("order")] == [
        ("人员素质", Decimal("4")), ("顾客信息", Decimal("8")), ("顾客关系", Decimal("5"))]
    assert StandardItem.objects.filter(row__indicator__version=standard).count() == 38
    b1 = {i.code: i.deduction for i in StandardItem.objects.filter(row__code="B1")}
    assert b1 == {"B1.1": Decimal("0.2"), "B1.2": Decimal("0.1"), "B1.3": Decimal("0.1"), "B1.4": Decimal("0.2")}


def test_as_34_audit_score_is_12_3_of_17(cast, open_audit, frozen_now):
    """AS-34: 45 behaviours capped at 4 → 0/4; 顾客信息 7.4; 顾客关系 4.9; total 12.3 / 17."""
    audit = open_audit()
    answer_all(audit, cast.quality_inspector, frozen_now, AS34)
    card = score_audit(audit)
    assert [(c.name, c.score) for c in card.indicators] == [
        ("人员素质", Decimal("0.00")), ("顾客信息", Decimal("7.40")), ("顾客关系", Decimal("4.90"))]
    assert card.total == Decimal("12.3") and card.max_score == Decimal("17")
    done = actions.complete_audit(audit=audit, summary="整体符合", acting_user=cast.quality_inspector, now=frozen_now)
    assert Audit.objects.get(pk=done.pk).score == Decimal("12.30")


def test_r_m13_02_caps_and_no_float_drift():
    rule = RowRule(mode="per_behaviour", per_item=Decimal("0.1"), cap=Decimal("4"))
    assert row_deduction(rule, [ItemAnswer(None, True, 45)]) == Decimal("4")
    assert row_deduction(rule, [ItemAnswer(None, True, 3)]) == Decimal("0.3")  # 0.1*3 is 0.30000000000000004 in float
    per_item = RowRule(mode="per_item", per_item=Decimal("0.1"), cap=None)
    assert row_deduction(per_item, [ItemAnswer(None, True)] * 7) == Decimal("0.7")
    # the indicator's deductions never exceed its points
    assert indicator_score(Decimal("5"), [Decimal("3"), Decimal("4")]) == Decimal("0")


def test_p_24_alternative_reading_of_b1_by_count():
    """P-24 alternative: 0.2 if 4 items fail, 0.1 if 3 fail (fewer: nothing stated → 0)."""
    rule = RowRule(mode="by_count", per_item=Decimal("0"), cap=None, count_deductions={"4": "0.2", "3": "0.1"})
    assert row_deduction(rule, [ItemAnswer(Decimal("0.2"), True)] * 4) == Decimal("0.2")
    assert row_deduction(rule, [ItemAnswer(Decimal("0.2"), True)] * 3) == Decimal("0.1")
    assert row_deduction(rule, [ItemAnswer(Decimal("0.2"), True)] * 2) == Decimal("0")
