"""Writes of the owner archive (SPEC M7): grants, revealing personal data with its access-log rows
(R-M7-01, R-M7-03), the export log, household and person edits, decoration records.
See :mod:`apps.estates.masking` for the interpretation of R-M7-01 (which reveal needs a grant).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.core.files import DECORATION_MEDIA, RECORDINGS, FileRefused, check_upload
from apps.estates import masking, queries, roster
from apps.estates.models import (
    MEDIA_KINDS,
    AccessAction,
    ArchiveGrant,
    CallRecording,
    CustomerDataAccessLog,
    DecorationRecord,
    DecorationRecordKind,
    Household,
    Person,
)
from apps.org import access
from apps.org.models import Project
from apps.org.roles import Cap
from linli import clock

if TYPE_CHECKING:
    from apps.org.models import User

from apps.estates.access import (
    MAX_GRANT_DAYS,
    REASON_MAX,
    RevealDenied,
    _check_reveal,
    active_grant,
    in_own_work,
    may_keep_decoration,
    may_maintain,
    may_reveal,
)
from apps.estates.queries import PersonView, person_view


@transaction.atomic
def grant_access(*, granted_by: User, grantee: User, project: Project, reason: str,
                 valid_from: dt.datetime | None = None, valid_until: dt.datetime) -> ArchiveGrant:
    """部门负责人同意 (R-M7-01): ``granted_by`` lets ``grantee`` consult the archive of ``project``."""
    now = clock.now()
    start = valid_from or now
    errors: dict[str, list[str]] = {}
    if not access.has_cap(granted_by, Cap.GRANT_ARCHIVE_ACCESS, project):
        raise PermissionDenied("只有部门负责人可以授权查阅顾客资料")
    if grantee.pk == granted_by.pk:
        errors.setdefault("grantee", []).append("不能给自己授权")
    elif not access.has_cap(grantee, Cap.UNMASK_PERSONAL_DATA, project):
        errors.setdefault("grantee", []).append("该员工在本项目的岗位无权查看完整顾客资料")
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append("请填写授权事由")
    elif len(reason) > REASON_MAX:
        errors.setdefault("reason", []).append(f"授权事由不能超过{REASON_MAX}字")
    if valid_until <= start:
        errors.setdefault("valid_until", []).append("失效时间必须晚于生效时间")
    elif valid_until - start > dt.timedelta(days=MAX_GRANT_DAYS):
        errors.setdefault("valid_until", []).append(f"授权期限不能超过{MAX_GRANT_DAYS}天")
    elif valid_until <= now:
        errors.setdefault("valid_until", []).append("失效时间已过")
    if errors:
        raise ValidationError(errors)
    return ArchiveGrant.objects.create(project=project, grantee=grantee, granted_by=granted_by, reason=reason,
                                       valid_from=start, valid_until=valid_until, created_at=now)


@transaction.atomic
def revoke_grant(*, by: User, grant: ArchiveGrant) -> ArchiveGrant:
    if not access.has_cap(by, Cap.GRANT_ARCHIVE_ACCESS, grant.project):
        raise PermissionDenied("只有部门负责人可以撤销授权")
    locked = ArchiveGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.revoked_at is not None:
        raise ValidationError("该授权已撤销")
    locked.revoked_at = clock.now()
    locked.revoked_by = by
    locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


def _log(**kwargs: Any) -> CustomerDataAccessLog:
    row = CustomerDataAccessLog(**kwargs)
    row.save()
    return row


def reveal_household(user: User, household: Household, *, reason: str, screen: str,
                     fields: Iterable[str] = ("name", "phone", "phone2"), api: bool = False) -> list[PersonView]:
    """显示完整信息: the persons of ``household`` with ``fields`` in full, one access-log row per person.

    Raises :class:`RevealDenied` when the role, the reason or the grant is missing; nothing is shown.
    A VIP person among them needs a grant (R-M7-03); without one, the whole reveal is refused. A refusal
    for want of the department head's approval is itself logged (``AccessAction.REFUSED``, AS-40), in
    its own transaction so that it survives the refusal.
    """
    now = clock.now()
    wanted = set(fields)
    persons = list(household.persons.all())
    try:
        grant = _check_reveal(user, household.project, wanted, is_vip=any(p.is_vip for p in persons), bulk=False,
                              reason=reason, now=now, own_work=in_own_work(user, household))
    except RevealDenied as exc:
        if exc.needs_grant:
            with transaction.atomic():
                _log(project=household.project, user=user, at=now, action=AccessAction.REFUSED,
                     household=household, fields=",".join(f for f in masking.ALL_FIELDS if f in wanted),
                     reason=(reason or "").strip()[:REASON_MAX], screen=screen[:100])
        raise
    with transaction.atomic():
        return _reveal(user, household, persons, wanted, grant=grant, reason=reason, screen=screen, api=api,
                       now=now)


CALL_REASON = "拨打电话"


def reveal_phone_for_call(user: User, project: Project, *, screen: str, household: Household | None = None,
                          person: Person | None = None, field: str = "phone", is_vip: bool = False,
                          own_work: bool | None = None, reason: str = CALL_REASON) -> None:
    """拨打 (issue 23 item 7): a masked owner number is about to be shown in full as a tel: link. The same
    rules and the same read log as 显示完整信息 (R-M7-01, R-M7-03, AS-40): the role may reveal contact data,
    a VIP person or a household outside the user's own work needs the department head's grant, and one
    access-log row (``view``, reason 拨打电话, the field) is written per call. Raises :class:`RevealDenied`
    — nothing is shown — and a refusal for want of a grant is logged too.

    ``own_work`` defaults to :func:`in_own_work` of ``household``; a caller whose number has no household
    (a ticket's caller) says whether the record is the user's own work."""
    if field not in ("phone", "phone2", "fax"):  # fax: the front desk faxing the fee reminder (R-M17-07)
        raise RevealDenied("未知字段：" + field)
    now = clock.now()
    if own_work is None:
        own_work = in_own_work(user, household) if household is not None else True
    vip = is_vip or (person is not None and person.is_vip)
    try:
        grant = _check_reveal(user, project, {field}, is_vip=vip, bulk=False, reason=reason, now=now,
                              own_work=own_work)
    except RevealDenied as exc:
        if exc.needs_grant:
            with transaction.atomic():
                _log(project=project, user=user, at=now, action=AccessAction.REFUSED, household=household,
                     person=person, fields=field, reason=reason, screen=screen[:100])
        raise
    _log(project=project, user=user, at=now, action=AccessAction.VIEW, household=household, person=person,
         fields=field, reason=reason, screen=screen[:100], grant=grant)


def _reveal(user: User, household: Household, persons: list[Person], wanted: set[str], *,
            grant: ArchiveGrant | None, reason: str, screen: str, api: bool, now: dt.datetime) -> list[PersonView]:
    reason = reason.strip()[:REASON_MAX]
    views = []
    for p in persons:  # the grant in force is the approval reference, also when the role alone sufficed
        _log(project=household.project, user=user, at=now, action=AccessAction.API_VIEW if api else AccessAction.VIEW,
             household=household, person=p, fields=",".join(f for f in masking.ALL_FIELDS if f in wanted),
             reason=reason, screen=screen[:100], grant=grant)
        views.append(person_view(p, wanted))
    return views


def log_export(user: User, project: Project, *, unmasked: bool, reason: str, screen: str, rows: int,
               grant: ArchiveGrant | None, fields: str | None = None) -> CustomerDataAccessLog:
    """One export's read-log row; ``fields`` names what was exported in full (all of them by default)."""
    shown = (fields if fields is not None else ",".join(masking.ALL_FIELDS)) if unmasked else ""
    return _log(project=project, user=user, at=clock.now(),
                action=AccessAction.EXPORT if unmasked else AccessAction.EXPORT_MASKED,
                fields=shown, reason=(reason or "").strip()[:REASON_MAX]
                or "导出业主名册", screen=screen[:100], grant=grant, row_count=rows)


def log_exports(user: User, counts: dict[Project, int], grants: dict[int, ArchiveGrant | None], *, screen: str,
                reason: str) -> list[CustomerDataAccessLog]:
    """A ledger or statistics export over several projects: one read-log row per project exported, masked
    or in full under that project's grant (issue 14 item 9, R-M7-01)."""
    return [log_export(user, project, unmasked=grants.get(project.pk) is not None, reason=reason, screen=screen,
                       rows=n, grant=grants.get(project.pk), fields="name,phone")
            for project, n in sorted(counts.items(), key=lambda item: item[0].pk)]


def print_grant(user: User, project: Project) -> ArchiveGrant | None:
    """The grant under which ``user`` may print owners' names and phones in full in ``project`` (issue 14
    item 9, R-M7-01/R-M7-03): the capability to reveal personal data *and* a department head's grant in
    force; ``None`` means the print is masked."""
    if not access.has_cap(user, Cap.UNMASK_PERSONAL_DATA, project):
        return None
    return active_grant(user, project)


def print_grants(user: User, projects: Iterable[Project]) -> dict[int, ArchiveGrant | None]:
    """:func:`print_grant` for each of ``projects`` (an export over several projects), by project id."""
    return {p.pk: print_grant(user, p) for p in projects}


def log_print(user: User, project: Project, *, grant: ArchiveGrant | None, screen: str, rows: int,
              household: Household | None = None, person: Person | None = None) -> CustomerDataAccessLog:
    """Every print or PDF of a form with owners' data is in the read log, masked or not (R-M7-01)."""
    unmasked = grant is not None
    return _log(project=project, user=user, at=clock.now(),
                action=AccessAction.PRINT if unmasked else AccessAction.PRINT_MASKED,
                household=household, person=person, fields="name,phone" if unmasked else "",
                reason=grant.reason[:REASON_MAX] if grant is not None else "打印", screen=screen[:100], grant=grant,
                row_count=rows)


def log_page_read(user: User, project: Project, *, grant: ArchiveGrant | None, screen: str, rows: int = 1,
                  fields: str = "phone,id_number") -> CustomerDataAccessLog:
    """A page that shows owners' numbers in full under ``grant`` (a report's cases and texts, issue 14
    item 9, R-M7-01): the unmasked read is in the read log, like an export or a print."""
    return _log(project=project, user=user, at=clock.now(), action=AccessAction.VIEW, fields=fields,
                reason=grant.reason[:REASON_MAX] if grant is not None else "查看", screen=screen[:100], grant=grant,
                row_count=rows)


@transaction.atomic
def record_not_moved_in_reason(user: User, household: Household, reason: str) -> Household:
    """入住动态表 (R-M7-07): staff who called an owner not yet moved in record why (kept in history)."""
    if not access.has_cap(user, Cap.UNMASK_PERSONAL_DATA, household.project):
        raise PermissionDenied("您的岗位不能登记未入住原因")
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": ["请填写未入住原因"]})
    if len(text) > 200:
        raise ValidationError({"reason": ["未入住原因不能超过200字"]})
    locked = Household.objects.select_for_update().get(pk=household.pk)
    if locked.status != "not_moved_in":
        raise ValidationError({"reason": ["该房屋不是“未入住”状态"]})
    locked.not_moved_in_reason = text
    locked._change_reason = f"未入住原因（{user}）"  # type: ignore[attr-defined]
    locked.save(update_fields=["not_moved_in_reason"])
    return locked


# ---------------------------------------------------------------- maintaining the archive (R-M7-04)

HOUSEHOLD_FIELDS = ("status", "area_m2", "move_in_date", "warranty_end", "notes")  # 空巢老人 follows the persons' tags
PERSON_FIELDS = ("name", "kind", "phone", "phone2", "email", "fax", "id_number", "move_in_date", "tags", "needs",
                 "active")


@transaction.atomic
def update_household(user: User, household: Household, data: dict[str, Any]) -> Household:
    if not may_maintain(user, household.project, household):
        raise PermissionDenied("您的岗位不能维护业主档案")
    locked = Household.objects.select_for_update().get(pk=household.pk)
    for name in HOUSEHOLD_FIELDS:
        if name in data:
            setattr(locked, name, data[name])
    locked._change_reason = f"档案维护（{user}）"  # type: ignore[attr-defined]
    locked.full_clean(exclude=["building", "unit", "project"])
    locked.save()
    return locked


@transaction.atomic
def save_person(user: User, household: Household, data: dict[str, Any], person: Person | None = None) -> Person:
    """Add or edit an occupant. Phone, second phone, e-mail, fax and ID number left blank keep the stored
    value, so editing never has to show personal data in full (R-M7-01)."""

    if not may_maintain(user, household.project, household):
        raise PermissionDenied("您的岗位不能维护业主档案")
    errors: dict[str, list[str]] = {}
    phone = roster.normalise_phone(data.get("phone") or "")
    phone2 = roster.normalise_phone(data.get("phone2") or "")
    id_number = (data.get("id_number") or "").strip().upper()
    for key, value in (("phone", phone), ("phone2", phone2)):
        problem = roster.phone_problem(value)
        if problem:
            errors[key] = [problem]
    problem = roster.id_number_problem(id_number)
    if problem:
        errors["id_number"] = [problem]
    email = (data.get("email") or "").strip()
    fax = roster.normalise_phone(data.get("fax") or "")
    problem = roster.email_problem(email)
    if problem:
        errors["email"] = [problem]
    problem = roster.phone_problem(fax)
    if problem:
        errors["fax"] = [problem]
    if not (data.get("name") or "").strip():
        errors["name"] = ["姓名不能为空"]
    if errors:
        raise ValidationError(errors)
    if person is None:
        target = Person(project=household.project, household=household)
    else:
        target = Person.objects.select_for_update().get(pk=person.pk, household=household)
    target.name = data["name"].strip()
    target.kind = data.get("kind") or target.kind
    target.phone = phone or target.phone
    target.phone2 = phone2 or target.phone2
    target.email = email or target.email  # R-M17-07: where the fee reminder also goes
    target.fax = fax or target.fax
    target.id_number = id_number or target.id_number
    target.move_in_date = data.get("move_in_date")
    tags = roster._tags(data.get("tags") or "")
    target.tags = ",".join(tags)
    target.is_vip = "VIP" in {t.upper() for t in tags}
    target.elderly_alone = "空巢老人" in tags
    target.needs = data.get("needs") or ""
    if "contract_ref" in data:  # R-M19-14: the owner's standard property service contract
        target.contract_ref = (data.get("contract_ref") or "").strip()
    target.active = bool(data.get("active", True))
    target._change_reason = f"档案维护（{user}）"  # type: ignore[attr-defined]
    target.full_clean(exclude=["project", "household"])
    target.save()
    elderly = household.persons.filter(active=True, elderly_alone=True).exists()
    locked = Household.objects.select_for_update().get(pk=household.pk)
    if locked.elderly_alone != elderly:  # R-M7-08: the household flag follows its occupants
        locked.elderly_alone = elderly
        locked._change_reason = f"空巢老人标记随住户标签（{user}）"  # type: ignore[attr-defined]
        locked.save(update_fields=["elderly_alone"])
    return target


# ---------------------------------------------------------------- decoration archive (R-M7-09, R-M7-10)

DECORATION_MEDIA_FIELD = "decoration_media"


@transaction.atomic
def add_decoration_record(user: User, household: Household, *, kind: str, note: str = "", file: Any = None,
                          now: dt.datetime) -> DecorationRecord:
    """R-M7-09: one entry of the household's decoration archive. Photos, videos and recordings need
    the file; list, progress and problem entries need a note."""
    if not may_keep_decoration(user, household.project):
        raise PermissionDenied("您的岗位不能维护装修档案")
    if kind not in DecorationRecordKind.values:
        raise ValidationError({"kind": ["装修档案类别不正确"]})
    if kind in MEDIA_KINDS and not file:
        raise ValidationError({"file": ["照片、视频、录音须上传文件"]})
    if kind not in MEDIA_KINDS and not (note or "").strip():
        raise ValidationError({"note": ["请填写说明"]})
    row = DecorationRecord(project=household.project, household=household, kind=kind, note=(note or "").strip(),
                           recorded_at=now, recorded_by=user)
    if file:
        try:  # by content and size, stored privately under a UUID name (issue 14 item 3)
            check_upload(file, allowed=DECORATION_MEDIA, field="file")
        except FileRefused as exc:
            raise ValidationError({"file": [exc.message]}) from None
        row.file = file
    row.save()
    return row


def _open_media(user: User, household: Household, *, reason: str, screen: str, field: str) -> ArchiveGrant | None:
    """R-M7-10: opening a recording or a decoration photo/video is a consultation of customer data
    (R-M7-01) — the same tiers as a reveal: a role with customer data in its work, a reason, a VIP
    household's grant (R-M7-03), a steward's own buildings; a refusal for want of a grant is logged,
    a read is logged with its reason and grant."""
    project = household.project
    now = clock.now()
    try:
        grant = _check_reveal(user, project, set(), reason=reason, now=now, bulk=False,
                              is_vip=household.persons.filter(is_vip=True).exists(),
                              own_work=in_own_work(user, household))
    except RevealDenied as exc:
        if exc.needs_grant:
            with transaction.atomic():
                _log(project=project, user=user, at=now, action=AccessAction.REFUSED, household=household,
                     fields=field, reason=reason.strip()[:REASON_MAX], screen=screen[:100])
        raise
    _log(project=project, user=user, at=now, action=AccessAction.VIEW, household=household,
         fields=field, reason=reason.strip()[:REASON_MAX], screen=screen[:100], grant=grant)
    return grant


def open_decoration_media(user: User, record: DecorationRecord, *, reason: str, screen: str) -> Any:
    """R-M7-10: decoration photos, videos and recordings are personal data under R-M7-01 — opening
    one needs a role with customer data in its work and a reason, and is logged like a reveal."""
    if not may_reveal(user, record.project):
        raise RevealDenied("您的岗位无权查看装修影像和录音")
    if not (reason or "").strip():
        raise RevealDenied("请填写查阅事由")
    if record.kind not in MEDIA_KINDS or not record.file:
        raise RevealDenied("该条装修档案没有影像或录音")
    _open_media(user, record.household, reason=reason, screen=screen, field=DECORATION_MEDIA_FIELD)
    return record.file


# ---------------------------------------------------------------- call recordings (R-M7-07, R-M7-10)

CALL_RECORDING_FIELD = "call_recording"
CALL_NOTE_MAX = 200


@transaction.atomic
def add_call_recording(user: User, household: Household, *, note: str, file: Any, called_at: dt.datetime | None = None,
                       now: dt.datetime) -> CallRecording:
    """录音留存 (R-M7-07): the recording of a call to the household's owner, kept with the archive. The roles
    that phone owners (customer data in their work) keep them; the file is checked by its content (an audio
    recording only) and stored privately under a UUID name like every upload."""
    if not may_reveal(user, household.project):
        raise PermissionDenied("您的岗位不能登记通话录音")
    errors: dict[str, list[str]] = {}
    text = (note or "").strip()
    if not text:
        errors["note"] = ["请填写通话内容摘要"]
    elif len(text) > CALL_NOTE_MAX:
        errors["note"] = [f"通话内容摘要不能超过{CALL_NOTE_MAX}字"]
    when = called_at or now
    if when > now:
        errors["called_at"] = ["通话时间不能晚于现在"]
    if not file:
        errors["file"] = ["请上传录音文件"]
    else:
        try:
            check_upload(file, allowed=RECORDINGS, field="file")
        except FileRefused as exc:
            errors["file"] = [exc.message]
    if errors:
        raise ValidationError(errors)
    row = CallRecording(project=household.project, household=household, called_at=when, note=text, file=file,
                        recorded_at=now, recorded_by=user)
    row.save()
    return row


def open_call_recording(user: User, recording: CallRecording, *, reason: str, screen: str) -> Any:
    """R-M7-10: who may hear a call recording — the rules of R-M7-01 (see :func:`_open_media`)."""
    if not may_reveal(user, recording.project):
        raise RevealDenied("您的岗位无权收听通话录音")
    if not (reason or "").strip():
        raise RevealDenied("请填写查阅事由")
    _open_media(user, recording.household, reason=reason, screen=screen, field=CALL_RECORDING_FIELD)
    return recording.file


STEWARD_FIELDS = ("name", "phone", "phone2")


def reveal_steward_contacts(user: User, project: Project, *, reason: str, screen: str,
                            api: bool = False) -> list[tuple[Household, list[PersonView]]]:
    """所管楼栋住户联系方式 (R-M19-05, R-M19-04 (3)): the butler/steward returns visits to *all* owners of
    the buildings they steward, so they see every active person's name and phones of those buildings
    at once, with a reason, one access-log row per person shown (R-M7-01). The buildings are their own
    work (no grant); a VIP person stays masked unless a department-head grant is in force (R-M7-03).
    Raises :class:`RevealDenied` when the role or the reason is missing or the user stewards no
    building of ``project``; nothing is shown."""
    now = clock.now()
    households = list(queries.steward_households(user, project))
    if not households:
        raise RevealDenied("您不是本项目任何楼栋的管家")
    wanted = set(STEWARD_FIELDS)
    grant = _check_reveal(user, project, wanted, is_vip=False, bulk=False, reason=reason, now=now)
    out = []
    with transaction.atomic():
        for household in households:
            persons = list(household.persons.all())
            open_ = [p for p in persons if grant is not None or not p.is_vip]
            views = _reveal(user, household, open_, wanted, grant=grant, reason=reason, screen=screen, api=api,
                            now=now)
            shown = {p.pk: v for p, v in zip(open_, views, strict=True)}
            out.append((household, [shown.get(p.pk) or person_view(p) for p in persons]))
    return out
