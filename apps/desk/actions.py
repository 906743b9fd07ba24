"""Every write of the desk app (R-M20). Keyword-only, ``acting_user`` and ``now`` passed in; a refusal is a
:class:`DeskError` and nothing is written (each action is ``transaction.atomic()``)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from apps.core.errors import DomainError
from apps.core.files import IMAGES, check_upload
from apps.desk import access
from apps.desk.models import (
    ButlerMeeting,
    CheckKind,
    ConvenienceItem,
    DecorationCheck,
    DecorationPermit,
    DeskLog,
    HouseKey,
    ItemLoan,
    KeyLoan,
    LogKind,
    PermitStatus,
    VacantHouseCheck,
    WorkerPass,
)
from apps.estates.models import Household, Person, PersonKind
from apps.org.access import can_see_project
from apps.org.models import Membership, Project, User
from apps.tickets import actions as ticket_actions
from apps.tickets.choices import Channel, Kind
from apps.tickets.models import Ticket


class DeskError(DomainError):
    """A refused front-desk or building action."""


def _refuse(message: str, field: str | None = None, code: str = "invalid", status: int = 422) -> DeskError:
    return DeskError(message, field=field, code=code, status=status)


def _project(user: User, project: Project) -> None:
    if not can_see_project(user, project):
        raise _refuse("项目不存在", "project", "not_found", 404)


def _require(user: User, project: Project, ok: bool, message: str) -> None:
    _project(user, project)
    if not ok:
        raise _refuse(message, code="forbidden", status=403)


def _text(value: str | None, label: str, field: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise _refuse(f"请填写{label}", field)
    return value[:limit]


def _household(project: Project, household: Household | None, field: str = "household") -> Household:
    if household is None or household.project_id != project.pk:
        raise _refuse("该项目没有这个房号", field, "not_found")
    return household


def _ticket(*, project: Project, household: Household | None, kind: str, content: str, user: User,
            now: dt.datetime, surname: str = "", phone: str = "") -> Ticket:
    """A finding or dispute becomes a ticket through the tickets pipeline (one transaction). A patrol
    finding is raised by the steward, who is named as its source."""
    person = None
    if household is not None and not (surname or "").strip():
        person = (Person.objects.filter(household=household, kind=PersonKind.OWNER, active=True).exclude(phone="")
                  .order_by("pk").first())
    surname = (surname or "").strip() or (user.display_name or user.username)[:1]
    phone = (phone or "").strip() or ("" if person else (user.phone or user.extension or project.service_phone))
    return ticket_actions.receive_ticket(project=project, kind=kind, channel=Channel.FIELD_VISIT, content=content,
                                         acting_user=user, now=now, household=household, person=person,
                                         complainant_surname="" if person else surname, phone=phone,
                                         anonymous=person is None and not phone)


# ---------------------------------------------------------------- decoration (R-M20-02, -12)


def _money(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value if value is not None else "0").strip())
    except (InvalidOperation, ValueError):
        raise _refuse(f"{label}不是有效的金额", field) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= 10**8:
        raise _refuse(f"{label}须为不小于零的金额，最多精确到分", field)
    return amount.quantize(Decimal("0.01"))


def _save(obj: Any, fields: list[str], user: User, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason[:100]
    obj.save(update_fields=fields)


@transaction.atomic
def apply_decoration(*, project: Project, household: Household, applicant: str, scope: str,
                     planned_start: dt.date, planned_end: dt.date, deposit: Any, acting_user: User, now: dt.datetime,
                     contractor: str = "", documents: Any = None, notice_explained: bool = False) -> DecorationPermit:
    """装修申请 (R-M20-02): documents, deposit and the decoration notice explained (R-M20-12 e)."""
    _require(acting_user, project, access.can_record(acting_user, project), "没有办理装修手续的权限")
    household = _household(project, household)
    if planned_start is None or planned_end is None or planned_end < planned_start:
        raise _refuse("完工日期不能早于开工日期", "planned_end")
    if DecorationPermit.objects.filter(household=household).exclude(status=PermitStatus.CLOSED).exists():
        raise _refuse("该房屋已有未结案的装修手续", "household", "duplicate", 409)
    if documents:
        check_upload(documents, field="documents")
    permit = DecorationPermit(project=project, household=household, applicant=_text(applicant, "申请人", "applicant", 50),
                              contractor=(contractor or "")[:100], scope=_text(scope, "装修项目", "scope", 2000),
                              planned_start=planned_start, planned_end=planned_end,
                              deposit=_money(deposit, "deposit", "装修押金"), notice_explained=bool(notice_explained),
                              documents=documents or "", applied_at=now, recorded_by=acting_user)
    permit._history_user = acting_user  # type: ignore[attr-defined]
    permit.save()
    return permit


@transaction.atomic
def approve_decoration(*, permit: DecorationPermit, acting_user: User, now: dt.datetime) -> DecorationPermit:
    _require(acting_user, permit.project, access.can_approve(acting_user, permit.project), "只有客服主管以上可以批准装修")
    if permit.status != PermitStatus.APPLIED:
        raise _refuse("只有待批准的申请可以批准", "status", "wrong_status", 409)
    if not permit.notice_explained:
        raise _refuse("批准前须向业主讲解装修须知", "notice_explained")
    permit.status, permit.approved_at, permit.approved_by = PermitStatus.APPROVED, now, acting_user
    _save(permit, ["status", "approved_at", "approved_by"], acting_user, "批准装修")
    return permit


@transaction.atomic
def issue_worker_pass(*, permit: DecorationPermit, number: str, name: str, photo: Any, valid_from: dt.date,
                      valid_until: dt.date, acting_user: User, now: dt.datetime, phone: str = "") -> WorkerPass:
    """装修工人出入证 with photo and validity (R-M20-02), within the permit's planned period."""
    _require(acting_user, permit.project, access.can_record(acting_user, permit.project), "没有发放出入证的权限")
    if permit.status not in (PermitStatus.APPROVED, PermitStatus.STOPPED):
        raise _refuse("装修批准后才能发放出入证", "permit", "not_approved", 409)
    if valid_from is None or valid_until is None or valid_until < valid_from:
        raise _refuse("有效期不正确", "valid_until")
    if valid_until > permit.planned_end:
        raise _refuse(f"出入证有效期不能超过计划完工日 {permit.planned_end:%Y-%m-%d}", "valid_until")
    if not photo:
        raise _refuse("请上传工人照片", "photo")
    check_upload(photo, allowed=IMAGES, field="photo")
    try:
        with transaction.atomic():
            return WorkerPass.objects.create(permit=permit, number=_text(number, "证号", "number", 30),
                                             name=_text(name, "姓名", "name", 50), phone=(phone or "")[:30], photo=photo,
                                             valid_from=valid_from, valid_until=valid_until, issued_at=now,
                                             issued_by=acting_user)
    except IntegrityError:
        raise _refuse("证号已使用", "number", "duplicate", 409) from None


