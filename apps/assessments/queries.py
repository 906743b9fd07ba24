"""Reads shared by the assessment pages, API and export: sheets with their totals in one query."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from apps.assessments.models import AssessmentEntry, StaffAssessment, SuggestedEntry, SuggestionStatus

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=9, decimal_places=2))


def with_totals(sheets: QuerySet[StaffAssessment]) -> QuerySet[StaffAssessment]:
    """Each sheet annotated with ``deducted`` (Σ points of entries not removed) — one set-based query."""
    return sheets.select_related("employee", "project", "department", "assessor", "signed_off_by").annotate(
        deducted=Coalesce(Sum("entries__points", filter=Q(entries__removed_at__isnull=True)), ZERO)).annotate(
        score=ExpressionWrapper(F("starting_score") - F("deducted"),
                                output_field=DecimalField(max_digits=9, decimal_places=2)))


def entries_of(sheet: StaffAssessment) -> QuerySet[AssessmentEntry]:
    return sheet.entries.select_related("item", "entered_by", "referral").order_by("occurred_on", "id")


def total_deduction(sheet: StaffAssessment) -> Decimal:
    return sum((e.points for e in sheet.entries.filter(removed_at__isnull=True)), Decimal("0"))


def pending_suggestions(sheet: StaffAssessment) -> QuerySet[SuggestedEntry]:
    return SuggestedEntry.objects.filter(employee_id=sheet.employee_id, period=sheet.period,
                                         status=SuggestionStatus.PENDING).order_by("occurred_at", "id")
