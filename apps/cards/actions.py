"""Every write of the cards app (R-M11). Keyword-only, ``acting_user`` and ``now`` passed in; a refusal is
a :class:`CardError` and nothing is written (each action is ``transaction.atomic()``)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from apps.cards import access
from apps.cards.models import (
    AccessRegistration,
    CardKind,
    CardOfficer,
    CardQuarterlyReview,
    CardRegisterEntry,
    CardRetrievalTask,
    CardSettings,
    CardStatus,
    Door,
    DoorCodeChange,
    DoorCodeNotice,
    DoorKind,
    EntryKind,
    ICCard,
    IssuingPasswordChange,
    NoticeChannel,
    VerificationMethod,
)
from apps.cards.queries import door_persons, quarter_counts, settings_of
from apps.core import jobs
from apps.core.errors import DomainError
from apps.core.files import DOCUMENTS as DOC_FILES
from apps.core.files import IMAGES, check_upload
from apps.estates.models import Household
from apps.notify.actions import notify_owner
from apps.notify.queries import NotifyError
from apps.org.access import can_see_project, has_cap
from apps.org.models import Membership, Project, StaffStatus, User
from apps.org.roles import Cap
from apps.portal.actions import publish_notice
from apps.portal.models import PublicationKind

if TYPE_CHECKING:
    from apps.estates.models import Building, Unit

PROOF_FILES = IMAGES | DOC_FILES
LATE_EVENT = "cards.door_code_late_notice"


class CardError(DomainError):
    """A refused card or door-code action."""


def _refuse(message: str, field: str | None = None, code: str = "invalid", status: int = 422) -> CardError:
    return CardError(message, field=field, code=code, status=status)


def _require_project(user: User, project: Project) -> None:
    if not can_see_project(user, project):
        raise _refuse("项目不存在", "project", "not_found", 404)


def _require_record(user: User, project: Project) -> None:
    _require_project(user, project)
    if not access.can_record(user, project):
        raise _refuse("没有登记IC卡与门禁记录的权限", code="forbidden", status=403)


def _require_officer(user: User, project: Project) -> None:
    _require_project(user, project)
    if not access.is_card_officer(user, project):
        raise _refuse("只有本项目指定的IC卡管理员或其代理人可以发放、补办或注销IC卡", code="not_card_officer",
                      status=403)


def _text(value: str | None, label: str, field: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise _refuse(f"请填写{label}", field)
    return value[:limit]


@transaction.atomic
def save_settings(*, project: Project, notice_lead_days: int, rotation_months: int, acting_user: User,
                  now: dt.datetime) -> CardSettings:
    _require_project(acting_user, project)
    if not has_cap(acting_user, Cap.NAME_CARD_OFFICER, project):
        raise _refuse("只有部门负责人或经理可以修改门禁设置", code="forbidden", status=403)
    if not 1 <= notice_lead_days <= 60:
        raise _refuse("提前通知天数应在 1–60 天之间", "notice_lead_days")
    if rotation_months not in (1, 2, 3, 6, 12):
        raise _refuse("更换周期只能是 1、2、3、6 或 12 个月", "rotation_months")
    obj = settings_of(project)
    obj.notice_lead_days, obj.rotation_months = notice_lead_days, rotation_months
    obj._history_user = acting_user  # type: ignore[attr-defined]
    obj.save()
    return obj


# ---------------------------------------------------------------- officer (R-M11-01)


def _works_in(user: User | None, project: Project) -> bool:
    return user is not None and user.is_active and Membership.objects.filter(user=user, project=project).exists()


@transaction.atomic
def name_officer(*, project: Project, officer: User, stand_in: User | None, acting_user: User,
                 now: dt.datetime) -> CardOfficer:
    """The department head names the card officer and a stand-in (R-M11-01)."""
    _require_project(acting_user, project)
    if not access.can_name_officer(acting_user, project):
        raise _refuse("只有部门负责人（客服经理、管理处经理）可以指定IC卡管理员", code="forbidden", status=403)
    if not _works_in(officer, project):
        raise _refuse("IC卡管理员须是本项目在职员工", "officer")
    if stand_in is not None and (not _works_in(stand_in, project) or stand_in.pk == officer.pk):
        raise _refuse("代理人须是本项目的另一位在职员工", "stand_in")
    obj = CardOfficer.objects.select_for_update().filter(project=project).first() or CardOfficer(project=project)
    obj.officer, obj.stand_in, obj.named_by, obj.named_at = officer, stand_in, acting_user, now
    obj._history_user = acting_user  # type: ignore[attr-defined]
    obj.save()
    return obj


# ---------------------------------------------------------------- the register


def _entry(card: ICCard, kind: str, user: User, now: dt.datetime, **kw: Any) -> CardRegisterEntry:
    return CardRegisterEntry.objects.create(project=card.project, card=card, kind=kind, at=now, by=user, **kw)


def _card_status(card: ICCard, status: str, user: User, reason: str) -> None:
    card.status = status
    card._history_user = user  # type: ignore[attr-defined]
    card._change_reason = reason[:100]  # type: ignore[attr-defined]
    card.save(update_fields=["status"])


@transaction.atomic
def issue_card(*, project: Project, number: str, kind: str, holder_name: str, acting_user: User, now: dt.datetime,
               household: Household | None = None, staff: User | None = None, plate: str = "",
               note: str = "") -> ICCard:
    """发卡 (R-M11-01): only the officer or stand-in; owner/resident/parking cards belong to a household,
    staff cards to a staff member of the project."""
    _require_officer(acting_user, project)
    number = _text(number, "卡号", "number", 40)
    if kind not in CardKind.values:
        raise _refuse("请选择卡类别", "kind")
    holder_name = _text(holder_name, "持卡人", "holder_name", 50)
    if kind == CardKind.STAFF:
        if staff is None or not _works_in(staff, project):
            raise _refuse("员工卡须登记本项目的员工", "staff")
        household = None
    else:
        if household is None or household.project_id != project.pk:
            raise _refuse("请填写本项目的房号", "household")
        staff = None
    if kind == CardKind.PARKING and not (plate or "").strip():
        raise _refuse("停车卡须登记车牌", "plate")
    if ICCard.objects.filter(project=project, number=number).exists():
        raise _refuse(f"卡号 {number} 已登记", "number", "duplicate", 409)
    card = ICCard(project=project, number=number, kind=kind, holder_name=holder_name, household=household, staff=staff,
                  plate=(plate or "").strip()[:20], issued_at=now)
    card._history_user = acting_user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            card.save()
    except IntegrityError:
        raise _refuse(f"卡号 {number} 已登记", "number", "duplicate", 409) from None
    _entry(card, EntryKind.ISSUED, acting_user, now, applicant_name=holder_name, note=(note or "")[:200])
    return card


@transaction.atomic
def replace_parking_card(*, card: ICCard, new_number: str, applicant_name: str, applicant_is_owner: bool,
                         acting_user: User, now: dt.datetime, authorisation_doc: Any = None, licence_doc: Any = None,
                         verified_at: dt.datetime | None = None, verification_method: str = "",
                         note: str = "") -> ICCard:
    """补办停车卡 (R-M11-04, AS-30): the vehicle owner in person needs nothing more; anyone else needs the
    owner's written authorisation, the vehicle licence and a recorded verification with the owner —
    without all three nothing is saved."""
    project = card.project
    _require_officer(acting_user, project)
    if card.kind != CardKind.PARKING:
        raise _refuse("只能补办停车卡", "card")
    if card.status in (CardStatus.CANCELLED, CardStatus.RETRIEVED):
        raise _refuse("该卡已注销或收回，不能补办", "card", "not_active", 409)
    applicant_name = _text(applicant_name, "申请人", "applicant_name", 50)
    proofs: dict[str, Any] = {}
    if not applicant_is_owner:
        missing = []
        if not authorisation_doc:
            missing.append(("authorisation_doc", "车主书面授权书"))
        if not licence_doc:
            missing.append(("licence_doc", "行驶证"))
        if verified_at is None or verification_method not in VerificationMethod.values:
            missing.append(("verified_at", "与车主核实的记录（时间、方式）"))
        if missing:
            raise CardError("非车主本人补办停车卡，须提供：" + "、".join(label for _, label in missing),
                            code="proof_missing", fields={f: [f"请提供{label}"] for f, label in missing})
        if verified_at is not None and verified_at > now:
            raise _refuse("核实时间不能晚于现在", "verified_at")
        check_upload(authorisation_doc, allowed=PROOF_FILES, field="authorisation_doc")
        check_upload(licence_doc, allowed=PROOF_FILES, field="licence_doc")
        proofs = {"authorisation_doc": authorisation_doc, "licence_doc": licence_doc, "verified_at": verified_at,
                  "verification_method": verification_method, "verified_by": acting_user}
    new_number = _text(new_number, "新卡号", "new_number", 40)
    if ICCard.objects.filter(project=project, number=new_number).exists():
        raise _refuse(f"卡号 {new_number} 已登记", "new_number", "duplicate", 409)
    _card_status(card, CardStatus.CANCELLED, acting_user, "补办新卡，原卡注销")
    new = ICCard(project=project, number=new_number, kind=CardKind.PARKING, holder_name=card.holder_name,
                 household=card.household, plate=card.plate, issued_at=now)
    new._history_user = acting_user  # type: ignore[attr-defined]
    new.save()
    _entry(new, EntryKind.REPLACED, acting_user, now, applicant_name=applicant_name,
           applicant_is_owner=applicant_is_owner, replaces=card, note=(note or "")[:200], **proofs)
    return new


@transaction.atomic
def report_lost(*, card: ICCard, note: str, acting_user: User, now: dt.datetime) -> CardRegisterEntry:
    _require_record(acting_user, card.project)
    if card.status != CardStatus.ACTIVE:
        raise _refuse("该卡不在使用中", "card", "not_active", 409)
    _card_status(card, CardStatus.LOST, acting_user, "挂失")
    return _entry(card, EntryKind.LOST, acting_user, now, note=(note or "挂失")[:200])


@transaction.atomic
def retrieve_card(*, card: ICCard, note: str, acting_user: User, now: dt.datetime) -> CardRegisterEntry:
    """收回 (R-M11-05): registered in the 《IC卡发放/异常情况登记表》; closes the card's retrieval task."""
    _require_record(acting_user, card.project)
    if card.status in (CardStatus.RETRIEVED, CardStatus.CANCELLED):
        raise _refuse("该卡已收回或注销", "card", "not_active", 409)
    _card_status(card, CardStatus.RETRIEVED, acting_user, "收回")
    entry = _entry(card, EntryKind.RETRIEVED, acting_user, now, note=(note or "收回")[:200])
    task = CardRetrievalTask.objects.filter(card=card, closed_at__isnull=True).first()
    if task is not None:
        task.closed_by, task.closed_at = entry, now
        task.save(update_fields=["closed_by", "closed_at"])
    return entry


