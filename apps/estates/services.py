"""Business rules of the owner archive (SPEC M7): who sees which household, masked person views,
revealing personal data (R-M7-01, R-M7-03), department-head grants and the append-only access log.

Views and the API call these functions; they never read ``Person.phone`` themselves.
See :mod:`apps.estates.masking` for the interpretation of R-M7-01 (which reveal needs a grant).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from apps.estates import masking, roster
from apps.estates.access import in_own_work
from apps.estates.models import (
    MEDIA_KINDS,
    AccessAction,
    ArchiveGrant,
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

MAX_GRANT_DAYS = 366  # a standing consent is renewed at least once a year
REASON_MAX = 200


class RevealDenied(PermissionDenied):
    """The user may not see these data in full; ``message`` is Chinese and shown to the user."""

    def __init__(self, message: str, *, needs_grant: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.needs_grant = needs_grant


# ---------------------------------------------------------------- visibility


def archive_projects(user: User) -> list[Project]:
    """Projects whose owner archive ``user`` may open (VIEW_ARCHIVE there)."""
    return [p for p in access.visible_projects(user).order_by("code") if access.has_cap(user, Cap.VIEW_ARCHIVE, p)]


def visible_households(user: User, project: Project | None = None) -> QuerySet[Household]:
    projects = archive_projects(user)
    if project is not None:
        projects = [p for p in projects if p.pk == project.pk]
    return Household.objects.filter(project__in=projects)


def get_household(user: User, pk: int) -> Household:
    """The household, or Http404 when it does not exist or lies outside the user's projects."""
    household = (visible_households(user).select_related("project", "building", "unit")
                 .prefetch_related(Prefetch("persons", queryset=Person.objects.order_by("-active", "kind", "pk")
                                            .prefetch_related("vehicles")))
                 .filter(pk=pk).first())
    if household is None:
        raise Http404
    return household


def normalise_query(text: str) -> str:
    return "".join((text or "").split())


def search_households(user: User, project: Project, *, q: str = "", building: str = "", label: str = "",
                      phone_tail: str = "", status: str = "", flag: str = "") -> QuerySet[Household]:
    """Owner archive search (issue 2 item 8): 房号 / name / phone tail, within one visible project.

    ``q`` is the free search box: four digits match a resident's phone tail *or* a room number;
    other text matches the full label (``5栋2单元1502``), the room number or a resident's name.
    """
    if not access.has_cap(user, Cap.VIEW_ARCHIVE, project) or not access.can_see_project(user, project):
        raise Http404
    qs = Household.objects.filter(project=project)
    text = normalise_query(q)
    if text:
        cond = Q(label__icontains=text) | Q(room_no=text)
        if text.isdigit() and len(text) == 4:
            cond |= Q(pk__in=Person.objects.filter(project=project, phone_tail=text).values("household_id"))
        elif not text.isdigit():
            cond |= Q(pk__in=Person.objects.filter(project=project, name__contains=text).values("household_id"))
        qs = qs.filter(cond)
    if building:
        qs = qs.filter(building__name=building)
    if label:
        qs = qs.filter(label__icontains=normalise_query(label))
    tail = normalise_query(phone_tail)
    if tail:
        qs = qs.filter(pk__in=Person.objects.filter(project=project, phone_tail__endswith=tail[-4:]).values("household_id"))
    if status:
        qs = qs.filter(status=status)
    if flag == "elderly":
        qs = qs.filter(Q(elderly_alone=True) | Q(persons__elderly_alone=True)).distinct()
    elif flag == "vip":
        qs = qs.filter(persons__is_vip=True).distinct()
    elif flag == "not_moved_in":
        qs = qs.filter(status="not_moved_in")
    return qs.select_related("building", "unit").order_by("building__sort_key", "building__name", "label")


# ---------------------------------------------------------------- person views


