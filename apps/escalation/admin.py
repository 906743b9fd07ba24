"""Configuration of escalation in the Django admin: P-12 thresholds and the company's own synonyms
for same-complaint detection. Events, reports and clusters are changed through the pages/actions."""
from __future__ import annotations

from django.contrib import admin

from apps.escalation.models import EscalationPolicy, SimilaritySynonym


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
