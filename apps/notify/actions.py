"""Notification writes (SPEC M17, issue 5 item 6).

- :func:`notify_staff` — the contract other apps call: one inbox row per staff member, outgoing
  deliveries on their enabled channels and the project's work groups; a repeated ``dedupe_key`` for
  the same person is a no-op (unique constraint, safe when two sweeps run at once).
- :func:`notify_owner` — a message to an owner, held back to the next allowed moment by the
  project's quiet hours (R-M17-01, P-21) unless it is an emergency.
- :func:`deliver_due` — sends what is due, records every attempt, retries with backoff. Claims each
  row with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) and a compare-and-set update, so two
  workers never send one message twice.
- :func:`mark_read` / :func:`mark_all_read` — the inbox.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q

from apps.notify import channels
from apps.notify.models import (
    GROUP_CHANNELS,
    PENDING_STATUSES,
    Audience,
    Channel,
    ChannelConfig,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    OwnerSmsOptOut,
    StaffChannelPreference,
)
from apps.notify.owner_topics import TOPIC_CODES, topic_of
from apps.notify.queries import (
    NotifyError,
    QuietPolicy,
    max_attempts,
    next_contact_moment,
    next_working_moment,
    policy_for,
    retry_delay,
    urgent_kinds,
)
from apps.org.access import has_cap
from apps.org.models import Project
from apps.org.roles import Cap

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)  # a claimed batch must be sent (or recorded) within this


# ================================================================ staff notices (contract)


def _channel_configs(project: Project | None) -> list[ChannelConfig]:
    if project is None:
        return []
    return list(ChannelConfig.objects.filter(company_id=project.company_id)
                .filter(Q(project=None) | Q(project=project)).order_by("-project_id", "pk"))


def _channel_switch(configs: Sequence[ChannelConfig], channel: str) -> ChannelConfig | None:
    """The email/SMS config row that applies (project row before the company row)."""
    rows = [c for c in configs if c.channel == channel]
    rows.sort(key=lambda c: c.project_id is None)
    return rows[0] if rows else None


def _staff_channels(user: Any, kind: str, configs: Sequence[ChannelConfig],
                    pref: StaffChannelPreference | None, *, urgent: bool = False) -> list[tuple[str, str]]:
    pref = pref or StaffChannelPreference(user=user)
    wanted: list[tuple[str, str]] = []
    email_conf = _channel_switch(configs, Channel.EMAIL)
    if pref.email and user.email and (email_conf is None or email_conf.enabled):
        wanted.append((Channel.EMAIL, user.email))
    sms_conf = _channel_switch(configs, Channel.SMS)
    sms_kinds = [k.strip() for k in pref.sms_kinds.split(",") if k.strip()]
    wants_sms = urgent or (pref.sms and (not sms_kinds or kind in sms_kinds))
    phone: str = getattr(user, "phone", "")
    if wants_sms and phone and (sms_conf is None or sms_conf.enabled):
        wanted.append((Channel.SMS, user.phone))
    return wanted


def notify_staff(users: Iterable[Any], *, kind: str, subject: str, body: str, link: str = "",
                 project: Project | None = None, dedupe_key: str | None = None,
                 now: dt.datetime, urgent: bool | None = None, not_before: dt.datetime | None = None,
                 respect_working_hours: bool = False) -> list[Notification]:
    """One in-app notice per staff member, plus deliveries on their enabled channels and one message
    per matching work group (WeCom/DingTalk). With ``dedupe_key``, a person who already has a
    notice with that key gets nothing (the unique constraint decides, so concurrent sweeps on
    PostgreSQL create one row). Returns the notices created by this call.

    ``urgent`` (default: the kind is in ``LINLI_NOTIFY_URGENT_KINDS``) marks an urgent internal
    notice (R-M17-10): it also goes by SMS to each recipient with a mobile number.

    ``not_before`` holds the outgoing deliveries (email, SMS, work groups — the pushes that disturb
    a person) until that moment; ``respect_working_hours`` (needs ``project``) holds them until the
    next moment inside the project's working hours on a working day (R-M17-11). Held deliveries
    are ``scheduled`` with ``scheduled_for``/``next_attempt_at`` at that moment. The in-app inbox
    notice is created at once either way: it disturbs nobody and is read when the person opens Linli."""
    if urgent is None:
        urgent = kind in urgent_kinds()
    send_at = now if not_before is None else max(now, not_before)
    if respect_working_hours and project is not None:
        send_at = max(send_at, next_working_moment(project, send_at))
    held = send_at > now
    timing: dict[str, Any] = {"next_attempt_at": send_at, "scheduled_for": send_at if held else None,
                              "status": DeliveryStatus.SCHEDULED if held else DeliveryStatus.QUEUED}
    people: dict[int, Any] = {}
    for user in users:
        if user is not None and getattr(user, "is_active", True) and user.pk not in people:
            people[user.pk] = user
    subject, link = subject[:200], link[:300]
    configs = _channel_configs(project)
    prefs = {p.user_id: p for p in StaffChannelPreference.objects.filter(user_id__in=list(people))}
    created: list[Notification] = []
    for user in people.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(recipient=user, project=project, kind=kind[:50], subject=subject,
                                                   body=body, link=link, created_at=now, dedupe_key=dedupe_key,
                                                   urgent=urgent)
                for channel, address in _staff_channels(user, kind, configs, prefs.get(user.pk), urgent=urgent):
                    Delivery.objects.create(channel=channel, audience=Audience.STAFF, notification=note,
                                            recipient_user=user, address=address[:300], project=project,
                                            kind=kind[:50], subject=subject, body=body, created_at=now,
                                            **timing)
        except IntegrityError:
            if dedupe_key is None:
                raise
            continue  # already notified under this key
        created.append(note)
    if created:
        _queue_groups(configs, kind=kind, subject=subject, body=body, link=link, project=project,
                      dedupe_key=dedupe_key, now=now, timing=timing)
    return created


def _queue_groups(configs: Sequence[ChannelConfig], *, kind: str, subject: str, body: str, link: str,
                  project: Project | None, dedupe_key: str | None, now: dt.datetime,
                  timing: dict[str, Any]) -> None:
    for conf in configs:
        if conf.channel not in GROUP_CHANNELS or not conf.enabled or not conf.webhook_url or not conf.wants(kind):
            continue
        text = f"{body}\n{channels.absolute_link(link)}" if link else body
        try:
            with transaction.atomic():
                Delivery.objects.create(channel=conf.channel, audience=Audience.GROUP, config=conf,
                                        address=(conf.name or conf.get_channel_display())[:300], project=project,
                                        kind=kind[:50], subject=subject, body=text, created_at=now, **timing,
                                        dedupe_key=f"group:{conf.pk}:{dedupe_key}"[:250] if dedupe_key else None)
        except IntegrityError:
            continue


# ================================================================ owner messages


def _owner_phone(person_or_phone: Any, project: Project) -> tuple[str, Any]:
    if isinstance(person_or_phone, str):
        phone = person_or_phone.strip()
        person = None
    else:
        person = person_or_phone
        if getattr(person, "project_id", project.pk) != project.pk:
            raise NotifyError("业主/住户不属于该项目", code="wrong_project", field="person")
        phone = (getattr(person, "phone", "") or getattr(person, "phone2", "") or "").strip()
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 5:
        raise NotifyError("没有可用的手机号码", code="no_phone", field="phone")
    return phone, person


def notify_owner(person_or_phone: Any, *, project: Project, kind: str, body: str, emergency: bool = False,
                 now: dt.datetime, channel: str = Channel.SMS, subject: str = "",
                 dedupe_key: str | None = None, not_before: dt.datetime | None = None) -> Delivery:
    """Queue a message to an owner or resident (a Person or a phone number).

    Unless ``emergency``, a message on a channel the project's quiet-hours policy covers is
    scheduled for the next allowed moment (R-M17-01, P-21); SMS is covered only when the project
    opted in. A repeated ``dedupe_key`` returns the existing delivery. ``not_before`` holds the
    message until that moment (e.g. the first allowed sending time of the day, R-M17-05).
    """
    if channel not in (Channel.SMS, Channel.EMAIL, Channel.FAX):
        raise NotifyError("业主消息只支持短信、邮件和传真", code="unsupported_channel", field="channel")
    if not body.strip():
        raise NotifyError("消息内容不能为空", field="body")
    if channel != Channel.SMS:
        return _owner_letter(person_or_phone, project=project, kind=kind, body=body, now=now, channel=channel,
                             subject=subject, dedupe_key=dedupe_key, not_before=not_before)
    phone, person = _owner_phone(person_or_phone, project)
    topic = None if emergency else topic_of(kind)
    if topic is not None and OwnerSmsOptOut.objects.filter(phone=phone, topic=topic).exists():
        # the owner switched this kind of SMS off (issue 19 item 6): kept in the log, never sent
        try:
            with transaction.atomic():
                return Delivery.objects.create(
                    channel=channel, audience=Audience.OWNER, person=person, address=phone[:300], project=project,
                    kind=kind[:50], subject=subject[:200], body=body, created_at=now, status=DeliveryStatus.SKIPPED,
                    last_error="业主已关闭此类短信", dedupe_key=dedupe_key)
        except IntegrityError:
            existing = Delivery.objects.filter(dedupe_key=dedupe_key).first() if dedupe_key else None
            if existing is None:
                raise
            return existing
    start = max(now, not_before) if not_before is not None else now
    send_at = next_contact_moment(project, start, channel=channel, emergency=emergency)
    scheduled = send_at > now
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                channel=channel, audience=Audience.OWNER, person=person, address=phone[:300], project=project,
                kind=kind[:50], subject=subject[:200], body=body, emergency=emergency, created_at=now,
                scheduled_for=send_at if scheduled else None, next_attempt_at=send_at,
                status=DeliveryStatus.SCHEDULED if scheduled else DeliveryStatus.QUEUED, dedupe_key=dedupe_key)
    except IntegrityError:
        existing = Delivery.objects.filter(dedupe_key=dedupe_key).first() if dedupe_key else None
        if existing is None:
            raise
        return existing


def _owner_letter(person: Any, *, project: Project, kind: str, body: str, now: dt.datetime, channel: str,
                  subject: str, dedupe_key: str | None, not_before: dt.datetime | None) -> Delivery:
    """An owner message by e-mail or fax (R-M17-07: the monthly fee reminder goes by e-mail, SMS or fax).

    E-mail is queued for the e-mail backend like any delivery. No fax gateway exists: a fax is recorded
    in the delivery log as ``manual`` — the front desk's to-do — and is marked sent by the person who
    faxed it (:func:`record_fax_sent`). The owner's SMS topic switches cover SMS only."""
    if isinstance(person, str) or person is None:
        raise NotifyError("邮件和传真须发给档案中的业主", code="no_person", field="person")
    if getattr(person, "project_id", project.pk) != project.pk:
        raise NotifyError("业主/住户不属于该项目", code="wrong_project", field="person")
    address = ((person.email if channel == Channel.EMAIL else person.fax) or "").strip()
    if not address:
        if channel == Channel.EMAIL:
            raise NotifyError("该业主没有登记电子邮箱", code="no_email", field="email")
        raise NotifyError("该业主没有登记传真号码", code="no_fax", field="fax")
    start = max(now, not_before) if not_before is not None else now
    if channel == Channel.FAX:
        status, send_at, scheduled = DeliveryStatus.MANUAL, None, None
    else:
        send_at = next_contact_moment(project, start, channel=channel)
        scheduled = send_at if send_at > now else None
        status = DeliveryStatus.SCHEDULED if scheduled else DeliveryStatus.QUEUED
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                channel=channel, audience=Audience.OWNER, person=person, address=address[:300], project=project,
                kind=kind[:50], subject=subject[:200], body=body, created_at=now, scheduled_for=scheduled,
                next_attempt_at=send_at, status=status, dedupe_key=dedupe_key)
    except IntegrityError:
        existing = Delivery.objects.filter(dedupe_key=dedupe_key).first() if dedupe_key else None
        if existing is None:
            raise
        return existing


