"""SPEC §5 acceptance scenarios of the notify app, with the scenarios' exact data: AS-20 quiet hours
for return-visit calls (R-M17-01, P-21), AS-31 the activity notice (R-M17-03, R-M12-03) and AS-37 the
warranty reminder (R-M17-05, T-08). Times are Asia/Shanghai; policies at their defaults."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.notify import notices, queries, quiet_hours, reminders
from apps.notify.models import Delivery, DeliveryStatus, NoticeKind, OwnerNotice
from apps.notify.tests.conftest import sh

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ AS-20 (R-M17-01, P-21)

VERIFIED_AT = sh(2026, 4, 3, 21, 30)  # Friday evening


def test_as_20_call_planned_after_a_late_verification_waits_for_08_00(cast) -> None:
    """AS-20: a ticket verified on Fri 2026-04-03 21:30. A return-visit call planned at 2026-04-03
    21:45 → warning; it can be saved only as an emergency; the next allowed time proposed is
    2026-04-04 08:00."""
    from apps.tickets.tests.helpers import receive, to_verified

    ticket = receive(cast, now=sh(2026, 4, 3, 9, 0))
    to_verified(cast, ticket, VERIFIED_AT)
    assert ticket.status == "verified"
    # the return-visit call list proposes the first allowed moment after the verification
    (slot,) = queries.order_call_list([ticket], now=VERIFIED_AT)
    assert slot.item == ticket and slot.deferred and slot.call_at == sh(2026, 4, 4, 8, 0)

    planned = sh(2026, 4, 3, 21, 45)
    assert queries.next_contact_moment(cast.project, planned) == sh(2026, 4, 4, 8, 0)
    warning = queries.call_warning(cast.project, planned)
    assert warning == "现在是免打扰时段（21:00–次日08:00），建议 04-04 08:00 以后再致电业主"
    with pytest.raises(queries.NotifyError) as err:
        queries.check_call_time(cast.project, planned)  # not an emergency: refused
    assert err.value.code == "quiet_hours" and "04-04 08:00" in str(err.value)
    assert err.value.fields == {"emergency_reason": [str(err.value)]}
    with pytest.raises(queries.NotifyError):
        queries.check_call_time(cast.project, planned, emergency_reason="   ")  # a blank reason is none
    # saved as an emergency: the warning is kept with the record
    assert queries.check_call_time(cast.project, planned, emergency_reason="业主家中漏水需立即联系") == warning
    assert queries.next_contact_moment(cast.project, planned, emergency=True) == planned


def test_as_20_lunch_break_call_is_blocked_until_14_00(cast) -> None:
    """AS-20: a call planned at 2026-04-04 12:30 → blocked; the next allowed time is 14:00."""
    planned = sh(2026, 4, 4, 12, 30)
    assert queries.next_contact_moment(cast.project, planned) == sh(2026, 4, 4, 14, 0)
    with pytest.raises(queries.NotifyError) as err:
        queries.check_call_time(cast.project, planned)
    assert "12:00–14:00" in str(err.value) and "04-04 14:00" in str(err.value)


@pytest.mark.parametrize(("hh", "mm", "quiet"), [
    (7, 59, True), (8, 0, False), (11, 59, False), (12, 0, True), (13, 59, True), (14, 0, False),
    (20, 59, False), (21, 0, True),
])
def test_as_20_boundaries_of_the_windows(cast, hh: int, mm: int, quiet: bool) -> None:
    """AS-20 boundaries: 07:59 blocked, 08:00 allowed, 11:59 allowed, 12:00 blocked, 13:59 blocked,
    14:00 allowed, 20:59 allowed, 21:00 blocked. The windows are [12:00, 14:00) and [21:00, 08:00)."""
    moment = sh(2026, 4, 4, hh, mm)
    policy = queries.policy_for(cast.project)
    assert quiet_hours.dump_windows(policy.windows) == [["12:00", "14:00"], ["21:00", "08:00"]]
    assert quiet_hours.in_quiet_hours(moment, policy.windows, policy.tz) is quiet
    if quiet:
        with pytest.raises(queries.NotifyError):
            queries.check_call_time(cast.project, moment)
        assert queries.next_contact_moment(cast.project, moment) > moment
    else:
        assert queries.check_call_time(cast.project, moment) is None
        assert queries.next_contact_moment(cast.project, moment) == moment


def test_as_20_holidays_are_not_quiet_days_by_themselves(cast) -> None:
    """AS-20: holidays are not quiet days by themselves — 2026-04-04 … 04-06 are the 清明 holidays, yet
    10:00 and 16:00 on them are allowed call times."""
    from apps.workdays.queries import calendar_for

    cal = calendar_for(cast.project)
    for day in (dt.date(2026, 4, 4), dt.date(2026, 4, 5), dt.date(2026, 4, 6)):
        assert not cal.is_working_day(day)
        for hh in (10, 16):
            moment = sh(day.year, day.month, day.day, hh)
            assert queries.check_call_time(cast.project, moment) is None
            assert queries.next_contact_moment(cast.project, moment) == moment


# ------------------------------------------------------------------ AS-31 (R-M17-03, R-M12-03)

ACTIVITY_DAY = dt.date(2025, 10, 1)  # Wednesday
APPROVED_ON = dt.date(2025, 9, 26)
APPROVAL = "实施方案 HD-2025-09 经理王某批准"


def _activity(cast, now, approval_ref=APPROVAL, approved_on=APPROVED_ON):
    return notices.send_owner_notice(project=cast.project, kind=NoticeKind.ACTIVITY, body="10月1日国庆游园活动",
                                     event_date=ACTIVITY_DAY, approval_ref=approval_ref, approved_on=approved_on,
                                     acting_user=cast.front_desk, now=now)


def test_as_31_activity_notice_published_three_days_ahead_is_compliant(cast, owner) -> None:
    """AS-31: an activity on Wed 2025-10-01, implementation plan approved on 2025-09-26; the notice
    published 2025-09-28 → compliant (3 days)."""
    n = _activity(cast, sh(2025, 9, 28, 10, 0))
    assert (n.event_date, n.approved_on, n.approval_ref, n.recipients) == (ACTIVITY_DAY, APPROVED_ON, APPROVAL, 1)
    assert n.short_notice is False
    assert Delivery.objects.get(kind="notice_activity").body == "10月1日国庆游园活动"
    # the last minute of 09-28 is still 3 calendar days ahead (T-07: dates, not hours)
    assert _activity(cast, sh(2025, 9, 28, 23, 59)).short_notice is False


def test_as_31_activity_notice_published_two_days_ahead_is_a_nonconformity(cast, owner) -> None:
    """AS-31: published 2025-09-29 → nonconformity (R-M12-03). The owners are still told; the notice is
    recorded as short notice and can be listed as such."""
    n = _activity(cast, sh(2025, 9, 29, 9, 0))
    assert n.short_notice is True and n.recipients == 1
    assert Delivery.objects.filter(kind="notice_activity").count() == 1
    assert list(OwnerNotice.objects.filter(short_notice=True)) == [n]


def test_as_31_activity_notice_before_the_plan_is_approved_is_refused(cast, owner) -> None:
    """AS-31: publishing before the plan is approved → refused: on 2025-09-25, a day before the
    approval of 2025-09-26, or with no approval recorded at all. Nothing is written or sent."""
    with pytest.raises(queries.NotifyError) as err:
        _activity(cast, sh(2025, 9, 25, 10, 0))
    assert (err.value.code, err.value.status) == ("not_yet_approved", 409)
    assert "2025-09-26" in str(err.value) and err.value.fields == {"approved_on": [str(err.value)]}
    with pytest.raises(queries.NotifyError) as err:
        _activity(cast, sh(2025, 9, 28, 10, 0), approval_ref="  ")
    assert err.value.code == "approval_required" and err.value.fields == {"approval_ref": [str(err.value)]}
    with pytest.raises(queries.NotifyError) as err:
        _activity(cast, sh(2025, 9, 28, 10, 0), approved_on=None)
    assert err.value.code == "approval_required" and "approved_on" in err.value.fields
    assert not OwnerNotice.objects.exists() and not Delivery.objects.exists()
    # approved on the day it is published is allowed
    assert _activity(cast, sh(2025, 9, 26, 16, 0)).recipients == 1


def test_as_31_admin_add_page_records_the_approval_date_and_the_nonconformity(cast, owner, client,
                                                                               django_user_model) -> None:
    """AS-31 through the admin add page (the clock at 2025-09-29 09:00): without the plan's approval
    date the form is refused; with it (2025-09-26) the notice is sent and flagged as short notice."""
    from linli import clock

    su = django_user_model.objects.create_superuser("as31admin", "a@example.com", "pw-123456")
    client.force_login(su)
    form = {"project": cast.project.pk, "kind": "activity", "event_date": "2025-10-01", "approval_ref": APPROVAL,
            "body": "10月1日国庆游园活动"}
    with clock.frozen(sh(2025, 9, 29, 9, 0)):
        bad = client.post("/admin/notify/ownernotice/add/", form)
        assert bad.status_code == 200 and "请填写活动实施方案的批准日期" in bad.content.decode()
        assert not OwnerNotice.objects.exists()
        ok = client.post("/admin/notify/ownernotice/add/", {**form, "approved_on": "2025-09-26"})
    assert ok.status_code == 302
    n = OwnerNotice.objects.get()
    assert (n.approved_on, n.short_notice, n.recipients) == (APPROVED_ON, True, 1)


# ------------------------------------------------------------------ AS-37 (R-M17-05, T-08)


def _household(cast, room, warranty_end):
    from apps.estates.models import Building, Household, Person

    b, _ = Building.objects.get_or_create(project=cast.project, name="8栋")
    hh = Household.objects.create(project=cast.project, building=b, room_no=room, warranty_end=warranty_end,
                                  label=Household.make_label("8栋", None, room))
    Person.objects.create(project=cast.project, household=hh, name=f"业主{room}", phone=f"1381234{room}")
    return hh


@pytest.mark.parametrize(("end", "reminder_day"), [
    (dt.date(2026, 6, 30), dt.date(2026, 5, 30)),
    (dt.date(2026, 3, 31), dt.date(2026, 2, 28)),  # T-08: no 31 February → clamped to the 28th
])
def test_as_37_warranty_reminder_queued_one_month_before_the_end(cast, end: dt.date, reminder_day: dt.date) -> None:
    """AS-37: warranty end 2026-06-30 → the SMS batch is queued for 2026-05-30; warranty end 2026-03-31
    → queued for 2026-02-28 (clamped)."""
    hh = _household(cast, "1201", end)
    assert reminders.warranty_reminder_date(end) == reminder_day
    day_before = reminder_day - dt.timedelta(days=1)
    assert reminders.queue_warranty_reminders(sh(day_before.year, day_before.month, day_before.day, 23, 30)).queued == 0
    assert not Delivery.objects.exists()
    result = reminders.queue_warranty_reminders(sh(reminder_day.year, reminder_day.month, reminder_day.day, 0, 30))
    assert result.queued == 1
    d = Delivery.objects.get(kind=reminders.WARRANTY_KIND)
    assert d.person is not None and d.next_attempt_at is not None
    assert d.person.household == hh and f"{end.year}年{end.month}月{end.day}日" in d.body
    # queued for that day, at its first moment outside the quiet windows (P-21)
    assert d.next_attempt_at.astimezone(cast.project.tz).date() == reminder_day
    assert d.next_attempt_at == sh(reminder_day.year, reminder_day.month, reminder_day.day, 8, 0)
    assert d.status in (DeliveryStatus.QUEUED, DeliveryStatus.SCHEDULED)
    # re-runs the same day queue nothing new
    assert reminders.queue_warranty_reminders(sh(reminder_day.year, reminder_day.month, reminder_day.day, 9)).queued == 0
    assert Delivery.objects.filter(kind=reminders.WARRANTY_KIND).count() == 1
