"""Read-only admin of the desk app: every write goes through apps.desk.actions."""
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.desk import models as m


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.DecorationPermit)
class DecorationPermitAdmin(ReadOnly):
    list_display = ("household", "applicant", "status", "planned_start", "planned_end", "deposit", "deposit_returned")
    list_filter = ("project", "status")


@admin.register(m.KeyLoan)
class KeyLoanAdmin(ReadOnly):
    list_display = ("key", "borrower", "taken_at", "due_at", "returned_at")


for model in (m.WorkerPass, m.DecorationCheck, m.HouseKey, m.VacantHouseCheck, m.DeskLog, m.ButlerMeeting,
              m.ConvenienceItem, m.ItemLoan):
    admin.site.register(model, ReadOnly)