@transaction.atomic
def record_decoration_check(*, permit: DecorationPermit, kind: str, acting_user: User, now: dt.datetime,
                            workers_seen: int = 0, workers_without_pass: int = 0, debris_dumped: bool = False,
                            finding: str = "", raise_ticket: bool = False) -> DecorationCheck:
    """装修巡查/每日工人检查 (R-M20-04, R-M20-12 b–d) by the steward: workers without a pass leave; debris
    dumped stops the decoration until it is cleared (a stop order; ``resume`` after); a finding may
    become a ticket."""
    _require(acting_user, permit.project, access.can_patrol(acting_user, permit.project), "只有楼宇员/管家可以登记装修巡查")
    if kind not in CheckKind.values:
        raise _refuse("请选择检查类别", "kind")
    if permit.status not in (PermitStatus.APPROVED, PermitStatus.STOPPED):
        raise _refuse("该装修不在施工中", "permit", "not_in_progress", 409)
    if workers_seen < 0 or workers_without_pass < 0 or workers_without_pass > workers_seen:
        raise _refuse("无证工人数不能多于在场工人数", "workers_without_pass")
    finding = (finding or "").strip()
    if kind == CheckKind.RESUME and permit.status != PermitStatus.STOPPED:
        raise _refuse("未停工，无需复工", "kind", "not_stopped", 409)
    if (debris_dumped or kind == CheckKind.STOP) and not finding:
        raise _refuse("请记录发现的问题（如装修垃圾堆放位置）", "finding")
    ticket = None
    if raise_ticket:
        if not finding:
            raise _refuse("转工单须填写发现的问题", "finding")
        ticket = _ticket(project=permit.project, household=permit.household, kind=Kind.NEED,
                         content=f"装修巡查发现：{finding}", user=acting_user, now=now)
    check = DecorationCheck.objects.create(permit=permit, kind=kind, at=now, by=acting_user, workers_seen=workers_seen,
                                           workers_without_pass=workers_without_pass, debris_dumped=debris_dumped,
                                           finding=finding, ticket_id=ticket.pk if ticket else None)
    if (debris_dumped or kind == CheckKind.STOP) and permit.status != PermitStatus.STOPPED:
        permit.status = PermitStatus.STOPPED
        _save(permit, ["status"], acting_user, "乱堆装修垃圾，停工清理")
    elif kind == CheckKind.RESUME:
        permit.status = PermitStatus.APPROVED
        _save(permit, ["status"], acting_user, "清理完毕，复工")
    return check


