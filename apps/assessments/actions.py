"""Every write of the assessments app (SPEC M14): the catalogue (seed, new versions), the starting
score, sheets (open, entries, remove, submit, return, sign off), disciplinary referrals, suggestions.

Keyword-only, ``acting_user`` and ``now``; a refusal is :class:`AssessmentError`; each action is one
``transaction.atomic()``; simple-history keeps who changed what and why.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from apps.assessments import access, seed
from apps.assessments.models import (
    AssessmentEntry,
    AssessmentPolicy,
    Catalogue,
    CatalogueItem,
    DisciplinaryReferral,
    EntrySource,
    ItemOutcome,
    SheetStatus,
    StaffAssessment,
    SuggestedEntry,
    SuggestionStatus,
    plain,
)
from apps.core.errors import DomainError
from apps.org.access import can_see_project, has_cap
from apps.org.models import Membership
from apps.org.roles import Cap

if TYPE_CHECKING:
    from apps.org.models import Company, Project, User

MAX_QUANTITY = 100
MAX_TEXT = 2000


class AssessmentError(DomainError):
    """A refused assessment action."""


def _save(obj: Any, fields: list[str] | None, *, acting_user: User | None, reason: str) -> None:
    obj._history_user = acting_user
    obj._change_reason = reason[:100]
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=fields)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(period: dt.date) -> dt.date:
    nxt = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _dec(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        raise AssessmentError("扣分应为数字", field=field) from None
    if not number.is_finite():
        raise AssessmentError("扣分应为数字", field=field)
    return number


# ---------------------------------------------------------------- catalogue and policy


@transaction.atomic
def load_seed_catalogue(*, company: Company, now: dt.datetime) -> Catalogue:
    """Section 4 as the company's catalogue (R-M14-03); idempotent."""
    existing = Catalogue.objects.filter(company=company, version=seed.VERSION).first()
    if existing is not None:
        return existing
    has_default = Catalogue.objects.filter(company=company, is_default=True).exists()
    catalogue = Catalogue.objects.create(company=company, name=seed.NAME, version=seed.VERSION,
                                         is_default=not has_default, created_at=now)
    CatalogueItem.objects.bulk_create([
        CatalogueItem(catalogue=catalogue, order=i, code=code, area=area, behaviour=behaviour,
                      min_points=Decimal(lo) if lo is not None else None, max_points=Decimal(hi) if hi is not None else None,
                      unit=unit, outcome=outcome, note=note)
        for i, (code, area, behaviour, lo, hi, unit, outcome, note) in enumerate(seed.ITEMS, start=1)])
    return catalogue


@transaction.atomic
def new_catalogue_version(*, company: Company, version: str, changes: dict[str, tuple[Any, Any]], acting_user: User,
                          now: dt.datetime, make_default: bool = True) -> Catalogue:
    """A new version copied from the current one with the points of some items changed (e.g. P-23's
    alternative 1–5 for 3.2, or the attendance points of 8.x, R-M14-07). Sheets already opened keep
    their version."""
    if not has_cap(acting_user, Cap.SPOT_CHECK_ASSESSMENTS):
        raise AssessmentError("只有客服经理或管理处经理可以修订考核细则", code="forbidden", status=403)
    version = (version or "").strip()
    if not version:
        raise AssessmentError("请填写版本号", field="version")
    if Catalogue.objects.filter(company=company, version=version).exists():
        raise AssessmentError(f"版本“{version}”已存在", field="version", code="duplicate", status=409)
    current = Catalogue.objects.filter(company=company, is_default=True).first()
    if current is None:
        raise AssessmentError("还没有考核细则", code="no_catalogue", status=409)
    items = list(current.items.all())
    known = {i.code for i in items}
    for code, (lo, hi) in changes.items():
        if code not in known:
            raise AssessmentError(f"没有扣分项 {code}", field="changes")
        lo_d, hi_d = _dec(lo, "changes"), _dec(hi, "changes")
        if lo_d < 0 or hi_d < lo_d or hi_d > 100:
            raise AssessmentError(f"{code} 的扣分范围不正确（0 ≤ 最少 ≤ 最多 ≤ 100）", field="changes")
        changes[code] = (lo_d, hi_d)
    if make_default:
        Catalogue.objects.filter(company=company, is_default=True).update(is_default=False)
    new = Catalogue.objects.create(company=company, name=current.name, version=version, is_default=make_default,
                                   created_at=now)
    for i in items:
        lo, hi = changes.get(i.code, (i.min_points, i.max_points))
        CatalogueItem.objects.create(catalogue=new, order=i.order, code=i.code, area=i.area, behaviour=i.behaviour,
                                     min_points=lo, max_points=hi, unit=i.unit, outcome=i.outcome, note=i.note)
    return new