@dataclass
class PersonView:
    """A person as shown on a page or in the API: each field already masked or revealed."""

    pk: int
    kind: str
    kind_label: str
    name: str
    phone: str
    phone2: str
    id_number: str
    vehicles: list[dict[str, str]]
    tags: list[str]
    is_vip: bool
    elderly_alone: bool
    active: bool
    move_in_date: dt.date | None
    needs: str = ""
    revealed: frozenset[str] = field(default_factory=frozenset)
    contract_ref: str = ""  # R-M19-14 物业服务合同编号 (not personal data)

    @property
    def masked(self) -> bool:
        return not self.revealed


def person_view(person: Person, revealed: Iterable[str] = ()) -> PersonView:
    shown = frozenset(revealed)

    def val(name: str) -> str:
        raw = getattr(person, name) or ""
        return raw if name in shown else masking.MASKERS[name](raw)

    vehicles = [
        {"plate": v.plate if "vehicles" in shown else masking.mask_plate(v.plate),
         "parking_space": v.parking_space}
        for v in person.vehicles.all()
    ]
    return PersonView(
        pk=person.pk, kind=person.kind, kind_label=str(person.get_kind_display()), name=val("name"),
        phone=val("phone"), phone2=val("phone2"), id_number=val("id_number"), vehicles=vehicles,
        tags=[t for t in (person.tags or "").replace("，", ",").split(",") if t.strip()],
        is_vip=person.is_vip, elderly_alone=person.elderly_alone, active=person.active,
        move_in_date=person.move_in_date, needs=person.needs, revealed=shown, contract_ref=person.contract_ref,
    )


def masked_persons(household: Household) -> list[PersonView]:
    return [person_view(p) for p in household.persons.all()]


# ---------------------------------------------------------------- grants


def active_grant(user: User, project: Project, now: dt.datetime | None = None) -> ArchiveGrant | None:
    """The user's valid department-head grant in ``project`` at ``now`` (latest ending first)."""
    moment = now or clock.now()
    return (ArchiveGrant.objects.filter(grantee=user, project=project, revoked_at__isnull=True,
                                        valid_from__lte=moment, valid_until__gt=moment)
            .order_by("-valid_until").first())


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
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


def grants_for(user: User) -> QuerySet[ArchiveGrant]:
    """Grants the user may manage (GRANT_ARCHIVE_ACCESS in the project) plus their own."""
    manage = [p.pk for p in access.visible_projects(user) if access.has_cap(user, Cap.GRANT_ARCHIVE_ACCESS, p)]
    return (ArchiveGrant.objects.filter(Q(project_id__in=manage) | Q(grantee=user))
            .select_related("project", "grantee", "granted_by", "revoked_by"))


# ---------------------------------------------------------------- reveal


def _check_reveal(user: User, project: Project, fields: set[str], *, is_vip: bool, bulk: bool,
                  reason: str, now: dt.datetime, own_work: bool = True) -> ArchiveGrant | None:
    if not access.has_cap(user, Cap.UNMASK_PERSONAL_DATA, project):
        raise RevealDenied("您的岗位无权查看完整顾客资料")
    if not (reason or "").strip():
        raise RevealDenied("请填写查阅事由")
    unknown = fields - set(masking.ALL_FIELDS)
    if unknown:
        raise RevealDenied("未知字段：" + "、".join(sorted(unknown)))
    need = masking.reveal_need(fields, is_vip=is_vip, bulk=bulk)
    grant = active_grant(user, project, now)
    if need.grant_required and grant is None:
        raise RevealDenied(need.why + "；您目前没有有效的查阅授权", needs_grant=True)
    if not own_work and grant is None:
        raise RevealDenied("该房屋不在您负责的楼栋或您的工单范围内，查阅须经部门负责人授权（R-M7-01）；"
                           "您目前没有有效的查阅授权", needs_grant=True)
    return grant


def may_reveal(user: User, project: Project) -> bool:
    return access.has_cap(user, Cap.UNMASK_PERSONAL_DATA, project)


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


def check_export(user: User, project: Project, *, unmasked: bool, reason: str) -> ArchiveGrant | None:
    """Who may export the roster (Cap.EXPORT_ROSTER); unmasked needs the grant (bulk consultation)."""
    if not access.has_cap(user, Cap.EXPORT_ROSTER, project):
        raise RevealDenied("您的岗位无权导出业主名册")
    if not unmasked:
        return None
    return _check_reveal(user, project, set(masking.ALL_FIELDS), is_vip=False, bulk=True, reason=reason,
                         now=clock.now())