@transaction.atomic
def inspect_completion(*, permit: DecorationPermit, result: str, acting_user: User, now: dt.datetime) -> DecorationPermit:
    _require(acting_user, permit.project, access.can_approve(acting_user, permit.project), "只有客服主管以上可以验收")
    if permit.status != PermitStatus.APPROVED:
        raise _refuse("装修中（未停工）的许可才能验收", "status", "wrong_status", 409)
    permit.inspection_result, permit.inspected_at = _text(result, "验收结果", "result", 2000), now
    permit.status = PermitStatus.INSPECTED
    _save(permit, ["inspection_result", "inspected_at", "status"], acting_user, "完工验收")
    permit.passes.filter(revoked_at__isnull=True).update(revoked_at=now)  # passes end with the work
    return permit


@transaction.atomic
def return_deposit(*, permit: DecorationPermit, amount: Any, acting_user: User, now: dt.datetime) -> DecorationPermit:
    _require(acting_user, permit.project, access.can_approve(acting_user, permit.project), "只有客服主管以上可以退押金")
    if permit.status != PermitStatus.INSPECTED:
        raise _refuse("完工验收后才能退押金", "status", "wrong_status", 409)
    value = _money(amount, "amount", "退还押金")
    if value > permit.deposit:
        raise _refuse(f"退还金额不能超过押金 {permit.deposit} 元", "amount")
    permit.deposit_returned, permit.deposit_returned_at, permit.status = value, now, PermitStatus.CLOSED
    _save(permit, ["deposit_returned", "deposit_returned_at", "status"], acting_user, f"退押金 {value} 元")
    return permit


# ---------------------------------------------------------------- keys (R-M20-03)


@transaction.atomic
def add_key(*, project: Project, label: str, acting_user: User, now: dt.datetime,
            household: Household | None = None) -> HouseKey:
    _require(acting_user, project, access.can_record(acting_user, project), "没有管理钥匙的权限")
    if household is not None:
        _household(project, household)
    label = _text(label, "钥匙名称", "label", 100)
    if HouseKey.objects.filter(project=project, label=label).exists():
        raise _refuse("已有同名钥匙", "label", "duplicate", 409)
    return HouseKey.objects.create(project=project, label=label, household=household)


