"""notify_staff (the contract), notify_owner with quiet hours (R-M17-01, P-21), deliver_due with
retries and backoff, call lists (R-M4-14)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail

from apps.notify import actions, channels, queries
from apps.notify.models import (
    Audience,
    Channel,
    ChannelConfig,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    QuietHoursPolicy,
    StaffChannelPreference,
)
from apps.notify.tests.conftest import sh

pytestmark = pytest.mark.django_db

NOW = sh(2026, 11, 23, 10)


def _notify(users, key="k1", now=NOW, **kw):
    kw.setdefault("kind", "deadline_warning")
    kw.setdefault("subject", "即将超时：YG-20261123-001 回复")
    kw.setdefault("body", "回复时限 2026-11-23 18:00")
    return actions.notify_staff(users, link="/tickets/1/", dedupe_key=key, now=now, **kw)


# ---------------------------------------------------------------- notify_staff


def test_notify_staff_creates_one_inbox_row_per_person(cast) -> None:
    created = _notify([cast.front_desk, cast.supervisor, cast.front_desk, None], project=cast.project)
    assert [n.recipient for n in created] == [cast.front_desk, cast.supervisor]  # duplicates and None dropped
    n = Notification.objects.get(recipient=cast.front_desk)
    assert (n.kind, n.link, n.project, n.created_at, n.read_at) == ("deadline_warning", "/tickets/1/", cast.project,
                                                                     NOW, None)


def test_same_dedupe_key_is_a_no_op_per_person(cast) -> None:
    """The sweep contract: a repeated dedupe_key for the same person creates nothing."""
    assert len(_notify([cast.front_desk], project=cast.project)) == 1
    assert _notify([cast.front_desk], project=cast.project) == []
    again = _notify([cast.front_desk, cast.supervisor], project=cast.project)  # a new person still gets it
    assert [n.recipient for n in again] == [cast.supervisor]
    assert Notification.objects.filter(dedupe_key="k1").count() == 2
    assert len(_notify([cast.front_desk], key=None)) == 1 and len(_notify([cast.front_desk], key=None)) == 1


def test_inactive_staff_get_nothing(cast) -> None:
    cast.worker.is_active = False
    cast.worker.save(update_fields=["is_active"])
    assert _notify([cast.worker]) == []


def test_deliveries_follow_the_staff_members_channels(cast) -> None:
    cast.front_desk.email = "desk@example.cn"
    cast.front_desk.phone = "13900000001"
    cast.front_desk.save(update_fields=["email", "phone"])
    cast.supervisor.email = "sup@example.cn"
    cast.supervisor.save(update_fields=["email"])
    StaffChannelPreference.objects.create(user=cast.front_desk, email=True, sms=True, sms_kinds="deadline_breach")
    StaffChannelPreference.objects.create(user=cast.supervisor, email=False, sms=True)  # no phone
    _notify([cast.front_desk, cast.supervisor], project=cast.project, kind="deadline_breach")
    rows = {(d.recipient_user.username if d.recipient_user else "", d.channel, d.address) for d in Delivery.objects.all()}
    assert rows == {(cast.front_desk.username, "email", "desk@example.cn"),
                    (cast.front_desk.username, "sms", "13900000001")}
    _notify([cast.front_desk], key="k2", project=cast.project, kind="deadline_warning")  # not in sms_kinds
    assert Delivery.objects.filter(channel="sms").count() == 1
    assert Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at=NOW).count() == 3


def test_r_m17_10_hot_complaint_notice_is_urgent_and_goes_by_sms(cast, settings) -> None:
    """R-M17-10: urgent internal notices (hot/major complaints) go in-app and by SMS, even to staff
    who did not choose SMS; ordinary notices do not. The list of urgent kinds is configuration."""
    cast.quality_inspector.phone = "13900000009"
    cast.quality_inspector.save(update_fields=["phone"])
    hot, = actions.notify_staff([cast.quality_inspector], kind="escalation_hot", subject="热点投诉：YG-001",
                                 body="同一事项一个月内3位业主投诉", project=cast.project, dedupe_key="hot", now=NOW)
    assert hot.urgent
    sms = Delivery.objects.get(channel="sms")
    assert (sms.address, sms.notification) == ("13900000009", hot)
    plain, = _notify([cast.quality_inspector], key="plain", project=cast.project)
    assert not plain.urgent and Delivery.objects.filter(channel="sms").count() == 1
    settings.LINLI_NOTIFY_URGENT_KINDS = {"deadline_breach"}
    breach, = _notify([cast.quality_inspector], key="breach", project=cast.project, kind="deadline_breach")
    assert breach.urgent and Delivery.objects.filter(channel="sms").count() == 2


def test_company_switch_turns_email_off(cast) -> None:
    cast.front_desk.email = "desk@example.cn"
    cast.front_desk.save(update_fields=["email"])
    ChannelConfig.objects.create(company=cast.company, channel=Channel.EMAIL, enabled=False)
    _notify([cast.front_desk], project=cast.project)
    assert not Delivery.objects.exists()
    ChannelConfig.objects.create(company=cast.company, project=cast.project, channel=Channel.EMAIL, enabled=True)
    _notify([cast.front_desk], key="k2", project=cast.project)  # the project row wins
    assert Delivery.objects.filter(channel="email").count() == 1


def test_work_groups_get_one_message_per_notice(cast) -> None:
    """WeCom/DingTalk group robots: one message per call (not per recipient), filtered by kind, deduped."""
    wecom = ChannelConfig.objects.create(company=cast.company, channel=Channel.WECOM, name="品质部群",
                                         webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
    ChannelConfig.objects.create(company=cast.company, project=cast.other_project, channel=Channel.DINGTALK,
                                 webhook_url="https://oapi.dingtalk.com/robot/send?access_token=y")
    ChannelConfig.objects.create(company=cast.company, channel=Channel.DINGTALK, kinds="escalation_major",
                                 webhook_url="https://oapi.dingtalk.com/robot/send?access_token=z")
    _notify([cast.front_desk, cast.supervisor], project=cast.project)
    _notify([cast.front_desk, cast.supervisor], project=cast.project)  # repeat: nothing
    group = Delivery.objects.get(audience=Audience.GROUP)
    assert (group.channel, group.config, group.address) == ("wecom", wecom, "品质部群")
    assert group.body.endswith("/tickets/1/")


# ---------------------------------------------------------------- owners and quiet hours


@pytest.mark.parametrize(("now", "expected"), [
    (sh(2026, 11, 23, 12, 30), sh(2026, 11, 23, 14)),   # lunch break
    (sh(2026, 11, 23, 21, 0), sh(2026, 11, 24, 8)),     # 21:00 → next morning
    (sh(2026, 11, 24, 6, 30), sh(2026, 11, 24, 8)),     # early morning, after midnight
])
def test_r_m17_01_p21_owner_sms_scheduled_for_next_allowed_moment(cast, owner, now, expected) -> None:
    """R-M17-01 / P-21: with SMS included in the project's policy, a message in a quiet window waits."""
    QuietHoursPolicy.objects.create(project=cast.project, applies_to_sms=True)
    d = actions.notify_owner(owner, project=cast.project, kind="warranty_reminder", body="您的房屋保修期将满", now=now)
    assert (d.status, d.scheduled_for, d.next_attempt_at) == (DeliveryStatus.SCHEDULED, expected, expected)
    assert (d.address, d.person, d.audience) == ("13812345678", owner, Audience.OWNER)


