"""Reads shared by the audit pages, API and reports: the scorecard (R-M13-02), history and ranking."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from apps.audits.models import Audit, AuditFinding, AuditStatus, FindingResult, Indicator
from apps.audits.scoring import ItemAnswer, RowRule, indicator_score, row_deduction
from apps.org.models import Project
from apps.quality.models import NonconformityReport


@dataclass
class RowCard:
    code: str
    label: str
    check_method: str
    deduction_text: str
    evidence_link: str
    deduction: Decimal
    findings: list[AuditFinding] = field(default_factory=list)


@dataclass
class IndicatorCard:
    name: str
    points: Decimal
    score: Decimal
    deduction: Decimal
    rows: list[RowCard] = field(default_factory=list)


@dataclass
class Scorecard:
    indicators: list[IndicatorCard]
    total: Decimal
    max_score: Decimal
    answered: int
    items: int
    overridden: int


def findings_of(audit: Audit) -> list[AuditFinding]:
    return list(audit.findings.select_related("item__row__indicator", "responsible", "answered_by"))


def score_audit(audit: Audit, findings: list[AuditFinding] | None = None) -> Scorecard:
    """The Decimal scorecard of an audit, indicator by indicator (R-M13-02, AS-34): two queries."""
    findings = findings_of(audit) if findings is None else findings
    by_row: dict[int, list[AuditFinding]] = {}
    for f in findings:
        by_row.setdefault(f.item.row_id, []).append(f)
    cards = []
    total = Decimal("0")
    indicators = Indicator.objects.filter(version_id=audit.version_id).prefetch_related("rows").order_by("order")
    for ind in indicators:
        row_cards = []
        for row in ind.rows.all():
            fs = by_row.get(row.pk, [])
            rule = RowRule(mode=row.mode, per_item=row.per_item, cap=row.cap, count_deductions=row.count_deductions)
            answers = [ItemAnswer(deduction=f.item.deduction, nonconform=f.result == FindingResult.NONCONFORM,
                                  count=f.count) for f in fs]
            label = row.level2 + (f"/{row.level3}" if row.level3 else "")
            row_cards.append(RowCard(code=row.code, label=label, check_method=row.check_method,
                                     deduction_text=row.deduction_text, evidence_link=row.evidence_link,
                                     deduction=row_deduction(rule, answers), findings=fs))
        score = indicator_score(ind.points, [r.deduction for r in row_cards])
        cards.append(IndicatorCard(name=ind.name, points=ind.points, score=score, deduction=ind.points - score,
                                   rows=row_cards))
        total += score
    return Scorecard(indicators=cards, total=total, max_score=sum((c.points for c in cards), Decimal("0")),
                     answered=sum(1 for f in findings if f.result), items=len(findings),
                     overridden=sum(1 for f in findings if f.overridden))


def history(audits: QuerySet[Audit], project: Project) -> QuerySet[Audit]:
    return audits.filter(project=project).select_related("version", "auditor").order_by("-audited_on", "-id")


def ranking(audits: QuerySet[Audit], kind: str) -> list[Audit]:
    """Each project's latest completed audit of ``kind``, best score first (as a share of its maximum)."""
    latest = (Audit.objects.filter(project=OuterRef("project"), kind=kind, status=AuditStatus.COMPLETED)
              .order_by("-audited_on", "-id").values("pk")[:1])
    rows = list(audits.filter(kind=kind, status=AuditStatus.COMPLETED, pk=Subquery(latest))
                .select_related("project", "version"))
    rows.sort(key=lambda a: (-(a.score or 0) / (a.max_score or 1), a.project.code))
    return rows


def ncr_numbers(findings: list[AuditFinding]) -> dict[int, str]:
    """NCR id → number for the findings that raised one (one query, none when no finding has one)."""
    ids = {f.ncr_id for f in findings if f.ncr_id}
    if not ids:
        return {}
    return dict(NonconformityReport.objects.filter(pk__in=ids).values_list("pk", "number"))
