"""Every write of the audits app (SPEC M13): standard versions (seed, Excel import, edit while unused),
audits and company inspections (open with pre-checks, answer items, complete with the Decimal score),
NCRs raised from nonconforming items.

Keyword-only, ``acting_user`` and ``now`` passed in; a refusal is :class:`AuditError` (Chinese message,
``field``, ``code``, HTTP ``status``); each action is one ``transaction.atomic()`` so nothing is half
written. History: django-simple-history on versions, audits and findings, with the reason.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction

from apps.audits import access, seed
from apps.audits.models import (
    Audit,
    AuditFinding,
    AuditKind,
    AuditStatus,
    DeductionMode,
    FindingResult,
    Indicator,
    StandardItem,
    StandardRow,
    StandardVersion,
)
from apps.audits.queries import score_audit
from apps.core import prechecks
from apps.core.errors import DomainError
from apps.org.access import can_see_project
from apps.quality import actions as quality_actions
from apps.tickets import actions as ticket_actions
from apps.tickets.choices import Channel, Kind, Source

if TYPE_CHECKING:
    from apps.org.models import Company, Project, User
    from apps.quality.models import NonconformityReport

MAX_NOTE = 2000


class AuditError(DomainError):
    """A refused audit action."""


def _save(obj: Any, fields: list[str] | None, *, acting_user: User | None, reason: str) -> None:
    obj._history_user = acting_user
    obj._change_reason = reason[:100]
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=fields)


def _require_standard(user: User) -> None:
    if not access.can_manage_standard(user):
        raise AuditError("只有品质管理部可以维护督导标准", code="forbidden", status=403)


def _require_conduct(user: User, project: Project) -> None:
    if not can_see_project(user, project):
        raise AuditError("项目不存在", field="project", code="not_found", status=404)
    if not access.can_conduct(user, project):
        raise AuditError("只有品质管理部可以进行督导审核和公司检查", code="forbidden", status=403)


def _frozen_version(version: StandardVersion) -> None:
    if version.in_use:
        raise AuditError(f"标准版本“{version.version}”已被审核使用，不能再修改；请导入新版本",
                         code="version_in_use", status=409)


# ---------------------------------------------------------------- standard versions


@transaction.atomic
def load_seed_standard(*, company: Company, acting_user: User | None, now: dt.datetime) -> StandardVersion:
    """The known 17 points of section 3 as the company's default supervision version (R-M13-01, -05).
    Idempotent: an existing seed version is returned unchanged."""
    existing = StandardVersion.objects.filter(company=company, purpose=StandardVersion.Purpose.SUPERVISION,
                                              version=seed.VERSION).first()
    if existing is not None:
        return existing
    has_default = StandardVersion.objects.filter(company=company, purpose=StandardVersion.Purpose.SUPERVISION,
                                                 is_default=True).exists()
    version = StandardVersion(company=company, name=seed.NAME, version=seed.VERSION, is_default=not has_default,
                              truncated_note=seed.NOTE, created_at=now, created_by=acting_user)
    _save(version, None, acting_user=acting_user, reason="载入督导标准默认版本")
    for i, (name, points, rows) in enumerate(seed.STANDARD, start=1):
        indicator = Indicator.objects.create(version=version, order=i, name=name, points=Decimal(points))
        for j, (code, l2, l3, method, text, mode, per, cap, link, items) in enumerate(rows, start=1):
            row = StandardRow.objects.create(
                indicator=indicator, order=j, code=code, level2=l2, level3=l3, check_method=method, deduction_text=text,
                mode=mode, per_item=Decimal(per), cap=Decimal(cap) if cap else None, evidence_link=link)
            StandardItem.objects.bulk_create([
                StandardItem(row=row, order=k, code=c, text=t, deduction=Decimal(d) if d else None, precheck=pc)
                for k, (c, t, d, pc) in enumerate(items, start=1)])
    return version


IMPORT_HEADERS = ["一级指标", "分值", "条目编号", "二级指标", "三级指标", "检查方法", "扣分标准", "扣分方式",
                  "每项扣分", "最多扣分", "检查项编号", "检查标准", "本项扣分", "系统预检"]
MODE_NAMES = {"每项": DeductionMode.PER_ITEM, "按次数": DeductionMode.PER_BEHAVIOUR, "按项数": DeductionMode.BY_COUNT,
              **{m.value: m.value for m in DeductionMode}}
MAX_IMPORT_ROWS = 2000


def _dec(value: Any, label: str, errors: list[str], *, required: bool) -> Decimal | None:
    if value is None or str(value).strip() == "":
        if required:
            errors.append(f"请填写{label}")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(f"{label}应为数字")
        return None
    if not number.is_finite() or number < 0 or number > 1000:
        errors.append(f"{label}应在0到1000之间")
        return None
    return number.quantize(Decimal("0.01"))


def parse_standard_sheet(stream: IO[bytes]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Read the import workbook: one line per check item. Returns the lines and the errors by row
    (``"第3行"``), nothing written."""
    import openpyxl  # noqa: PLC0415 — a third-party library, not a Linli module

    try:
        wb = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any unreadable file is the same refusal
        raise AuditError("无法读取文件，请上传 .xlsx 格式的督导标准表", field="file", code="bad_file") from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    missing = [h for h in IMPORT_HEADERS if h not in header]
    if missing:
        raise AuditError(f"表头缺少：{'、'.join(missing)}", field="file", code="bad_header")
    col = {h: header.index(h) for h in IMPORT_HEADERS}
    lines: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    seen_items: set[str] = set()
    for n, raw in enumerate(rows, start=2):
        if n - 1 > MAX_IMPORT_ROWS:
            raise AuditError(f"最多导入{MAX_IMPORT_ROWS}行", field="file", code="too_many_rows")
        cells = {h: (raw[i] if i < len(raw) else None) for h, i in col.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        errs: list[str] = []
        text = {h: str(cells[h] or "").strip() for h in IMPORT_HEADERS}
        for h in ("一级指标", "条目编号", "二级指标", "检查方法", "检查项编号", "检查标准"):
            if not text[h]:
                errs.append(f"请填写{h}")
        mode = MODE_NAMES.get(text["扣分方式"] or "每项")
        if mode is None:
            errs.append("扣分方式应为：每项、按次数、按项数")
        line: dict[str, Any] = {
            "indicator": text["一级指标"], "points": _dec(cells["分值"], "分值", errs, required=True),
            "row": text["条目编号"], "level2": text["二级指标"], "level3": text["三级指标"],
            "method": text["检查方法"], "deduction_text": text["扣分标准"], "mode": mode,
            "per_item": _dec(cells["每项扣分"], "每项扣分", errs, required=True),
            "cap": _dec(cells["最多扣分"], "最多扣分", errs, required=False),
            "item": text["检查项编号"], "text": text["检查标准"],
            "deduction": _dec(cells["本项扣分"], "本项扣分", errs, required=False),
            "precheck": text["系统预检"],
        }
        if line["precheck"] and prechecks.get(line["precheck"]) is None:
            errs.append(f"未知的系统预检：{line['precheck']}")
        if mode == DeductionMode.BY_COUNT:
            errs.append("按项数扣分的扣分表请在页面上填写，导入不支持")
        if line["item"] and line["item"] in seen_items:
            errs.append(f"检查项编号重复：{line['item']}")
        seen_items.add(line["item"])
        if errs:
            errors[f"第{n}行"] = errs
        lines.append(line)
    if not lines and not errors:
        raise AuditError("文件中没有检查项", field="file", code="empty")
    # the same indicator must carry the same points on every line
    points: dict[str, Decimal | None] = {}
    for n, line in enumerate(lines, start=2):
        if line["indicator"] in points and points[line["indicator"]] != line["points"] and line["points"] is not None:
            errors.setdefault(f"第{n}行", []).append(f"一级指标“{line['indicator']}”的分值与前面的行不一致")
        points.setdefault(line["indicator"], line["points"])
    return lines, errors


@transaction.atomic
def import_standard(*, company: Company, name: str, version: str, stream: IO[bytes], acting_user: User,
                    now: dt.datetime, purpose: str = StandardVersion.Purpose.SUPERVISION) -> StandardVersion:
    """A company's own version from an Excel sheet (R-M13-01, R-M13-05). Any row error refuses the whole
    file with the errors by row; audits scored under older versions are untouched."""
    _require_standard(acting_user)
    name, version = (name or "").strip(), (version or "").strip()
    if purpose not in StandardVersion.Purpose.values:
        raise AuditError("请选择标准用途", field="purpose")
    if not name:
        raise AuditError("请填写标准名称", field="name")
    if not version:
        raise AuditError("请填写版本号", field="version")
    if StandardVersion.objects.filter(company=company, purpose=purpose, version=version).exists():
        raise AuditError(f"版本“{version}”已存在，请换一个版本号", field="version", code="duplicate", status=409)
    lines, errors = parse_standard_sheet(stream)
    if errors:
        raise AuditError(f"导入失败：{len(errors)}行有错误，未导入任何内容", field="file", code="row_errors",
                         fields={"file": [f"{k}：{'；'.join(v)}" for k, v in errors.items()]})
    obj = StandardVersion(company=company, purpose=purpose, name=name, version=version, created_at=now,
                          created_by=acting_user)
    _save(obj, None, acting_user=acting_user, reason="导入督导标准")
    indicators: dict[str, Indicator] = {}
    rows: dict[tuple[str, str], StandardRow] = {}
    for line in lines:
        ind = indicators.get(line["indicator"])
        if ind is None:
            ind = Indicator.objects.create(version=obj, order=len(indicators) + 1, name=line["indicator"],
                                           points=line["points"])
            indicators[line["indicator"]] = ind
        key = (line["indicator"], line["row"])
        row = rows.get(key)
        if row is None:
            row = StandardRow.objects.create(
                indicator=ind, order=sum(1 for k in rows if k[0] == line["indicator"]) + 1, code=line["row"],
                level2=line["level2"], level3=line["level3"], check_method=line["method"],
                deduction_text=line["deduction_text"], mode=line["mode"], per_item=line["per_item"], cap=line["cap"])
            rows[key] = row
        StandardItem.objects.create(row=row, order=row.items.count() + 1, code=line["item"], text=line["text"],
                                    deduction=line["deduction"], precheck=line["precheck"])
    return obj


ROW_FIELDS = {"check_method", "deduction_text", "mode", "per_item", "cap", "count_deductions", "evidence_link",
              "level2", "level3"}


@transaction.atomic
def update_row(*, row: StandardRow, changes: dict[str, Any], reason: str, acting_user: User,
               now: dt.datetime) -> StandardRow:
    """Edit a row of a version no audit uses yet (a used version is frozen, 409 ``version_in_use``).
    This is where a company switches row B1 to policy P-24's alternative reading (按项数)."""
    _require_standard(acting_user)
    row = StandardRow.objects.select_for_update().select_related("indicator__version").get(pk=row.pk)
    _frozen_version(row.indicator.version)
    unknown = set(changes) - ROW_FIELDS
    if unknown:
        raise AuditError(f"未知字段：{'、'.join(sorted(unknown))}", code="unknown_field")
    if not (reason or "").strip():
        raise AuditError("请填写修改原因", field="reason")
    if "mode" in changes and changes["mode"] not in DeductionMode.values:
        raise AuditError("扣分方式不正确", field="mode")
    for name in ("per_item", "cap"):
        if name in changes and changes[name] is not None:
            errs: list[str] = []
            changes[name] = _dec(changes[name], "扣分", errs, required=True)
            if errs:
                raise AuditError(errs[0], field=name)
    if "count_deductions" in changes:
        table = changes["count_deductions"] or {}
        clean: dict[str, str] = {}
        for k, v in dict(table).items():
            errs = []
            amount = _dec(v, "扣分", errs, required=True)
            if errs or not str(k).isdigit():
                raise AuditError("按项数扣分表应为“项数: 扣分”", field="count_deductions")
            clean[str(int(k))] = str(amount)
        changes["count_deductions"] = clean
    for k, v in changes.items():
        setattr(row, k, v)
    if row.mode == DeductionMode.BY_COUNT and not row.count_deductions:
        raise AuditError("按项数扣分须填写扣分表", field="count_deductions")
    row.save()
    return row


@transaction.atomic
def make_default(*, version: StandardVersion, acting_user: User, now: dt.datetime) -> StandardVersion:
    _require_standard(acting_user)
    for other in StandardVersion.objects.select_for_update().filter(company=version.company, purpose=version.purpose,
                                                                     is_default=True).exclude(pk=version.pk):
        other.is_default = False
        _save(other, ["is_default"], acting_user=acting_user, reason="改为非默认版本")
    version.is_default = True
    _save(version, ["is_default"], acting_user=acting_user, reason="设为默认版本")
    return version


# ---------------------------------------------------------------- audits


def default_version(company_id: int, purpose: str) -> StandardVersion | None:
    return StandardVersion.objects.filter(company_id=company_id, purpose=purpose, is_default=True).first()


@transaction.atomic
def open_audit(*, project: Project, audited_on: dt.date, period_start: dt.date, period_end: dt.date,
               acting_user: User, now: dt.datetime, kind: str = AuditKind.SUPERVISION,
               version: StandardVersion | None = None) -> Audit:
    """Open an audit (R-M13-02) or company inspection (R-M13-06): one finding per check item; each item
    with a registered pre-check opens with the suggested finding and its evidence (R-M13-04)."""
    _require_conduct(acting_user, project)
    if kind not in AuditKind.values:
        raise AuditError("请选择审核类型", field="kind")
    purpose = (StandardVersion.Purpose.SUPERVISION if kind == AuditKind.SUPERVISION
               else StandardVersion.Purpose.MANAGEMENT_STATE)
    if version is None:
        version = default_version(project.company_id, purpose)
        if version is None:
            raise AuditError("该用途还没有默认的标准版本，请先导入", field="version", code="no_version")
    if version.company_id != project.company_id or version.purpose != purpose:
        raise AuditError("标准版本不适用于该项目或该审核类型", field="version")
    if period_end < period_start:
        raise AuditError("检查期间的结束日期不能早于开始日期", field="period_end")
    today = now.astimezone(project.tz).date()
    if audited_on > today:
        raise AuditError("审核日期不能晚于今天", field="audited_on")
    if period_end > audited_on:
        raise AuditError("检查期间不能晚于审核日期", field="period_end")
    items = list(StandardItem.objects.filter(row__indicator__version=version).select_related("row"))
    if not items:
        raise AuditError("该标准版本没有检查项", field="version")
    audit = Audit(company_id=project.company_id, project=project, version=version, kind=kind, audited_on=audited_on,
                  period_start=period_start, period_end=period_end, auditor=acting_user, created_at=now,
                  max_score=version.total_points)
    _save(audit, None, acting_user=acting_user, reason="开始审核")
    findings = []
    for item in items:
        finding = AuditFinding(audit=audit, item=item)
        if item.precheck:
            result = prechecks.run(item.precheck, project, period_start, period_end)
            finding.suggested = result.verdict if result.verdict != prechecks.Verdict.UNKNOWN else "unknown"
            finding.suggestion_summary = result.summary
            finding.suggestion_evidence = [{"label": e.label, "url": e.url} for e in result.evidence]
        findings.append(finding)
    AuditFinding.objects.bulk_create(findings)
    return audit


def _lock_open(audit: Audit) -> Audit:
    audit = Audit.objects.select_for_update().select_related("project").get(pk=audit.pk)
    if audit.status != AuditStatus.OPEN:
        raise AuditError("审核已完成，不能再修改", code="audit_completed", status=409)
    return audit


@transaction.atomic
def answer_item(*, finding: AuditFinding, result: str, acting_user: User, now: dt.datetime, count: int = 1,
                note: str = "", evidence_url: str = "", override_reason: str = "",
                responsible: User | None = None, revise_reason: str = "") -> AuditFinding:
    """Record conform / nonconform / not applicable with evidence (R-M13-02).

    - An item already answered is refused (409 ``already_answered``) unless ``revise_reason`` says why
      the answer changes; the history keeps both.
    - Answering differently from a definite system suggestion is an override: ``override_reason`` is
      required and recorded (R-M13-04).
    - A per-behaviour row (人员素质) counts the nonconforming behaviours observed (≥ 1)."""
    audit = _lock_open(finding.audit)
    _require_conduct(acting_user, audit.project)
    finding = AuditFinding.objects.select_for_update().select_related("item__row").get(pk=finding.pk)
    if result not in (FindingResult.CONFORM, FindingResult.NONCONFORM, FindingResult.NOT_APPLICABLE):
        raise AuditError("请选择：符合、不符合或不适用", field="result")
    revise_reason = (revise_reason or "").strip()
    if finding.result and not revise_reason:
        raise AuditError(f"检查项 {finding.item.code} 已作答；如需更改请填写更改原因", field="result",
                         code="already_answered", status=409)
    note, override_reason = (note or "").strip(), (override_reason or "").strip()
    if len(note) > MAX_NOTE or len(override_reason) > MAX_NOTE:
        raise AuditError(f"说明最多{MAX_NOTE}字", field="note")
    evidence_url = (evidence_url or "").strip()
    if evidence_url and not (evidence_url.startswith("/") or evidence_url.startswith("https://")):
        raise AuditError("证据链接应为系统内的记录地址（以 / 开头）或 https 地址", field="evidence_url")
    per_behaviour = finding.item.row.mode == DeductionMode.PER_BEHAVIOUR
    if result == FindingResult.NONCONFORM:
        if per_behaviour and (not isinstance(count, int) or count < 1 or count > 1000):
            raise AuditError("请填写发现的不符合行为次数（1–1000）", field="count")
        if not note and not evidence_url:
            raise AuditError("不符合项请填写说明或证据链接", field="note")
    definite = finding.suggested in (FindingResult.CONFORM, FindingResult.NONCONFORM)
    if definite and result != finding.suggested and not override_reason:
        raise AuditError("与系统预检结果不同，请填写推翻预检的理由", field="override_reason", code="override_reason")
    if responsible is not None and not can_see_project(responsible, audit.project):
        raise AuditError("责任人不在该项目任职", field="responsible")
    finding.result = result
    finding.count = count if (per_behaviour and result == FindingResult.NONCONFORM) else 1
    finding.note, finding.evidence_url = note, evidence_url
    finding.override_reason = override_reason if definite and result != finding.suggested else ""
    finding.responsible = responsible
    finding.answered_by, finding.answered_at = acting_user, now
    _save(finding, None, acting_user=acting_user, reason=revise_reason or "作答")
    return finding


@transaction.atomic
def confirm_suggestions(*, audit: Audit, acting_user: User, now: dt.datetime) -> int:
    """Accept every unanswered definite suggestion as the answer (R-M13-04); returns how many."""
    audit = _lock_open(audit)
    _require_conduct(acting_user, audit.project)
    n = 0
    for finding in audit.findings.select_for_update().filter(result="", suggested__in=[FindingResult.CONFORM,
                                                                                      FindingResult.NONCONFORM]):
        finding.result = finding.suggested
        finding.note = finding.suggestion_summary
        finding.evidence_url = next((e.get("url", "") for e in finding.suggestion_evidence if e.get("url")), "")
        finding.answered_by, finding.answered_at = acting_user, now
        _save(finding, None, acting_user=acting_user, reason="确认系统预检")
        n += 1
    return n


@transaction.atomic
def complete_audit(*, audit: Audit, summary: str, acting_user: User, now: dt.datetime) -> Audit:
    """Close the audit with its Decimal score (R-M13-02); every item must be answered."""
    audit = _lock_open(audit)
    _require_conduct(acting_user, audit.project)
    pending = list(audit.findings.filter(result="").values_list("item__code", flat=True)[:10])
    if pending:
        raise AuditError(f"还有检查项未作答：{'、'.join(pending)}", code="unanswered", status=409)
    if not (summary or "").strip():  # the 审核结论 is what the audited project reads first
        raise AuditError("请填写审核结论", field="summary", code="summary_required")
    card = score_audit(audit)
    audit.score, audit.status, audit.completed_at = card.total, AuditStatus.COMPLETED, now
    audit.summary = (summary or "").strip()[:MAX_NOTE]
    _save(audit, None, acting_user=acting_user, reason="完成审核")
    return audit


# ---------------------------------------------------------------- NCR from a nonconforming item


@transaction.atomic
def raise_ncr_for_finding(*, finding: AuditFinding, beyond_authority_reason: str, acting_user: User,
                          now: dt.datetime) -> NonconformityReport:
    """审核不符合项提出《不合格/纠正、预防措施报告》 (issue 20 item 2, R-M13-02 with R-M2-04, R-M19-08).

    The finding is received as an internal written report (a ticket of kind 需求, channel 信函, source
    物业公司) and the NCR is raised on it through :func:`apps.quality.actions.raise_ncr` — numbering,
    the 管理者代表's signature and the handling hold stay the quality module's. One NCR per finding
    (409 ``ncr_exists``); only a nonconforming answer (409 ``not_nonconform``); the auditor's side only
    (品质管理部, 403). Any refusal from the quality module (no 管理者代表: 409) leaves nothing written."""
    finding = AuditFinding.objects.select_for_update(of=("self",)).select_related(
        "audit__project", "item__row").get(pk=finding.pk)
    audit = finding.audit
    _require_conduct(acting_user, audit.project)
    if finding.result != FindingResult.NONCONFORM:
        raise AuditError("只有判定为“不符合”的检查项可以提出不合格报告", code="not_nonconform", status=409)
    if finding.ncr_id is not None:
        raise AuditError("该检查项已提出不合格报告", code="ncr_exists", status=409)
    reason = (beyond_authority_reason or "").strip()
    if len(reason) < 4:
        raise AuditError("请说明需报请管理者代表处理的原因（至少4个字）", field="beyond_authority_reason")
    fact = f"{audit.get_kind_display()}（{audit.audited_on:%Y-%m-%d}）检查项 {finding.item.code} 不符合：{finding.item.text}"
    if finding.note:
        fact += f"；{finding.note}"
    ticket = ticket_actions.receive_ticket(
        project=audit.project, kind=Kind.NEED, channel=Channel.LETTER, source=Source.COMPANY,
        acting_user=acting_user, now=now, content=f"督导审核发现：{fact}"[:2000],
        complainant_surname=str(acting_user)[:20], phone=getattr(acting_user, "phone", "") or "")
    report = quality_actions.raise_ncr(ticket=ticket, acting_user=acting_user, now=now, nonconformity=fact[:4000],
                                       beyond_authority_reason=reason)
    finding.ncr_id = report.pk
    _save(finding, ["ncr_id"], acting_user=acting_user, reason="提出不合格报告")
    return report
