"""Owner notices: R-M17-02 door codes ≥ 7 days ahead, R-M17-03 activities ≥ 3 days ahead after
approval, R-M17-06 festival greetings and weather alerts — one SMS per owner, quiet hours kept."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.notify import notices, queries
from apps.notify.models import Delivery, DeliveryStatus, NoticeKind, OwnerNotice
from apps.notify.tests.conftest import sh

pytestmark = pytest.mark.django_db

NOW = sh(2026, 11, 23, 10, 0)


@pytest.fixture
def owners(cast, owner):
    from apps.estates.models import Building, Household, Person, PersonKind

    b = Building.objects.create(project=cast.project, name="6栋")
    hh = Household.objects.create(project=cast.project, building=b, room_no="101", label=Household.make_label("6栋", None, "101"))
    Person.objects.create(project=cast.project, household=hh, name="王芳", phone="13800002222")
    Person.objects.create(project=cast.project, household=hh, name="无号码", phone="")
    Person.objects.create(project=cast.project, household=hh, name="租客", phone="13800003333", kind=PersonKind.TENANT)
    return owner, b


def test_r_m17_06_festival_greeting_goes_to_every_owner_once(cast, owners) -> None:
    n = notices.send_owner_notice(project=cast.project, kind=NoticeKind.FESTIVAL, body="阳光花园物业祝您元旦快乐！",
                                  acting_user=cast.front_desk, now=NOW)
    assert (n.recipients, n.no_phone) == (2, 1)
    sms = Delivery.objects.filter(kind="notice_festival")
    assert sorted(sms.values_list("address", flat=True)) == ["13800002222", "13812345678"]  # owners, not tenants
    assert all(d.status == DeliveryStatus.QUEUED and d.body == "阳光花园物业祝您元旦快乐！" for d in sms)


def test_r_m17_06_weather_alert_to_one_building_is_held_by_quiet_hours_when_sms_covered(cast, owners) -> None:
    from apps.notify.models import QuietHoursPolicy

    QuietHoursPolicy.objects.create(project=cast.project, applies_to_sms=True)
    _, building = owners
    n = notices.send_owner_notice(project=cast.project, kind=NoticeKind.WEATHER, building=building,
                                  body="明日有暴雨，请关好门窗", acting_user=cast.front_desk, now=sh(2026, 11, 23, 22, 0))
    assert n.recipients == 1
    d = Delivery.objects.get(kind="notice_weather")
    assert d.status == DeliveryStatus.SCHEDULED and d.next_attempt_at == sh(2026, 11, 24, 8, 0)


def test_r_m17_02_door_code_notice_at_least_seven_days_ahead(cast, owners) -> None:
    with pytest.raises(queries.NotifyError, match="至少提前7天") as err:
        notices.send_owner_notice(project=cast.project, kind=NoticeKind.DOOR_CODE, body="门禁密码将于12月1日更换",
                                  event_date=dt.date(2026, 11, 29), acting_user=cast.front_desk, now=NOW)
    assert err.value.fields == {"event_date": [str(err.value)]}
    with pytest.raises(queries.NotifyError, match="事项日期"):
        notices.send_owner_notice(project=cast.project, kind=NoticeKind.DOOR_CODE, body="门禁密码将更换",
                                  acting_user=cast.front_desk, now=NOW)
    assert not OwnerNotice.objects.exists() and not Delivery.objects.exists()
    ok = notices.send_owner_notice(project=cast.project, kind=NoticeKind.DOOR_CODE, body="门禁密码将于11月30日更换",
                                   event_date=dt.date(2026, 11, 30), acting_user=cast.front_desk, now=NOW)
    assert ok.recipients == 2 and ok.event_date == dt.date(2026, 11, 30)


def test_r_m17_03_activity_notice_three_days_ahead_and_only_after_approval(cast, owners) -> None:
    """R-M17-03 / R-M12-03: after the implementation plan is approved, at least 3 days ahead. A later
    notice still goes out, recorded as a nonconformity (short_notice); before approval it is refused."""
    args = {"project": cast.project, "kind": NoticeKind.ACTIVITY, "body": "周六社区亲子活动", "acting_user": cast.front_desk,
            "now": NOW}
    with pytest.raises(queries.NotifyError, match="审批") as err:
        notices.send_owner_notice(event_date=dt.date(2026, 11, 28), approved_on=dt.date(2026, 11, 20), **args)
    assert err.value.code == "approval_required"
    with pytest.raises(queries.NotifyError, match="批准日期") as err:
        notices.send_owner_notice(event_date=dt.date(2026, 11, 28), approval_ref="经理王某已批", **args)
    assert err.value.fields == {"approved_on": [str(err.value)]}
    with pytest.raises(queries.NotifyError, match="批准前不能通知") as err:
        notices.send_owner_notice(event_date=dt.date(2026, 11, 28), approval_ref="经理王某已批",
                                  approved_on=dt.date(2026, 11, 24), **args)
    assert (err.value.code, err.value.status) == ("not_yet_approved", 409)
    with pytest.raises(queries.NotifyError, match="已过") as err:
        notices.send_owner_notice(event_date=dt.date(2026, 11, 22), approval_ref="经理王某已批",
                                  approved_on=dt.date(2026, 11, 20), **args)
    assert not OwnerNotice.objects.exists() and not Delivery.objects.exists()
    late = notices.send_owner_notice(event_date=dt.date(2026, 11, 25), approval_ref="经理王某已批",
                                     approved_on=dt.date(2026, 11, 23), **args)
    assert late.short_notice is True and late.recipients == 2  # sent, recorded as a nonconformity
    n = notices.send_owner_notice(event_date=dt.date(2026, 11, 26), approval_ref="HD-2026-11 经理王某已批",
                                  approved_on=dt.date(2026, 11, 20), **args)
    assert n.approval_ref == "HD-2026-11 经理王某已批" and n.recipients == 2
    assert (n.approved_on, n.short_notice) == (dt.date(2026, 11, 20), False)


def test_r_m17_06_outsiders_cannot_send_and_admin_add_sends(cast, owners, client, django_user_model) -> None:
    with pytest.raises(queries.NotifyError, match="权限"):
        notices.send_owner_notice(project=cast.project, kind=NoticeKind.FESTIVAL, body="新年快乐",
                                  acting_user=cast.outsider, now=NOW)
    su = django_user_model.objects.create_superuser("noticeadmin", "n@example.com", "pw-123456")
    client.force_login(su)
    bad = client.post("/admin/notify/ownernotice/add/", {"project": cast.project.pk, "kind": "door_code",
                                                         "event_date": "2026-01-01", "body": "门禁更换"})
    assert bad.status_code == 200 and "至少提前7天" in bad.content.decode()
    r = client.post("/admin/notify/ownernotice/add/", {"project": cast.project.pk, "kind": "festival", "body": "新年快乐"})
    assert r.status_code == 302
    assert OwnerNotice.objects.get().recipients == 2 and Delivery.objects.filter(kind="notice_festival").count() == 2


def test_r_m17_07_monthly_fee_reminder_once_a_month(cast, owners) -> None:
    args = {"project": cast.project, "kind": NoticeKind.FEE, "acting_user": cast.front_desk,
            "body": "温馨提示：本月物业费请于月底前缴纳，可通过前台或线上缴费。"}
    n = notices.send_owner_notice(now=NOW, **args)
    assert n.recipients == 2 and Delivery.objects.filter(kind="notice_fee").count() == 2
    with pytest.raises(queries.NotifyError, match="每月只发一次") as err:
        notices.send_owner_notice(now=sh(2026, 11, 30, 9, 0), **args)
    assert err.value.status == 409
    _, building = owners
    assert notices.send_owner_notice(now=sh(2026, 11, 30, 9, 0), building=building, **args).recipients == 1
    assert notices.send_owner_notice(now=sh(2026, 12, 1, 9, 0), **args).recipients == 2  # next month
