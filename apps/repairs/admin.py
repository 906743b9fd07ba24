"""Admin: rules, price lists (edited here, published through the action), and read-mostly
records of work orders, receipts and cash hand-overs."""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.repairs import actions
from apps.repairs.models import (
    CashHandover,
    ChargeConsent,
    ChargeLine,
    LeaderConsent,
    MaterialUse,
    NextVisit,
    PriceItem,
    PriceList,
    Receipt,
    RepairOrder,
    RepairRating,
    RepairRule,
    RepairSettings,
)
from linli import clock


@admin.register(RepairRule)
class RepairRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "dispatch_mode", "urgent_by_default", "certificate_required", "department_kind",
                    "company", "project")
    list_filter = ("dispatch_mode", "urgent_by_default", "certificate_required", "company", "project")


class PriceItemInline(admin.TabularInline):
    """A published list's items are frozen (R-M8-16): a change is a new version (/repairs/price-lists/)."""

    model = PriceItem
    extra = 1

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.published_at is not None

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ("project", "name", "effective_from", "effective_to", "published_at")
    list_filter = ("project",)
    inlines = [PriceItemInline]
    readonly_fields = ("published_at",)
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return ("project", "name", "effective_from", "effective_to", "notes", "published_at", "version",
                    "previous", "superseded_at")
        return self.readonly_fields

    @admin.action(description=_("公示所选价目表"))
    def publish(self, request, queryset):
        for pl in queryset:
            try:
                actions.publish_price_list(price_list=pl, acting_user=request.user, now=clock.now())
            except actions.RepairError as exc:
                self.message_user(request, f"{pl}: {exc.message}", messages.ERROR)


class _ReadOnly(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChargeLineInline(_ReadOnly):
    model = ChargeLine


class ConsentInline(_ReadOnly):
    model = ChargeConsent


class MaterialInline(_ReadOnly):
    model = MaterialUse


class NextVisitInline(_ReadOnly):
    model = NextVisit


class RatingInline(_ReadOnly):
    model = RepairRating


@admin.register(RepairOrder)
class RepairOrderAdmin(admin.ModelAdmin):
    list_display = ("ticket", "location_kind", "location", "dispatch_mode", "worker", "arrived_at", "completed_at",
                    "signed_at", "rework_count")
    list_filter = ("location_kind", "dispatch_mode", "ticket__project")
    search_fields = ("ticket__number", "location")
    inlines = [ChargeLineInline, ConsentInline, MaterialInline, NextVisitInline, RatingInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = ("number", "project", "amount", "status", "method", "paid_at", "collected_by", "handover")
    list_filter = ("status", "method", "project")
    search_fields = ("number",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(CashHandover)
class CashHandoverAdmin(admin.ModelAdmin):
    list_display = ("at", "project", "handed_by", "received_by", "amount")
    list_filter = ("project",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(RepairSettings)
class RepairSettingsAdmin(SimpleHistoryAdmin):
    """Changed on the settings pages (/org/settings/repairs/); kept here for engineers."""

    list_display = ("company", "project", "agreed_arrival_tolerance_minutes", "arrival_target_pct",
                    "completion_target_pct", "quality_target_pct", "return_visit_target_pct")


@admin.register(LeaderConsent)
class LeaderConsentAdmin(admin.ModelAdmin):
    """Read-only: asked and decided on the work order page / API (R-M8-10, R-M8-11)."""

    list_display = ("order", "kind", "requested_by", "requested_at", "decided_by", "decided_at", "approved")
    list_filter = ("kind", "approved")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
