"""Read-only admin of the cards app: every write goes through apps.cards.actions."""
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.cards import models as m


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.ICCard)
class ICCardAdmin(ReadOnly):
    list_display = ("number", "project", "kind", "holder_name", "household", "status", "issued_at")
    list_filter = ("project", "kind", "status")
    search_fields = ("number", "holder_name", "plate")


@admin.register(m.CardRegisterEntry)
class CardRegisterEntryAdmin(ReadOnly):
    list_display = ("at", "card", "kind", "by", "applicant_name", "applicant_is_owner", "note")
    list_filter = ("project", "kind")


@admin.register(m.DoorCodeChange)
class DoorCodeChangeAdmin(ReadOnly):
    list_display = ("door", "effective_on", "first_notice_on", "lead_days", "late_notice")
    list_filter = ("project", "late_notice")


@admin.register(m.DoorCodeNotice)
class DoorCodeNoticeAdmin(ReadOnly):
    list_display = ("change", "channel", "at", "households_reached")


for model in (m.CardSettings, m.CardOfficer, m.CardRetrievalTask, m.CardQuarterlyReview, m.IssuingPasswordChange,
              m.AccessRegistration, m.Door):
    admin.site.register(model, ReadOnly)
