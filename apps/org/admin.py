from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from apps.org.models import (
    Company,
    Department,
    Membership,
    Project,
    SettingChange,
    TakeoverInspection,
    TrainingAttendance,
    TrainingSession,
    User,
)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "handover_date", "floor_area_m2", "work_start", "work_end", "active")
    list_filter = ("kind", "active", "company")
    search_fields = ("code", "name", "address")


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    search_fields = ("name",)
    list_display = ("name", "kind", "project", "company", "phone")
    list_filter = ("kind", "project")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("project", "department")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = tuple(BaseUserAdmin.fieldsets or ()) + (
        ("员工信息", {"fields": ("display_name", "phone", "extension", "employee_no", "status",
                               "certificate", "certificate_valid_until")}),
    )
    list_display = ("username", "display_name", "employee_no", "status", "is_active")
    search_fields = ("username", "display_name", "employee_no", "phone")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "project", "department", "company")
    list_filter = ("role", "project")
    autocomplete_fields = ("user", "project", "department")
    search_fields = ("user__username", "user__display_name")


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 1
    raw_id_fields = ("user",)


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    """R-M19-13 培训计划与签到."""

    list_display = ("planned_on", "title", "topic", "project", "held_at", "trainer")
    list_filter = ("topic", "project")
    search_fields = ("title",)
    inlines = [TrainingAttendanceInline]


@admin.register(TakeoverInspection)
class TakeoverInspectionAdmin(admin.ModelAdmin):
    """R-M19-14 接管验收记录 (model clean refuses acceptance with incomplete documents)."""

    list_display = ("project", "inspected_on", "documents_complete", "accepted", "inspected_by")
    list_filter = ("accepted", "project")


@admin.register(SettingChange)
class SettingChangeAdmin(admin.ModelAdmin):
    """Read-only: changes are made on the settings pages (/org/settings/) and recorded there."""

    list_display = ("changed_at", "company", "project", "section", "action", "changed_by", "reason")
    list_filter = ("company", "section", "action")
    readonly_fields = ("company", "project", "section", "action", "before", "after", "reason", "changed_by",
                       "changed_at")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