def test_r_m17_01_outside_windows_the_sms_is_queued_now(cast, owner) -> None:
    QuietHoursPolicy.objects.create(project=cast.project, applies_to_sms=True)
    d = actions.notify_owner(owner, project=cast.project, kind="notice", body="停水通知", now=NOW)
    assert (d.status, d.scheduled_for, d.next_attempt_at) == (DeliveryStatus.QUEUED, None, NOW)


def test_r_m17_01_emergency_overrides_quiet_hours(cast, owner) -> None:
    """R-M17-01: 'except in an emergency' — sent at once at 23:00."""
    QuietHoursPolicy.objects.create(project=cast.project, applies_to_sms=True)
    night = sh(2026, 11, 23, 23)
    d = actions.notify_owner(owner, project=cast.project, kind="leak", body="楼上漏水，请速回家", emergency=True, now=night)
    assert (d.status, d.next_attempt_at, d.emergency) == (DeliveryStatus.QUEUED, night, True)


def test_p21_default_policy_covers_calls_not_sms(cast, owner) -> None:
    """P-21 default: the rule covers phone calls only; SMS is an opt-in (interpretation)."""
    night = sh(2026, 11, 23, 22)
    d = actions.notify_owner("139-0000-1111", project=cast.project, kind="notice", body="明日停电", now=night)
    assert d.status == DeliveryStatus.QUEUED and d.person is None
    assert queries.next_contact_moment(cast.project, night) == sh(2026, 11, 24, 8)  # calls wait


