"""Notify wired to the rest of Linli: the escalation sweep and ticket actions land in the inbox;
``notify_deliver`` / ``run_sweeps`` / the Celery task send; concurrency on PostgreSQL."""
from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from apps.notify import actions, channels, tasks
from apps.notify.models import Channel, ChannelConfig, Delivery, DeliveryAttempt, DeliveryStatus, Notification
from apps.notify.tests.conftest import sh
from linli import clock

pytestmark = pytest.mark.django_db(transaction=True)

T0 = sh(2026, 11, 2, 10)


def _deadline(ticket, *, start, hours):
    from apps.tickets.models import Deadline

    Deadline.objects.filter(ticket=ticket).delete()
    due = start + dt.timedelta(hours=hours)
    return Deadline.objects.create(ticket=ticket, stage="reply", start_at=start, due_at=due,
                                   warn_at=start + (due - start) * 0.75, rule="R-M2-05 测试时限", created_at=start)


def test_escalation_sweep_notices_land_in_the_inbox_once(cast) -> None:
    """Issue 5 item 5/6: run_sweeps twice → one deadline warning per person in the inbox, and the
    email to the receiver is sent by the same command."""
    from apps.escalation.tests.conftest import make_complaint

    cast.front_desk.email = "desk@example.cn"
    cast.front_desk.save(update_fields=["email"])
    t = make_complaint(cast, "门禁坏了", T0)
    d = _deadline(t, start=T0, hours=8)
    out = StringIO()
    call_command("run_sweeps", "--now", "2026-11-02T16:00+08:00", stdout=out)
    call_command("run_sweeps", "--now", "2026-11-02T16:01+08:00", stdout=out)
    warnings = Notification.objects.filter(kind="deadline_warning")
    assert warnings.filter(recipient=cast.front_desk).count() == 1
    assert set(warnings.values_list("dedupe_key", flat=True)) == {f"deadline-warn:{d.pk}"}
    first = warnings.first()
    assert first is not None and first.link == f"/tickets/{t.pk}/"
    email = Delivery.objects.get(channel="email", notification__kind="deadline_warning")
    assert email.status == DeliveryStatus.SENT and "sent=1" in out.getvalue()


def test_ticket_dispatch_notice_arrives_after_commit(cast) -> None:
    """apps.tickets.actions._notify (on commit) → the assignee's inbox."""
    from apps.escalation.tests.conftest import make_complaint
    from apps.tickets.actions import dispatch_ticket

    t = make_complaint(cast, "楼道灯不亮", T0)
    with clock.frozen(T0 + dt.timedelta(minutes=5)):
        dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk,
                        now=T0 + dt.timedelta(minutes=5))
    n = Notification.objects.get(recipient=cast.worker, kind="ticket_dispatched")
    assert n.subject.startswith("新派工单") and n.project == cast.project and n.link == f"/tickets/{t.pk}/"


def test_notify_deliver_command_and_celery_task(cast, transport) -> None:
    ChannelConfig.objects.create(company=cast.company, channel=Channel.WECOM, name="客服群",
                                 webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K")
    actions.notify_staff([cast.supervisor], kind="escalation_hot", subject="热点投诉", body="YG-001 已升级为热点投诉",
                          project=cast.project, dedupe_key="hot-1", now=T0)
    transport.answers = [channels.HttpResult(500, None)]
    out = StringIO()
    call_command("notify_deliver", "--now", "2026-11-02T10:00", stdout=out)
    assert "retrying=1" in out.getvalue()
    with clock.frozen(T0 + dt.timedelta(minutes=1)):
        tasks.deliver_due_task()
    d = Delivery.objects.get(channel="wecom")
    assert (d.status, d.attempts) == (DeliveryStatus.SENT, 2)
    assert transport.calls[1]["payload"]["text"]["content"] == "热点投诉\nYG-001 已升级为热点投诉"
    with pytest.raises(CommandError):
        call_command("notify_deliver", "--now", "yesterday")


def test_company_config_chooses_the_sms_backend(cast, owner, tmp_path, settings) -> None:
    settings.LINLI_SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    ChannelConfig.objects.create(company=cast.company, channel=Channel.SMS,
                                 backend="apps.notify.channels.FileSMSBackend")
    actions.notify_owner(owner, project=cast.project, kind="n", body="您好", now=T0)
    actions.deliver_due(T0)
    assert "13812345678" in (tmp_path / "sms.jsonl").read_text(encoding="utf-8")


def test_celery_beat_entry_registered(settings) -> None:
    from django.conf import settings as live

    assert live.CELERY_BEAT_SCHEDULE["every-30s-notify-deliver-due"]["task"] == "apps.notify.tasks.deliver_due"


@pytest.mark.postgres
def test_concurrent_notify_staff_with_one_key_creates_one_row(cast, require_postgres) -> None:
    """Two sweeps notifying the same person with the same dedupe_key at once (threads, separate
    PostgreSQL connections): one inbox row, one email."""
    cast.front_desk.email = "desk@example.cn"
    cast.front_desk.save(update_fields=["email"])
    barrier = threading.Barrier(4)
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(len(actions.notify_staff([cast.front_desk, cast.supervisor], kind="deadline_breach",
                                                     subject="已超时", body="b", project=cast.project,
                                                     dedupe_key="deadline-breach:1", now=T0)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sum(results) == 2
    assert Notification.objects.filter(dedupe_key="deadline-breach:1").count() == 2
    assert Delivery.objects.filter(channel="email").count() == 1


@pytest.mark.postgres
def test_concurrent_workers_send_each_delivery_once(cast, transport, require_postgres) -> None:
    """deliver_due in three workers at once (SELECT … FOR UPDATE SKIP LOCKED + compare-and-set):
    every delivery is sent exactly once."""
    for i in range(30):
        Delivery.objects.create(channel="wecom", audience="group", address="群", kind="k", body=f"消息 {i}",
                                created_at=T0, next_attempt_at=T0)
    ChannelConfig.objects.create(company=cast.company, channel=Channel.WECOM, webhook_url="https://robot/x")
    Delivery.objects.update(config=ChannelConfig.objects.get())
    barrier = threading.Barrier(3)
    lock = threading.Lock()
    real = transport.__call__

    def slow_safe(url, payload, **kw):
        with lock:
            return real(url, payload, **kw)

    channels.post_json = slow_safe  # restored by the transport fixture's monkeypatch

    def worker() -> None:
        try:
            barrier.wait()
            actions.deliver_due(T0)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(transport.calls) == 30
    assert sorted(c["payload"]["text"]["content"] for c in transport.calls) == sorted(f"消息 {i}" for i in range(30))
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 30
    assert DeliveryAttempt.objects.count() == 30
