"""NCR reports in the Django admin: read-only (they change only through the actions, which keep the
audit trail and the R-M2-04 gate consistent)."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.quality.models import NcrEvent, NonconformityReport


class NcrEventInline(admin.TabularInline):
    model = NcrEvent
    extra = 0
    can_delete = False
    fields = ("at", "acting_user", "kind", "old_status", "new_status", "message")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NonconformityReport)
class NonconformityReportAdmin(admin.ModelAdmin):
    list_display = ("number", "project", "ticket", "status", "raised_by", "raised_at", "signed_by", "signed_at")
    list_filter = ("status", "project")
    search_fields = ("number", "ticket__number", "nonconformity")
    inlines = [NcrEventInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
