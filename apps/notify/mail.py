"""Owners' letters and newspapers (R-M17-09, R-M20-01): received at the front desk, the stewards
told every day at a set time, collected and delivered by the steward.

The set time is ``LINLI_MAIL_NOTIFY_TIME`` (default "10:00", the project's local time). From that
time on, the daily job tells the project's 管家 (BUTLER role) once about every item received before
it and not yet announced; items received later wait for the next day's notice.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction

from apps.notify import actions, queries, quiet_hours
from apps.notify.models import MailItem, MailKind
from apps.org.access import has_cap
from apps.org.models import Membership, Project
from apps.org.roles import Cap, Role

DEFAULT_NOTIFY_TIME = "10:00"


class MailError(queries.NotifyError):
    pass


def notify_time() -> dt.time:
    return quiet_hours.parse_time(str(getattr(settings, "LINLI_MAIL_NOTIFY_TIME", DEFAULT_NOTIFY_TIME)))


def receive_mail(*, project: Project, addressee: str, acting_user: Any, now: dt.datetime,
                 kind: str = MailKind.LETTER, household: Any = None, note: str = "") -> MailItem:
    """前台收件 — record a letter/newspaper for an owner."""
    if not has_cap(acting_user, Cap.RECEIVE_TICKETS, project):
        raise MailError("没有登记信件报刊的权限", code="forbidden", status=403)
    addressee = (addressee or "").strip()
    if not addressee:
        raise MailError("请填写收件人", field="addressee")
    if kind not in MailKind.values:
        raise MailError("信件类别不正确", field="kind")
    if household is not None and household.project_id != project.pk:
        raise MailError("房号不属于该项目", field="household", code="wrong_project")
    return MailItem.objects.create(project=project, household=household, addressee=addressee[:100], kind=kind,
                                   note=(note or "").strip()[:200], received_at=now, received_by=acting_user)


def stewards(project: Project) -> list[Any]:
    users = {m.user_id: m.user for m in Membership.objects.filter(project=project, role=Role.BUTLER)
             .select_related("user") if m.user.is_active}
    return list(users.values())


def notify_stewards_due(now: dt.datetime) -> int:
    """Once a day at the set time: tell each project's stewards what to collect. Idempotent (the
    items are claimed with ``notified_at``; the notice carries a per-day dedupe key)."""
    told = 0
    set_time = notify_time()
    project_ids = MailItem.objects.filter(notified_at=None).values_list("project_id", flat=True).distinct()
    for project in Project.objects.filter(pk__in=list(project_ids)):
        local = now.astimezone(project.tz)
        cutoff = dt.datetime.combine(local.date(), set_time).replace(tzinfo=project.tz)
        if now < cutoff:
            continue
        with transaction.atomic():
            pending = list(MailItem.objects.select_for_update().filter(project=project, notified_at=None,
                                                                      received_at__lte=cutoff).order_by("received_at"))
            if not pending:
                continue
            MailItem.objects.filter(pk__in=[m.pk for m in pending], notified_at=None).update(notified_at=now)
            lines = [f"{m.get_kind_display()} · {m.addressee}" + (f" · {m.household.label}" if m.household else "")
                     for m in pending]
            actions.notify_staff(stewards(project), kind="mail_collect", project=project,
                                  subject=f"请到前台领取信件报刊 {len(pending)} 件",
                                  body="\n".join(lines), link="/desk/mail/",
                                  dedupe_key=f"mail:{project.pk}:{local.date().isoformat()}", now=now)
            told += len(pending)
    return told


def _load(item: MailItem) -> MailItem:
    return MailItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def collect_mail(item: MailItem, *, acting_user: Any, now: dt.datetime) -> MailItem:
    """The steward collects the item at the front desk."""
    item = _load(item)
    if not has_cap(acting_user, Cap.VIEW_TICKETS, item.project):
        raise MailError("没有领取信件报刊的权限", code="forbidden", status=403)
    if item.collected_at is not None:
        raise MailError("该信件已被领取", code="already_collected", status=409)
    item.collected_at, item.collected_by = now, acting_user
    item.save(update_fields=["collected_at", "collected_by"])
    return item


@transaction.atomic
def deliver_mail(item: MailItem, *, acting_user: Any, now: dt.datetime) -> MailItem:
    """The steward hands the item to the owner."""
    item = _load(item)
    if not has_cap(acting_user, Cap.VIEW_TICKETS, item.project):
        raise MailError("没有派送信件报刊的权限", code="forbidden", status=403)
    if item.collected_at is None:
        raise MailError("请先领取再派送", code="not_collected", status=409)
    if item.delivered_at is not None:
        raise MailError("该信件已派送", code="already_delivered", status=409)
    item.delivered_at, item.delivered_by = now, acting_user
    item.save(update_fields=["delivered_at", "delivered_by"])
    return item