@transaction.atomic
def lend_key(*, key: HouseKey, borrower: str, purpose: str, due_at: dt.datetime, acting_user: User,
             now: dt.datetime) -> KeyLoan:
    """领用钥匙: a key already out cannot be lent again until it is returned."""
    _require(acting_user, key.project, access.can_record(acting_user, key.project), "没有管理钥匙的权限")
    HouseKey.objects.select_for_update().filter(pk=key.pk).first()
    out = KeyLoan.objects.filter(key=key, returned_at__isnull=True).first()
    if out is not None:
        raise _refuse(f"该钥匙已被{out.borrower}领用，尚未归还", "key", "already_out", 409)
    if due_at is None or due_at <= now:
        raise _refuse("应还时间须晚于现在", "due_at")
    try:
        with transaction.atomic():
            return KeyLoan.objects.create(key=key, borrower=_text(borrower, "领用人", "borrower", 50),
                                          purpose=_text(purpose, "用途", "purpose"), taken_at=now, due_at=due_at,
                                          lent_by=acting_user)
    except IntegrityError:
        raise _refuse("该钥匙已被领用，尚未归还", "key", "already_out", 409) from None


@transaction.atomic
def return_key(*, loan: KeyLoan, acting_user: User, now: dt.datetime) -> KeyLoan:
    _require(acting_user, loan.key.project, access.can_record(acting_user, loan.key.project), "没有管理钥匙的权限")
    if loan.returned_at is not None:
        raise _refuse("该钥匙已归还", "loan", "already_returned", 409)
    loan.returned_at, loan.returned_to = now, acting_user
    loan.save(update_fields=["returned_at", "returned_to"])
    return loan


# ---------------------------------------------------------------- steward (R-M20-04, -05)


@transaction.atomic
def check_vacant_house(*, project: Project, household: Household, ok: bool, finding: str, acting_user: User,
                       now: dt.datetime, raise_ticket: bool = False) -> VacantHouseCheck:
    _require(acting_user, project, access.can_patrol(acting_user, project), "只有楼宇员/管家可以登记空置房检查")
    household = _household(project, household)
    finding = (finding or "").strip()
    if not ok and not finding:
        raise _refuse("发现问题时请填写问题", "finding")
    ticket = None
    if raise_ticket:
        if ok or not finding:
            raise _refuse("转工单须记录发现的问题", "finding")
        ticket = _ticket(project=project, household=household, kind=Kind.REPAIR, content=f"空置房检查发现：{finding}",
                         user=acting_user, now=now)
    return VacantHouseCheck.objects.create(project=project, household=household, at=now, by=acting_user, ok=ok,
                                           finding=finding, ticket_id=ticket.pk if ticket else None)


@transaction.atomic
def record_dispute(*, project: Project, household: Household | None, content: str, complainant_surname: str,
                   acting_user: User, now: dt.datetime, phone: str = "") -> Ticket:
    """邻里纠纷 (R-M20-05): a ticket of kind dispute (counted as 业户纠纷 in the monthly publication)."""
    _require(acting_user, project, access.can_patrol(acting_user, project), "只有楼宇员/管家可以登记邻里纠纷")
    if household is not None:
        _household(project, household)
    return _ticket(project=project, household=household, kind=Kind.DISPUTE, content=_text(content, "纠纷情况", "content", 2000),
                   user=acting_user, now=now, surname=_text(complainant_surname, "反映人姓氏", "complainant_surname", 20),
                   phone=phone)


# ---------------------------------------------------------------- logs, meetings, items


@transaction.atomic
def record_log(*, project: Project, kind: str, title: str, detail: str, happened_on: dt.date, acting_user: User,
               now: dt.datetime, household: Household | None = None) -> DeskLog:
    """Signage upkeep, legacy issues, house inspections, peer visits, transfer meetings; the recorder is the
    first responder and stays responsible until it closes (R-M20-14)."""
    _require(acting_user, project, access.can_record(acting_user, project), "没有登记的权限")
    if kind not in LogKind.values:
        raise _refuse("请选择类别", "kind")
    if household is not None:
        _household(project, household)
    if happened_on is None:
        raise _refuse("请填写日期", "happened_on")
    log = DeskLog(project=project, kind=kind, title=_text(title, "事项", "title"), detail=(detail or "").strip(),
                  household=household, happened_on=happened_on, first_responder=acting_user, recorded_at=now)
    log._history_user = acting_user  # type: ignore[attr-defined]
    log.save()
    return log


