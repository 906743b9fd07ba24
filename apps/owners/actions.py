"""Every write of the owners' side (issue 19): sign-in codes, household members, online requests.

Each action is keyword-only, runs in ``transaction.atomic()`` and raises :class:`OwnerError`
(a DomainError: Chinese message, stable code, field, HTTP status) so pages and the API refuse alike.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from apps.core.errors import DomainError
from apps.core.files import IMAGES, FileRefused, check_upload
from apps.estates import roster
from apps.estates.models import Household, Person, PersonKind
from apps.notify.actions import notify_owner, set_owner_sms_topics
from apps.notify.queries import NotifyError
from apps.org.access import can_see_project, has_cap
from apps.org.models import Membership, Project, User
from apps.org.roles import Cap, Role
from apps.owners import policy, queries
from apps.owners.models import (
    CommitteeForward,
    CommitteeMember,
    OnlineIntakeSetting,
    OwnerAccount,
    OwnerPhoto,
    OwnerSubmission,
    OwnerToken,
    SignInCode,
)
from apps.repairs.actions import record_owner_confirmation, record_repair_return_visit
from apps.repairs.errors import RepairError
from apps.repairs.models import RepairOrder
from apps.surveys import actions as survey_actions
from apps.surveys.actions import SurveyError
from apps.tickets import actions as ticket_actions
from apps.tickets.actions import TicketError
from apps.tickets.choices import VERIFY_KINDS, Channel, ReturnVisitMethod, Source, TicketStatus
from apps.tickets.models import Category, ReturnVisit, Ticket
from apps.tickets.policies import company_level
from apps.tickets.transitions import InvalidTransition, can_move
from apps.workdays.keys import Kind


class OwnerError(DomainError):
    pass


def _hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"owner-code:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def normalise_phone(raw: str) -> str:
    phone = roster.normalise_phone(raw or "")
    if not roster.MOBILE.match(phone):
        raise OwnerError("请输入11位手机号码", field="phone", code="bad_phone")
    return phone


def _locked(phone: str, now: dt.datetime) -> bool:
    wrong = (SignInCode.objects.filter(phone=phone, created_at__gte=now - policy.lockout())
             .aggregate(n=Sum("wrong_attempts"))["n"] or 0)
    return wrong >= policy.wrong_codes_before_lockout()


@transaction.atomic()
def request_code(*, phone: str, ip: str, now: dt.datetime) -> SignInCode:
    """Send a one-time sign-in code by SMS (through apps.notify, at once: the owner is waiting)."""
    phone = normalise_phone(phone)
    households = list(queries.households_for_phone(phone)[:1])
    if not households:
        raise OwnerError("该手机号未登记在任何房屋上，请联系物业服务中心登记后再登录", field="phone",
                         code="unknown_phone", status=404)
    if _locked(phone, now):
        raise OwnerError("验证码输错次数过多，请稍后再试", field="phone", code="locked", status=429)
    recent = SignInCode.objects.filter(phone=phone)
    if recent.filter(created_at__gt=now - policy.code_interval()).exists():
        raise OwnerError("验证码发送太频繁，请一分钟后再试", field="phone", code="too_many_codes", status=429)
    if recent.filter(created_at__gt=now - dt.timedelta(hours=1)).count() >= policy.codes_per_phone_hour():
        raise OwnerError("该手机号一小时内获取验证码次数已达上限，请稍后再试", field="phone", code="too_many_codes",
                         status=429)
    if ip and SignInCode.objects.filter(ip=ip, created_at__gt=now - dt.timedelta(hours=1)).count() \
            >= policy.codes_per_ip_hour():
        raise OwnerError("获取验证码过于频繁，请稍后再试", field="phone", code="too_many_codes", status=429)
    code = f"{secrets.randbelow(1_000_000):06d}"
    # an older unused code stops working once a new one is sent
    SignInCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=now)
    row = SignInCode.objects.create(phone=phone, ip=ip or "", code_hash=_hash(phone, code), created_at=now,
                                    expires_at=now + policy.code_ttl())
    minutes = int(policy.code_ttl().total_seconds() // 60)
    notify_owner(phone, project=households[0].project, kind="owner_sign_in_code", emergency=True, now=now,
                 body=f"【邻里】您的登录验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。")
    return row


@transaction.atomic()
def verify_code(*, phone: str, code: str, now: dt.datetime) -> OwnerAccount:
    """Check a code: right, unexpired, unused; wrong tries count towards the lockout."""
    phone = normalise_phone(phone)
    code = (code or "").strip()
    if _locked(phone, now):
        raise OwnerError("验证码输错次数过多，请稍后再试", field="code", code="locked", status=429)
    row = (SignInCode.objects.select_for_update().filter(phone=phone).order_by("-created_at", "-id").first())
    if row is None or row.used_at is not None:
        raise OwnerError("验证码已使用或已失效，请重新获取", field="code", code="code_used", status=400)
    if row.expires_at <= now:
        raise OwnerError("验证码已过期，请重新获取", field="code", code="code_expired", status=400)
    if not hmac.compare_digest(row.code_hash, _hash(phone, code)):
        raise _WrongCode(row.pk)
    row.used_at = now
    row.save(update_fields=["used_at"])
    account, _created = OwnerAccount.objects.get_or_create(phone=phone, defaults={"created_at": now})
    if not account.active:
        raise OwnerError("该账号已停用，请联系物业服务中心", field="phone", code="inactive", status=403)
    account.last_sign_in_at = now
    account.save(update_fields=["last_sign_in_at"])
    return account


@transaction.atomic()
def open_account(*, phone: str, now: dt.datetime) -> OwnerAccount:
    """The owner account of a phone registered on a household (created on first use; demo data)."""
    phone = normalise_phone(phone)
    if not queries.households_for_phone(phone).exists():
        raise OwnerError("该手机号未登记在任何房屋上", field="phone", code="unknown_phone", status=404)
    return OwnerAccount.objects.get_or_create(phone=phone, defaults={"created_at": now})[0]


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic()
def issue_token(*, account: OwnerAccount, now: dt.datetime) -> str:
    """An API token for the owner just signed in with a code (issue 19 item 9); the raw value is
    answered once, only its digest is kept."""
    raw = "own_" + secrets.token_urlsafe(32)
    OwnerToken.objects.create(account=account, digest=token_digest(raw), created_at=now,
                              expires_at=now + policy.token_ttl())
    return raw


@transaction.atomic()
def revoke_token(*, raw: str, now: dt.datetime) -> None:
    """Sign out of the API: the token stops working."""
    OwnerToken.objects.filter(digest=token_digest(raw), revoked_at__isnull=True).update(revoked_at=now)


class _WrongCode(OwnerError):
    """A wrong code: the try must be counted even though the action refuses (see verify)."""

    def __init__(self, code_id: int) -> None:
        super().__init__("验证码不正确", field="code", code="wrong_code", status=400)
        self.code_id = code_id


def verify(*, phone: str, code: str, now: dt.datetime) -> OwnerAccount:
    """Entry used by pages and API: a wrong try is recorded in its own transaction (the refusal
    itself writes nothing else)."""
    try:
        return verify_code(phone=phone, code=code, now=now)
    except _WrongCode as exc:
        with transaction.atomic():
            row = SignInCode.objects.select_for_update().get(pk=exc.code_id)
            row.wrong_attempts += 1
            row.save(update_fields=["wrong_attempts"])
        raise OwnerError(exc.message, field="code", code="wrong_code", status=400) from None


# ---------------------------------------------------------------- household members


def _holder(account: OwnerAccount, household: Household) -> Person:
    person = queries.persons_for_phone(account.phone).filter(household=household).order_by("id").first()
    if person is None:
        raise OwnerError("房屋不存在", code="not_found", status=404)
    return person


MEMBER_KINDS = (PersonKind.RESIDENT, PersonKind.TENANT)


@transaction.atomic()
def add_member(*, account: OwnerAccount, household: Household, name: str, phone: str, kind: str,
               now: dt.datetime) -> Person:
    """业主添加家庭成员或租户 (only an owner of the household may)."""
    holder = _holder(account, household)
    if holder.kind != PersonKind.OWNER:
        raise OwnerError("只有业主本人可以添加家庭成员或租户", code="forbidden", status=403)
    if kind not in MEMBER_KINDS:
        raise OwnerError("请选择家庭成员或租户", field="kind")
    name = (name or "").strip()
    if not name:
        raise OwnerError("请填写姓名", field="name")
    if len(name) > 50:
        raise OwnerError("姓名不能超过50个字", field="name")
    mobile = normalise_phone(phone)
    if household.persons.filter(phone=mobile, active=True).exists():
        raise OwnerError("该手机号已登记在本房屋", field="phone", code="duplicate")
    person = Person(project=household.project, household=household, kind=kind, name=name, phone=mobile)
    person._change_reason = f"业主网上添加（{account}）"  # type: ignore[attr-defined]
    try:
        person.full_clean(exclude=["project", "household"])
    except ValidationError as exc:
        raise OwnerError("；".join(m for msgs in exc.message_dict.values() for m in msgs), field="name") from None
    person.save()
    return person


@transaction.atomic()
def remove_member(*, account: OwnerAccount, household: Household, person_id: Any, now: dt.datetime) -> Person:
    """业主移除家庭成员或租户 (marked not living there; the record and its history are kept)."""
    holder = _holder(account, household)
    if holder.kind != PersonKind.OWNER:
        raise OwnerError("只有业主本人可以移除家庭成员或租户", code="forbidden", status=403)
    person = Person.objects.select_for_update().filter(
        household=household, pk=person_id if str(person_id).isdigit() else 0, active=True).first()
    if person is None:
        raise OwnerError("人员不存在", code="not_found", status=404)
    if person.kind == PersonKind.OWNER:
        raise OwnerError("业主本人不能在此移除，请联系物业服务中心", code="forbidden", status=403)
    person.active = False
    person._change_reason = f"业主网上移除（{account}）"  # type: ignore[attr-defined]
    person.save(update_fields=["active"])
    return person


# ---------------------------------------------------------------- online requests


def online_receiver(project: Project) -> User:
    """The staff member recorded as receiver of online requests: the project's setting, else the
    project's first front-desk member."""
    setting = OnlineIntakeSetting.objects.filter(project=project).select_related("receiver").first()
    if setting is not None and setting.receiver.is_active:
        return setting.receiver
    for role in (Role.FRONT_DESK, Role.CS_SUPERVISOR, Role.CS_MANAGER):
        m = (Membership.objects.filter(project=project, role=role, user__is_active=True)
             .select_related("user").order_by("id").first())
        if m is not None:
            return m.user
    raise OwnerError("本项目暂未开通网上受理，请致电物业服务中心", code="no_receiver", status=409)


