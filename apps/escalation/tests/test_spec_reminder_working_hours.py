"""R-M17-11: deadline reminders respect the holder's working hours, except for urgent repairs and
hot or major complaints.

The sweep goes through the real ``apps.notify.actions.notify_staff`` here (no outbox stub): the
in-app notice appears at once, the email/SMS pushes are held (``scheduled``) until the next moment
inside the project's working hours on a working day, and ``deliver_due`` sends them then.
"""
from __future__ import annotations

import datetime as dt

import pytest

from apps.escalation import sweep
from apps.escalation.tests.conftest import make_complaint
from apps.notify.actions import deliver_due
from apps.notify.models import Delivery, DeliveryStatus, Notification
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db(transaction=True)


def sh(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture
def reachable(cast):
    """The holder (front desk) and the supervisor have an email address, so pushes are queued."""
    for user in (cast.front_desk, cast.supervisor):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return cast


def _deadline(ticket, *, warn_at: dt.datetime, due_at: dt.datetime):
    from apps.tickets.models import Deadline

    Deadline.objects.filter(ticket=ticket).delete()
    return Deadline.objects.create(ticket=ticket, stage="reply", start_at=ticket.received_at, due_at=due_at,
                                   warn_at=warn_at, rule="R-M2-05 测试时限", created_at=ticket.received_at)


def _pushes(kind: str):
    return Delivery.objects.filter(kind=kind, audience="staff").order_by("pk")


def test_r_m17_11_warning_at_22_00_is_pushed_next_working_morning(reachable) -> None:
    """A warning due at 22:00 on Monday: the inbox notice appears at 22:00, the email waits until
    Tuesday 09:00 (project hours 09:00–18:00) and is sent by the delivery run then, not before."""
    cast = reachable
    t = make_complaint(cast, "楼道灯坏了", sh(2026, 11, 2, 9))
    _deadline(t, warn_at=sh(2026, 11, 2, 22), due_at=sh(2026, 11, 3, 12))
    sweep.run_sweep(sh(2026, 11, 2, 22))

    notes = Notification.objects.filter(kind="deadline_warning")
    assert {n.recipient_id for n in notes} >= {cast.front_desk.pk, cast.supervisor.pk}
    assert all(n.created_at == sh(2026, 11, 2, 22) for n in notes)  # in-app at once
    pushes = list(_pushes("deadline_warning"))
    assert {p.address for p in pushes} == {"desk@example.com", "supervisor@example.com"}
    for p in pushes:
        assert p.status == DeliveryStatus.SCHEDULED
        assert p.next_attempt_at == sh(2026, 11, 3, 9) and p.scheduled_for == sh(2026, 11, 3, 9)

    assert deliver_due(sh(2026, 11, 3, 8, 59)).total == 0  # still night: nothing sent
    assert _pushes("deadline_warning").filter(status=DeliveryStatus.SENT).count() == 0
    deliver_due(sh(2026, 11, 3, 9))
    assert _pushes("deadline_warning").filter(status=DeliveryStatus.SENT).count() == 2


def test_r_m17_11_breach_on_friday_evening_waits_for_monday(reachable) -> None:
    """A breach notice at Friday 19:00 is pushed on Monday 09:00 (Saturday and Sunday are rest days)."""
    cast = reachable
    t = make_complaint(cast, "车库漏水", sh(2026, 11, 6, 9))
    _deadline(t, warn_at=sh(2026, 11, 6, 15), due_at=sh(2026, 11, 6, 19))
    sweep.run_sweep(sh(2026, 11, 6, 19))
    breach = _pushes("deadline_breach")
    assert breach.count() == 2
    assert {p.next_attempt_at for p in breach} == {sh(2026, 11, 9, 9)}
    assert deliver_due(sh(2026, 11, 8, 12)).counts["sent"] == 0  # Sunday noon
    deliver_due(sh(2026, 11, 9, 9))
    assert breach.filter(status=DeliveryStatus.SENT).count() == 2


def test_r_m17_11_breach_before_national_day_waits_until_after_the_holiday(reachable) -> None:
    """T-03 calendar: 2026-10-01…07 are statutory holidays, 2026-10-08 (Thursday) is the next
    working day — a breach at 20:00 on 30 September is pushed on 8 October at 09:00."""
    cast = reachable
    t = make_complaint(cast, "电梯异响", sh(2026, 9, 30, 9))
    _deadline(t, warn_at=sh(2026, 9, 30, 15), due_at=sh(2026, 9, 30, 20))
    sweep.run_sweep(sh(2026, 9, 30, 20))
    assert {p.next_attempt_at for p in _pushes("deadline_breach")} == {sh(2026, 10, 8, 9)}


def test_r_m17_11_lunch_break_is_outside_working_hours_when_the_project_has_one(reachable) -> None:
    """With a lunch break 12:00–13:30 a breach at 12:30 is pushed at 13:30; a project whose working
    hours have no lunch break pushes it at once."""
    cast = reachable
    t = make_complaint(cast, "垃圾未清运", sh(2026, 11, 3, 8))
    _deadline(t, warn_at=sh(2026, 11, 3, 11), due_at=sh(2026, 11, 3, 12, 30))
    sweep.run_sweep(sh(2026, 11, 3, 12, 30))
    assert {p.next_attempt_at for p in _pushes("deadline_breach")} == {sh(2026, 11, 3, 13, 30)}

    Delivery.objects.all().delete()
    cast.project.lunch_start = cast.project.lunch_end = None
    cast.project.save(update_fields=["lunch_start", "lunch_end"])
    t2 = make_complaint(cast, "绿化带杂草", sh(2026, 11, 4, 8))
    _deadline(t2, warn_at=sh(2026, 11, 4, 11), due_at=sh(2026, 11, 4, 12, 30))
    sweep.run_sweep(sh(2026, 11, 4, 12, 30))
    pushes = _pushes("deadline_breach")
    assert pushes.count() == 2
    assert {(p.status, p.next_attempt_at) for p in pushes} == {(DeliveryStatus.QUEUED, sh(2026, 11, 4, 12, 30))}


def test_r_m17_11_urgent_repair_is_pushed_at_once_at_night(reachable) -> None:
    """Exception: an urgent repair's reminder is not held by working hours."""
    cast = reachable
    t = make_complaint(cast, "水管爆裂，家里进水", sh(2026, 11, 2, 21), kind="repair", urgency="urgent")
    _deadline(t, warn_at=sh(2026, 11, 2, 22), due_at=sh(2026, 11, 2, 23))
    sweep.run_sweep(sh(2026, 11, 2, 22))
    pushes = _pushes("deadline_warning")
    assert pushes.count() == 2
    assert {(p.status, p.next_attempt_at) for p in pushes} == {(DeliveryStatus.QUEUED, sh(2026, 11, 2, 22))}
    deliver_due(sh(2026, 11, 2, 22))
    assert pushes.filter(status=DeliveryStatus.SENT).count() == 2


def test_r_m17_11_normal_repair_at_night_still_waits(reachable) -> None:
    """Only *urgent* repairs are exempt: an ordinary repair's reminder waits for the morning."""
    cast = reachable
    t = make_complaint(cast, "门铃不响", sh(2026, 11, 2, 20), kind="repair")
    _deadline(t, warn_at=sh(2026, 11, 2, 22), due_at=sh(2026, 11, 3, 11))
    sweep.run_sweep(sh(2026, 11, 2, 22))
    assert {p.next_attempt_at for p in _pushes("deadline_warning")} == {sh(2026, 11, 3, 9)}


@pytest.mark.parametrize("flags,level", [({"media_or_litigation_risk": True}, "hot"), ({"litigation": True}, "major")])
def test_r_m17_11_hot_and_major_complaints_are_pushed_at_once(reachable, flags, level) -> None:
    """Exception: a hot or major complaint's deadline breach goes out at 23:00 on a Saturday."""
    cast = reachable
    t = make_complaint(cast, "业主称要找媒体曝光并起诉", sh(2026, 11, 7, 10), **flags)
    t.refresh_from_db()
    assert t.escalation_level == level
    _deadline(t, warn_at=sh(2026, 11, 7, 20), due_at=sh(2026, 11, 7, 23))
    sweep.run_sweep(sh(2026, 11, 7, 23))
    pushes = _pushes("deadline_breach")
    assert pushes.count() == 2
    assert {(p.status, p.next_attempt_at) for p in pushes} == {(DeliveryStatus.QUEUED, sh(2026, 11, 7, 23))}


def test_r_m17_11_held_reminder_is_still_sent_once(reachable) -> None:
    """Idempotency unchanged: sweeping again (and again the next morning) neither adds an inbox
    notice nor a second push; the held push is sent exactly once."""
    cast = reachable
    t = make_complaint(cast, "楼道灯坏了", sh(2026, 11, 2, 9))
    _deadline(t, warn_at=sh(2026, 11, 2, 22), due_at=sh(2026, 11, 3, 12))
    for moment in (sh(2026, 11, 2, 22), sh(2026, 11, 2, 22, 5), sh(2026, 11, 3, 9, 1)):
        sweep.run_sweep(moment)
    assert Notification.objects.filter(kind="deadline_warning", recipient=cast.front_desk).count() == 1
    assert _pushes("deadline_warning").filter(address="desk@example.com").count() == 1
    deliver_due(sh(2026, 11, 3, 9, 2))
    deliver_due(sh(2026, 11, 3, 9, 3))
    sent = _pushes("deadline_warning").filter(address="desk@example.com").get()
    assert sent.status == DeliveryStatus.SENT and sent.attempts == 1