def starting_score(company_id: int, project_id: int | None) -> Decimal:
    """The project's starting score, else the company's, else 100 (R-M14-02: not in the seed)."""
    rows = {p.project_id: p.starting_score for p in AssessmentPolicy.objects.filter(company_id=company_id)}
    return rows.get(project_id, rows.get(None, Decimal("100")))


@transaction.atomic
def set_starting_score(*, project: Project, value: Any, acting_user: User, now: dt.datetime) -> AssessmentPolicy:
    if not access.can_spot_check(acting_user, project):
        raise AssessmentError("只有客服经理或管理处经理可以设置考核起始分", code="forbidden", status=403)
    number = _dec(value, "starting_score")
    if number <= 0 or number > 1000:
        raise AssessmentError("起始分应大于0且不超过1000", field="starting_score")
    policy, _created = AssessmentPolicy.objects.get_or_create(company_id=project.company_id, project=project,
                                                              defaults={"starting_score": number})
    policy.starting_score = number
    _save(policy, None, acting_user=acting_user, reason="设置考核起始分")
    return policy


# ---------------------------------------------------------------- sheets


def _employee_membership(employee: User, project: Project) -> Membership | None:
    return Membership.objects.filter(user=employee, project=project).select_related("department").first()


@transaction.atomic
def open_sheet(*, employee: User, project: Project, period: dt.date, acting_user: User, now: dt.datetime) -> StaffAssessment:
    """One sheet per employee per calendar month (R-M14-01), by the 客服主管 of the employee's project."""
    if not can_see_project(acting_user, project):
        raise AssessmentError("项目不存在", field="project", code="not_found", status=404)
    if not access.can_assess(acting_user, project):
        raise AssessmentError("只有本项目客服主管可以考核员工", code="forbidden", status=403)
    if employee.pk == acting_user.pk:
        raise AssessmentError("不能考核自己", field="employee", code="self_assessment")
    membership = _employee_membership(employee, project)
    if membership is None:
        raise AssessmentError("该员工不在本项目任职", field="employee")
    period = month_start(period)
    today = now.astimezone(project.tz).date()
    if period > today:
        raise AssessmentError("不能考核尚未开始的月份", field="period")
    if StaffAssessment.objects.filter(employee=employee, period=period).exists():
        raise AssessmentError(f"{employee} {period:%Y年%m月} 的考核表已存在", field="period", code="duplicate",
                              status=409)
    catalogue = Catalogue.objects.filter(company_id=project.company_id, is_default=True).first()
    if catalogue is None:
        raise AssessmentError("还没有考核细则", code="no_catalogue", status=409)
    sheet = StaffAssessment(company_id=project.company_id, project=project, department=membership.department,
                            employee=employee, period=period, catalogue=catalogue, assessor=acting_user,
                            starting_score=starting_score(project.company_id, project.pk), created_at=now)
    try:
        with transaction.atomic():
            _save(sheet, None, acting_user=acting_user, reason="新建月度考核表")
    except IntegrityError:
        raise AssessmentError(f"{employee} {period:%Y年%m月} 的考核表已存在", field="period", code="duplicate",
                              status=409) from None
    return sheet


