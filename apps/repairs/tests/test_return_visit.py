"""Repair return visit with quality and attitude satisfaction; rework until satisfied
(R-M8-07, R-M4-09, R-M17-01, P-16)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.repairs import actions, queries
from apps.repairs.errors import RepairError
from apps.repairs.tests.helpers import assigned, at, completed, dispatch_of, on_site, verified
from apps.tickets import actions as ta
from apps.tickets.choices import Stage, TicketStatus
from apps.tickets.tests.helpers import reply_to_manager
from apps.tickets.transitions import InvalidTransition

pytestmark = pytest.mark.django_db


def _ready(cast, now):
    order = completed(cast, on_site(cast, assigned(cast, now=now), now=now), now=now)
    return verified(cast, order, now=now)


def test_r_m8_07_return_visit_records_quality_and_attitude(cast, fake_policies):
    """R-M8-07: the return visit records quality AND attitude satisfaction and meets the
    return_visit deadline (48 h by default, P-16)."""
    now = at(2026, 11, 23, 10, 0)
    order = _ready(cast, now)
    rv_deadline = order.ticket.deadlines.get(stage=Stage.RETURN_VISIT)
    assert rv_deadline.due_at == now + dt.timedelta(hours=48)
    with pytest.raises(RepairError) as e:
        actions.record_repair_return_visit(order=order, method="phone", reached=True, quality="satisfied",
                                            attitude="", acting_user=cast.butler, now=now)
    assert "attitude" in e.value.fields
    later = at(2026, 11, 24, 10, 0)
    rating = actions.record_repair_return_visit(order=order, method="phone", reached=True, quality="satisfied",
                                                 attitude="basic", owner_words="师傅挺好，就是来晚了",
                                                 working_well=True,
                                                 acting_user=cast.butler, now=later)
    assert rating is not None
    assert (rating.quality, rating.attitude, rating.working_well) == ("satisfied", "basic", True)
    visit = rating.return_visit
    assert visit.satisfaction == "basic"  # the worse of the two goes to the pipeline
    rv_deadline.refresh_from_db()
    assert rv_deadline.met_in_time is True
    reply_to_manager(cast, order.ticket, later)  # R-M2-21
    ta.close_ticket(ticket=order.ticket, acting_user=cast.front_desk, now=later)
    order.ticket.refresh_from_db()
    assert order.ticket.status == TicketStatus.CLOSED


def test_r_m17_01_no_return_visit_calls_in_quiet_hours(cast, fake_policies):
    """R-M17-01 / R-M4-14: a phone return visit at 13:00 or 22:30 is refused with the next allowed
    time, unless an emergency reason is given; a home visit is not a phone call."""
    now = at(2026, 11, 23, 10, 0)
    order = _ready(cast, now)
    with pytest.raises(RepairError) as e:
        actions.record_repair_return_visit(order=order, method="phone", reached=True, quality="satisfied",
                                            attitude="satisfied", acting_user=cast.butler, now=at(2026, 11, 23, 13, 0))
    assert e.value.code == "quiet_hours" and "14:00" in e.value.message
    with pytest.raises(RepairError) as e:
        actions.record_repair_return_visit(order=order, method="phone", reached=True, quality="satisfied",
                                            attitude="satisfied", acting_user=cast.butler, now=at(2026, 11, 23, 22, 30))
    assert "2026-11-24 08:00" in e.value.message
    assert queries.quiet_hours(cast.project, at(2026, 11, 24, 7, 59)) == at(2026, 11, 24, 8, 0)
    assert queries.quiet_hours(cast.project, at(2026, 11, 24, 8, 0)) is None
    actions.record_repair_return_visit(order=order, method="visit", reached=True, quality="satisfied",
                                        attitude="satisfied", acting_user=cast.butler, now=at(2026, 11, 23, 13, 0))


def test_r_m8_07_dissatisfied_goes_back_to_engineering_until_satisfied(cast, fake_policies):
    """R-M8-07 (001: 工程部 reworks until the owner signs as satisfied) / R-M4-09: 不满意 with the
    quality reopens the ticket and dispatches it back to the worker of 工程部; a new acceptance,
    verification and return visit follow; satisfied → close."""
    now = at(2026, 11, 23, 10, 0)
    order = _ready(cast, now)
    actions.record_repair_return_visit(order=order, method="phone", reached=True, quality="unsatisfied",
                                        attitude="satisfied", owner_words="还在滴水", acting_user=cast.butler,
                                        now=at(2026, 11, 23, 15, 0))
    order.refresh_from_db()
    t = order.ticket
    t.refresh_from_db()
    assert t.status == TicketStatus.DISPATCHED and t.reopen_count == 1
    d = dispatch_of(order)
    assert (d.department, d.assignee) == (cast.eng_dept, cast.worker)
    assert "返工" in d.instructions and "还在滴水" in d.instructions
    assert order.rework_count == 1 and order.signed_at is None and order.completed_at is None
    with pytest.raises(InvalidTransition):
        ta.close_ticket(ticket=t, acting_user=cast.front_desk, now=at(2026, 11, 23, 15, 5))
    # second cycle, next day: rework, signature, reply, verification, satisfied return visit
    day2 = at(2026, 11, 24, 9, 30)
    actions.accept_order(order=order, acting_user=cast.worker, now=day2)
    actions.record_arrival(order=order, acting_user=cast.worker, now=day2)
    order.refresh_from_db()
    completed(cast, order, now=day2)
    verified(cast, order, now=day2)
    rating = actions.record_repair_return_visit(order=order, method="phone", reached=True, quality="satisfied",
                                                 attitude="satisfied", acting_user=cast.butler,
                                                 now=at(2026, 11, 24, 16, 0))
    assert rating is not None and rating.cycle == 1
    reply_to_manager(cast, t, at(2026, 11, 24, 16, 5))  # R-M2-21
    ta.close_ticket(ticket=t, acting_user=cast.front_desk, now=at(2026, 11, 24, 16, 5))
    t.refresh_from_db()
    assert t.status == TicketStatus.CLOSED
    assert list(order.ratings.values_list("quality", flat=True)) == ["unsatisfied", "satisfied"]


def test_unreachable_owner_attempts_are_kept(cast, fake_policies):
    """R-M4-12 via the pipeline: unreached attempts are recorded; no rating is written."""
    now = at(2026, 11, 23, 10, 0)
    order = _ready(cast, now)
    assert actions.record_repair_return_visit(order=order, method="phone", reached=False, acting_user=cast.butler,
                                               now=at(2026, 11, 23, 16, 0)) is None
    assert order.ticket.return_visits.get().attempts.count() == 1
    assert not order.ratings.exists()


def test_p21_project_quiet_hours_policy_row_is_used(cast):
    """P-21 is data: a project's quiet-hours row (apps.notify) replaces the default windows."""
    notify_models = pytest.importorskip("apps.notify.models")
    assert queries.quiet_hours(cast.project, at(2026, 11, 23, 12, 30)) == at(2026, 11, 23, 14, 0)
    notify_models.QuietHoursPolicy.objects.create(project=cast.project,
                                                  windows=[["12:00", "13:00"], ["22:00", "07:30"]])
    assert queries.quiet_hours(cast.project, at(2026, 11, 23, 12, 30)) == at(2026, 11, 23, 13, 0)
    assert queries.quiet_hours(cast.project, at(2026, 11, 23, 21, 30)) is None
    assert queries.quiet_hours(cast.project, at(2026, 11, 24, 7, 0)) == at(2026, 11, 24, 7, 30)