def _text(text: str, field: str = "content") -> str:
    text = (text or "").strip()
    if not text:
        raise OwnerError("请填写内容", field=field, code="empty")
    if len(text) > policy.max_text():
        raise OwnerError(f"内容不能超过{policy.max_text()}个字", field=field, code="too_long")
    return text


def _check_photos(photos: list[Any]) -> None:
    photos = [p for p in photos if p]
    if len(photos) > policy.max_photos():
        raise OwnerError(f"最多上传{policy.max_photos()}张照片", field="photos", code="too_many_files")
    for f in photos:
        try:
            check_upload(f, allowed=IMAGES, field="photos")
        except FileRefused as exc:
            raise OwnerError(exc.message, field="photos", code=exc.code) from None


OWNER_PHOTO_CAPTION = "业主网上上传"


def _save_photos(ticket: Ticket, account: OwnerAccount, photos: list[Any], now: dt.datetime) -> None:
    """The photos become the ticket's attachments (``tickets.actions.add_attachments``, under the
    online receiver) so the staff ticket page shows them; the owner's own list points at the same
    stored files."""
    photos = [f for f in photos if f]
    if not photos:
        return
    try:
        rows = ticket_actions.add_attachments(
            ticket=ticket, files=[(f, OWNER_PHOTO_CAPTION) for f in photos],
            acting_user=online_receiver(ticket.project), now=now, allowed=IMAGES)
    except (TicketError, PermissionDenied) as exc:
        raise OwnerError(str(getattr(exc, "message", exc)), field="photos", code="refused", status=400) from None
    for att in rows:
        OwnerPhoto.objects.create(ticket=ticket, account=account, file=att.file.name, uploaded_at=now)


