"""Owner notices sent to many owners at once (SPEC M17).

- R-M17-02 door-code notice: at least 7 days before the change (to the mailbox or by phone; here by SMS).
- R-M17-03 activity notice: at least 3 days before the activity, and only after its implementation
  plan is approved (R-M12-02, R-M12-03): the approval (who approved / the form number) and its date
  are recorded with the notice; publishing before that date is refused. A notice published less
  than 3 days ahead still goes out (the owners are better told late than not at all) but is
  recorded as a nonconformity of R-M12-03 (``short_notice``).
- R-M17-06 festival greetings and detail alerts such as the weather.
- R-M17-07 the monthly fee reminder (once per calendar month per project or building): by SMS, and also
  by e-mail to owners with an address in the archive and by fax to owners with a fax number — a fax
  is queued in the delivery log for the front desk to send by hand (there is no fax gateway).

Every owner (业主, active, with a mobile number) of the project — or of one building — gets one SMS
through :func:`apps.notify.actions.notify_owner`, so the project's quiet hours apply (P-21).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from apps.estates import access as archive
from apps.estates import actions as archive_actions
from apps.estates.models import DecorationRecord, DecorationRecordKind, Person, PersonKind
from apps.notify import actions, queries
from apps.notify.models import Channel, Delivery, DeliveryStatus, NoticeKind, OwnerNotice
from apps.org.access import has_cap
from apps.org.models import Project
from apps.org.roles import Cap

MIN_LEAD_DAYS = {NoticeKind.DOOR_CODE: 7, NoticeKind.ACTIVITY: 3}  # R-M17-02, R-M17-03
# kinds whose late notice is sent and recorded as a nonconformity instead of refused (AS-31)
LATE_IS_NONCONFORMITY = {NoticeKind.ACTIVITY}


@transaction.atomic
def send_owner_notice(*, project: Project, kind: str, body: str, acting_user: Any, now: dt.datetime,
                      event_date: dt.date | None = None, approval_ref: str = "", building: Any = None,
                      not_before: dt.datetime | None = None, approved_on: dt.date | None = None,
                      elderly_only: bool = False) -> OwnerNotice:
    """``elderly_only`` (festival greetings only, R-M7-08): the greeting goes to the persons marked 空巢老人
    (owners or not) instead of every owner. ``not_before`` holds every SMS until that moment (e.g. out of the quiet windows even where the
    project does not apply them to SMS in general — the notice-board announcement, R-M17-12)."""
    if not has_cap(acting_user, Cap.REPLY, project):
        raise queries.NotifyError("没有向业主群发通知的权限", code="forbidden", status=403)
    if kind not in NoticeKind.values:
        raise queries.NotifyError("通知类别不正确", field="kind")
    body = (body or "").strip()
    if not body:
        raise queries.NotifyError("短信内容不能为空", field="body")
    if building is not None and building.project_id != project.pk:
        raise queries.NotifyError("楼栋不属于该项目", field="building", code="wrong_project")
    if elderly_only and kind != NoticeKind.FESTIVAL:
        raise queries.NotifyError("只有节日问候可以只发给空巢老人", field="elderly_only", code="elderly_festival_only")
    lead = MIN_LEAD_DAYS.get(NoticeKind(kind)) if kind in NoticeKind.values else None
    today = now.astimezone(project.tz).date()
    short_notice = False
    if lead is not None:
        if event_date is None:
            raise queries.NotifyError("请填写事项日期", field="event_date", code="date_required")
        if event_date < today and kind in LATE_IS_NONCONFORMITY:  # too late even to be late
            raise queries.NotifyError("事项日期已过，不能再通知", field="event_date", code="date_past")
        short_notice = (event_date - today).days < lead
        if short_notice and kind not in LATE_IS_NONCONFORMITY:
            raise queries.NotifyError(f"{NoticeKind(kind).label}须至少提前{lead}天发出（最早可通知 "
                                       f"{today + dt.timedelta(days=lead):%Y-%m-%d} 及以后的事项）",
                                       field="event_date", code="too_late")
    if kind == NoticeKind.FEE:  # R-M17-07: one fee reminder a month (per project, or per building)
        local = now.astimezone(project.tz)
        month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        same = OwnerNotice.objects.filter(project=project, kind=NoticeKind.FEE, building=building,
                                          created_at__gte=month_start)
        if same.exists():
            raise queries.NotifyError(f"{local:%Y年%m月}已发送过缴费提醒，每月只发一次", field="kind",
                                       code="already_sent_this_month", status=409)
    approval_ref = (approval_ref or "").strip()
    if kind == NoticeKind.ACTIVITY:  # R-M12-02/03: only after the implementation plan is approved
        if not approval_ref:
            raise queries.NotifyError("活动须经审批后才能通知业主，请填写审批记录", field="approval_ref",
                                       code="approval_required")
        if approved_on is None:
            raise queries.NotifyError("请填写活动实施方案的批准日期", field="approved_on", code="approval_required")
        if approved_on > today:
            raise queries.NotifyError(f"活动实施方案 {approved_on:%Y-%m-%d} 才批准，批准前不能通知业主",
                                       field="approved_on", code="not_yet_approved", status=409)
    else:
        approved_on = None
    notice = OwnerNotice.objects.create(project=project, building=building, kind=kind, body=body,
                                        event_date=event_date, approval_ref=approval_ref[:100],
                                        approved_on=approved_on, short_notice=short_notice, created_at=now,
                                        created_by=acting_user, elderly_only=elderly_only)

    owners = Person.objects.filter(project=project, active=True).order_by("pk")
    # R-M7-08: a festival greeting may go to the 空巢老人 themselves (tenants and residents too)
    owners = owners.filter(elderly_alone=True) if elderly_only else owners.filter(kind=PersonKind.OWNER)
    if building is not None:
        owners = owners.filter(household__building=building)
    letters = kind == NoticeKind.FEE  # R-M17-07: the fee reminder also goes by e-mail and fax
    subject = f"{project.name} 物业费缴费提醒" if letters else ""
    for person in owners:
        if letters:
            if person.email.strip():
                actions.notify_owner(person, project=project, kind=f"notice_{kind}", body=body, now=now,
                                     channel=Channel.EMAIL, subject=subject, not_before=not_before,
                                     dedupe_key=f"notice:{notice.pk}:{person.pk}:email")
                notice.emails += 1
            if person.fax.strip():  # no fax gateway: queued in the delivery log for the front desk
                actions.notify_owner(person, project=project, kind=f"notice_{kind}", body=body, now=now,
                                     channel=Channel.FAX, subject=subject,
                                     dedupe_key=f"notice:{notice.pk}:{person.pk}:fax")
                notice.faxes += 1
        try:
            sent = actions.notify_owner(person, project=project, kind=f"notice_{kind}", body=body, now=now,
                                        dedupe_key=f"notice:{notice.pk}:{person.pk}", not_before=not_before)
        except queries.NotifyError as exc:
            if exc.code != "no_phone":
                raise
            notice.no_phone += 1
            continue
        if sent.status == DeliveryStatus.SKIPPED:  # the owner switched this kind of SMS off
            continue
        notice.recipients += 1
    notice.save(update_fields=["recipients", "no_phone", "emails", "faxes"])
    return notice



def fee_reminders_due(projects: list[Project], now: dt.datetime) -> list[Project]:
    """R-M17-07 (R-M16-12): the projects among ``projects`` whose monthly fee reminder has not gone to
    all their owners yet this calendar month (project time) — the front desk's monthly to-do on the
    owner-notice page and in the API. A reminder to one building does not count for the project.
    Two queries whatever the number of projects."""
    if not projects:
        return []
    since = now - dt.timedelta(days=32)
    sent = {}
    for project_id, created_at in (OwnerNotice.objects.filter(project__in=projects, kind=NoticeKind.FEE,
                                                              building=None, created_at__gte=since)
                                   .order_by("created_at").values_list("project_id", "created_at")):
        sent[project_id] = created_at
    due = []
    for project in projects:
        local = now.astimezone(project.tz)
        last = sent.get(project.pk)
        if last is None or (last.astimezone(project.tz).year, last.astimezone(project.tz).month) != (
                local.year, local.month):
            due.append(project)
    return due

class FaxRevealRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def reveal_fax_number(delivery: Delivery, user: Any, *, screen: str) -> str:
    """The owner's fax number in full for the front desk to fax a queued reminder by hand: the same
    rules and read log as calling an owner (R-M7-01, R-M7-03 VIP grant, own work), reason 发送传真."""
    person = delivery.person
    if delivery.project is None or person is None:
        raise FaxRevealRefused("该传真没有对应的业主档案")
    try:
        archive_actions.reveal_phone_for_call(user, delivery.project, household=person.household, person=person,
                                              field="fax", screen=screen, reason="发送缴费提醒传真")
    except archive.RevealDenied as exc:
        raise FaxRevealRefused(exc.message) from None
    return delivery.address


# ------------------------------------------------------------------ decoration progress (R-M17-08)

DECORATION_KIND = "decoration_progress"


def _decoration_key(record: Any, person: Any) -> str:
    return f"decoration:{record.pk}:{person.pk}"


def tell_decoration_progress(record: Any, *, acting_user: Any, now: dt.datetime) -> int:
    """R-M17-08 (R-M20-12): tell the household's owners by SMS how their decoration is progressing
    or what problem it has — one message per progress/problem entry of the decoration file
    (:class:`apps.estates.models.DecorationRecord`) and owner. Returns the messages queued."""

    if not has_cap(acting_user, Cap.REPLY, record.project):
        raise queries.NotifyError("没有告知业主装修进度的权限", code="forbidden", status=403)
    if record.kind not in (DecorationRecordKind.PROGRESS, DecorationRecordKind.PROBLEM):
        raise queries.NotifyError("只有装修进度或装修问题可以告知业主", field="kind", code="wrong_kind")
    note = (record.note or "").strip()
    if not note:
        raise queries.NotifyError("请先填写装修进度/问题的说明", field="note")
    label = "装修进度" if record.kind == DecorationRecordKind.PROGRESS else "装修问题"
    body = f"尊敬的业主：您的房屋（{record.household.label}）{label}：{note}"
    queued = 0
    owners = Person.objects.filter(household=record.household, kind=PersonKind.OWNER, active=True).exclude(phone="")
    for person in owners.order_by("pk"):
        key = _decoration_key(record, person)
        if Delivery.objects.filter(dedupe_key=key).exists():
            continue
        actions.notify_owner(person, project=record.project, kind=DECORATION_KIND, body=body, now=now, dedupe_key=key)
        queued += 1
    if not queued and not Delivery.objects.filter(dedupe_key__startswith=f"decoration:{record.pk}:").exists():
        raise queries.NotifyError("该房屋没有可通知的业主手机号码", code="no_phone", field="phone")
    return queued


def untold_decoration_records(project: Project) -> Any:
    """The progress/problem entries whose owners have not been told yet — the regular to-do list."""

    told = {int(k.split(":")[1]) for k in Delivery.objects.filter(project=project, kind=DECORATION_KIND)
            .values_list("dedupe_key", flat=True) if k}
    return (DecorationRecord.objects.filter(project=project, kind__in=(DecorationRecordKind.PROGRESS,
                                                                       DecorationRecordKind.PROBLEM))
            .exclude(pk__in=told).select_related("household").order_by("recorded_at"))