def manual_faxes(projects: Sequence[Project]) -> Any:
    """The faxes waiting for the front desk (``manual``), oldest first."""
    return (Delivery.objects.filter(project__in=projects, channel=Channel.FAX, status=DeliveryStatus.MANUAL)
            .select_related("project", "person", "person__household").order_by("created_at", "pk"))


def record_fax_sent(delivery: Delivery, *, acting_user: Any, now: dt.datetime, failed: str = "") -> Delivery:
    """The front desk faxed a queued owner message (or could not: ``failed`` says why). One attempt
    is recorded with who did it; a delivery that is no longer waiting is refused (409)."""
    if delivery.project is None or not has_cap(acting_user, Cap.REPLY, delivery.project):
        raise NotifyError("没有登记传真发送的权限", code="forbidden", status=403)
    failed = (failed or "").strip()
    who = getattr(acting_user, "get_full_name", lambda: "")() or str(acting_user)
    with transaction.atomic():
        locked = Delivery.objects.select_for_update(of=("self",)).filter(pk=delivery.pk).first()
        if locked is None or locked.channel != Channel.FAX or locked.status != DeliveryStatus.MANUAL:
            raise NotifyError("该传真已登记过，不在待发送之列", code="not_waiting", status=409)
        locked.attempts += 1
        DeliveryAttempt.objects.create(delivery=locked, number=locked.attempts, at=now, ok=not failed,
                                       error=f"{failed}（{who}）" if failed else "")
        if failed:
            locked.status, locked.last_error = DeliveryStatus.FAILED, failed[:500]
        else:
            locked.status, locked.sent_at, locked.last_error = DeliveryStatus.SENT, now, ""
        locked.provider_ref = f"人工传真：{who}"[:200]
        locked.save(update_fields=["status", "attempts", "sent_at", "last_error", "provider_ref"])
    return locked