def _ticket_error(exc: TicketError) -> OwnerError:
    field = next(iter(exc.fields), None) if exc.fields else None
    return OwnerError(exc.message, field="content" if field not in ("kind", "category") else field,
                      code=exc.code, status=exc.status)


@transaction.atomic()
def submit_request(*, account: OwnerAccount, household: Household, kind: str, content: str,
                   category_id: Any = None, preferred_visit_at: dt.datetime | None = None,
                   photos: list[Any] | None = None, now: dt.datetime) -> Ticket:
    """业主网上提交 — enters the one pipeline as the online channel, exactly as front-desk intake
    (``tickets.actions.receive_ticket``; a repair's work order follows through its durable job)."""
    person = _holder(account, household)
    if kind not in queries.OWNER_KINDS:
        raise OwnerError("请选择类型", field="kind")
    content = _text(content)
    photos = [p for p in (photos or []) if p]
    _check_photos(photos)
    category = None
    if category_id not in (None, ""):
        category = Category.objects.filter(pk=category_id if str(category_id).isdigit() else 0, active=True).first()
        if category is None or category.company_id not in (None, household.project.company_id):
            raise OwnerError("分类不可用", field="category")
    desired = ""
    if preferred_visit_at is not None:
        if kind != Kind.REPAIR:
            preferred_visit_at = None
        elif preferred_visit_at < now:
            raise OwnerError("希望上门时间不能早于现在", field="preferred_visit_at")
        else:
            local = preferred_visit_at.astimezone(household.project.tz)
            desired = f"希望上门时间：{local:%Y-%m-%d %H:%M}"
    receiver = online_receiver(household.project)
    try:
        ticket = ticket_actions.receive_ticket(
            project=household.project, kind=kind, channel=Channel.ONLINE, content=content, acting_user=receiver,
            now=now, household=household, person=person, complainant_surname=person.name[:1],
            category=category, desired_outcome=desired)
    except TicketError as exc:
        raise _ticket_error(exc) from None
    OwnerSubmission.objects.create(ticket=ticket, account=account, household=household,
                                   preferred_visit_at=preferred_visit_at, submitted_at=now)
    _save_photos(ticket, account, photos, now)
    return ticket


