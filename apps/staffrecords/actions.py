"""Every write of the staff records (SPEC M19): certificates (R-M19-10), the internal directory
(R-M19-12), training sessions with attendance (R-M19-13), owners' service contracts and
takeover inspections (R-M19-14) with corrections of a registered contract, the stewards' building
patrols (R-M19-04) whose findings needing action are received as internal tickets, and the annual
appraisal of door-to-door staff on their services and residents' feedback (R-M8-18, R-M19-10).

Keyword-only, ``acting_user`` and ``now`` passed in; a refusal is :class:`StaffRecordError` (Chinese
message, ``field``, ``code``, HTTP ``status``); each action is one ``transaction.atomic()``; field
history by django-simple-history with the reason."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction

from apps.core.errors import DomainError
from apps.estates.masking import mask_name
from apps.estates.models import Building, Person, PersonKind
from apps.org.access import company_of, is_company_level
from apps.org.models import (
    AnnualAppraisal,
    AppraisalResult,
    Project,
    TakeoverInspection,
    TrainingAttendance,
    TrainingSession,
    TrainingTopic,
    User,
)
from apps.staffrecords import access, queries
from apps.staffrecords.models import (
    PATROL_CHECKS,
    BuildingPatrol,
    Certificate,
    CertificateKind,
    DirectoryChange,
    ServiceContract,
    ServiceContractChange,
)
from apps.tickets import actions as ticket_actions
from apps.tickets.choices import Channel, Kind, Source
from apps.tickets.models import Ticket
from linli import clock


class StaffRecordError(DomainError):
    """A refused staff-record action."""


CERT_FIELDS = ("holder", "kind", "name", "number", "issuer", "issued_on", "valid_until", "note")
_LIMITS = {"name": 100, "number": 60, "issuer": 100, "note": 200}
_LABELS = {"name": "证书名称", "number": "证书编号", "issuer": "发证机关"}


def _require_manage(user: User) -> int:
    if not access.can_manage(user):
        raise StaffRecordError("只有办公室主任或管理处经理可以登记员工证书", code="forbidden", status=403)
    company_id = company_of(user)
    if company_id is None:
        raise StaffRecordError("您不属于任何公司", code="forbidden", status=403)
    return company_id


def _clean(values: dict[str, Any], *, acting_user: User, now: dt.datetime) -> dict[str, Any]:
    holder = values.get("holder")
    if holder is None or not access.staff_in_scope(acting_user).filter(pk=holder.pk).exists():
        raise StaffRecordError("员工不存在或不在您管理的范围内", field="holder")
    if values.get("kind") not in CertificateKind.values:
        raise StaffRecordError("请选择证书类型", field="kind")
    for name, limit in _LIMITS.items():
        values[name] = (values.get(name) or "").strip()
        if len(values[name]) > limit:
            raise StaffRecordError(f"最多{limit}个字", field=name)
    for name, label in _LABELS.items():
        if not values[name]:
            raise StaffRecordError(f"请填写{label}", field=name)
    issued_on, valid_until = values.get("issued_on"), values.get("valid_until")
    if not isinstance(issued_on, dt.date):
        raise StaffRecordError("请填写发证日期", field="issued_on")
    if issued_on > clock.local(now).date():
        raise StaffRecordError("发证日期不能晚于今天", field="issued_on")
    if valid_until is not None and valid_until < issued_on:
        raise StaffRecordError("有效期至不能早于发证日期", field="valid_until")
    return values


def _unique(company_id: int, values: dict[str, Any], exclude: int | None = None) -> None:
    qs = Certificate.objects.filter(company_id=company_id, kind=values["kind"], number=values["number"])
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise StaffRecordError(f"证书编号 {values['number']} 已登记过", field="number", code="duplicate", status=409)


@transaction.atomic
def add_certificate(*, acting_user: User, now: dt.datetime, **values: Any) -> Certificate:
    """登记员工证书 (R-M19-10): type, number, issuer and validity on the staff member's record."""
    company_id = _require_manage(acting_user)
    unknown = set(values) - set(CERT_FIELDS)
    if unknown:
        raise StaffRecordError(f"未知字段：{'、'.join(sorted(unknown))}", code="unknown_field")
    values = _clean({k: values.get(k) for k in CERT_FIELDS}, acting_user=acting_user, now=now)
    _unique(company_id, values)
    cert = Certificate(company_id=company_id, created_at=now, updated_at=now, created_by=acting_user, **values)
    cert._history_user = acting_user  # type: ignore[attr-defined]
    cert._change_reason = "登记证书"  # type: ignore[attr-defined]
    cert.save()
    _sync_user_certificate(cert.holder_id)
    return cert