def log_export(user: User, project: Project, *, unmasked: bool, reason: str, screen: str, rows: int,
               grant: ArchiveGrant | None) -> CustomerDataAccessLog:
    return _log(project=project, user=user, at=clock.now(),
                action=AccessAction.EXPORT if unmasked else AccessAction.EXPORT_MASKED,
                fields=",".join(masking.ALL_FIELDS) if unmasked else "", reason=(reason or "").strip()[:REASON_MAX]
                or "导出业主名册", screen=screen[:100], grant=grant, row_count=rows)


# ---------------------------------------------------------------- access log


def log_projects(user: User) -> list[Project]:
    return [p for p in access.visible_projects(user).order_by("code") if access.has_cap(user, Cap.VIEW_ACCESS_LOG, p)]


def access_logs_for(user: User) -> QuerySet[CustomerDataAccessLog]:
    """顾客资料查阅记录 the user may browse (VIEW_ACCESS_LOG in the project)."""
    return (CustomerDataAccessLog.objects.filter(project__in=log_projects(user))
            .select_related("project", "user", "household", "person", "grant", "grant__granted_by"))


@transaction.atomic(durable=True)
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
PERSON_FIELDS = ("name", "kind", "phone", "phone2", "id_number", "move_in_date", "tags", "needs", "active")


def may_maintain(user: User, project: Project) -> bool:
    """客服主管 builds and maintains the owner archive (R-M7-04, R-M19-02): the roster-import roles."""
    return access.has_cap(user, Cap.IMPORT_ROSTER, project)


@transaction.atomic(durable=True)
def update_household(user: User, household: Household, data: dict[str, Any]) -> Household:
    if not may_maintain(user, household.project):
        raise PermissionDenied("您的岗位不能维护业主档案")
    locked = Household.objects.select_for_update().get(pk=household.pk)
    for name in HOUSEHOLD_FIELDS:
        if name in data:
            setattr(locked, name, data[name])
    locked._change_reason = f"档案维护（{user}）"  # type: ignore[attr-defined]
    locked.full_clean(exclude=["building", "unit", "project"])
    locked.save()
    return locked


@transaction.atomic(durable=True)
def save_person(user: User, household: Household, data: dict[str, Any], person: Person | None = None) -> Person:
    """Add or edit an occupant. Phone, second phone and ID number left blank keep the stored value,
    so editing never has to show personal data in full (R-M7-01)."""

    if not may_maintain(user, household.project):
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


def may_keep_decoration(user: User, project: Project) -> bool:
    """Front desk (decoration formalities), steward (decoration patrols) and CS supervisors: the
    roles whose work includes customer data (R-M7-01)."""
    return access.has_cap(user, Cap.UNMASK_PERSONAL_DATA, project)


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
        row.file = file
    row.save()
    return row


def decoration_archive(user: User, household: Household) -> QuerySet[DecorationRecord]:
    """The household's decoration entries for listing (no file is opened here)."""
    if household.project not in archive_projects(user):
        raise PermissionDenied("您无权查看该房屋的档案")
    return household.decoration_records.select_related("recorded_by").order_by("recorded_at", "id")


@transaction.atomic
def open_decoration_media(user: User, record: DecorationRecord, *, reason: str, screen: str) -> Any:
    """R-M7-10: decoration photos, videos and recordings are personal data under R-M7-01 — opening
    one needs a role with customer data in its work and a reason, and is logged like a reveal."""
    if not may_reveal(user, record.project):
        raise RevealDenied("您的岗位无权查看装修影像和录音")
    if not (reason or "").strip():
        raise RevealDenied("请填写查阅事由")
    _log(project=record.project, user=user, at=clock.now(), action=AccessAction.VIEW, household=record.household,
         fields=DECORATION_MEDIA_FIELD, reason=reason.strip()[:REASON_MAX], screen=screen[:100],
         grant=active_grant(user, record.project))
    return record.file