def test_p21_quiet_hours_are_configured_per_project(cast, owner) -> None:
    """P-21 per project: 翠湖苑 keeps the defaults while 阳光花园 rests 12:00–13:30 and 20:00–09:00."""
    QuietHoursPolicy.objects.create(project=cast.project, windows=[["12:00", "13:30"], ["20:00", "09:00"]],
                                    applies_to_sms=True)
    assert queries.next_contact_moment(cast.project, sh(2026, 11, 23, 13, 40)) == sh(2026, 11, 23, 13, 40)
    assert queries.next_contact_moment(cast.other_project, sh(2026, 11, 23, 13, 40)) == sh(2026, 11, 23, 14)
    assert queries.next_contact_moment(cast.project, sh(2026, 11, 23, 20, 30)) == sh(2026, 11, 24, 9)
    assert queries.next_contact_moment(cast.other_project, sh(2026, 11, 23, 20, 30)) == sh(2026, 11, 23, 20, 30)
    d = actions.notify_owner(owner, project=cast.project, kind="n", body="b", now=sh(2026, 11, 24, 8, 30))
    assert d.scheduled_for == sh(2026, 11, 24, 9)


def test_policy_validation_refuses_bad_windows(cast) -> None:
    from django.core.exceptions import ValidationError

    for bad in ([["25:00", "08:00"]], [["08:00", "08:00"]], [["00:00", "12:00"], ["12:00", "00:00"]], ["x"]):
        with pytest.raises(ValidationError):
            QuietHoursPolicy(project=cast.project, windows=bad).full_clean()
    QuietHoursPolicy(project=cast.project).full_clean()


def test_notify_owner_refuses_bad_input(cast, owner) -> None:
    with pytest.raises(queries.NotifyError, match="手机号"):
        actions.notify_owner("", project=cast.project, kind="n", body="b", now=NOW)
    with pytest.raises(queries.NotifyError, match="不属于"):
        actions.notify_owner(owner, project=cast.other_project, kind="n", body="b", now=NOW)
    with pytest.raises(queries.NotifyError, match="内容"):
        actions.notify_owner(owner, project=cast.project, kind="n", body=" ", now=NOW)
    with pytest.raises(queries.NotifyError, match="短信"):
        actions.notify_owner(owner, project=cast.project, kind="n", body="b", now=NOW, channel="wecom")
    # e-mail is an owner channel now (R-M17-07), but only to an address in the archive
    with pytest.raises(queries.NotifyError, match="电子邮箱"):
        actions.notify_owner(owner, project=cast.project, kind="n", body="b", now=NOW, channel="email")
    assert not Delivery.objects.exists()


def test_notify_owner_dedupe_returns_the_existing_delivery(cast, owner) -> None:
    a = actions.notify_owner(owner, project=cast.project, kind="n", body="b", now=NOW, dedupe_key="warranty-1")
    b = actions.notify_owner(owner, project=cast.project, kind="n", body="b", now=NOW, dedupe_key="warranty-1")
    assert a.pk == b.pk and Delivery.objects.count() == 1


def test_r_m17_01_call_time_check(cast) -> None:
    """R-M17-01: logging a call in a quiet window is refused without an emergency reason."""
    assert queries.check_call_time(cast.project, NOW) is None
    with pytest.raises(queries.NotifyError) as err:
        queries.check_call_time(cast.project, sh(2026, 11, 23, 12, 10))
    assert "免打扰" in str(err.value) and err.value.fields == {"emergency_reason": [str(err.value)]}
    warning = queries.check_call_time(cast.project, sh(2026, 11, 23, 12, 10), emergency_reason="燃气泄漏")
    assert warning is not None and "14:00" in warning


def test_p21_project_may_turn_call_windows_off(cast) -> None:
    """P-21 is data: a project that switches the rule off for calls gets no warning."""
    QuietHoursPolicy.objects.create(project=cast.project, applies_to_calls=False)
    assert queries.call_warning(cast.project, sh(2026, 11, 23, 22)) is None
    assert queries.check_call_time(cast.project, sh(2026, 11, 23, 22)) is None
    assert (queries.call_warning(cast.other_project, sh(2026, 11, 23, 22)) or "").startswith("现在是免打扰时段（21:00–次日08:00）")


