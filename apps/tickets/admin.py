"""Admin for the editable business data of the pipeline (categories, compensation limits) and a
read-only view of tickets and their records. Tickets are changed only through the actions, so
the ticket admin cannot add, change or delete."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from apps.tickets import models as m


@admin.register(m.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "code", "company", "sort", "active", "class_one")
    list_filter = ("active", "company")
    search_fields = ("name", "code")


@admin.register(m.CompensationLimit)
class CompensationLimitAdmin(admin.ModelAdmin):
    list_display = ("role", "company", "max_amount")
    list_filter = ("company",)


@admin.register(m.TicketPolicy)
class TicketPolicyAdmin(SimpleHistoryAdmin):
    """工单口径: R-M2-21 (reply to the 管理处主任 before closing), POLICY P-08 (internal staff
    complaints in statistics), P-07 (no-contact exemption), P-10 (which complaints 品质管理部 owns) and
    P-13 (its follow-up of company-level complaints), per company with project overrides."""

    list_display = ("company", "project", "close_needs_manager_reply", "count_internal_staff_complaints",
                    "no_contact_exemption", "quality_owns", "company_follow_up")
    list_filter = ("company", "close_needs_manager_reply", "count_internal_staff_complaints",
                   "no_contact_exemption", "quality_owns", "company_follow_up")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = m.TicketEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "acting_user", "old_status", "new_status", "message")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeadlineInline(admin.TabularInline):
    model = m.Deadline
    extra = 0
    can_delete = False
    fields = ("stage", "cycle", "start_at", "due_at", "limit_due_at", "met_at", "met_in_time", "cancelled_at",
              "provisional", "rule")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Ticket)
class TicketAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ("number", "project", "kind", "channel", "status", "received_at", "receiver", "escalation_level")
    list_filter = ("status", "kind", "channel", "project")
    search_fields = ("number", "content", "address")
    date_hierarchy = "received_at"
    inlines = [DeadlineInline, EventInline]
    list_select_related = ("project", "receiver")


for model in (m.Dispatch, m.Reply, m.ReplyReview, m.Verification, m.ReturnVisit, m.ReturnVisitAttempt,
              m.CompensationClaim, m.DeveloperTransfer, m.OwnerUpdate, m.SuggestionBoxOpening, m.DailyInventory):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(m.ChannelPublication)
class ChannelPublicationAdmin(admin.ModelAdmin):
    """R-M1-01: the complaint channels each project published (value, date, where posted)."""

    list_display = ("project", "kind", "value", "published_on", "where_posted", "recorded_by")
    list_filter = ("kind", "project")
    search_fields = ("value", "where_posted")


@admin.register(m.IntakePost)
class IntakePostAdmin(admin.ModelAdmin):
    """R-M1-07: the designated complaint intake post(s) of each 管理处."""

    list_display = ("project", "role", "note")
    list_filter = ("project",)


admin.site.register(m.SuggestionDecision, ReadOnlyAdmin)
admin.site.register(m.Commendation, ReadOnlyAdmin)


@admin.register(m.ValidityCriterion)
class ValidityCriterionAdmin(SimpleHistoryAdmin):
    """有效投诉判定标准 (R-M1-18); kept on the staff page, shown here for the administrators."""

    list_display = ("label", "company", "valid", "position", "active")
    list_filter = ("company", "valid", "active")
