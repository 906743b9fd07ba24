"""REST endpoints of the cards app (mounted at /api/v1/cards). Thin: reads from queries, writes through
actions (refusals in the documented error shape). A door code is never returned: it is not stored."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from apps.cards import access, actions, queries
from apps.cards.models import CardRegisterEntry, Door, DoorCodeChange, DoorCodeNotice, ICCard
from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LinliPagination
from apps.core.validation import PastMoment
from apps.estates.models import Household
from apps.org.models import Project, User
from linli import clock

router = Router(tags=["cards"])


class CardOut(Schema):
    id: int
    project_id: int
    number: str
    kind: str
    household: str | None
    holder_name: str
    plate: str
    status: str
    issued_at: dt.datetime

    @staticmethod
    def resolve_household(obj: ICCard) -> str | None:
        return obj.household.label if obj.household_id and obj.household else None


class CardEntryOut(Schema):
    id: int
    card_id: int
    card_number: str
    kind: str
    at: dt.datetime
    by: str
    applicant_name: str
    applicant_is_owner: bool
    verified_at: dt.datetime | None
    verification_method: str
    note: str

    @staticmethod
    def resolve_card_number(obj: CardRegisterEntry) -> str:
        return obj.card.number

    @staticmethod
    def resolve_by(obj: CardRegisterEntry) -> str:
        return str(obj.by)


class IssueIn(Schema):
    project_id: int
    number: str
    kind: str
    holder_name: str
    household_id: int | None = None
    staff_id: int | None = None
    plate: str = ""
    note: str = ""


class ReplaceIn(Schema):
    new_number: str
    applicant_name: str
    applicant_is_owner: bool = False
    verified_at: PastMoment | None = None
    verification_method: str = ""
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class OfficerIn(Schema):
    project_id: int
    officer_id: int
    stand_in_id: int | None = None


class OfficerOut(Schema):
    project_id: int
    officer: str
    stand_in: str | None


class ChangeIn(Schema):
    effective_on: dt.date


class ChangeOut(Schema):
    id: int
    door_id: int
    door: str
    effective_on: dt.date
    first_notice_on: dt.date | None
    lead_days: int | None
    late_notice: bool

    @staticmethod
    def resolve_door(obj: DoorCodeChange) -> str:
        return obj.door.name


class DoorCodeNoticeIn(Schema):
    channel: str
    new_code: str = ""
    households_reached: int | None = None
    note: str = ""


class NoticeOut(Schema):
    id: int
    change_id: int
    channel: str
    at: dt.datetime
    households_reached: int
    late_notice: bool

    @staticmethod
    def resolve_late_notice(obj: DoorCodeNotice) -> bool:
        return obj.change.late_notice


class DoorOut(Schema):
    id: int
    name: str
    kind: str
    building_id: int
    unit_id: int | None


class ReviewIn(Schema):
    project_id: int
    year: int
    quarter: int
    anomalies: str = ""
    handling: str = ""


class ReviewOut(Schema):
    id: int
    year: int
    quarter: int
    counts: dict[str, int]


class PasswordIn(Schema):
    project_id: int
    changed_on: dt.date
    changed_by_id: int


class AccessIn(Schema):
    project_id: int
    name: str
    identity: str
    reason: str
    household_id: int | None = None


class CardIdOut(Schema):
    id: int


class HouseholdNoticeOut(Schema):
    door: str
    effective_on: dt.date
    channel: str
    at: dt.datetime


def _user(request: HttpRequest) -> User:
    return access.acting_user(request)


def _project(request: HttpRequest, project_id: int) -> Project:
    project = Project.objects.filter(pk=project_id, active=True).first()
    if project is None or not access.can_view(request.user, project):
        raise ApiError(404, "not_found", "项目不存在或无权查看", {"project_id": ["项目不存在或无权查看"]})
    return project


def _household(project: Project, pk: int | None) -> Household | None:
    if pk is None:
        return None
    h = Household.objects.filter(pk=pk, project=project).first()
    if h is None:
        raise ApiError(404, "not_found", "该项目没有这个房屋", {"household_id": ["该项目没有这个房屋"]})
    return h


def _staff(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    u = User.objects.filter(pk=pk).first()
    if u is None:
        raise ApiError(404, "not_found", "员工不存在", {field: ["员工不存在"]})
    return u


def _card(request: HttpRequest, pk: int) -> ICCard:
    card = ICCard.objects.select_related("project", "household").filter(pk=pk).first()
    if card is None or not access.can_view(request.user, card.project):
        raise ApiError(404, "not_found", "IC卡不存在")
    return card


@router.get("/", response={200: list[CardOut], **ERRORS}, summary="IC卡（分页）")
@paginate(LinliPagination)
def card_list(request: HttpRequest, project: int, status: str | None = None, **kwargs: Any) -> Any:
    qs = ICCard.objects.filter(project=_project(request, project)).select_related("household")
    return qs.filter(status=status) if status else qs


@router.post("/", response={201: CardOut, **ERRORS}, summary="发卡（仅IC卡管理员或代理人）")
def card_issue(request: HttpRequest, payload: IssueIn) -> Any:
    project = _project(request, payload.project_id)
    card = actions.issue_card(project=project, number=payload.number, kind=payload.kind,
                              holder_name=payload.holder_name, household=_household(project, payload.household_id),
                              staff=_staff(payload.staff_id, "staff_id"), plate=payload.plate, note=payload.note,
                              acting_user=_user(request), now=clock.now())
    return Status(201, card)


@router.post("/{card_id}/replace", response={201: CardOut, **ERRORS},
             summary="补办停车卡（multipart；非车主须附授权书、行驶证和核实记录）")
def card_replace(request: HttpRequest, card_id: int, payload: Form[ReplaceIn],
                 authorisation_doc: UploadedFile | None = File(None),  # noqa: B008 — ninja's parameter marker
                 licence_doc: UploadedFile | None = File(None)) -> Any:  # noqa: B008
    card = _card(request, card_id)
    new = actions.replace_parking_card(
        card=card, new_number=payload.new_number, applicant_name=payload.applicant_name,
        applicant_is_owner=payload.applicant_is_owner, authorisation_doc=authorisation_doc, licence_doc=licence_doc,
        verified_at=payload.verified_at, verification_method=payload.verification_method, note=payload.note,
        acting_user=_user(request), now=clock.now())
    return Status(201, new)


def _entry_op(request: HttpRequest, card_id: int, payload: NoteIn, fn: Any) -> Any:
    entry = fn(card=_card(request, card_id), note=payload.note, acting_user=_user(request), now=clock.now())
    return Status(201, CardRegisterEntry.objects.select_related("card", "by").get(pk=entry.pk))


@router.post("/{card_id}/lost", response={201: CardEntryOut, **ERRORS}, summary="挂失")
def card_lost(request: HttpRequest, card_id: int, payload: NoteIn) -> Any:
    return _entry_op(request, card_id, payload, actions.report_lost)


@router.post("/{card_id}/retrieve", response={201: CardEntryOut, **ERRORS}, summary="收回（关闭收回任务）")
def card_retrieve(request: HttpRequest, card_id: int, payload: NoteIn) -> Any:
    return _entry_op(request, card_id, payload, actions.retrieve_card)


@router.post("/{card_id}/cancel", response={201: CardEntryOut, **ERRORS}, summary="注销（仅IC卡管理员或代理人）")
def card_cancel(request: HttpRequest, card_id: int, payload: NoteIn) -> Any:
    return _entry_op(request, card_id, payload, actions.cancel_card)


@router.get("/register", response={200: list[CardEntryOut], **ERRORS}, summary="IC卡发放/异常情况登记表（分页）")
@paginate(LinliPagination)
def register(request: HttpRequest, project: int, **kwargs: Any) -> Any:
    return queries.register([_project(request, project)])


@router.post("/officer", response={200: OfficerOut, **ERRORS}, summary="指定IC卡管理员及代理人（部门负责人）")
def officer(request: HttpRequest, payload: OfficerIn) -> Any:
    project = _project(request, payload.project_id)
    o = actions.name_officer(project=project, officer=_staff(payload.officer_id, "officer_id"),  # type: ignore[arg-type]
                             stand_in=_staff(payload.stand_in_id, "stand_in_id"), acting_user=_user(request),
                             now=clock.now())
    return {"project_id": project.pk, "officer": str(o.officer), "stand_in": str(o.stand_in) if o.stand_in else None}


@router.get("/doors", response={200: list[DoorOut], **ERRORS}, summary="门禁")
def door_list(request: HttpRequest, project: int) -> Any:
    return list(Door.objects.filter(project=_project(request, project)))


@router.post("/doors/{door_id}/changes", response={201: ChangeOut, **ERRORS}, summary="登记门禁密码更换")
def change_create(request: HttpRequest, door_id: int, payload: ChangeIn) -> Any:
    door = Door.objects.select_related("project").filter(pk=door_id).first()
    if door is None or not access.can_view(request.user, door.project):
        raise ApiError(404, "not_found", "门禁不存在")
    return Status(201, actions.record_code_change(door=door, effective_on=payload.effective_on,
                                                  acting_user=_user(request), now=clock.now()))


@router.get("/changes", response={200: list[ChangeOut], **ERRORS}, summary="门禁密码更换记录")
def change_list(request: HttpRequest, project: int) -> Any:
    return list(DoorCodeChange.objects.filter(project=_project(request, project)).select_related("door")[:500])


@router.post("/changes/{change_id}/notices", response={201: NoticeOut, **ERRORS},
             summary="登记/发送门禁密码通知（提前不足7天照常登记并记为不符合项）")
def notice_create(request: HttpRequest, change_id: int, payload: DoorCodeNoticeIn) -> Any:
    change = DoorCodeChange.objects.select_related("project", "door").filter(pk=change_id).first()
    if change is None or not access.can_view(request.user, change.project):
        raise ApiError(404, "not_found", "密码更换记录不存在")
    notice = actions.record_code_notice(change=change, channel=payload.channel, new_code=payload.new_code,
                                        households_reached=payload.households_reached, note=payload.note,
                                        acting_user=_user(request), now=clock.now())
    return Status(201, DoorCodeNotice.objects.select_related("change").get(pk=notice.pk))


@router.post("/reviews", response={201: ReviewOut, **ERRORS}, summary="IC卡季度整理表")
def review_create(request: HttpRequest, payload: ReviewIn) -> Any:
    project = _project(request, payload.project_id)
    return Status(201, actions.record_quarterly_review(
        project=project, year=payload.year, quarter=payload.quarter, anomalies=payload.anomalies,
        handling=payload.handling, acting_user=_user(request), now=clock.now()))


@router.post("/password-changes", response={201: CardIdOut, **ERRORS}, summary="发卡电脑密码更改记录（不含密码）")
def password_create(request: HttpRequest, payload: PasswordIn) -> Any:
    project = _project(request, payload.project_id)
    return Status(201, actions.record_password_change(
        project=project, changed_on=payload.changed_on, changed_by=_staff(payload.changed_by_id, "changed_by_id"),  # type: ignore[arg-type]
        acting_user=_user(request), now=clock.now()))


@router.post("/access-registrations", response={201: CardIdOut, **ERRORS}, summary="未带卡出入登记")
def access_create(request: HttpRequest, payload: AccessIn) -> Any:
    project = _project(request, payload.project_id)
    return Status(201, actions.register_access(
        project=project, name=payload.name, identity=payload.identity, reason=payload.reason,
        household=_household(project, payload.household_id), acting_user=_user(request), now=clock.now()))


@router.get("/households/{household_id}/door-code-notices", response={200: list[HouseholdNoticeOut], **ERRORS},
            summary="房屋所用门禁的密码更换通知（不含密码）")
def household_notices(request: HttpRequest, household_id: int) -> Any:
    h = Household.objects.select_related("project").filter(pk=household_id).first()
    if h is None or not access.can_view(request.user, h.project):
        raise ApiError(404, "not_found", "房屋不存在")
    return [{"door": n.change.door.name, "effective_on": n.change.effective_on, "channel": n.channel, "at": n.at}
            for n in queries.door_code_notices_for_household(h.pk)[:200]]
