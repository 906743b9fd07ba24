"""Configuration of escalation in the Django admin: P-12 thresholds and the company's own synonyms
for same-complaint detection. Events, reports and clusters are changed through the pages/actions."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.escalation.models import EscalationPolicy, LeadershipOpinion, SimilarityIndexState, SimilaritySynonym


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ("company", "project", "hot_distinct_complainants", "hot_collective_people", "hot_unresolved_days",
                    "major_collective_people", "window", "similarity_threshold")
    list_filter = ("company",)


@admin.register(SimilaritySynonym)
class SimilaritySynonymAdmin(admin.ModelAdmin):
    list_display = ("variant", "canonical", "company", "project", "note")
    list_filter = ("company", "project")
    search_fields = ("variant", "canonical")


@admin.register(LeadershipOpinion)
class LeadershipOpinionAdmin(admin.ModelAdmin):
    """R-M3-12 — recorded through the escalation page; shown here read-only."""

    list_display = ("ticket", "given_by_name", "given_on", "recorded_by", "recorded_at")
    list_filter = ("given_on",)
    search_fields = ("ticket__number", "given_by_name", "opinion")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SimilarityIndexState)
class SimilarityIndexStateAdmin(admin.ModelAdmin):
    """Issue 15 — how far each project's complaints have stored same-complaint signatures (read-only:
    moved on by intake and ``manage.py similarity_backfill``)."""

    list_display = ("project", "signed_below", "synonyms_key", "version")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
