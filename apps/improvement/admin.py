from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.improvement.models import ImprovementPlan, PlanAction, PlanMeeting


class ActionInline(admin.TabularInline):
    model = PlanAction
    extra = 0
    fields = ("number", "item", "summary", "due_on", "responsible", "status")


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(SimpleHistoryAdmin):
    list_display = ("title", "year", "kind", "line")
    list_filter = ("year", "kind")
    inlines = [ActionInline]


@admin.register(PlanAction)
class PlanActionAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "number", "item", "due_on", "responsible", "status")
    list_filter = ("status",)


@admin.register(PlanMeeting)
class PlanMeetingAdmin(admin.ModelAdmin):
    list_display = ("plan", "held_on", "recorded_by")