def _sync_user_certificate(holder_id: int) -> None:
    """The one-line ``User.certificate`` / ``certificate_valid_until`` that 持证上岗 checks read
    (R-M19-10, R-M8-18) follow the holder's certificates: the one valid longest (long-term first),
    as "name/number/issuer"; empty when the holder has none left."""
    certs = list(Certificate.objects.filter(holder_id=holder_id).order_by("-issued_on", "-id"))
    best = max(certs, key=lambda c: (c.valid_until is None, c.valid_until or dt.date.min), default=None)
    line = f"{best.name}/{best.number}/{best.issuer}"[:100] if best else ""
    until = best.valid_until if best else None
    User.objects.filter(pk=holder_id).update(certificate=line, certificate_valid_until=until)


@transaction.atomic
def update_certificate(*, certificate: Certificate, acting_user: User, now: dt.datetime, reason: str = "",
                       **changes: Any) -> Certificate:
    """Correct or renew a certificate (a renewal moves ``valid_until``); the history keeps the old values."""
    company_id = _require_manage(acting_user)
    cert = Certificate.objects.select_for_update().filter(
        pk=certificate.pk, pk__in=access.visible_certificates(acting_user).values("pk")).first()
    if cert is None:
        raise StaffRecordError("证书不存在", code="not_found", status=404)
    unknown = set(changes) - set(CERT_FIELDS)
    if unknown:
        raise StaffRecordError(f"未知字段：{'、'.join(sorted(unknown))}", code="unknown_field")
    values = {k: changes.get(k, getattr(cert, k)) for k in CERT_FIELDS}
    values = _clean(values, acting_user=acting_user, now=now)
    _unique(company_id, values, exclude=cert.pk)
    for k, v in values.items():
        setattr(cert, k, v)
    cert.updated_at = now
    cert._history_user = acting_user  # type: ignore[attr-defined]
    cert._change_reason = ((reason or "").strip() or "修改证书")[:100]  # type: ignore[attr-defined]
    old_holder = Certificate.objects.filter(pk=cert.pk).values_list("holder_id", flat=True).get()
    cert.save()
    for holder_id in {old_holder, cert.holder_id}:
        _sync_user_certificate(holder_id)
    return cert


DIRECTORY_FIELDS = ("phone", "extension", "employee_no")
_PHONE = re.compile(r"^[0-9+\- ]*$")
_DIR_LIMITS = {"phone": (30, "手机"), "extension": (20, "分机"), "employee_no": (30, "工号")}


@transaction.atomic
def update_directory_entry(*, person: User, acting_user: User, now: dt.datetime, **changes: Any) -> User:
    """内部通讯录 (R-M19-12): a keeper (办公室主任 / 管理处经理) corrects a staff member's phone,
    extension or employee number; anyone corrects their own phone and extension. Each change is a
    :class:`DirectoryChange` row."""
    unknown = set(changes) - set(DIRECTORY_FIELDS)
    if unknown:
        raise StaffRecordError(f"未知字段：{'、'.join(sorted(unknown))}", code="unknown_field")
    keeper = access.keeps(acting_user, person)
    if not keeper and person.pk != acting_user.pk:
        raise StaffRecordError("员工不存在或不在您管理的范围内", code="not_found", status=404)
    locked = User.objects.select_for_update().get(pk=person.pk)
    after: dict[str, str] = {}
    for name, value in changes.items():
        value = (value or "").strip()
        limit, label = _DIR_LIMITS[name]
        if len(value) > limit:
            raise StaffRecordError(f"{label}最多{limit}个字", field=name)
        if name in ("phone", "extension") and not _PHONE.match(value):
            raise StaffRecordError(f"{label}只能包含数字、空格、+ 和 -", field=name)
        if value != getattr(locked, name):
            after[name] = value
    if "employee_no" in after and not keeper:
        raise StaffRecordError("只有办公室主任或管理处经理可以修改工号", field="employee_no", code="forbidden",
                               status=403)
    if not after:
        return locked
    before = {k: getattr(locked, k) for k in after}
    for k, v in after.items():
        setattr(locked, k, v)
    locked.save(update_fields=list(after))
    company_id = company_of(acting_user) or company_of(locked)
    if company_id is None:
        raise StaffRecordError("您不属于任何公司", code="forbidden", status=403)
    DirectoryChange.objects.create(company_id=company_id, person=locked,
                                   before=before, after=after, changed_by=acting_user, changed_at=now)
    return locked


