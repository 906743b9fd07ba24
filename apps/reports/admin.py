"""Configuration of reporting in the Django admin: P-04/P-05 cadences and reminder lead time, P-30
KPI targets and the repeat-complaint window. Reports and cases change through the pages/actions
(a frozen report must never be edited), so they are read-only here."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm

from apps.reports.models import CaseLibraryEntry, KpiSettings, Report, ReportSettings, UtilityStatistics


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    list_display = ("company", "company_analysis_cadence", "legacy_cadence", "remind_days_before",
                    "record_retention_years")


class KpiSettingsForm(ModelForm):
    class Meta:
        model = KpiSettings
        fields = ("company", "targets", "repeat_window_days")

    def clean_targets(self) -> Any:
        targets = self.cleaned_data["targets"] or {}
        if not isinstance(targets, dict):
            raise ValidationError("应为 JSON 对象")
        for code, row in targets.items():
            if not isinstance(row, dict) or not isinstance(row.get("value"), (int, float)) \
                    or row.get("op", ">=") not in ("<=", ">="):
                raise ValidationError(f"{code}：应为 {{\"value\": 数字, \"op\": \"<=\" 或 \">=\"}}")
        return targets


@admin.register(KpiSettings)
class KpiSettingsAdmin(admin.ModelAdmin):
    form = KpiSettingsForm
    list_display = ("company", "repeat_window_days")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("title", "version", "status", "due_at", "submitted_at", "approved_at", "published_at")
    list_filter = ("status", "duty_code", "company")
    search_fields = ("title",)


@admin.register(CaseLibraryEntry)
class CaseLibraryEntryAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "category", "project", "created_at")
    list_filter = ("kind", "company")
    search_fields = ("title", "background", "handling")


@admin.register(UtilityStatistics)
class UtilityStatisticsAdmin(ReadOnlyAdmin):
    """R-M5-17: half-yearly water and electricity figures against targets — read only here; the 管理处 reports
    them on /reports/utilities/ (or the API), through the action and its checks."""

    list_display = ("project", "period_start", "water_m3", "water_target_m3", "electricity_kwh",
                    "electricity_target_kwh", "reported_at")
    list_filter = ("project",)