OPEN_STATUSES = ("received", "dispatched", "handling", "transferred", "handled", "reopened")


@transaction.atomic()
def add_information(*, account: OwnerAccount, household: Household, ticket: Ticket, text: str,
                    photos: list[Any] | None = None, now: dt.datetime) -> Ticket:
    """业主补充信息/照片 while the request is open (a timeline note by the online receiver)."""
    _holder(account, household)
    if ticket.household_id != household.pk:
        raise OwnerError("工单不存在", code="not_found", status=404)
    if ticket.status not in OPEN_STATUSES:
        raise OwnerError("工单已处理完毕，不能再补充；如有问题请重新提交", code="closed", status=409)
    photos = [p for p in (photos or []) if p]
    text = (text or "").strip()
    if not text and not photos:
        raise OwnerError("请填写补充内容或上传照片", field="text", code="empty")
    if text:
        text = _text(text, "text")
    _check_photos(photos)
    receiver = online_receiver(household.project)
    note = f"业主网上补充：{text}" if text else "业主网上补充了照片"
    if photos:
        note += f"（照片{len(photos)}张）"
    try:
        ticket_actions.add_note(ticket=ticket, text=note, acting_user=receiver, now=now)
    except (TicketError, PermissionDenied) as exc:
        raise OwnerError(str(getattr(exc, "message", exc)), code="refused", status=409) from None
    _save_photos(ticket, account, photos, now)
    return ticket