def set_owner_sms_topics(*, phone: str, enabled: Iterable[str], now: dt.datetime) -> list[str]:
    """An owner's choice of SMS topics (issue 19 item 6): the topics not in ``enabled`` are switched
    off for the phone, the others on. Unknown topic codes are refused. Returns the topics now on."""
    wanted = list(enabled)
    unknown = [t for t in wanted if t not in TOPIC_CODES]
    if unknown:
        raise NotifyError("短信类别不存在", code="unknown_topic", field="topics")
    if not phone.strip():
        raise NotifyError("没有可用的手机号码", code="no_phone", field="phone")
    with transaction.atomic():
        off = [t for t in TOPIC_CODES if t not in wanted]
        OwnerSmsOptOut.objects.filter(phone=phone).exclude(topic__in=off).delete()
        have = set(OwnerSmsOptOut.objects.filter(phone=phone).values_list("topic", flat=True))
        OwnerSmsOptOut.objects.bulk_create([OwnerSmsOptOut(phone=phone, topic=t, created_at=now)
                                            for t in off if t not in have])
    return [t for t in TOPIC_CODES if t in wanted]


def mark_read(user: Any, notification_id: int, *, now: dt.datetime) -> Notification:
    """Mark one of the user's notices read (idempotent). Another person's notice → NotifyError 404."""
    note = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if note is None:
        raise NotifyError("通知不存在", code="not_found", status=404)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at=None).update(read_at=now)
        note.refresh_from_db(fields=["read_at"])
    return note


