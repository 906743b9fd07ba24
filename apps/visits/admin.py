from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from apps.visits.models import (
    Visit,
    VisitPlan,
    VisitProblem,
    VisitProblemFollowUp,
    VisitProgrammeSettings,
    VisitRoundSummary,
)


class ProblemInline(admin.TabularInline):
    model = VisitProblem
    extra = 0
    fields = ("description", "category", "status", "answer", "cannot_reason", "department", "resolved_at", "ticket")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    """Read-only: visits are recorded, corrected and voided through apps.visits.actions (audit trail)."""

    list_display = ("visited_on", "project", "household", "category", "method", "visitor", "filed_department",
                    "voided_at")
    list_filter = ("project", "category", "method")
    search_fields = ("household__label", "opinions", "communicated")
    date_hierarchy = "visited_on"
    inlines = [ProblemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VisitProblem)
class VisitProblemAdmin(SimpleHistoryAdmin):
    list_display = ("description", "visit", "category", "status", "department", "ticket")
    list_filter = ("status", "visit__project")
    search_fields = ("description",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VisitProgrammeSettings)
class VisitProgrammeSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("company", "project", "cycle_mode", "cycle_months", "new_owner_days", "elderly_interval_days")


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Written only through the pages' actions (approval, signatures); the admin reads."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VisitPlan)
class VisitPlanAdmin(ReadOnlyAdmin):
    list_display = ("project", "month", "status", "version", "drawn_by", "approved_by")
    list_filter = ("status", "project")


@admin.register(VisitRoundSummary)
class VisitRoundSummaryAdmin(ReadOnlyAdmin):
    list_display = ("project", "month", "prepared_by", "supervisor_signed_at", "manager_signed_at", "gm_signed_at")


@admin.register(VisitProblemFollowUp)
class VisitProblemFollowUpAdmin(admin.ModelAdmin):
    list_display = ("problem", "kind", "satisfied", "by", "at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