# ---------------------------------------------------------------- the owner confirms a repair (R-M8-08 e)


def may_confirm(ticket: Ticket) -> bool:
    """A completed repair the owner has not yet accepted (nor already said is not fixed)."""
    order = RepairOrder.objects.filter(ticket=ticket).first()
    return (order is not None and order.completed_at is not None and order.signed_at is None
            and order.refused_at is None)


@transaction.atomic()
def confirm_repair(*, account: OwnerAccount, household: Household, ticket: Ticket, fixed: bool, reason: str = "",
                   now: dt.datetime) -> RepairOrder:
    """业主确认维修 (R-M8-08 e, R-M8-09, R-M8-13): the repairs app's own acceptance record
    (``record_owner_confirmation``, as the worker's ``sign_acceptance`` / ``refuse_acceptance``), and a
    timeline note by the online receiver so the handlers see it; 没修好 then goes to verification,
    which reopens the ticket under the pipeline's rules."""
    person = _holder(account, household)
    if ticket.household_id != household.pk:
        raise OwnerError("工单不存在", code="not_found", status=404)
    order = RepairOrder.objects.filter(ticket=ticket).first()
    if order is None:
        raise OwnerError("该工单不是报修，无需确认", code="not_repair", status=409)
    reason = (reason or "").strip()
    if reason:
        reason = _text(reason, "reason")
    try:
        order = record_owner_confirmation(order=order, fixed=fixed, owner_name=person.name, reason=reason, now=now)
    except RepairError as exc:
        field = next(iter(exc.fields), None) if exc.fields else None
        raise OwnerError(exc.message, field=field, code=exc.code, status=exc.status) from None
    note = "业主网上确认：已修好" if fixed else f"业主网上反馈：没有修好。{reason}"
    try:
        ticket_actions.add_note(ticket=ticket, text=note, acting_user=online_receiver(household.project), now=now)
    except (TicketError, PermissionDenied) as exc:
        raise OwnerError(str(getattr(exc, "message", exc)), code="refused", status=409) from None
    return order


# ---------------------------------------------------------------- rating = an online return visit (M4)

SATISFACTIONS = ("satisfied", "basic", "unsatisfied")


def may_rate(ticket: Ticket) -> bool:
    """The pipeline's own readiness: a repair once the owner's acceptance is recorded, any other
    request once replied (and verified where the kind needs verification)."""
    if ReturnVisit.objects.filter(ticket=ticket, cycle=ticket.cycle, completed_at__isnull=False).exists():
        return False
    order = RepairOrder.objects.filter(ticket=ticket).first()
    if order is not None:  # accepted (or refused) by the owner, and the result replied and verified
        return (order.signed_at is not None or order.refused_at is not None) and can_move(ticket.status,
                                                                                         TicketStatus.RETURN_VISITED)
    if ticket.kind in VERIFY_KINDS:
        return ticket.status == "verified"
    return ticket.status in ("replied", "verified")


def return_visitor(ticket: Ticket) -> User:
    """Who the online return visit is recorded under: for a company-level complaint (R-M4-03: its
    return visit is 品质管理部's) the company's first quality member, otherwise the online receiver."""
    if company_level(ticket):
        m = (Membership.objects.filter(company_id=ticket.project.company_id, project=None, role=Role.QUALITY,
                                       user__is_active=True).select_related("user").order_by("id").first())
        if m is None:
            raise OwnerError("暂时无法在线评价，请等待回访电话", code="no_visitor", status=409)
        return m.user
    return online_receiver(ticket.project)