def mark_all_read(user: Any, *, now: dt.datetime) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=now)


@dataclass
class DeliverResult:
    counts: dict[str, int] = field(default_factory=lambda: {"sent": 0, "retrying": 0, "failed": 0, "rescheduled": 0})

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.counts.items())


def _due_filter(now: dt.datetime) -> Q:
    return (Q(status__in=PENDING_STATUSES, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, lease_until__lte=now))


@dataclass
class _Batch:
    found: bool = False
    claimed: list[Delivery] = field(default_factory=list)
    rescheduled: int = 0


def _claim_batch(now: dt.datetime, size: int) -> _Batch:
    """Take up to ``size`` due deliveries in one transaction. On PostgreSQL the rows are locked with
    ``FOR UPDATE SKIP LOCKED`` (a second worker takes the next ones); everywhere each row is moved
    to ``sending`` by a compare-and-set update, so a row another worker already took is skipped.
    Owner messages that fall inside quiet hours (the policy changed since queueing) are put back
    to ``scheduled`` instead."""
    batch = _Batch()
    policies: dict[int, QuietPolicy] = {}
    with transaction.atomic():
        qs = Delivery.objects.filter(_due_filter(now)).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        rows = list(qs.select_related("project", "config", "notification")[:size])
        batch.found = bool(rows)
        for d in rows:
            same = Delivery.objects.filter(pk=d.pk, status=d.status, attempts=d.attempts)
            if d.audience == Audience.OWNER and not d.emergency and d.project is not None:
                if d.project.pk not in policies:
                    policies[d.project.pk] = policy_for(d.project)
                send_at = next_contact_moment(policies[d.project.pk], now, channel=d.channel)
                if send_at > now:
                    batch.rescheduled += same.update(status=DeliveryStatus.SCHEDULED, scheduled_for=send_at,
                                                     next_attempt_at=send_at)
                    continue
            if same.update(status=DeliveryStatus.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1) == 1:
                d.attempts += 1
                d.status = DeliveryStatus.SENDING
                batch.claimed.append(d)
    return batch


