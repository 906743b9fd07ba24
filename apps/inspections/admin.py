from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.inspections.models import (
    CheckItem,
    CheckTemplate,
    EmergencyPlan,
    Evaluation,
    Finding,
    Inspection,
    InspectionRound,
    PoolLimits,
    PoolReading,
    WarningNight,
)


class CheckItemInline(admin.TabularInline):
    model = CheckItem
    extra = 1


@admin.register(CheckTemplate)
class CheckTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "level", "interval_days", "company", "project", "active")
    list_filter = ("kind", "active")
    inlines = [CheckItemInline]


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ("description", "cause", "exemption", "responsible", "department", "status", "ticket", "ncr")
    readonly_fields = fields
    can_delete = False


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ("project", "kind", "level", "inspected_at", "inspector", "status")
    list_filter = ("kind", "status", "project")
    inlines = [FindingInline]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(InspectionRound)
class InspectionRoundAdmin(admin.ModelAdmin):
    list_display = ("project", "template", "due_on", "assignee", "status")
    list_filter = ("status", "project")


@admin.register(WarningNight)
class WarningNightAdmin(admin.ModelAdmin):
    list_display = ("project", "night_of", "kind", "entered_by")


@admin.register(PoolLimits)
class PoolLimitsAdmin(admin.ModelAdmin):
    list_display = ("company", "project", "footbath_cl_min", "footbath_cl_max", "kids_cl_min", "kids_cl_max")


@admin.register(PoolReading)
class PoolReadingAdmin(admin.ModelAdmin):
    list_display = ("project", "taken_at", "ph", "footbath_cl", "kids_cl", "flagged")
    list_filter = ("flagged", "project")


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("kind", "held_on", "body", "company", "project")


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(admin.ModelAdmin):
    list_display = ("project", "emergency", "version", "issued_on")