@transaction.atomic()
def rate_handling(*, account: OwnerAccount, household: Household, ticket: Ticket, satisfaction: str,
                  words: str = "", attitude: str = "", now: dt.datetime) -> Ticket:
    """业主评价 — an online return visit that counts as one under M4 (R-M4-04, R-M4-07, R-M4-09):
    the pipeline's ``record_return_visit`` (a repair: ``record_repair_return_visit`` with quality and
    attitude, R-M8-07). 不满意 reopens the ticket / sends the repair back for rework as a phone return
    visit would. Once per handling cycle."""
    _holder(account, household)
    if ticket.household_id != household.pk:
        raise OwnerError("工单不存在", code="not_found", status=404)
    if satisfaction not in SATISFACTIONS:
        raise OwnerError("请选择满意程度", field="satisfaction")
    words = (words or "").strip()
    if len(words) > policy.max_text():
        raise OwnerError(f"内容不能超过{policy.max_text()}个字", field="words", code="too_long")
    if satisfaction == "unsatisfied" and not words:
        raise OwnerError("请说明不满意的原因", field="words")
    if ReturnVisit.objects.filter(ticket=ticket, cycle=ticket.cycle, completed_at__isnull=False).exists():
        raise OwnerError("您已评价过本次处理", code="already_rated", status=409)
    if not may_rate(ticket):
        raise OwnerError("处理完成并答复后才能评价", code="not_ready", status=409)
    visitor = return_visitor(ticket)
    order = RepairOrder.objects.filter(ticket=ticket).first()
    try:
        if order is not None:
            record_repair_return_visit(order=order, method=ReturnVisitMethod.ONLINE, reached=True,
                                       acting_user=visitor, now=now, quality=satisfaction,
                                       attitude=attitude if attitude in SATISFACTIONS else satisfaction,
                                       owner_words=words)
        else:
            ticket_actions.record_return_visit(ticket=ticket, method=ReturnVisitMethod.ONLINE, reached=True,
                                               acting_user=visitor, now=now, satisfaction=satisfaction,
                                               owner_words=words)
    except (DomainError, InvalidTransition) as exc:
        raise OwnerError(getattr(exc, "message", str(exc)), code="refused", status=409) from None
    ticket.refresh_from_db()
    return ticket


# ---------------------------------------------------------------- surveys (issue 19 item 4)


def answer_survey(*, account: OwnerAccount, household: Household, response_id: Any, answers: dict[str, Any],
                  comment: str = "", now: dt.datetime) -> Any:
    """业主在账号里作答问卷 — once, for a questionnaire the household was sampled for
    (``surveys.actions.answer_online``: the same refusals as the one-time link and staff recovery)."""
    _holder(account, household)
    row = queries.survey_for_household(household, response_id)
    if row is None:
        raise OwnerError("问卷不存在", code="not_found", status=404)
    if row.recovered_at is not None:
        raise OwnerError("您已提交过本问卷，每份问卷只能作答一次", code="already_answered", status=409)
    if len(comment or "") > policy.max_text():
        raise OwnerError(f"内容不能超过{policy.max_text()}个字", field="comment", code="too_long")
    try:
        return survey_actions.answer_online(response=row, answers=answers, comment=comment, now=now)
    except SurveyError as exc:
        field = next(iter(exc.fields), None) if exc.fields else None
        raise OwnerError(exc.message, field=field, code=exc.code, status=exc.status) from None


# ---------------------------------------------------------------- request status SMS (issue 19)