@transaction.atomic
def cancel_card(*, card: ICCard, note: str, acting_user: User, now: dt.datetime) -> CardRegisterEntry:
    _require_officer(acting_user, card.project)
    if card.status == CardStatus.CANCELLED:
        raise _refuse("该卡已注销", "card", "not_active", 409)
    _card_status(card, CardStatus.CANCELLED, acting_user, "注销")
    return _entry(card, EntryKind.CANCELLED, acting_user, now, note=_text(note, "注销原因", "note"))


@transaction.atomic
def open_retrieval_tasks(*, now: dt.datetime) -> int:
    """R-M11-05: every active staff card whose holder is now transferred or gone gets a retrieval task
    (once). Run by ``manage.py cards_sweep`` and its beat entry."""
    cards = (ICCard.objects.filter(kind=CardKind.STAFF, status__in=[CardStatus.ACTIVE, CardStatus.LOST],
                                   staff__status__in=[StaffStatus.TRANSFERRED, StaffStatus.LEFT],
                                   retrieval_task__isnull=True).select_related("staff"))
    made = CardRetrievalTask.objects.bulk_create([
        CardRetrievalTask(project_id=c.project_id, card=c, staff=c.staff, staff_status=c.staff.status if c.staff else "",
                          opened_at=now) for c in cards], ignore_conflicts=True)
    return len(made)


