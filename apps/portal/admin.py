"""Notice-board publications are written through the pages/actions (snapshot, withdrawal with a
reason); the admin only lists them, with their history."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.portal.models import Publication


@admin.register(Publication)
class PublicationAdmin(SimpleHistoryAdmin):
    list_display = ("title", "project", "kind", "published_at", "published_by", "withdrawn_at")
    list_filter = ("kind", "project")
    search_fields = ("title",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
