"""Read-only admin of the fees app: every money change goes through apps.fees.actions."""
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from apps.fees import models as m


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyHistory(ReadOnly, SimpleHistoryAdmin):
    pass


@admin.register(m.FeeSettings)
class FeeSettingsAdmin(ReadOnlyHistory):
    list_display = ("project", "cycle_months", "due_days", "reminder_day", "arrears_steps", "receipt_series")


@admin.register(m.FeeStandard)
class FeeStandardAdmin(ReadOnlyHistory):
    list_display = ("project", "name", "applies_to", "contract_ref", "mode", "basis", "rate", "valid_from", "valid_to")
    list_filter = ("project", "applies_to")


@admin.register(m.BillingCycle)
class BillingCycleAdmin(ReadOnly):
    list_display = ("project", "label", "period_start", "period_end", "due_date", "bill_count", "total", "skipped")


@admin.register(m.Bill)
class BillAdmin(ReadOnly):
    list_display = ("household", "kind", "description", "amount", "paid", "status", "due_date")
    list_filter = ("project", "kind", "status")
    search_fields = ("household__label", "description")
    list_select_related = ("household",)


@admin.register(m.Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("number", "household", "kind", "channel", "method", "amount", "prepaid", "collected_by",
                    "collected_at")
    list_filter = ("project", "kind", "channel")
    search_fields = ("number", "household__label")
    list_select_related = ("household", "collected_by")


@admin.register(m.LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ("at", "household", "kind", "amount", "bill", "payment", "by")
    list_filter = ("kind",)


@admin.register(m.CashHandover)
class CashHandoverAdmin(ReadOnly):
    list_display = ("project", "collector", "cashier", "amount", "handed_at")


@admin.register(m.FeeReminder)
class FeeReminderAdmin(ReadOnly):
    list_display = ("household", "level", "outstanding", "sent_at", "recipients")


@admin.register(m.SharedCost)
class SharedCostAdmin(ReadOnly):
    list_display = ("project", "building", "name", "period_start", "period_end", "total", "households")


@admin.register(m.FeePublication)
class FeePublicationAdmin(ReadOnly):
    list_display = ("project", "year", "half", "billed", "collected", "arrears", "published_at")


admin.site.register(m.ReceiptSeries, ReadOnly)