@transaction.atomic
def close_log(*, log: DeskLog, outcome: str, acting_user: User, now: dt.datetime) -> DeskLog:
    _require(acting_user, log.project, access.can_record(acting_user, log.project), "没有登记的权限")
    if log.closed_at is not None:
        raise _refuse("该事项已办结", "log", "already_closed", 409)
    log.outcome, log.closed_at = _text(outcome, "处理结果", "outcome", 2000), now
    _save(log, ["outcome", "closed_at"], acting_user, "办结")
    return log


@transaction.atomic
def record_meeting(*, project: Project, held_on: dt.date, attendees: Iterable[User], shared_logs: str,
                   acting_user: User, now: dt.datetime, key_issues: str = "", help_arranged: str = "") -> ButlerMeeting:
    """管家每日例会 (R-M20-13): one a day per project, attendance from the project's staff."""
    _require(acting_user, project, access.can_patrol(acting_user, project), "只有管家/楼宇员及主管可以记录例会")
    people = list(attendees)
    if not people:
        raise _refuse("请选择出席人员", "attendees")
    staff = set(Membership.objects.filter(project=project).values_list("user_id", flat=True))
    if any(p.pk not in staff for p in people):
        raise _refuse("出席人员须是本项目员工", "attendees")
    if held_on is None or held_on > now.astimezone(project.tz).date():
        raise _refuse("例会日期不能晚于今天", "held_on")
    try:
        with transaction.atomic():
            meeting = ButlerMeeting.objects.create(project=project, held_on=held_on, chair=acting_user,
                                                   shared_logs=_text(shared_logs, "工作日志分享", "shared_logs", 5000),
                                                   key_issues=(key_issues or "").strip(),
                                                   help_arranged=(help_arranged or "").strip(), recorded_at=now)
    except IntegrityError:
        raise _refuse("当天的例会已记录", "held_on", "duplicate", 409) from None
    meeting.attendees.set(people)
    return meeting


@transaction.atomic
def add_item(*, project: Project, name: str, quantity: int, place: str, acting_user: User,
             now: dt.datetime) -> ConvenienceItem:
    _require(acting_user, project, access.can_record(acting_user, project), "没有登记便民物品的权限")
    if quantity is None or quantity < 1:
        raise _refuse("数量至少为 1", "quantity")
    return ConvenienceItem.objects.create(project=project, name=_text(name, "物品", "name", 100), quantity=quantity,
                                          place=(place or "")[:100])


@transaction.atomic
def lend_item(*, item: ConvenienceItem, borrower: str, acting_user: User, now: dt.datetime,
              household: Household | None = None) -> ItemLoan:
    _require(acting_user, item.project, access.can_record(acting_user, item.project), "没有登记便民物品的权限")
    ConvenienceItem.objects.select_for_update().filter(pk=item.pk).first()
    if item.loans.filter(returned_at__isnull=True).count() >= item.quantity:
        raise _refuse("该物品已全部借出", "item", "none_left", 409)
    if household is not None:
        _household(item.project, household)
    return ItemLoan.objects.create(item=item, borrower=_text(borrower, "借用人", "borrower", 50), household=household,
                                   lent_at=now, lent_by=acting_user)


@transaction.atomic
def return_item(*, loan: ItemLoan, acting_user: User, now: dt.datetime) -> ItemLoan:
    _require(acting_user, loan.item.project, access.can_record(acting_user, loan.item.project), "没有登记便民物品的权限")
    if loan.returned_at is not None:
        raise _refuse("该物品已归还", "loan", "already_returned", 409)
    loan.returned_at = now
    loan.save(update_fields=["returned_at"])
    return loan