def _message(d: Delivery) -> channels.OutgoingMessage:
    link = d.notification.link if d.notification is not None else ""
    conf = d.config
    return channels.OutgoingMessage(channel=d.channel, address=d.address, body=d.body, subject=d.subject,
                                    kind=d.kind, link=link, webhook_url=conf.webhook_url if conf else "",
                                    secret=conf.secret if conf else "", reference=f"linli-{d.pk}")


def _send(d: Delivery, now: dt.datetime, configs: dict[int, list[ChannelConfig]]) -> str:
    """Send one claimed delivery and record the attempt; returns the new status."""
    started = time.monotonic()
    error, permanent, ref = "", False, ""
    try:
        conf = d.config
        if conf is None and d.project is not None:
            if d.project.pk not in configs:
                configs[d.project.pk] = _channel_configs(d.project)
            conf = _channel_switch(configs[d.project.pk], d.channel)
        backend = channels.get_backend(d.channel, conf)
        ref = backend.send(_message(d)) or ""
    except channels.DeliveryError as exc:
        error, permanent = str(exc), exc.permanent
    except ValueError as exc:  # misconfigured backend path
        error, permanent = str(exc), True
    except Exception as exc:  # noqa: BLE001 - a broken backend is recorded and retried, never lost
        log.exception("notify backend crashed on delivery %s", d.pk)
        error = f"{type(exc).__name__}: {exc}"
    duration = int((time.monotonic() - started) * 1000)
    retry_at = None
    if not error:
        outcome = DeliveryStatus.SENT
        update: dict[str, Any] = {"status": outcome, "sent_at": now, "provider_ref": ref[:200], "last_error": "",
                                  "lease_until": None, "next_attempt_at": None}
    elif permanent or d.attempts >= max_attempts():
        outcome = DeliveryStatus.FAILED
        update = {"status": outcome, "last_error": error, "lease_until": None, "next_attempt_at": None}
    else:
        outcome = DeliveryStatus.RETRYING
        retry_at = now + retry_delay(d.attempts)
        update = {"status": outcome, "last_error": error, "lease_until": None, "next_attempt_at": retry_at}
    with transaction.atomic():
        DeliveryAttempt.objects.create(delivery=d, number=d.attempts, at=now, ok=not error, error=error,
                                       duration_ms=duration, retry_at=retry_at)
        # compare-and-set: a worker that lost its lease does not overwrite the newer attempt
        Delivery.objects.filter(pk=d.pk, status=DeliveryStatus.SENDING, attempts=d.attempts).update(**update)
    if error:
        log.warning("notify delivery %s (%s → %s) attempt %s failed: %s", d.pk, d.channel, d.address, d.attempts,
                    error)
    return str(outcome)


def deliver_due(now: dt.datetime, *, limit: int = 1000, batch: int = 20) -> DeliverResult:
    """Send the deliveries due at ``now`` (at most ``limit``), claimed ``batch`` at a time; every
    attempt is recorded. Idempotent, and safe with several workers at once."""
    result = DeliverResult()
    configs: dict[int, list[ChannelConfig]] = {}
    while result.total < limit:
        claim = _claim_batch(now, min(batch, limit - result.total))
        if not claim.found:
            break
        result.counts["rescheduled"] += claim.rescheduled
        for d in claim.claimed:
            result.add(_send(d, now, configs))
    return result


def retry_now(delivery: Delivery, *, now: dt.datetime) -> bool:
    """Put a failed delivery back in the queue (an administrator's decision); attempts are kept."""
    return Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.QUEUED, next_attempt_at=now) == 1
