"""R-M17-05 warranty reminders (保修期满前一个月短信提醒) and the notify_owner ``not_before`` hold."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from apps.notify import reminders
from apps.notify.models import Delivery, DeliveryStatus
from apps.notify.tests.conftest import sh

pytestmark = pytest.mark.django_db


def _household(cast, room, warranty_end, owners=(("李明", "13812345678"),)):
    from apps.estates.models import Building, Household, Person, PersonKind

    b, _ = Building.objects.get_or_create(project=cast.project, name="5栋")
    hh = Household.objects.create(project=cast.project, building=b, room_no=room, warranty_end=warranty_end,
                                  label=Household.make_label("5栋", None, room))
    for name, phone in owners:
        Person.objects.create(project=cast.project, household=hh, name=name, phone=phone)
    Person.objects.create(project=cast.project, household=hh, name="租客", phone="13900001111",
                          kind=PersonKind.TENANT)
    return hh


def test_r_m17_05_reminder_date_is_one_calendar_month_before_the_end_clamped() -> None:
    assert reminders.warranty_reminder_date(dt.date(2026, 12, 15)) == dt.date(2026, 11, 15)
    assert reminders.warranty_reminder_date(dt.date(2026, 3, 31)) == dt.date(2026, 2, 28)  # T-08 clamp
    assert reminders.warranty_reminder_date(dt.date(2027, 1, 10)) == dt.date(2026, 12, 10)


def test_r_m17_05_all_owners_get_one_sms_at_the_first_allowed_time_of_that_day(cast) -> None:
    from apps.notify.models import QuietHoursPolicy

    QuietHoursPolicy.objects.create(project=cast.project, windows=[["12:00", "14:00"], ["21:00", "08:00"]],
                                    applies_to_sms=True)
    due = _household(cast, "1201", dt.date(2026, 12, 15), owners=(("李明", "13812345678"), ("王芳", "13812340000")))
    _household(cast, "1202", dt.date(2026, 12, 16))  # its reminder is tomorrow
    _household(cast, "1203", dt.date(2027, 6, 1))  # far away
    _household(cast, "1204", dt.date(2026, 12, 15), owners=(("赵强", ""),))  # no mobile number

    run_at = sh(2026, 11, 15, 0, 30)  # the job runs just after midnight
    result = reminders.queue_warranty_reminders(run_at)
    assert (result.queued, result.no_phone) == (2, 1)
    sms = list(Delivery.objects.filter(kind=reminders.WARRANTY_KIND).order_by("address"))
    assert [d.address for d in sms] == ["13812340000", "13812345678"]  # owners only, not the tenant
    assert {d.person.household_id for d in sms if d.person is not None} == {due.pk} and all(d.person for d in sms)
    for d in sms:
        assert d.status == DeliveryStatus.SCHEDULED and d.next_attempt_at == sh(2026, 11, 15, 8, 0)
        assert "2026年12月15日" in d.body and "保修期" in d.body

    again = reminders.queue_warranty_reminders(sh(2026, 11, 15, 9, 0))  # hourly re-runs queue nothing new
    assert again.queued == 0 and Delivery.objects.filter(kind=reminders.WARRANTY_KIND).count() == 2

    reminders.queue_warranty_reminders(sh(2026, 11, 16, 9, 0))  # next day: 1202's turn
    assert Delivery.objects.filter(kind=reminders.WARRANTY_KIND).count() == 3
    reminders.queue_warranty_reminders(sh(2026, 12, 15, 9, 0))  # on the end date: no more reminders
    assert Delivery.objects.filter(kind=reminders.WARRANTY_KIND).count() == 3


def test_r_m17_05_missed_day_is_caught_up_and_command_and_sweep_queue_it(cast) -> None:
    _household(cast, "1201", dt.date(2026, 12, 15))
    out = StringIO()
    call_command("notify_reminders", "--now", "2026-11-20T10:00+08:00", stdout=out)
    assert "warranty_queued=1" in out.getvalue()
    d = Delivery.objects.get(kind=reminders.WARRANTY_KIND)
    assert d.status == DeliveryStatus.QUEUED and d.next_attempt_at == sh(2026, 11, 20, 10, 0)  # allowed now
    call_command("run_sweeps", "--now", "2026-11-20T10:05+08:00", stdout=out)
    assert "warranty_queued=0" in out.getvalue()
    assert Delivery.objects.filter(kind=reminders.WARRANTY_KIND).count() == 1