REQUEST_STATUS_KIND = "request_status"  # topic "requests" (apps.notify.owner_topics): the owner may switch it off
# The status changes an owner is told by SMS, and how they are worded.
REQUEST_STATUS_TEXT: dict[str, str] = {
    TicketStatus.DISPATCHED: "已派工，工作人员将尽快与您联系",
    TicketStatus.HANDLING: "已接单，正在处理",
    TicketStatus.HANDLED: "已处理完毕，我们将向您回复处理结果",
    TicketStatus.REPLIED: "处理结果已回复您",
    TicketStatus.CLOSED: "已办结，感谢您的支持",
    TicketStatus.REOPENED: "已重新处理",
}


@transaction.atomic()
def tell_owner_request_status(*, ticket: Ticket, old: str, new: str, now: dt.datetime) -> Any:
    """报事进度短信: when a request the owner submitted online changes status (派工、接单、处理完毕、
    回复、办结、重新处理), the owner who submitted it gets an SMS through ``apps.notify.notify_owner``
    (the project's quiet hours apply; an owner who switched the "报事进度通知" topic off gets it logged
    as not sent). Run by the durable job reacting to ``tickets.status_changed``; once per change."""
    text = REQUEST_STATUS_TEXT.get(new)
    if text is None:
        return None
    submission = OwnerSubmission.objects.filter(ticket=ticket).select_related("account").first()
    if submission is None or not submission.account.active:
        return None
    project = ticket.project
    person = ticket.person if ticket.person is not None and ticket.person.phone == submission.account.phone else None
    body = (f"【{project.name}】您提交的{ticket.get_kind_display()}（单号 {ticket.number}）{text}。"
            f"详情请登录业主自助查看。")
    return notify_owner(person or submission.account.phone, project=project, kind=REQUEST_STATUS_KIND, body=body,
                        now=now, dedupe_key=f"request-status:{ticket.pk}:{old}:{new}:{now.isoformat()}")


# ---------------------------------------------------------------- SMS preferences (issue 19 item 6)


def set_sms_preferences(*, account: OwnerAccount, enabled: list[str], now: dt.datetime) -> list[str]:
    """业主选择接收哪些短信: the topics left out are switched off for the account's phone (every
    household it is on); ``notify_owner`` then records those messages as not sent. Sign-in codes,
    door-code changes and emergencies are always sent."""
    try:
        return set_owner_sms_topics(phone=account.phone, enabled=[str(t) for t in enabled], now=now)
    except NotifyError as exc:
        raise OwnerError(exc.message, field="topics", code=exc.code, status=400) from None


# ---------------------------------------------------------------- owners' committee (issue 19 item 7, R-M1-13)

COMMITTEE_KINDS = (Kind.COMPLAINT, Kind.SUGGESTION)


def _require_committee(user: User, project: Project) -> None:
    """业委会成员 are appointed and ended by the project's 客服主管/经理 (``Cap.MANAGE_COMMITTEE``)."""
    if not can_see_project(user, project):
        raise OwnerError("项目不存在", field="project", code="not_found", status=404)
    if not has_cap(user, Cap.MANAGE_COMMITTEE, project):
        raise OwnerError("只有本项目客服主管、客服经理或管理处经理可以登记业委会成员", code="forbidden", status=403)


@transaction.atomic()
def appoint_committee_member(*, project: Project, phone: str, acting_user: User, now: dt.datetime, name: str = "",
                             title: str = "") -> CommitteeMember:
    """登记业委会成员 of a project: an owner or resident registered in the project's archive with that
    mobile (they then sign in with it like an owner). The name defaults to the archive's."""
    _require_committee(acting_user, project)
    mobile = normalise_phone(phone)
    person = (Person.objects.filter(project=project, phone=mobile, active=True)
              .order_by("kind", "pk").first())
    if person is None:
        raise OwnerError("该手机号不是本项目登记的业主或住户，请先在业主档案中登记", field="phone", code="not_resident")
    name = (name or "").strip() or person.name
    if len(name) > 50:
        raise OwnerError("姓名不能超过50个字", field="name")
    title = (title or "").strip()
    if len(title) > 30:
        raise OwnerError("职务不能超过30个字", field="title")
    if CommitteeMember.objects.select_for_update().filter(project=project, phone=mobile, ended_at=None).exists():
        raise OwnerError("该手机号已登记为本项目业委会成员", field="phone", code="duplicate", status=409)
    return CommitteeMember.objects.create(project=project, phone=mobile, name=name, title=title, appointed_at=now)