def _lock(sheet: StaffAssessment) -> StaffAssessment:
    return StaffAssessment.objects.select_for_update().select_related("project", "employee").get(pk=sheet.pk)


@transaction.atomic
def add_entry(*, sheet: StaffAssessment, source: str, occurred_on: dt.date, acting_user: User, now: dt.datetime,
              item: CatalogueItem | None = None, value: Any = None, quantity: int = 1, note: str = "",
              evidence_url: str = "") -> AssessmentEntry:
    """An entry (R-M14-02, -03): a catalogue item with, for range items, a value inside the range
    (AS-35: 1.4 with 12 refused, 5.2 with 0.5 accepted); per-occurrence items × quantity; a disciplinary
    item creates the referral with 0 points; a praise is recorded without points. The 客服主管 enters
    while the sheet is a draft; the manager's spot checks (source 经理抽查) also once submitted; a
    signed-off sheet is frozen."""
    sheet = _lock(sheet)
    if sheet.frozen:
        raise AssessmentError("考核表已签核冻结，不能再录入", code="frozen", status=409)
    if acting_user.pk == sheet.employee_id:
        raise AssessmentError("不能考核自己", code="self_assessment", status=403)
    if source not in EntrySource.values:
        raise AssessmentError("请选择来源", field="source")
    if source == EntrySource.MANAGER_SPOT_CHECK:
        if not access.can_spot_check(acting_user, sheet.project):
            raise AssessmentError("只有客服经理或管理处经理可以录入抽查结果", code="forbidden", status=403)
    else:
        if not access.can_assess(acting_user, sheet.project):
            raise AssessmentError("只有本项目客服主管可以录入考核", code="forbidden", status=403)
        if sheet.status != SheetStatus.DRAFT:
            raise AssessmentError("考核表已提交，只能录入经理抽查结果", code="submitted", status=409)
    if not (month_start(occurred_on) == sheet.period):
        raise AssessmentError(f"发生日期须在 {sheet.period:%Y年%m月} 内", field="occurred_on")
    if not isinstance(quantity, int) or quantity < 1 or quantity > MAX_QUANTITY:
        raise AssessmentError(f"次数/项数应为1到{MAX_QUANTITY}", field="quantity")
    note, evidence_url = (note or "").strip()[:MAX_TEXT], (evidence_url or "").strip()
    if evidence_url and not evidence_url.startswith("/"):
        raise AssessmentError("相关记录应为系统内的地址（以 / 开头）", field="evidence_url")
    points = Decimal("0")
    per = Decimal("0")
    if item is None:
        if source != EntrySource.CUSTOMER_PRAISE:
            raise AssessmentError("请选择扣分项", field="item")
        if len(note) < 2:
            raise AssessmentError("请填写表扬内容", field="note")
        quantity = 1
    else:
        if item.catalogue_id != sheet.catalogue_id:
            raise AssessmentError("扣分项不属于本考核表使用的细则", field="item")
        if not item.configured:
            raise AssessmentError(f"扣分项 {item.code} 的扣分尚未设定，请先修订考核细则", field="item", code="unconfigured")
        if item.outcome == ItemOutcome.DISCIPLINARY:
            if len(note) < 4:
                raise AssessmentError("处分转介请写明事实（至少4个字）", field="note")
        else:
            lo, hi = item.min_points, item.max_points
            assert lo is not None and hi is not None
            if value is None or str(value).strip() == "":
                if item.is_range:
                    raise AssessmentError(f"{item.code} 请在 {item.points_label} 分之间选择扣分", field="value")
                per = lo
            else:
                per = _dec(value, "value")
                if per < lo or per > hi:
                    raise AssessmentError(f"{item.code} 的扣分应在 {item.points_label} 分之间，{plain(per)} 不在范围内",
                                          field="value", code="out_of_range")
            points = per * quantity
    entry = AssessmentEntry(sheet=sheet, item=item, source=source, value=per, quantity=quantity, points=points,
                            occurred_on=occurred_on, note=note, evidence_url=evidence_url, entered_by=acting_user,
                            entered_at=now)
    _save(entry, None, acting_user=acting_user, reason="录入考核")
    if item is not None and item.outcome == ItemOutcome.DISCIPLINARY:
        DisciplinaryReferral.objects.create(entry=entry, employee_id=sheet.employee_id, project_id=sheet.project_id,
                                            created_at=now, facts=note)
    return entry