# ---------------------------------------------------------------- quarterly records (R-M11-02, -03)


@transaction.atomic
def record_quarterly_review(*, project: Project, year: int, quarter: int, anomalies: str, handling: str,
                            acting_user: User, now: dt.datetime) -> CardQuarterlyReview:
    """《IC卡季度整理表》: the counts are taken from the register; anomalies found and how each was handled."""
    _require_record(acting_user, project)
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        raise _refuse("请选择年度和季度", "quarter")
    start = dt.date(year, 3 * quarter - 2, 1)
    if start > now.astimezone(project.tz).date():
        raise _refuse("季度尚未开始，不能整理", "quarter")
    anomalies = (anomalies or "").strip()
    handling = (handling or "").strip()
    if anomalies and not handling:
        raise _refuse("发现异常时须填写每项异常的处理情况", "handling")
    if CardQuarterlyReview.objects.filter(project=project, year=year, quarter=quarter).exists():
        raise _refuse("该季度已整理", "quarter", "already_recorded", 409)
    return CardQuarterlyReview.objects.create(project=project, year=year, quarter=quarter,
                                              counts=quarter_counts(project, year, quarter), anomalies=anomalies,
                                              handling=handling or "无异常", reviewed_by=acting_user, reviewed_at=now)


@transaction.atomic
def record_password_change(*, project: Project, changed_on: dt.date, changed_by: User, acting_user: User,
                           now: dt.datetime) -> IssuingPasswordChange:
    """R-M11-03: the date and the person — the password itself is never asked for nor stored."""
    _require_record(acting_user, project)
    if changed_on is None or changed_on > now.astimezone(project.tz).date():
        raise _refuse("更改日期不能晚于今天", "changed_on")
    if not _works_in(changed_by, project):
        raise _refuse("更改人须是本项目员工", "changed_by")
    return IssuingPasswordChange.objects.create(project=project, changed_on=changed_on, changed_by=changed_by,
                                                recorded_by=acting_user, recorded_at=now)