@transaction.atomic()
def end_committee_member(*, member: CommitteeMember, ended_on: dt.date | None, acting_user: User,
                         now: dt.datetime) -> CommitteeMember:
    """业委会成员卸任: the appointment ends on ``ended_on`` (not before it began, not in the future); from
    then the member no longer reaches the 业委会 page. Their forwarded forms stay on file."""
    _require_committee(acting_user, member.project)
    member = CommitteeMember.objects.select_for_update(of=("self",)).select_related("project").get(pk=member.pk)
    if member.ended_at is not None:
        raise OwnerError("该成员已卸任", code="already_ended", status=409)
    tz = member.project.tz
    today = now.astimezone(tz).date()
    if ended_on is None:
        raise OwnerError("请填写卸任日期", field="ended_on")
    if ended_on > today:
        raise OwnerError("卸任日期不能晚于今天", field="ended_on")
    if ended_on < member.appointed_at.astimezone(tz).date():
        raise OwnerError("卸任日期不能早于登记日期", field="ended_on")
    end_of_day = dt.datetime.combine(ended_on, dt.time(23, 59, 59), tzinfo=tz)
    member.ended_at = min(end_of_day, now)
    member.save(update_fields=["ended_at"])
    return member


@transaction.atomic()
def forward_committee_form(*, account: OwnerAccount, member: CommitteeMember, kind: str, content: str,
                           complainant_name: str, complainant_phone: str, room: str = "",
                           filled_on: dt.date | None = None, now: dt.datetime) -> Ticket:
    """业委会转交业主投诉意见记录表 (R-M1-13): the form enters the one pipeline as the 业委会书面平台
    channel (source 业主委员会), received by the project's online receiver at ``now`` — the reply is
    due in 3 working days (rule set B, R-M2-05; AS-03). The receipt (回执单) carries the ticket number
    and the reply due time."""
    if member.phone != account.phone or member.ended_at is not None:
        raise OwnerError("您不是本项目的业委会成员", code="not_found", status=404)
    if kind not in COMMITTEE_KINDS:
        raise OwnerError("请选择投诉或意见建议", field="kind")
    content = _text(content)
    name = (complainant_name or "").strip()
    if not name:
        raise OwnerError("请填写填表业主姓名", field="complainant_name")
    if len(name) > 50:
        raise OwnerError("姓名不能超过50个字", field="complainant_name")
    phone = roster.normalise_phone(complainant_phone or "")
    if not phone or len(phone) > 20 or not phone.isdigit() or len(phone) < 7:
        raise OwnerError("请填写填表业主的联系电话", field="complainant_phone", code="bad_phone")
    room = (room or "").strip()
    if len(room) > 100:
        raise OwnerError("房号不能超过100个字", field="room")
    project = member.project
    today = now.astimezone(project.tz).date()
    filled_on = filled_on or today
    if filled_on > today:
        raise OwnerError("填表日期不能晚于今天", field="filled_on")
    household = (Household.objects.filter(project=project, label=room).order_by("id").first() if room else None)
    receiver = online_receiver(project)
    try:
        ticket = ticket_actions.receive_ticket(
            project=project, kind=kind, channel=Channel.OWNERS_COMMITTEE, source=Source.OWNERS_COMMITTEE,
            content=content, acting_user=receiver, now=now, household=household, complainant_surname=name[:1],
            phone=phone, address=room)
    except TicketError as exc:
        raise _ticket_error(exc) from None
    CommitteeForward.objects.create(ticket=ticket, member=member, complainant_name=name, room=room,
                                    filled_on=filled_on, forwarded_at=now)
    return ticket
