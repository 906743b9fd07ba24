"""The owners' own API under /api/v1/me/ (issue 19 item 9), for a future mini-program: the same
actions as the owner pages (sign in by SMS code, households, submit, follow, add information or a
photo, confirm a repair, rate the handling).

Owner auth: ``Authorization: Bearer own_…`` — a token issued by ``POST /me/sign-in`` after the SMS
code (the same codes, limits and lockout as the pages). Owner tokens are not staff tokens: they
authenticate only these endpoints, and a staff token or staff session is refused here (401).

Privacy: every record is looked up among the signed-in phone's households only; another household's
record answers 404.
"""
import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import File, Path, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import HttpBearer
from pydantic import Field

from apps.core.api_errors import ERRORS
from apps.core.lockout import client_address
from apps.core.validation import PlannedMoment
from apps.estates.models import Household
from apps.notify import queries as notify_queries
from apps.owners import actions, policy, queries
from apps.owners.models import OwnerAccount, OwnerToken
from apps.repairs.models import RepairOrder
from apps.tickets.models import Ticket
from linli import clock

MAX_ID = 2**31 - 1
MAX_TEXT = 1000  # LINLI_OWNER_MAX_TEXT's default; a lower setting is refused by the action with its message


class OwnerTokenAuth(HttpBearer):
    """An active, unexpired owner token; sets ``request.owner_account`` (never ``request.user``)."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = clock.now()
        row = (OwnerToken.objects.select_related("account")
               .filter(digest=actions.token_digest(token), revoked_at__isnull=True, expires_at__gt=now,
                       account__active=True).first())
        if row is None:
            return None
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            OwnerToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.owner_account = row.account  # type: ignore[attr-defined]
        return row.account


router = Router(tags=["owners (me)"], auth=OwnerTokenAuth())


# ---------------------------------------------------------------- schemas (names unique across apps)


class MeCodeIn(Schema):
    phone: str = Field(..., min_length=1, max_length=20, description="登记在房屋上的手机号")


class MeCodeOut(Schema):
    sent: bool
    expires_in_seconds: int


class MeSignInIn(Schema):
    phone: str = Field(..., min_length=1, max_length=20)
    code: str = Field(..., min_length=1, max_length=10, description="短信验证码")


class MeHouseholdOut(Schema):
    id: int
    label: str
    project: str


class MeSignInOut(Schema):
    token: str
    households: list[MeHouseholdOut]


class MePromisedOut(Schema):
    stage: str
    label: str
    due_at: dt.datetime
    met_at: dt.datetime | None


class MeStageOut(Schema):
    label: str
    at: dt.datetime
    who: str
    text: str


class MeTicketRowOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    status_label: str
    content: str
    received_at: dt.datetime


class MeTicketOut(MeTicketRowOut):
    household_id: int
    promised: list[MePromisedOut]
    stages: list[MeStageOut]
    photo_count: int
    open: bool
    may_confirm: bool
    confirmed_at: dt.datetime | None
    not_fixed_reason: str
    may_rate: bool


class MeSubmitIn(Schema):
    kind: str = Field(..., max_length=20, description="repair / complaint / suggestion / consultation / praise")
    content: str = Field(..., max_length=MAX_TEXT)
    category_id: int | None = Field(None, ge=1, le=MAX_ID)
    preferred_visit_at: PlannedMoment | None = None


class MeInformationIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT)


class MeConfirmIn(Schema):
    fixed: bool
    reason: str = Field("", max_length=MAX_TEXT, description="没有修好时必填")


class MeRatingIn(Schema):
    satisfaction: str = Field(..., max_length=20, description="satisfied / basic / unsatisfied")
    attitude: str = Field("", max_length=20, description="报修的服务态度（同上取值）")
    words: str = Field("", max_length=MAX_TEXT, description="不满意时必填")


# ---------------------------------------------------------------- helpers


def _account(request: HttpRequest) -> OwnerAccount:
    return request.owner_account  # type: ignore[attr-defined]


def _household(request: HttpRequest, household_id: int) -> Household:
    home = queries.household_for_phone(_account(request).phone, household_id)
    if home is None:
        raise Http404
    return home


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    homes = queries.households_for_phone(_account(request).phone)
    ticket = (Ticket.objects.filter(pk=ticket_id, household__in=homes.values("pk")).exclude(status="voided")
              .select_related("household").first())
    if ticket is None or ticket.household is None:
        raise Http404
    full = queries.ticket_for_household(ticket.household, ticket.pk)
    if full is None:
        raise Http404
    return full


def _home(t: Ticket) -> Household:
    if t.household is None:  # _ticket answers only tickets of a household
        raise Http404
    return t.household


def _row(t: Ticket) -> dict[str, Any]:
    return {"id": t.pk, "number": t.number, "kind": t.kind, "status": t.status,
            "status_label": str(t.get_status_display()), "content": t.content, "received_at": t.received_at}


def _detail(t: Ticket) -> dict[str, Any]:
    order = RepairOrder.objects.filter(ticket=t).first()
    return {**_row(t), "household_id": t.household_id, "promised": queries.promised(t),
            "stages": queries.timeline(t), "photo_count": len(t.owner_photos.all()),
            "open": t.status in actions.OPEN_STATUSES, "may_confirm": actions.may_confirm(t),
            "confirmed_at": order.signed_at if order else None,
            "not_fixed_reason": order.refusal_reason if order and order.refused_at else "",
            "may_rate": actions.may_rate(t)}


# ---------------------------------------------------------------- sign-in


@router.post("/sign-in/code", auth=None, response={202: MeCodeOut, **ERRORS}, summary="获取短信验证码")
def me_request_code(request: HttpRequest, payload: MeCodeIn) -> Any:
    actions.request_code(phone=payload.phone, ip=client_address(request) or "", now=clock.now())
    return Status(202, {"sent": True, "expires_in_seconds": int(policy.code_ttl().total_seconds())})


@router.post("/sign-in", auth=None, response={201: MeSignInOut, **ERRORS}, summary="验证码登录，返回业主令牌")
def me_sign_in(request: HttpRequest, payload: MeSignInIn) -> Any:
    now = clock.now()
    account = actions.verify(phone=payload.phone, code=payload.code, now=now)
    token = actions.issue_token(account=account, now=now)
    homes = [{"id": h.pk, "label": h.label, "project": h.project.name}
             for h in queries.households_for_phone(account.phone)]
    return Status(201, {"token": token, "households": homes})


@router.post("/sign-out", response={204: None, **ERRORS}, summary="退出登录（令牌失效）")
def me_sign_out(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    actions.revoke_token(raw=header[7:].strip(), now=clock.now())
    return Status(204, None)


# ---------------------------------------------------------------- households and requests


@router.get("/households", response={200: list[MeHouseholdOut], **ERRORS}, summary="我的房屋")
def me_households(request: HttpRequest) -> Any:
    return [{"id": h.pk, "label": h.label, "project": h.project.name}
            for h in queries.households_for_phone(_account(request).phone)]


@router.get("/households/{household_id}/tickets", response={200: list[MeTicketRowOut], **ERRORS},
            summary="本户的诉求（最近 100 条）")
def me_tickets(request: HttpRequest, household_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    home = _household(request, household_id)
    return [_row(t) for t in queries.tickets_for_household(home)[:100]]


@router.post("/households/{household_id}/tickets", response={201: MeTicketOut, **ERRORS},
             summary="提交诉求（网上渠道，与前台受理同一流程）")
def me_submit(request: HttpRequest, payload: MeSubmitIn,
              household_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    home = _household(request, household_id)
    ticket = actions.submit_request(account=_account(request), household=home, kind=payload.kind,
                                    content=payload.content, category_id=payload.category_id,
                                    preferred_visit_at=payload.preferred_visit_at, now=clock.now())
    return Status(201, _detail(_ticket(request, ticket.pk)))


@router.get("/tickets/{ticket_id}", response={200: MeTicketOut, **ERRORS}, summary="诉求进度")
def me_ticket(request: HttpRequest, ticket_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    return _detail(_ticket(request, ticket_id))


@router.post("/tickets/{ticket_id}/information", response={200: MeTicketOut, **ERRORS}, summary="补充信息")
def me_add_information(request: HttpRequest, payload: MeInformationIn,
                       ticket_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    ticket = _ticket(request, ticket_id)
    actions.add_information(account=_account(request), household=_home(ticket), ticket=ticket, text=payload.text,
                            now=clock.now())
    return _detail(_ticket(request, ticket_id))


@router.post("/tickets/{ticket_id}/photos", response={200: MeTicketOut, **ERRORS},
             summary="补充照片（multipart，字段 photo；按内容校验）")
def me_add_photo(request: HttpRequest, ticket_id: int = Path(..., ge=1, le=MAX_ID),  # noqa: B008
                 photo: UploadedFile = File(...)) -> Any:  # noqa: B008
    ticket = _ticket(request, ticket_id)
    actions.add_information(account=_account(request), household=_home(ticket), ticket=ticket, text="",
                            photos=[photo], now=clock.now())
    return _detail(_ticket(request, ticket_id))


@router.post("/tickets/{ticket_id}/confirmation", response={200: MeTicketOut, **ERRORS},
             summary="确认维修已修好或反馈没有修好")
def me_confirm(request: HttpRequest, payload: MeConfirmIn,
               ticket_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    ticket = _ticket(request, ticket_id)
    actions.confirm_repair(account=_account(request), household=_home(ticket), ticket=ticket,
                           fixed=payload.fixed, reason=payload.reason, now=clock.now())
    return _detail(_ticket(request, ticket_id))


@router.post("/tickets/{ticket_id}/rating", response={200: MeTicketOut, **ERRORS},
             summary="评价处理（网上回访，每次处理一次）")
def me_rate(request: HttpRequest, payload: MeRatingIn,
            ticket_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    ticket = _ticket(request, ticket_id)
    actions.rate_handling(account=_account(request), household=_home(ticket), ticket=ticket,
                          satisfaction=payload.satisfaction, attitude=payload.attitude, words=payload.words,
                          now=clock.now())
    return _detail(_ticket(request, ticket_id))



# ---------------------------------------------------------------- surveys, fees, IC cards (issue 19 items 4, 5)


class MeSurveyOut(Schema):
    id: int
    title: str
    questionnaire: str
    received_on: dt.date
    answered_at: dt.datetime | None
    answerable: bool


class MeSurveyItemOut(Schema):
    code: str
    text: str
    free_text: bool
    required: bool


class MeSurveyOptionOut(Schema):
    key: int
    label: str


class MeSurveyDetailOut(MeSurveyOut):
    intro: str
    items: list[MeSurveyItemOut]
    options: list[MeSurveyOptionOut]


class MeSurveyAnswerIn(Schema):
    answers: dict[str, str] = Field(..., description="{题目代码: 选项按键（1–9）或文字}")
    comment: str = Field("", max_length=MAX_TEXT)


class MeBillOut(Schema):
    id: int
    kind: str
    description: str
    amount: str
    paid: str
    status: str
    status_label: str
    due_date: dt.date
    overdue: bool


class MePaymentOut(Schema):
    number: str
    kind: str
    amount: str
    method: str
    collected_at: dt.datetime


class MeFeesOut(Schema):
    owed: str
    overdue: str
    bills: list[MeBillOut]
    payments: list[MePaymentOut]


class MeCardOut(Schema):
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    holder_name: str
    plate: str
    issued_at: dt.datetime


class MeDoorNoticeOut(Schema):
    door: str
    channel: str
    at: dt.datetime


class MeCardsOut(Schema):
    cards: list[MeCardOut]
    door_notices: list[MeDoorNoticeOut]


def _survey_row(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r[k] for k in ("id", "title", "questionnaire", "received_on", "answered_at", "answerable")}


def _survey_detail(home: Household, survey_id: int) -> dict[str, Any]:
    row = next((r for r in queries.surveys(home) if r["id"] == survey_id), None)
    if row is None:
        raise Http404
    q = row["row"].survey.campaign.questionnaire
    return {**_survey_row(row), "intro": q.intro,
            "items": [{"code": i.code, "text": i.text, "free_text": i.free_text, "required": i.overall}
                      for i in q.items.all().order_by("order")],
            "options": [{"key": o.key, "label": o.label} for o in q.options.all().order_by("key")]}


@router.get("/households/{household_id}/surveys", response={200: list[MeSurveyOut], **ERRORS},
            summary="本户的满意度调查问卷")
def me_surveys(request: HttpRequest, household_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    return [_survey_row(r) for r in queries.surveys(_household(request, household_id))]


@router.get("/households/{household_id}/surveys/{survey_id}", response={200: MeSurveyDetailOut, **ERRORS},
            summary="问卷题目")
def me_survey(request: HttpRequest, household_id: int = Path(..., ge=1, le=MAX_ID),  # noqa: B008
              survey_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    return _survey_detail(_household(request, household_id), survey_id)


@router.post("/households/{household_id}/surveys/{survey_id}/answers", response={201: MeSurveyDetailOut, **ERRORS},
             summary="作答问卷（每份一次）")
def me_answer_survey(request: HttpRequest, payload: MeSurveyAnswerIn,
                     household_id: int = Path(..., ge=1, le=MAX_ID),  # noqa: B008
                     survey_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    home = _household(request, household_id)
    actions.answer_survey(account=_account(request), household=home, response_id=survey_id,
                          answers=payload.answers, comment=payload.comment, now=clock.now())
    return Status(201, _survey_detail(home, survey_id))


@router.get("/households/{household_id}/fees", response={200: MeFeesOut, **ERRORS}, summary="本户的账单与缴费记录")
def me_fees(request: HttpRequest, household_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    home = _household(request, household_id)
    today = clock.now().astimezone(home.project.tz).date()
    data = queries.fees(home, today)
    return {"owed": str(data["owed"]), "overdue": str(data["overdue"]),
            "bills": [{"id": b.pk, "kind": b.kind, "description": b.description, "amount": str(b.amount),
                       "paid": str(b.paid), "status": b.status, "status_label": str(b.get_status_display()),
                       "due_date": b.due_date, "overdue": b.status != "paid" and b.due_date < today}
                      for b in data["bills"]],
            "payments": [{"number": p.number, "kind": p.kind, "amount": str(p.amount), "method": p.method,
                          "collected_at": p.collected_at} for p in data["payments"]]}


@router.get("/households/{household_id}/cards", response={200: MeCardsOut, **ERRORS},
            summary="本户的门禁IC卡与门禁密码更换通知")
def me_cards(request: HttpRequest, household_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    data = queries.cards(_household(request, household_id))
    return {"cards": [{"number": c.number, "kind": c.kind, "kind_label": str(c.get_kind_display()), "status": c.status,
                       "status_label": str(c.get_status_display()), "holder_name": c.holder_name, "plate": c.plate,
                       "issued_at": c.issued_at} for c in data["cards"]],
            "door_notices": [{"door": str(n.change.door), "channel": str(n.get_channel_display()), "at": n.at}
                             for n in data["notices"]]}


# ---------------------------------------------------------------- SMS preferences (issue 19 item 6)


class MeSmsTopicOut(Schema):
    code: str
    label: str
    help: str
    on: bool


class MeSmsPreferencesIn(Schema):
    topics: list[str] = Field(..., max_length=20, description="要接收的短信类别代码；未列出的类别关闭")


@router.get("/sms-preferences", response={200: list[MeSmsTopicOut], **ERRORS}, summary="短信通知设置")
def me_sms_preferences(request: HttpRequest) -> Any:
    return notify_queries.owner_sms_topics(_account(request).phone)


@router.put("/sms-preferences", response={200: list[MeSmsTopicOut], **ERRORS},
            summary="保存短信通知设置（验证码、门禁密码变更和紧急通知始终发送）")
def me_set_sms_preferences(request: HttpRequest, payload: MeSmsPreferencesIn) -> Any:
    account = _account(request)
    actions.set_sms_preferences(account=account, enabled=payload.topics, now=clock.now())
    return notify_queries.owner_sms_topics(account.phone)


# ---------------------------------------------------------------- owners' committee (issue 19 item 7, R-M1-13, AS-03)


class MeCommitteeProjectOut(Schema):
    project_id: int
    project: str
    name: str
    title: str


class MeCommitteeTicketOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    status_label: str
    content: str
    received_at: dt.datetime
    reply_due_at: dt.datetime | None
    complainant_name: str
    room: str
    filled_on: dt.date
    receipt_url: str


class MeCommitteeTicketDetailOut(MeCommitteeTicketOut):
    stages: list[MeStageOut]
    promised: list[MePromisedOut]


class MeCommitteeFormIn(Schema):
    kind: str = Field("complaint", max_length=20, description="complaint / suggestion")
    content: str = Field(..., max_length=MAX_TEXT, description="业主投诉意见记录表的内容")
    complainant_name: str = Field(..., max_length=50, description="填表业主姓名")
    complainant_phone: str = Field(..., max_length=20, description="业主联系电话")
    room: str = Field("", max_length=100, description="房号")
    filled_on: dt.date | None = Field(None, description="填表日期（默认今天）")


def _committee_member(request: HttpRequest, project_id: int) -> Any:
    member = queries.committee_membership(_account(request).phone, project_id)
    if member is None:
        raise Http404
    return member


def _committee_row(t: Ticket) -> dict[str, Any]:
    fw = t.committee_forward
    return {"id": t.pk, "number": t.number, "kind": t.kind, "status": t.status,
            "status_label": str(t.get_status_display()), "content": t.content, "received_at": t.received_at,
            "reply_due_at": queries.reply_due(t), "complainant_name": fw.complainant_name, "room": fw.room,
            "filled_on": fw.filled_on,
            "receipt_url": reverse("owners:committee_receipt", args=[t.pk]) + f"?project={t.project_id}"}


def _committee_detail(member: Any, ticket_id: int) -> dict[str, Any]:
    t = queries.committee_ticket(member, ticket_id)
    if t is None:
        raise Http404
    return {**_committee_row(t), "stages": queries.timeline(t), "promised": queries.promised(t)}


@router.get("/committee", response={200: list[MeCommitteeProjectOut], **ERRORS}, summary="我所在的业委会")
def me_committee(request: HttpRequest) -> Any:
    return [{"project_id": m.project_id, "project": m.project.name, "name": m.name, "title": m.title}
            for m in queries.committee_memberships(_account(request).phone)]


@router.get("/committee/{project_id}/tickets", response={200: list[MeCommitteeTicketOut], **ERRORS},
            summary="业委会已转交的记录表及处理状态（最近 100 条）")
def me_committee_tickets(request: HttpRequest, project_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    member = _committee_member(request, project_id)
    return [_committee_row(t) for t in queries.committee_tickets(member)[:100]]


@router.post("/committee/{project_id}/tickets", response={201: MeCommitteeTicketDetailOut, **ERRORS},
             summary="转交业主投诉意见记录表（业委会书面平台，返回回执信息）")
def me_committee_forward(request: HttpRequest, payload: MeCommitteeFormIn,
                         project_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    member = _committee_member(request, project_id)
    ticket = actions.forward_committee_form(
        account=_account(request), member=member, kind=payload.kind, content=payload.content,
        complainant_name=payload.complainant_name, complainant_phone=payload.complainant_phone, room=payload.room,
        filled_on=payload.filled_on, now=clock.now())
    return Status(201, _committee_detail(member, ticket.pk))


@router.get("/committee/{project_id}/tickets/{ticket_id}", response={200: MeCommitteeTicketDetailOut, **ERRORS},
            summary="业委会转交记录表的处理进度与回执信息")
def me_committee_ticket(request: HttpRequest, project_id: int = Path(..., ge=1, le=MAX_ID),  # noqa: B008
                        ticket_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:  # noqa: B008
    return _committee_detail(_committee_member(request, project_id), ticket_id)
