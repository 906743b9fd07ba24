"""Admin for the calendar overrides, year status and limit policies (P-25, P-01…P-31).

Changing a policy here affects deadlines computed afterwards only; stamped deadlines stay as they
were. Years without an official schedule are warned about on every calendar/policy admin page.
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from apps.workdays import actions, queries
from apps.workdays import models as m
from linli import clock


class WarnUncoveredMixin:
    """P-25: warn admins when this year or the next has no official schedule."""

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        year = clock.local(clock.now()).year
        missing = queries.uncovered_years([year, year + 1])
        if missing:
            messages.warning(request, format_html(
                _("{} 年尚无正式节假日安排：相关时限按周一至周五暂定计算并标记为“暂定”。请<a href=\"{}\">导入国务院公布的安排</a>。"),
                "、".join(map(str, missing)), reverse("workdays:import")))
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


@admin.register(m.OfficialYear)
class OfficialYearAdmin(WarnUncoveredMixin, admin.ModelAdmin):
    list_display = ("year", "status", "source", "confirmed_at", "confirmed_by")
    list_filter = ("status",)
    readonly_fields = ("confirmed_at", "confirmed_by", "updated_at")
    actions = ["confirm"]

    def save_model(self, request: HttpRequest, obj: m.OfficialYear, form: Any, change: bool) -> None:
        """Setting a year to official by hand counts as confirming it (signal on commit)."""
        became_official = obj.status == m.YearStatus.OFFICIAL and (
            not change or "status" in form.changed_data)
        super().save_model(request, obj, form, change)
        if became_official:  # inside the admin's own transaction
            actions.mark_official(obj.year, source=obj.source or _("管理员确认"), by=request.user.get_username(),
                                   now=clock.now())

    @admin.action(description=_("确认为正式日历（并重算暂定时限）"))
    def confirm(self, request: HttpRequest, queryset: QuerySet[m.OfficialYear]) -> None:
        for row in queryset:
            actions.confirm_year(row.year, source=row.source or _("管理员确认"), by=request.user.get_username(),
                                  now=clock.now())
        self.message_user(request, _("已确认 %(n)d 个年度") % {"n": queryset.count()})


@admin.register(m.CalendarDay)
class CalendarDayAdmin(WarnUncoveredMixin, SimpleHistoryAdmin):
    list_display = ("date", "kind", "name", "company", "source")
    list_filter = ("kind", "company")
    search_fields = ("name", "date")
    date_hierarchy = "date"


class LimitPolicyInline(admin.TabularInline):
    model = m.LimitPolicy
    extra = 0
    fields = ("stage", "kind", "channel", "reply_class", "urgency", "category", "clock", "amount", "rule")


@admin.register(m.RuleSet)
class RuleSetAdmin(WarnUncoveredMixin, admin.ModelAdmin):
    list_display = ("name", "concern", "code", "is_default", "company", "source")
    list_filter = ("concern", "is_default", "company")
    inlines = [LimitPolicyInline]


@admin.register(m.LimitPolicy)
class LimitPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("rule_set", "stage", "kind", "channel", "reply_class", "urgency", "category", "clock", "amount",
                    "rule")
    list_filter = ("rule_set__concern", "rule_set", "stage", "kind", "clock")
    search_fields = ("rule", "category")


@admin.register(m.RuleSetChoice)
class RuleSetChoiceAdmin(SimpleHistoryAdmin):
    list_display = ("company", "project", "concern", "rule_set")
    list_filter = ("company", "concern")


@admin.register(m.DeadlineSettings)
class DeadlineSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("company", "project", "same_day_mode", "response_on", "start_day_counts", "end_of",
                    "roll_rest_days", "soft_target_hours")
    list_filter = ("company",)
