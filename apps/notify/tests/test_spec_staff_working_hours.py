"""R-M17-11 in apps.notify: ``notify_staff(..., respect_working_hours=True / not_before=…)`` holds the
outgoing pushes (email, SMS, work groups) until the project's next working moment; the in-app
notice is created at once."""
from __future__ import annotations

import pytest

from apps.notify.actions import deliver_due, notify_staff
from apps.notify.models import Channel, ChannelConfig, Delivery, DeliveryStatus, Notification
from apps.notify.tests.conftest import sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(cast):
    cast.front_desk.email = "desk@example.com"
    cast.front_desk.save(update_fields=["email"])
    return cast.front_desk


def test_r_m17_11_notify_staff_holds_pushes_and_group_messages_until_working_hours(cast, desk, transport) -> None:
    ChannelConfig.objects.create(company=cast.company, channel=Channel.WECOM, name="客服群",
                                 webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    night = sh(2026, 11, 2, 22)
    notes = notify_staff([desk], kind="deadline_warning", subject="即将超时", body="b", project=cast.project,
                         now=night, respect_working_hours=True, dedupe_key="k1")
    assert len(notes) == 1 and Notification.objects.get().created_at == night
    rows = list(Delivery.objects.order_by("channel"))
    assert {r.channel for r in rows} == {Channel.EMAIL, Channel.WECOM}
    assert {(r.status, r.next_attempt_at, r.scheduled_for) for r in rows} == {
        (DeliveryStatus.SCHEDULED, sh(2026, 11, 3, 9), sh(2026, 11, 3, 9))}
    assert deliver_due(sh(2026, 11, 3, 6)).total == 0
    assert transport.calls == []
    deliver_due(sh(2026, 11, 3, 9))
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2 and len(transport.calls) == 1


def test_r_m17_11_default_and_explicit_not_before(cast, desk) -> None:
    """Without the flag nothing changes (queued now); ``not_before`` alone holds until that moment,
    and a moment in the past does not hold anything."""
    night = sh(2026, 11, 2, 22)
    notify_staff([desk], kind="a", subject="s", body="b", project=cast.project, now=night)
    assert Delivery.objects.get(kind="a").status == DeliveryStatus.QUEUED
    notify_staff([desk], kind="b", subject="s", body="b", project=cast.project, now=night,
                 not_before=sh(2026, 11, 3, 7))
    held = Delivery.objects.get(kind="b")
    assert (held.status, held.next_attempt_at) == (DeliveryStatus.SCHEDULED, sh(2026, 11, 3, 7))
    notify_staff([desk], kind="c", subject="s", body="b", project=cast.project, now=night,
                 not_before=sh(2026, 11, 2, 8))
    assert Delivery.objects.get(kind="c").next_attempt_at == night
    # the project's working hours win over an earlier not_before
    notify_staff([desk], kind="d", subject="s", body="b", project=cast.project, now=night,
                 not_before=sh(2026, 11, 3, 7), respect_working_hours=True)
    assert Delivery.objects.get(kind="d").next_attempt_at == sh(2026, 11, 3, 9)