@transaction.atomic
def register_access(*, project: Project, name: str, identity: str, reason: str, acting_user: User,
                    now: dt.datetime, household: Household | None = None) -> AccessRegistration:
    """R-M11-07: a resident let in without their card."""
    _require_record(acting_user, project)
    if household is not None and household.project_id != project.pk:
        raise _refuse("该项目没有这个房号", "household")
    return AccessRegistration.objects.create(
        project=project, at=now, name=_text(name, "姓名", "name", 50), household=household,
        identity=_text(identity, "身份", "identity", 50), reason=_text(reason, "未带卡原因/核实情况", "reason"),
        recorded_by=acting_user)


# ---------------------------------------------------------------- door codes (R-M11-06, AS-29)


@transaction.atomic
def add_door(*, project: Project, building: Building, unit: Unit | None, name: str, acting_user: User,
             now: dt.datetime) -> Door:
    _require_record(acting_user, project)
    if building is None or building.project_id != project.pk:
        raise _refuse("楼栋不属于该项目", "building")
    if unit is not None and unit.building_id != building.pk:
        raise _refuse("单元不属于该楼栋", "unit")
    return Door.objects.create(project=project, building=building, unit=unit,
                               kind=DoorKind.UNIT if unit is not None else DoorKind.LOBBY,
                               name=_text(name, "门禁名称", "name", 60))


@transaction.atomic
def record_code_change(*, door: Door, effective_on: dt.date, acting_user: User, now: dt.datetime) -> DoorCodeChange:
    """登记一次门禁密码更换 (R-M11-06): the door and its effective date; notices follow."""
    _require_record(acting_user, door.project)
    if effective_on is None:
        raise _refuse("请填写生效日期", "effective_on")
    if DoorCodeChange.objects.filter(door=door, effective_on=effective_on).exists():
        raise _refuse("该门禁同一天已有一次更换", "effective_on", "duplicate", 409)
    change = DoorCodeChange(project=door.project, door=door, effective_on=effective_on, recorded_by=acting_user,
                            recorded_at=now)
    change._history_user = acting_user  # type: ignore[attr-defined]
    change.save()
    return change


