"""Admin of the assessments app (read-mostly: sheets and entries change through apps.assessments.actions)."""
from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.assessments.models import (
    AssessmentEntry,
    AssessmentPolicy,
    Catalogue,
    CatalogueItem,
    DisciplinaryReferral,
    StaffAssessment,
    SuggestedEntry,
)


class ItemInline(admin.TabularInline):
    model = CatalogueItem
    extra = 0
    fields = ("order", "code", "area", "behaviour", "min_points", "max_points", "unit", "outcome", "note")


@admin.register(Catalogue)
class CatalogueAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "company", "is_default", "created_at")
    inlines = [ItemInline]


@admin.register(AssessmentPolicy)
class AssessmentPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("company", "project", "starting_score")


class EntryInline(admin.TabularInline):
    model = AssessmentEntry
    extra = 0
    can_delete = False
    fields = ("occurred_on", "item", "source", "quantity", "value", "points", "note", "removed_at")
    readonly_fields = fields


@admin.register(StaffAssessment)
class StaffAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ("employee", "period", "project", "department", "assessor", "status", "starting_score")
    list_filter = ("status", "project", "period")
    readonly_fields = ("status", "submitted_at", "signed_off_by", "signed_off_at", "starting_score")
    inlines = [EntryInline]


@admin.register(DisciplinaryReferral)
class DisciplinaryReferralAdmin(admin.ModelAdmin):
    list_display = ("employee", "project", "created_at")
    fields = ("employee", "project", "created_at", "facts", "decision")
    readonly_fields = ("employee", "project", "created_at", "facts")


@admin.register(SuggestedEntry)
class SuggestedEntryAdmin(admin.ModelAdmin):
    list_display = ("employee", "period", "kind", "source", "status", "occurred_at")
    list_filter = ("kind", "status")
    readonly_fields = ("event_key",)