@transaction.atomic
def plan_training(*, acting_user: User, now: dt.datetime, project: Project | None, title: str, topic: str,
                  planned_on: dt.date, trainer: str = "", notes: str = "", attendees: list[User]) -> TrainingSession:
    """培训计划 (R-M19-13): a session of the staff training plan with the staff expected to attend.
    Company-level sessions (no project) are the office director's; a project's, its keepers'."""
    company_id = _require_manage(acting_user)
    if project is None and not is_company_level(acting_user):
        raise StaffRecordError("请选择项目", field="project")
    if project is not None and not access.kept_projects(acting_user).filter(pk=project.pk).exists():
        raise StaffRecordError("项目不存在或不在您管理的范围内", field="project")
    title = (title or "").strip()
    if not title:
        raise StaffRecordError("请填写培训主题", field="title")
    if len(title) > 100:
        raise StaffRecordError("最多100个字", field="title")
    if topic not in TrainingTopic.values:
        raise StaffRecordError("请选择培训类别", field="topic")
    if not isinstance(planned_on, dt.date):
        raise StaffRecordError("请填写计划日期", field="planned_on")
    trainer = (trainer or "").strip()
    if len(trainer) > 50:
        raise StaffRecordError("最多50个字", field="trainer")
    ids = {u.pk for u in attendees}
    if not ids:
        raise StaffRecordError("请选择参加培训的员工", field="attendees")
    if access.staff_in_scope(acting_user).filter(pk__in=ids).count() != len(ids):
        raise StaffRecordError("员工不存在或不在您管理的范围内", field="attendees")
    session = TrainingSession.objects.create(company_id=company_id, project=project, title=title, topic=topic,
                                             planned_on=planned_on, trainer=trainer, notes=(notes or "").strip())
    TrainingAttendance.objects.bulk_create([TrainingAttendance(session=session, user_id=i) for i in sorted(ids)])
    return session


@transaction.atomic
def record_training(*, session: TrainingSession, acting_user: User, now: dt.datetime, held_at: dt.datetime,
                    attended: list[int], passed: list[int], notes: str | None = None) -> TrainingSession:
    """培训签到 (R-M19-13): the session was held at ``held_at``; ``attended`` lists who came, ``passed``
    who passed its test (only those who came). Everyone else expected is recorded as absent."""
    _require_manage(acting_user)
    locked = TrainingSession.objects.select_for_update().filter(pk=session.pk).first()
    if locked is None or not access.keeps_training(acting_user, locked):
        raise StaffRecordError("培训不存在", code="not_found", status=404)
    if not isinstance(held_at, dt.datetime):
        raise StaffRecordError("请填写实际举办时间", field="held_at")
    if held_at > now:
        raise StaffRecordError("实际举办时间不能晚于现在", field="held_at")
    expected = {a.user_id: a for a in locked.attendances.all()}
    came, ok = set(attended), set(passed)
    if not came <= set(expected):
        raise StaffRecordError("签到的员工不在本次培训名单中", field="attended")
    if not ok <= came:
        raise StaffRecordError("未出席的员工不能记为考核合格", field="passed")
    for user_id, a in expected.items():
        a.attended = user_id in came
        a.passed = (user_id in ok) if a.attended else None
    TrainingAttendance.objects.bulk_update(list(expected.values()), ["attended", "passed"])
    locked.held_at = held_at
    if notes is not None:
        locked.notes = notes.strip()
    locked.save(update_fields=["held_at", "notes"])
    return locked


def _kept_project(acting_user: User, project: Project | None) -> Project:
    if project is None or not access.kept_projects(acting_user).filter(pk=project.pk).exists():
        raise StaffRecordError("项目不存在或不在您管理的范围内", field="project")
    return project