@transaction.atomic
def record_code_notice(*, change: DoorCodeChange, channel: str, acting_user: User, now: dt.datetime,
                       households_reached: int | None = None, new_code: str = "", note: str = "",
                       at: dt.datetime | None = None) -> DoorCodeNotice:
    """通知住户 (R-M11-06, AS-29). ``sms``: the new code goes by SMS to that door's households only
    (through notify: quiet hours respected) — it is not stored here. ``board``: the notice board says
    that the code changes, never the code. ``mailbox``/``phone``: recorded with the households reached.
    A first notice less than the lead (7 days by default) before the effective date is **recorded and
    flagged** as a nonconformity — never refused (AS-29)."""
    project = change.project
    _require_record(acting_user, project)
    if channel not in NoticeChannel.values:
        raise _refuse("请选择通知方式", "channel")
    at = at or now
    if at > now:
        raise _refuse("通知时间不能晚于现在", "at")
    door = change.door
    note = (note or "").strip()[:200]
    if channel == NoticeChannel.SMS:
        code = (new_code or "").strip()
        if not code.isdigit() or not 4 <= len(code) <= 12:
            raise _refuse("请填写新的门禁密码（4–12位数字），密码只通过短信发给该门的住户", "new_code")
        reached: set[int] = set()
        body = (f"【门禁密码更换】{door.name}的门禁密码将于{change.effective_on:%m月%d日}起更换为 {code}，"
                f"请妥善保管，勿告知他人。")
        for person in door_persons(door):
            try:
                notify_owner(person, project=project, kind="door_code", body=body, now=now,
                             dedupe_key=f"doorcode:{change.pk}:{person.pk}")
            except NotifyError as exc:
                if exc.code != "no_phone":
                    raise
                continue
            reached.add(person.household_id)
        households = len(reached)
    elif channel == NoticeChannel.BOARD:
        publish_notice(project=project, kind=PublicationKind.NOTICE, title=f"{door.name}门禁密码更换通知",
                       body=(f"{door.name}的门禁密码将于{change.effective_on:%Y年%m月%d日}起更换。"
                             "新密码已通过短信、信箱通知单或电话告知本门住户，请勿向他人透露；未收到的住户请携带"
                             "身份证明到物业服务中心查询。"), acting_user=acting_user, now=now)
        households = 0
    else:
        if households_reached is None or households_reached < 0:
            raise _refuse("请填写通知到的户数", "households_reached")
        if new_code:
            raise _refuse("密码不在系统中登记：信箱通知单和电话通知只登记通知时间和户数", "new_code")
        households = households_reached
    notice = DoorCodeNotice.objects.create(change=change, channel=channel, at=at, households_reached=households,
                                           recorded_by=acting_user, note=note)
    _flag(change, acting_user)
    return notice


def _flag(change: DoorCodeChange, user: User) -> None:
    """Recompute the first-notice date, the lead and the late flag; a newly late change publishes an event."""
    first = change.notices.order_by("at").first()
    if first is None:
        return
    tz = change.project.tz
    first_on = first.at.astimezone(tz).date()
    lead = (change.effective_on - first_on).days
    late = lead < settings_of(change.project).notice_lead_days
    was_late = change.late_notice
    change.first_notice_on, change.lead_days, change.late_notice = first_on, lead, late
    change._history_user = user  # type: ignore[attr-defined]
    change.save(update_fields=["first_notice_on", "lead_days", "late_notice"])
    if late and not was_late:
        jobs.publish(LATE_EVENT, key=f"doorcode:{change.pk}", project_id=change.project_id, door_id=change.door_id,
                     change_id=change.pk, effective_on=change.effective_on.isoformat(), lead_days=lead,
                     first_notice_on=first_on.isoformat(), recorded_by_id=user.pk)
