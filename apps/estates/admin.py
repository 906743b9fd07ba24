"""Admin for the estate structure and a read-only view of the archive's protection records.

Persons and vehicles are not in the admin: the admin cannot mask or log, so personal data is
edited through the roster import and read through the owner archive pages (R-M7-01).
Access-log rows can be browsed but never added, changed or deleted; grants are given on the
grants page (the giver must be a department head) and only viewed here.
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from apps.estates import models as m


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "sort_key", "steward")
    list_filter = ("project",)
    search_fields = ("name",)
    raw_id_fields = ("steward",)


@admin.register(m.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "building")
    list_filter = ("building__project",)
    search_fields = ("name", "building__name")


@admin.register(m.Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ("label", "project", "status", "area_m2", "elderly_alone")
    list_filter = ("project", "status", "elderly_alone")
    search_fields = ("label", "room_no")
    raw_id_fields = ("building", "unit")


@admin.register(m.ArchiveCustodian)
class ArchiveCustodianAdmin(SimpleHistoryAdmin):
    list_display = ("project", "custodian", "since", "notes")
    raw_id_fields = ("custodian",)


@admin.register(m.CustomerDataAccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "action", "project", "household", "fields", "row_count", "reason", "screen", "grant")
    list_filter = ("action", "project")
    search_fields = ("user__username", "household__label", "reason")
    date_hierarchy = "at"

    def get_actions(self, request: HttpRequest) -> dict:
        return {}


@admin.register(m.ArchiveGrant)
class ArchiveGrantAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("grantee", "project", "granted_by", "reason", "valid_from", "valid_until", "revoked_at")
    list_filter = ("project",)


@admin.register(m.ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("filename", "project", "created_by", "created_at", "status", "row_count")
    list_filter = ("status", "project")
    exclude = ("rows",)


@admin.register(m.DecorationRecord)
class DecorationRecordAdmin(admin.ModelAdmin):
    """R-M7-09 装修档案 (media files are opened through the logged service, R-M7-10)."""

    list_display = ("household", "kind", "recorded_at", "recorded_by")
    list_filter = ("kind", "project")
    search_fields = ("household__label", "note")
    raw_id_fields = ("household", "recorded_by")
    exclude = ("file",)
