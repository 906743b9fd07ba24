"""REST endpoints of the desk app (mounted at /api/v1/desk). Thin: writes through actions (refusals in the
documented error shape)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LinliPagination
from apps.core.validation import PlannedMoment
from apps.desk import access, actions
from apps.desk.models import DecorationPermit, HouseKey, KeyLoan
from apps.estates.models import Household
from apps.notify import mail as notify_mail
from apps.notify.models import MailItem
from apps.org.models import Project, User
from linli import clock

router = Router(tags=["desk"])


class DeskIdOut(Schema):
    id: int


class MailIn(Schema):
    project_id: int
    household_id: int
    addressee: str
    kind: str = "letter"
    note: str = ""


class MailOut(Schema):
    id: int
    household_id: int | None
    addressee: str
    kind: str
    received_at: dt.datetime
    notified_at: dt.datetime | None
    collected_at: dt.datetime | None
    delivered_at: dt.datetime | None


class KeyIn(Schema):
    project_id: int
    label: str
    household_id: int | None = None


class LendIn(Schema):
    borrower: str
    purpose: str
    due_at: PlannedMoment


class LoanOut(Schema):
    id: int
    key_id: int
    key: str
    borrower: str
    purpose: str
    taken_at: dt.datetime
    due_at: dt.datetime
    returned_at: dt.datetime | None
    overdue: bool

    @staticmethod
    def resolve_key(obj: KeyLoan) -> str:
        return obj.key.label

    @staticmethod
    def resolve_overdue(obj: KeyLoan) -> bool:
        return obj.returned_at is None and obj.due_at < clock.now()


class PermitIn(Schema):
    project_id: int
    household_id: int
    applicant: str
    scope: str
    planned_start: dt.date
    planned_end: dt.date
    deposit: Decimal
    contractor: str = ""
    notice_explained: bool = False


class PermitOut(Schema):
    id: int
    household_id: int
    applicant: str
    status: str
    planned_start: dt.date
    planned_end: dt.date
    deposit: Decimal
    deposit_returned: Decimal | None


class CheckIn(Schema):
    kind: str
    workers_seen: int = 0
    workers_without_pass: int = 0
    debris_dumped: bool = False
    finding: str = ""
    raise_ticket: bool = False


class CheckOut(Schema):
    id: int
    kind: str
    ticket_id: int | None
    permit_status: str


class DeskTextIn(Schema):
    result: str


class AmountIn(Schema):
    amount: Decimal


class VacantIn(Schema):
    project_id: int
    household_id: int
    ok: bool
    finding: str = ""
    raise_ticket: bool = False


class VacantOut(Schema):
    id: int
    ok: bool
    ticket_id: int | None


class DisputeIn(Schema):
    project_id: int
    content: str
    complainant_surname: str
    phone: str = ""
    household_id: int | None = None


class DeskTicketOut(Schema):
    ticket_id: int
    number: str


class LogIn(Schema):
    project_id: int
    kind: str
    title: str
    happened_on: dt.date
    detail: str = ""
    household_id: int | None = None


class MeetingIn(Schema):
    project_id: int
    held_on: dt.date
    attendee_ids: list[int]
    shared_logs: str
    key_issues: str = ""
    help_arranged: str = ""


def _user(request: HttpRequest) -> User:
    return access.acting_user(request)


def _project(request: HttpRequest, project_id: int) -> Project:
    project = Project.objects.filter(pk=project_id, active=True).first()
    if project is None or not access.can_view(request.user, project):
        raise ApiError(404, "not_found", "项目不存在或无权查看", {"project_id": ["项目不存在或无权查看"]})
    return project


def _hh(project: Project, pk: int | None) -> Household | None:
    if pk is None:
        return None
    h = Household.objects.filter(pk=pk, project=project).first()
    if h is None:
        raise ApiError(404, "not_found", "该项目没有这个房屋", {"household_id": ["该项目没有这个房屋"]})
    return h


def _permit(request: HttpRequest, pk: int) -> DecorationPermit:
    p = DecorationPermit.objects.select_related("project", "household").filter(pk=pk).first()
    if p is None or not access.can_view(request.user, p.project):
        raise ApiError(404, "not_found", "装修手续不存在")
    return p


@router.get("/mail", response={200: list[MailOut], **ERRORS}, summary="信件报刊（分页）")
@paginate(LinliPagination)
def mail_list(request: HttpRequest, project: int, pending: bool = False, **kwargs: Any) -> Any:
    qs = MailItem.objects.filter(project=_project(request, project))
    return qs.filter(delivered_at__isnull=True) if pending else qs


@router.post("/mail", response={201: DeskIdOut, **ERRORS}, summary="登记收到的信件报刊")
def mail_create(request: HttpRequest, payload: MailIn) -> Any:
    project = _project(request, payload.project_id)
    return Status(201, notify_mail.receive_mail(project=project, household=_hh(project, payload.household_id),
                                                addressee=payload.addressee, kind=payload.kind, note=payload.note,
                                                acting_user=_user(request), now=clock.now()))


@router.post("/keys", response={201: DeskIdOut, **ERRORS}, summary="添加钥匙")
def key_create(request: HttpRequest, payload: KeyIn) -> Any:
    project = _project(request, payload.project_id)
    return Status(201, actions.add_key(project=project, label=payload.label, household=_hh(project, payload.household_id),
                                       acting_user=_user(request), now=clock.now()))


@router.post("/keys/{key_id}/lend", response={201: LoanOut, **ERRORS}, summary="领用钥匙（未归还的钥匙不能再借）")
def key_lend(request: HttpRequest, key_id: int, payload: LendIn) -> Any:
    key = HouseKey.objects.select_related("project").filter(pk=key_id).first()
    if key is None or not access.can_view(request.user, key.project):
        raise ApiError(404, "not_found", "钥匙不存在")
    return Status(201, actions.lend_key(key=key, borrower=payload.borrower, purpose=payload.purpose,
                                        due_at=payload.due_at, acting_user=_user(request), now=clock.now()))


@router.post("/key-loans/{loan_id}/return", response={200: LoanOut, **ERRORS}, summary="归还钥匙")
def key_return(request: HttpRequest, loan_id: int) -> Any:
    loan = KeyLoan.objects.select_related("key__project").filter(pk=loan_id).first()
    if loan is None or not access.can_view(request.user, loan.key.project):
        raise ApiError(404, "not_found", "领用记录不存在")
    return actions.return_key(loan=loan, acting_user=_user(request), now=clock.now())


@router.get("/key-loans", response={200: list[LoanOut], **ERRORS}, summary="钥匙登记（分页；overdue = 逾期未还）")
@paginate(LinliPagination)
def key_loans(request: HttpRequest, project: int, out: bool = False, **kwargs: Any) -> Any:
    qs = KeyLoan.objects.filter(key__project=_project(request, project)).select_related("key")
    return qs.filter(returned_at__isnull=True) if out else qs


@router.get("/decorations", response={200: list[PermitOut], **ERRORS}, summary="装修手续（分页）")
@paginate(LinliPagination)
def permit_list(request: HttpRequest, project: int, **kwargs: Any) -> Any:
    return DecorationPermit.objects.filter(project=_project(request, project))


@router.post("/decorations", response={201: PermitOut, **ERRORS}, summary="装修申请")
def permit_create(request: HttpRequest, payload: PermitIn) -> Any:
    project = _project(request, payload.project_id)
    return Status(201, actions.apply_decoration(
        project=project, household=_hh(project, payload.household_id), applicant=payload.applicant,  # type: ignore[arg-type]
        scope=payload.scope, planned_start=payload.planned_start, planned_end=payload.planned_end,
        deposit=payload.deposit, contractor=payload.contractor, notice_explained=payload.notice_explained,
        acting_user=_user(request), now=clock.now()))


@router.post("/decorations/{permit_id}/approve", response={200: PermitOut, **ERRORS}, summary="批准装修")
def permit_approve(request: HttpRequest, permit_id: int) -> Any:
    return actions.approve_decoration(permit=_permit(request, permit_id), acting_user=_user(request), now=clock.now())


@router.post("/decorations/{permit_id}/checks", response={201: CheckOut, **ERRORS},
             summary="装修巡查/每日工人检查/停工/复工（可转工单）")
def permit_check(request: HttpRequest, permit_id: int, payload: CheckIn) -> Any:
    permit = _permit(request, permit_id)
    c = actions.record_decoration_check(permit=permit, acting_user=_user(request), now=clock.now(), **payload.dict())
    permit.refresh_from_db()
    return Status(201, {"id": c.pk, "kind": c.kind, "ticket_id": c.ticket_id, "permit_status": permit.status})


@router.post("/decorations/{permit_id}/inspect", response={200: PermitOut, **ERRORS}, summary="完工验收")
def permit_inspect(request: HttpRequest, permit_id: int, payload: DeskTextIn) -> Any:
    return actions.inspect_completion(permit=_permit(request, permit_id), result=payload.result,
                                      acting_user=_user(request), now=clock.now())


@router.post("/decorations/{permit_id}/deposit-return", response={200: PermitOut, **ERRORS}, summary="退装修押金")
def permit_deposit(request: HttpRequest, permit_id: int, payload: AmountIn) -> Any:
    return actions.return_deposit(permit=_permit(request, permit_id), amount=payload.amount,
                                  acting_user=_user(request), now=clock.now())


@router.post("/vacant-checks", response={201: VacantOut, **ERRORS}, summary="空置房检查（可转工单）")
def vacant_create(request: HttpRequest, payload: VacantIn) -> Any:
    project = _project(request, payload.project_id)
    return Status(201, actions.check_vacant_house(
        project=project, household=_hh(project, payload.household_id), ok=payload.ok, finding=payload.finding,  # type: ignore[arg-type]
        raise_ticket=payload.raise_ticket, acting_user=_user(request), now=clock.now()))


@router.post("/disputes", response={201: DeskTicketOut, **ERRORS}, summary="邻里纠纷（登记为纠纷工单）")
def dispute_create(request: HttpRequest, payload: DisputeIn) -> Any:
    project = _project(request, payload.project_id)
    t = actions.record_dispute(project=project, household=_hh(project, payload.household_id), content=payload.content,
                               complainant_surname=payload.complainant_surname, phone=payload.phone,
                               acting_user=_user(request), now=clock.now())
    return Status(201, {"ticket_id": t.pk, "number": t.number})


@router.post("/logs", response={201: DeskIdOut, **ERRORS}, summary="标识维护、遗留问题、验房、同行参观、转项会议")
def log_create(request: HttpRequest, payload: LogIn) -> Any:
    project = _project(request, payload.project_id)
    return Status(201, actions.record_log(project=project, kind=payload.kind, title=payload.title,
                                          detail=payload.detail, happened_on=payload.happened_on,
                                          household=_hh(project, payload.household_id), acting_user=_user(request),
                                          now=clock.now()))


@router.post("/meetings", response={201: DeskIdOut, **ERRORS}, summary="管家每日例会纪要")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Any:
    project = _project(request, payload.project_id)
    people = list(User.objects.filter(pk__in=payload.attendee_ids))
    if len(people) != len(set(payload.attendee_ids)):
        raise ApiError(422, "invalid", "出席人员不存在", {"attendee_ids": ["出席人员不存在"]})
    return Status(201, actions.record_meeting(project=project, held_on=payload.held_on, attendees=people,
                                              shared_logs=payload.shared_logs, key_issues=payload.key_issues,
                                              help_arranged=payload.help_arranged, acting_user=_user(request),
                                              now=clock.now()))
