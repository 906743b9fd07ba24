"""Repair limits from the real policy engine (apps.workdays) across working-day boundaries:
AS-21 (P-14 arrival A/B/C), AS-22 (P-15 completion 制度10), AS-23 (P-16 return visit), and a tap
leak reported before a holiday. Project hours 09:00–18:00 without lunch break (T-14, as the
acceptance scenarios assume)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.repairs.tests.helpers import assigned, at, completed, dispatch_of, on_site, receive
from apps.tickets import actions as ta
from apps.tickets.choices import Stage
from apps.workdays import queries as workdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def engine(cast):
    from apps.workdays.models import RuleSet

    p = cast.project
    p.work_start, p.work_end, p.lunch_start, p.lunch_end = dt.time(9), dt.time(18), None, None
    p.save()
    workdays.clear_caches()

    def choose(concern: str, code: str) -> None:
        from apps.workdays.models import RuleSetChoice

        RuleSetChoice.objects.update_or_create(company=cast.company, project=None, concern=concern,
                                               defaults={"rule_set": RuleSet.objects.get(code=code)})
        workdays.clear_caches()

    return choose


def due(order, stage):
    return order.ticket.deadlines.get(stage=stage, cycle=0).due_at


def test_as_21_p14_arrival_rule_sets(cast, engine):
    """AS-21 / R-M8-03 (P-14): urgent water leak 2026-01-01 03:10 (holiday, night): A 03:25, B 03:20,
    C 03:35; non-urgent door closer 2025-10-05 14:00: A 14:30, B 14:20, C 14:25 or the agreed time."""
    leak, door = at(2026, 1, 1, 3, 10), at(2025, 10, 5, 14, 0)
    a1 = receive(cast, "repair_water", now=leak)
    a2 = receive(cast, "repair_doors_furniture", now=door, agreed_visit_at=door + dt.timedelta(minutes=20))
    assert (due(a1, Stage.ARRIVE), due(a2, Stage.ARRIVE)) == (at(2026, 1, 1, 3, 25), at(2025, 10, 5, 14, 30))
    engine("arrival", "arrival_b")
    b1, b2 = receive(cast, "repair_water", now=leak), receive(cast, "repair_doors_furniture", now=door)
    assert (due(b1, Stage.ARRIVE), due(b2, Stage.ARRIVE)) == (at(2026, 1, 1, 3, 20), at(2025, 10, 5, 14, 20))
    engine("arrival", "arrival_c")
    c1 = receive(cast, "repair_water", now=leak, agreed_visit_at=None, agreed_feedback_at=leak + dt.timedelta(hours=1))
    assert due(c1, Stage.ARRIVE) == at(2026, 1, 1, 3, 35)
    agreed = receive(cast, "repair_doors_furniture", now=door, agreed_visit_at=at(2025, 10, 6, 10, 0))
    d = agreed.ticket.deadlines.get(stage=Stage.ARRIVE)
    assert d.due_at == at(2025, 10, 6, 10, 0) and d.agreed and d.limit_due_at == at(2025, 10, 5, 14, 25)


def test_as_22_p15_completion_rule_set_10_across_the_national_day(cast, engine):
    """AS-22 / R-M8-04 (P-15 制度10): tap Tue 2025-09-30 16:00 → half a working day → 2025-10-09 11:30;
    complex drain → 2025-10-09 23:59:59; lighting switch Fri 2025-10-10 17:00 → 2025-10-11 23:59:59
    (调休 Saturday); other simple repairs → the same."""
    t1 = at(2025, 9, 30, 16, 0)
    assert due(receive(cast, "repair_tap", now=t1), Stage.COMPLETE) == at(2025, 10, 9, 11, 30)
    assert due(receive(cast, "repair_drain_complex", now=t1), Stage.COMPLETE) == at(2025, 10, 9, 23, 59, 59)
    t2 = at(2025, 10, 10, 17, 0)
    assert due(receive(cast, "repair_lighting", now=t2), Stage.COMPLETE) == at(2025, 10, 11, 23, 59, 59)
    assert due(receive(cast, "repair_general", now=t2), Stage.COMPLETE) == at(2025, 10, 11, 23, 59, 59)


def test_as_22_wiring_fault_within_one_week(cast, engine):
    """AS-22 / T-08: a wiring fault reported 2025-10-10 17:00 → "within one week" → 2025-10-17 17:00."""
    assert due(receive(cast, "repair_wiring", now=at(2025, 10, 10, 17, 0)), Stage.COMPLETE) == at(2025, 10, 17, 17, 0)


def test_p15_tap_leak_reported_before_a_holiday(cast, engine):
    """P-15 / T-12: a tap leak reported Fri 2025-09-26 17:00 → 1 h that day, then Sunday 09-28 (调休
    working day) 09:00 + 3 h 30 min → 12:30; one reported Thu 2026-04-30 17:00 (before the May Day
    holiday 05-01…05-05) → 2026-05-06 12:30; a lighting fault at that moment → 2026-05-06 23:59:59."""
    assert due(receive(cast, "repair_tap", now=at(2025, 9, 26, 17, 0)), Stage.COMPLETE) == at(2025, 9, 28, 12, 30)
    before_may = at(2026, 4, 30, 17, 0)
    assert due(receive(cast, "repair_tap", now=before_may), Stage.COMPLETE) == at(2026, 5, 6, 12, 30)
    assert due(receive(cast, "repair_lighting", now=before_may), Stage.COMPLETE) == at(2026, 5, 6, 23, 59, 59)


def test_p15_rule_set_11_and_9(cast, engine):
    """R-M8-05 (制度11): general ≤ 2 h, difficult ≤ 72 h; R-M8-06 (制度9): public glass doors 2
    working days (Fri 2025-10-10 17:00 → Mon 10-13 23:59:59, Sat 10-11 is a 调休 working day)."""
    t = at(2025, 10, 10, 17, 0)
    engine("completion", "completion_11")
    assert due(receive(cast, "repair_general", now=t), Stage.COMPLETE) == at(2025, 10, 10, 19, 0)
    assert due(receive(cast, "repair_complex", now=t), Stage.COMPLETE) == at(2025, 10, 13, 17, 0)
    engine("completion", "completion_9")
    assert due(receive(cast, "repair_public_glass_doors", now=t, location_kind="common", location="3栋大堂"),
               Stage.COMPLETE) == at(2025, 10, 13, 23, 59, 59)


@pytest.mark.parametrize(("rule_set", "expected"), [("repair_return_48h", at(2025, 10, 2, 16, 0)),
                                                    ("repair_return_3d", at(2025, 10, 3, 23, 59, 59))])
def test_as_23_p16_return_visit_limits(cast, engine, rule_set, expected):
    """AS-23 / R-M8-07 (P-16): completed (and verified) Tue 2025-09-30 16:00 → 48 h: 2025-10-02 16:00;
    制度12 3 days: 2025-10-03 23:59:59."""
    engine("repair_return", rule_set)
    t = at(2025, 9, 30, 15, 0)
    order = on_site(cast, assigned(cast, now=t), now=t)
    done = at(2025, 9, 30, 16, 0)
    completed(cast, order, now=done)
    ta.record_reply(ticket=order.ticket, kind="result", channel="phone", content="已修好", owner_response="agree",
                    acting_user=cast.front_desk, now=done)
    ta.verify_ticket(ticket=order.ticket, passed=True, acting_user=cast.supervisor, now=done)
    assert due(order, Stage.RETURN_VISIT) == expected
    assert dispatch_of(order).completed_at == done