def test_r_m4_14_call_list_ordered_by_next_allowed_moment(cast) -> None:
    """R-M4-14 / R-M17-01: at 11:50 a call wanted after 12:00 moves to 14:00 and goes after the others;
    翠湖苑 with an evening-only policy can be called in its lunch time."""
    from types import SimpleNamespace as Item

    QuietHoursPolicy.objects.create(project=cast.other_project, windows=[["21:00", "08:00"]])
    now = sh(2026, 11, 23, 11, 50)
    a = Item(name="a", project=cast.project, after=sh(2026, 11, 23, 12, 30))
    b = Item(name="b", project=cast.project, after=None)
    c = Item(name="c", project=cast.other_project, after=sh(2026, 11, 23, 12, 30))
    d = Item(name="d", project=cast.project, after=sh(2026, 11, 23, 22, 0))
    slots = queries.order_call_list([a, b, c, d], now=now, not_before=lambda i: i.after)
    assert [(s.item.name, s.call_at.astimezone(sh(2026, 1, 1, 0).tzinfo).strftime("%d %H:%M"), s.deferred)
            for s in slots] == [("b", "23 11:50", False), ("c", "23 12:30", False), ("a", "23 14:00", True),
                                ("d", "24 08:00", True)]
    with pytest.raises(TypeError):
        queries.order_call_list([a])


# ---------------------------------------------------------------- delivery


def _email_delivery(cast, address="desk@example.cn", now=NOW):
    cast.front_desk.email = address
    cast.front_desk.save(update_fields=["email"])
    _notify([cast.front_desk], project=cast.project, now=now)
    return Delivery.objects.get(channel="email")


def test_deliver_due_sends_email_and_records_the_attempt(cast) -> None:
    d = _email_delivery(cast)
    result = actions.deliver_due(NOW + dt.timedelta(seconds=5))
    assert result.counts["sent"] == 1
    d.refresh_from_db()
    assert (d.status, d.attempts, d.sent_at, d.last_error) == (DeliveryStatus.SENT, 1, NOW + dt.timedelta(seconds=5),
                                                               "")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["desk@example.cn"]
    assert "/tickets/1/" in mail.outbox[0].body and mail.outbox[0].subject.startswith("即将超时")
    attempt = DeliveryAttempt.objects.get(delivery=d)
    assert (attempt.number, attempt.ok, attempt.error) == (1, True, "")
    assert actions.deliver_due(NOW + dt.timedelta(minutes=1)).total == 0  # idempotent: nothing twice
    assert len(mail.outbox) == 1


def test_failed_sends_are_retried_with_backoff_then_given_up(cast, settings, monkeypatch) -> None:
    """Every attempt and failure is recorded; retries wait 60 s, 120 s, 240 s …; after the last → failed."""
    settings.LINLI_NOTIFY_MAX_ATTEMPTS = 3
    d = _email_delivery(cast)

    def broken(self, message):
        raise channels.DeliveryError("SMTP 421 服务暂不可用")

    monkeypatch.setattr(channels.EmailBackend, "send", broken)
    assert actions.deliver_due(NOW).counts["retrying"] == 1
    d.refresh_from_db()
    assert (d.status, d.attempts, d.next_attempt_at) == (DeliveryStatus.RETRYING, 1, NOW + dt.timedelta(seconds=60))
    assert actions.deliver_due(NOW + dt.timedelta(seconds=59)).total == 0  # not yet
    actions.deliver_due(NOW + dt.timedelta(seconds=60))
    d.refresh_from_db()
    assert (d.attempts, d.next_attempt_at) == (2, NOW + dt.timedelta(seconds=60 + 120))
    actions.deliver_due(NOW + dt.timedelta(seconds=180))
    d.refresh_from_db()
    assert (d.status, d.attempts, d.next_attempt_at, d.last_error) == (DeliveryStatus.FAILED, 3, None,
                                                                       "SMTP 421 服务暂不可用")
    attempts = list(DeliveryAttempt.objects.filter(delivery=d).values_list("number", "ok", "retry_at"))
    assert attempts == [(1, False, NOW + dt.timedelta(seconds=60)), (2, False, NOW + dt.timedelta(seconds=180)),
                        (3, False, None)]
    assert actions.deliver_due(NOW + dt.timedelta(days=1)).total == 0
    assert actions.retry_now(d, now=NOW + dt.timedelta(days=1)) is True  # an administrator re-queues it
    monkeypatch.undo()
    actions.deliver_due(NOW + dt.timedelta(days=1))
    d.refresh_from_db()
    assert (d.status, d.attempts) == (DeliveryStatus.SENT, 4)


def test_backoff_is_capped(settings) -> None:
    settings.LINLI_NOTIFY_RETRY_BASE_SECONDS = 60
    settings.LINLI_NOTIFY_RETRY_MAX_SECONDS = 600
    assert [queries.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 9)] == [60, 120, 240, 480, 600, 600]