def _text(value: Any, field: str, label: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise StaffRecordError(f"请填写{label}", field=field)
    if len(text) > limit:
        raise StaffRecordError(f"{label}最多{limit}个字", field=field)
    return text


def _contract_owner(acting_user: User, owner: Person | None) -> Person:
    """The owner a contract is signed with: an active owner of a project ``acting_user`` keeps (locked)."""
    if owner is None:
        raise StaffRecordError("请选择业主", field="owner")
    project = _kept_project(acting_user, owner.project)
    locked = Person.objects.select_for_update(of=("self",)).filter(pk=owner.pk, project=project).first()
    if locked is None or locked.kind != PersonKind.OWNER or not locked.active:
        raise StaffRecordError("只能与在住业主签订物业服务合同", field="owner")
    return locked


def _contract_terms(company_id: int, *, number: Any, signed_on: Any, valid_until: Any, note: Any, now: dt.datetime,
                    exclude: int | None = None) -> dict[str, Any]:
    number = _text(number, "number", "合同编号", 50)
    if not isinstance(signed_on, dt.date):
        raise StaffRecordError("请填写签订日期", field="signed_on")
    if signed_on > clock.local(now).date():
        raise StaffRecordError("签订日期不能晚于今天", field="signed_on")
    if valid_until is not None and not isinstance(valid_until, dt.date):
        raise StaffRecordError("合同期至不是有效日期", field="valid_until")
    if valid_until is not None and valid_until < signed_on:
        raise StaffRecordError("合同期至不能早于签订日期", field="valid_until")
    taken = ServiceContract.objects.filter(company_id=company_id, number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise StaffRecordError(f"合同编号 {number} 已登记过", field="number", code="duplicate", status=409)
    return {"number": number, "signed_on": signed_on, "valid_until": valid_until,
            "note": _text(note, "note", "备注", 200, required=False)}


def _sync_contract_ref(owner_id: int, dropped: str = "") -> None:
    """The owner's ``contract_ref`` (shown in the owner archive) follows their latest contract; a number
    that no longer belongs to them (``dropped``) is cleared when they have no contract left."""
    person = Person.objects.get(pk=owner_id)
    latest = ServiceContract.objects.filter(owner_id=owner_id).order_by("-signed_on", "-id").first()
    ref = latest.number if latest is not None else ("" if dropped and person.contract_ref == dropped
                                                     else person.contract_ref)
    if person.contract_ref != ref:
        person.contract_ref = ref
        person.save(update_fields=["contract_ref"])


@transaction.atomic
def add_service_contract(*, acting_user: User, now: dt.datetime, owner: Person, number: str, signed_on: dt.date,
                         valid_until: dt.date | None = None, note: str = "") -> ServiceContract:
    """登记物业服务合同 (R-M19-14): the standard contract signed with an owner; the owner's
    ``contract_ref`` (shown in the owner archive) becomes this contract's number."""
    company_id = _require_manage(acting_user)
    locked = _contract_owner(acting_user, owner)
    terms = _contract_terms(company_id, number=number, signed_on=signed_on, valid_until=valid_until, note=note,
                            now=now)
    contract = ServiceContract(company_id=company_id, project_id=locked.project_id, household_id=locked.household_id,
                               owner=locked, created_at=now, created_by=acting_user, **terms)
    contract._history_user = acting_user  # type: ignore[attr-defined]
    contract._change_reason = "登记合同"  # type: ignore[attr-defined]
    contract.save()
    _sync_contract_ref(locked.pk)
    return contract


CONTRACT_FIELDS = ("owner", "number", "signed_on", "valid_until", "note")


def _shown(name: str, value: Any) -> str:
    """A contract field as the correction record keeps it (dates ISO, the owner as house · masked name)."""
    if value is None:
        return ""
    if name == "owner":
        return f"{value.household.label} · {mask_name(value.name)}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@transaction.atomic
def update_service_contract(*, contract: ServiceContract, acting_user: User, now: dt.datetime, reason: str,
                            **changes: Any) -> ServiceContract:
    """更正物业服务合同 (R-M19-14): a keeper corrects a registered contract's owner, number, signing date,
    term or note, giving the reason; a :class:`ServiceContractChange` keeps who, when, the values before
    and after and why, and the owners' ``contract_ref`` follow."""
    company_id = _require_manage(acting_user)
    locked = ServiceContract.objects.select_for_update(of=("self",)).select_related("owner__household").filter(
        pk=contract.pk, pk__in=access.visible_contracts(acting_user).values("pk")).first()
    if locked is None:
        raise StaffRecordError("合同不存在", code="not_found", status=404)
    unknown = set(changes) - set(CONTRACT_FIELDS)
    if unknown:
        raise StaffRecordError(f"未知字段：{'、'.join(sorted(unknown))}", code="unknown_field")
    reason = _text(reason, "reason", "更正原因", 200)
    owner = changes.get("owner", locked.owner)
    if owner is None or owner.pk != locked.owner_id:
        owner = _contract_owner(acting_user, owner)
    values = {k: changes.get(k, getattr(locked, k)) for k in ("number", "signed_on", "valid_until", "note")}
    terms = _contract_terms(company_id, now=now, exclude=locked.pk, **values)
    new = {"owner": owner, **terms}
    before = {k: _shown(k, getattr(locked, k)) for k in CONTRACT_FIELDS}
    after = {k: _shown(k, v) for k, v in new.items()}
    changed = [k for k in CONTRACT_FIELDS if before[k] != after[k] or (k == "owner" and owner.pk != locked.owner_id)]
    if not changed:
        raise StaffRecordError("内容没有变化，无需更正", code="no_change")
    old_owner, old_number = locked.owner_id, locked.number
    for k, v in terms.items():
        setattr(locked, k, v)
    locked.owner, locked.household_id, locked.project_id = owner, owner.household_id, owner.project_id
    locked._history_user = acting_user  # type: ignore[attr-defined]
    locked._change_reason = reason[:100]  # type: ignore[attr-defined]
    locked.save()
    ServiceContractChange.objects.create(contract=locked, before={k: before[k] for k in changed},
                                         after={k: after[k] for k in changed}, reason=reason,
                                         changed_by=acting_user, changed_at=now)
    for owner_id in sorted({old_owner, owner.pk}):
        _sync_contract_ref(owner_id, dropped=old_number)
    return locked


@transaction.atomic
def add_takeover_inspection(*, acting_user: User, now: dt.datetime, project: Project, inspected_on: dt.date,
                            scope: str, findings: str = "", documents_complete: bool = False,
                            accepted: bool = False, inspected_by: str, notes: str = "") -> TakeoverInspection:
    """接管验收 (R-M19-14): the common parts and facilities inspected when taking over a property; the
    takeover is accepted only with complete acceptance documents."""
    _require_manage(acting_user)
    project = _kept_project(acting_user, project)
    if not isinstance(inspected_on, dt.date):
        raise StaffRecordError("请填写验收日期", field="inspected_on")
    if inspected_on > clock.local(now).date():
        raise StaffRecordError("验收日期不能晚于今天", field="inspected_on")
    scope = _text(scope, "scope", "查验的共用部位与设施", 2000)
    inspected_by = _text(inspected_by, "inspected_by", "验收人员", 200)
    if accepted and not documents_complete:
        raise StaffRecordError("验收资料不齐全，不能确认接管", field="accepted")
    return TakeoverInspection.objects.create(
        project=project, inspected_on=inspected_on, scope=scope,
        findings=_text(findings, "findings", "发现的问题", 2000, required=False),
        documents_complete=bool(documents_complete), accepted=bool(accepted), inspected_by=inspected_by,
        notes=_text(notes, "notes", "备注", 2000, required=False))


@transaction.atomic
def record_patrol(*, acting_user: User, now: dt.datetime, building: Building, patrolled_at: dt.datetime,
                  findings: str = "", needs_action: bool | None = None, **checks: bool) -> BuildingPatrol:
    """楼宇日常巡查 (R-M19-04 (9)): the steward records a patrol of a building of their project — each
    area normal or not (cleaning, security, facilities and utilities, signage, decoration work); an area
    not normal needs a finding. Not later than now, not more than 7 days back.

    A finding that needs action (``needs_action``; by default: some area is not normal) is received at
    once as an internal ticket linked to the patrol (:func:`patrol_to_ticket`), in the same transaction."""
    names = {n for n, _label in PATROL_CHECKS}
    unknown = set(checks) - names
    if unknown:
        raise StaffRecordError(f"未知字段：{'、'.join(sorted(unknown))}", code="unknown_field")
    if building is None or not access.patrol_projects(acting_user).filter(pk=building.project_id).exists():
        raise StaffRecordError("只有本项目的客服楼宇员或管家可以登记楼宇巡查", field="building", code="forbidden",
                               status=403)
    if not isinstance(patrolled_at, dt.datetime):
        raise StaffRecordError("请填写巡查时间", field="patrolled_at")
    if patrolled_at > now:
        raise StaffRecordError("巡查时间不能晚于现在", field="patrolled_at")
    if patrolled_at < now - dt.timedelta(days=7):
        raise StaffRecordError("只能补登7天内的巡查", field="patrolled_at")
    values = {n: bool(checks.get(n, True)) for n in names}
    findings = _text(findings, "findings", "发现的问题", 2000, required=False)
    if not all(values.values()) and not findings:
        raise StaffRecordError("有异常项时请填写发现的问题", field="findings")
    if needs_action is None:
        needs_action = not all(values.values())
    if needs_action and not findings:
        raise StaffRecordError("需要处理时请填写发现的问题", field="findings")
    patrol = BuildingPatrol.objects.create(
        company_id=building.project.company_id, project_id=building.project_id, building=building,
        steward=acting_user, patrolled_at=patrolled_at, findings=findings, recorded_at=now, **values)
    if needs_action:
        patrol.ticket = patrol_to_ticket(patrol=patrol, acting_user=acting_user, now=now)
    return patrol


@transaction.atomic
def patrol_to_ticket(*, patrol: BuildingPatrol, acting_user: User, now: dt.datetime) -> Ticket:
    """巡查发现转内部工单 (R-M19-04 (9), (2), (16)): the finding is received in the tickets pipeline as a
    written internal report by the steward (channel 信函: a written record, no oral feedback time) — a
    repair when facilities, utilities or signage are at fault, otherwise a need — and linked to the
    patrol. The patrol's steward or a keeper of its project may raise it, once."""
    locked = BuildingPatrol.objects.select_for_update(of=("self",)).select_related(
        "project", "building", "steward").filter(pk=patrol.pk).first()
    if locked is None or not (locked.steward_id == acting_user.pk
                              or access.visible_patrols(acting_user).filter(pk=locked.pk).exists()):
        raise StaffRecordError("巡查记录不存在", code="not_found", status=404)
    if locked.ticket_id is not None:
        raise StaffRecordError("该巡查发现已转为内部工单", code="already_raised", status=409)
    if not locked.findings:
        raise StaffRecordError("该巡查没有发现问题，无需转工单", field="findings")
    kind = Kind.REPAIR if not (locked.facilities_ok and locked.signage_ok) else Kind.NEED
    problems = "、".join(locked.problems) or "其他"
    when = clock.local(locked.patrolled_at, locked.project.tz)
    ticket = ticket_actions.receive_ticket(
        project=locked.project, kind=kind, channel=Channel.LETTER, source=Source.PROJECT, acting_user=acting_user,
        now=now, content=f"楼宇巡查发现（{locked.building.name} {when:%Y-%m-%d %H:%M}，{problems}）：{locked.findings}",
        complainant_surname=str(locked.steward)[:20], phone=getattr(locked.steward, "phone", "") or "",
        address=locked.building.name, received_at=min(locked.patrolled_at, now))
    locked.ticket = ticket
    locked.save(update_fields=["ticket"])
    return ticket


@transaction.atomic
def appraise_annually(*, acting_user: User, now: dt.datetime, staff: User | None, project: Project | None, year: int,
                      result: str, comment: str, training: str = "") -> AnnualAppraisal:
    """年度考评 (R-M8-18, R-M19-10): the keeper of ``staff``'s records (the property service management:
    管理处经理, 客服经理/主管 of the project, or the 办公室主任) appraises the worker for ``year`` — this year
    or the last — on the services they did and the residents' feedback, which are read from the work
    orders and return-visit ratings and kept with the appraisal. A result short of 合格 names the
    training to follow; a failed appraisal stops certificate work until a later one passes."""
    company_id = _require_manage(acting_user)
    kept = _kept_project(acting_user, project)
    if staff is None or not access.keeps(acting_user, staff) or not staff.memberships.filter(project=kept).exists():
        raise StaffRecordError("员工不存在或不在您管理的范围内", field="staff")
    this_year = clock.local(now).year
    if year not in (this_year, this_year - 1):
        raise StaffRecordError(f"只能考评{this_year - 1}年度或{this_year}年度", field="year")
    if result not in AppraisalResult.values:
        raise StaffRecordError("请选择考评结果", field="result")
    comment = _text(comment, "comment", "考评意见", 2000)
    training = _text(training, "training", "须参加的培训", 200, required=result != AppraisalResult.PASSED)
    return AnnualAppraisal.objects.create(
        company_id=company_id, project=kept, staff=staff, year=year, result=result, comment=comment,
        training=training, evidence=queries.appraisal_evidence(staff, kept, year), appraised_by=acting_user,
        appraised_at=now)
