"""Admin of the audits app: read-mostly; versions, audits and findings change through apps.audits.actions."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from apps.audits.models import Audit, AuditFinding, Indicator, StandardItem, StandardRow, StandardVersion


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class IndicatorInline(ReadOnlyInline):
    model = Indicator
    fields = ("order", "name", "points")


@admin.register(StandardVersion)
class StandardVersionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "version", "purpose", "company", "is_default", "created_at")
    list_filter = ("purpose", "is_default")
    readonly_fields = ("created_at", "created_by")
    inlines = [IndicatorInline]


@admin.register(StandardRow)
class StandardRowAdmin(admin.ModelAdmin):
    list_display = ("code", "indicator", "level2", "level3", "mode", "per_item", "cap")
    list_filter = ("indicator__version",)


@admin.register(StandardItem)
class StandardItemAdmin(admin.ModelAdmin):
    list_display = ("code", "row", "deduction", "precheck")
    list_filter = ("row__indicator__version",)
    search_fields = ("code", "text")


class FindingInline(ReadOnlyInline):
    model = AuditFinding
    fields = ("item", "result", "count", "note", "suggested", "override_reason", "responsible", "ncr_id")
    readonly_fields = fields


@admin.register(Audit)
class AuditAdmin(SimpleHistoryAdmin):
    list_display = ("audited_on", "project", "kind", "version", "auditor", "status", "score", "max_score")
    list_filter = ("kind", "status", "project")
    date_hierarchy = "audited_on"
    readonly_fields = ("score", "max_score", "status", "created_at", "completed_at")
    inlines = [FindingInline]
