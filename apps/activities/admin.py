from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.activities.models import Activity, ActivityCostLimit, ActivityPlan


@admin.register(ActivityPlan)
class ActivityPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "period", "year", "quarter")


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ("title", "project", "held_on", "status", "budget", "notice_late")
    list_filter = ("status", "notice_late", "project")

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ActivityCostLimit)
class ActivityCostLimitAdmin(admin.ModelAdmin):
    list_display = ("company", "role", "limit")