@transaction.atomic
def remove_entry(*, entry: AssessmentEntry, reason: str, acting_user: User, now: dt.datetime) -> AssessmentEntry:
    sheet = _lock(entry.sheet)
    if sheet.status != SheetStatus.DRAFT:
        raise AssessmentError("只有考核中的考核表可以撤销记录", code="frozen" if sheet.frozen else "submitted",
                              status=409)
    if not access.can_assess(acting_user, sheet.project) or acting_user.pk == sheet.employee_id:
        raise AssessmentError("只有本项目客服主管可以撤销考核记录", code="forbidden", status=403)
    if not (reason or "").strip():
        raise AssessmentError("请填写撤销原因", field="reason")
    entry = AssessmentEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.removed_at is not None:
        raise AssessmentError("该记录已撤销", code="removed", status=409)
    if hasattr(entry, "referral"):
        raise AssessmentError("已转介处分的记录不能撤销", code="referred", status=409)
    entry.removed_at, entry.removed_reason = now, reason.strip()[:200]
    _save(entry, ["removed_at", "removed_reason"], acting_user=acting_user, reason=reason)
    return entry


@transaction.atomic
def submit_sheet(*, sheet: StaffAssessment, acting_user: User, now: dt.datetime) -> StaffAssessment:
    sheet = _lock(sheet)
    if sheet.status != SheetStatus.DRAFT:
        raise AssessmentError("考核表不是考核中状态，不能提交", code="not_draft", status=409)
    if not access.can_assess(acting_user, sheet.project) or acting_user.pk == sheet.employee_id:
        raise AssessmentError("只有本项目客服主管可以提交考核表", code="forbidden", status=403)
    sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, now
    _save(sheet, ["status", "submitted_at"], acting_user=acting_user, reason="提交考核表")
    return sheet


def _require_manager(sheet: StaffAssessment, acting_user: User) -> None:
    if not access.can_spot_check(acting_user, sheet.project):
        raise AssessmentError("只有客服经理或管理处经理可以签核考核表", code="forbidden", status=403)
    if acting_user.pk in (sheet.employee_id, sheet.assessor_id):
        raise AssessmentError("不能签核自己录入或自己的考核表", code="self_assessment", status=403)


@transaction.atomic
def return_sheet(*, sheet: StaffAssessment, reason: str, acting_user: User, now: dt.datetime) -> StaffAssessment:
    sheet = _lock(sheet)
    _require_manager(sheet, acting_user)
    if sheet.status != SheetStatus.SUBMITTED:
        raise AssessmentError("只有已提交的考核表可以退回", code="not_submitted", status=409)
    if not (reason or "").strip():
        raise AssessmentError("请填写退回原因", field="reason")
    sheet.status, sheet.submitted_at = SheetStatus.DRAFT, None
    _save(sheet, ["status", "submitted_at"], acting_user=acting_user, reason=f"退回：{reason}")
    return sheet