def test_permanent_errors_and_crashing_backends(cast, monkeypatch) -> None:
    d = _email_delivery(cast, address="not-an-address")
    actions.deliver_due(NOW)
    d.refresh_from_db()
    assert (d.status, d.attempts) == (DeliveryStatus.FAILED, 1) and "邮箱地址不正确" in d.last_error
    e = Delivery.objects.create(channel="sms", audience=Audience.STAFF, address="13900000000", kind="x", body="b",
                                created_at=NOW, next_attempt_at=NOW)

    def crash(self, message):
        raise RuntimeError("boom")

    monkeypatch.setattr(channels.ConsoleSMSBackend, "send", crash)
    actions.deliver_due(NOW)
    e.refresh_from_db()
    assert (e.status, e.last_error) == (DeliveryStatus.RETRYING, "RuntimeError: boom")


def test_r_m17_01_scheduled_owner_sms_waits_then_goes(cast, owner, settings, tmp_path) -> None:
    """R-M17-01: the scheduled message is not sent during the window and goes at 08:00 (through the
    file SMS backend chosen in settings.LINLI_NOTIFY_BACKENDS)."""
    settings.LINLI_NOTIFY_BACKENDS = {"sms": "apps.notify.channels.FileSMSBackend"}
    settings.LINLI_SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    QuietHoursPolicy.objects.create(project=cast.project, applies_to_sms=True)
    d = actions.notify_owner(owner, project=cast.project, kind="n", body="明早8点停水", now=sh(2026, 11, 23, 21, 30))
    assert actions.deliver_due(sh(2026, 11, 24, 7, 59)).total == 0
    assert actions.deliver_due(sh(2026, 11, 24, 8, 0)).counts["sent"] == 1
    d.refresh_from_db()
    assert d.sent_at == sh(2026, 11, 24, 8) and d.provider_ref == f"file:linli-{d.pk}"
    line = json.loads((tmp_path / "sms.jsonl").read_text(encoding="utf-8"))
    assert (line["to"], line["text"]) == ("13812345678", "明早8点停水")


def test_r_m17_01_policy_changed_after_queueing_holds_the_message(cast, owner) -> None:
    """A queued owner SMS due inside a window (the project opted in to SMS later) is rescheduled."""
    d = actions.notify_owner(owner, project=cast.project, kind="n", body="b", now=sh(2026, 11, 23, 12, 5))
    assert d.status == DeliveryStatus.QUEUED
    QuietHoursPolicy.objects.create(project=cast.project, applies_to_sms=True)
    assert actions.deliver_due(sh(2026, 11, 23, 12, 6)).counts["rescheduled"] == 1
    d.refresh_from_db()
    assert (d.status, d.next_attempt_at, d.attempts) == (DeliveryStatus.SCHEDULED, sh(2026, 11, 23, 14), 0)


def test_deliver_due_respects_limit_in_batches(cast) -> None:
    for i in range(7):
        Delivery.objects.create(channel="sms", audience=Audience.STAFF, address=f"1390000000{i}", kind="k",
                                body="b", created_at=NOW, next_attempt_at=NOW)
    assert actions.deliver_due(NOW, limit=5, batch=3).counts["sent"] == 5
    assert actions.deliver_due(NOW, batch=3).counts["sent"] == 2
    assert Delivery.objects.filter(status=DeliveryStatus.SENT, attempts=1).count() == 7


def test_expired_lease_is_taken_again(cast) -> None:
    """A worker that died while sending leaves its lease; after it expires another worker sends."""
    d = _email_delivery(cast)
    Delivery.objects.filter(pk=d.pk).update(status=DeliveryStatus.SENDING, attempts=1,
                                            lease_until=NOW + actions.LEASE)
    assert actions.deliver_due(NOW + dt.timedelta(minutes=1)).total == 0
    assert actions.deliver_due(NOW + actions.LEASE).counts["sent"] == 1
    d.refresh_from_db()
    assert d.attempts == 2 and list(d.attempt_log.values_list("number", flat=True)) == [2]


def test_mark_read_and_all(cast) -> None:
    a, = _notify([cast.front_desk], key="a")
    _notify([cast.front_desk], key="b")
    other, = _notify([cast.supervisor], key="c")
    assert queries.unread_count(cast.front_desk) == 2
    assert actions.mark_read(cast.front_desk, a.pk, now=NOW).read_at == NOW
    assert actions.mark_read(cast.front_desk, a.pk, now=NOW + dt.timedelta(hours=1)).read_at == NOW  # kept
    with pytest.raises(queries.NotifyError):
        actions.mark_read(cast.front_desk, other.pk, now=NOW)
    assert actions.mark_all_read(cast.front_desk, now=NOW) == 1
    assert queries.unread_count(cast.front_desk) == 0 and queries.unread_count(cast.supervisor) == 1