@transaction.atomic
def sign_off_sheet(*, sheet: StaffAssessment, note: str, acting_user: User, now: dt.datetime) -> StaffAssessment:
    """The manager signs the submitted sheet off; from then on it is frozen (R-M14-01)."""
    sheet = _lock(sheet)
    _require_manager(sheet, acting_user)
    if sheet.status != SheetStatus.SUBMITTED:
        raise AssessmentError("只有已提交的考核表可以签核", code="not_submitted", status=409)
    sheet.status, sheet.signed_off_by, sheet.signed_off_at = SheetStatus.SIGNED_OFF, acting_user, now
    sheet.sign_off_note = (note or "").strip()[:MAX_TEXT]
    _save(sheet, None, acting_user=acting_user, reason="签核考核表")
    return sheet


# ---------------------------------------------------------------- suggestions


@transaction.atomic
def suggest_entry(*, employee_id: int, project_id: int, occurred_at: dt.datetime, kind: str, source: str,
                  summary: str, url: str, event_key: str) -> SuggestedEntry | None:
    """An event that may belong on the employee's sheet (R-M14-02, -04, -05); idempotent by ``event_key``.
    Nothing is suggested for someone who is not staff of the project."""
    existing = SuggestedEntry.objects.filter(event_key=event_key).first()
    if existing is not None:
        return existing
    membership = Membership.objects.filter(user_id=employee_id, project_id=project_id).select_related("project").first()
    if membership is None or membership.project is None:
        return None
    local_day = occurred_at.astimezone(membership.project.tz).date()
    return SuggestedEntry.objects.create(
        company_id=membership.project.company_id, project_id=project_id, employee_id=employee_id,
        period=month_start(local_day), kind=kind, source=source, occurred_at=occurred_at, summary=summary[:300],
        url=url[:300], event_key=event_key[:120])


@transaction.atomic
def accept_suggestion(*, suggestion: SuggestedEntry, acting_user: User, now: dt.datetime,
                      item: CatalogueItem | None = None, value: Any = None, quantity: int = 1,
                      note: str = "") -> AssessmentEntry:
    """The 客服主管 makes the suggestion an entry on the employee's sheet of that month (opened if needed)."""
    suggestion = SuggestedEntry.objects.select_for_update().select_related("project", "employee").get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PENDING:
        raise AssessmentError("该建议已处理", code="decided", status=409)
    sheet = StaffAssessment.objects.filter(employee=suggestion.employee, period=suggestion.period).first()
    if sheet is None:
        sheet = open_sheet(employee=suggestion.employee, project=suggestion.project, period=suggestion.period,
                           acting_user=acting_user, now=now)
    day = suggestion.occurred_at.astimezone(suggestion.project.tz).date()
    entry = add_entry(sheet=sheet, source=suggestion.source, occurred_on=day, item=item, value=value,
                      quantity=quantity, note=(note or suggestion.summary), evidence_url=suggestion.url,
                      acting_user=acting_user, now=now)
    suggestion.status, suggestion.entry = SuggestionStatus.ACCEPTED, entry
    suggestion.decided_by, suggestion.decided_at = acting_user, now
    suggestion.save(update_fields=["status", "entry", "decided_by", "decided_at"])
    return entry


@transaction.atomic
def dismiss_suggestion(*, suggestion: SuggestedEntry, reason: str, acting_user: User, now: dt.datetime) -> SuggestedEntry:
    suggestion = SuggestedEntry.objects.select_for_update().select_related("project").get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PENDING:
        raise AssessmentError("该建议已处理", code="decided", status=409)
    if not access.can_assess(acting_user, suggestion.project) or acting_user.pk == suggestion.employee_id:
        raise AssessmentError("只有本项目客服主管可以处理建议", code="forbidden", status=403)
    if len((reason or "").strip()) < 2:
        raise AssessmentError("请填写忽略原因", field="reason")
    suggestion.status, suggestion.dismiss_reason = SuggestionStatus.DISMISSED, reason.strip()[:200]
    suggestion.decided_by, suggestion.decided_at = acting_user, now
    suggestion.save(update_fields=["status", "dismiss_reason", "decided_by", "decided_at"])
    return suggestion
