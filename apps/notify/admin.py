"""Admin: quiet hours (P-21) and channel configuration are edited here; the inbox and the delivery
log are read-only records."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.notify import mail, notices, queries, quiet_hours
from apps.notify.models import (
    ChannelConfig,
    Delivery,
    DeliveryAttempt,
    MailItem,
    Notification,
    OwnerNotice,
    QuietHoursPolicy,
    StaffChannelPreference,
)
from linli import clock


@admin.register(QuietHoursPolicy)
class QuietHoursPolicyAdmin(admin.ModelAdmin):
    list_display = ("project", "windows_text", "applies_to_calls", "applies_to_sms")
    list_filter = ("applies_to_calls", "applies_to_sms")
    search_fields = ("project__name", "project__code")

    @admin.display(description=_("免打扰时段"))
    def windows_text(self, obj: QuietHoursPolicy) -> str:
        try:
            return quiet_hours.describe(obj.parsed_windows())
        except ValueError as exc:
            return str(exc)


@admin.register(ChannelConfig)
class ChannelConfigAdmin(admin.ModelAdmin):
    list_display = ("channel", "name", "company", "project", "enabled", "backend", "kinds")
    list_filter = ("channel", "enabled", "company")
    search_fields = ("name", "webhook_url")


@admin.register(StaffChannelPreference)
class StaffChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "sms", "sms_kinds")
    search_fields = ("user__username", "user__display_name")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "subject", "project", "read_at")
    list_filter = ("kind", "project")
    search_fields = ("subject", "recipient__username", "dedupe_key")
    date_hierarchy = "created_at"


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "at", "ok", "error", "duration_ms", "retry_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "audience", "address", "kind", "status", "attempts", "scheduled_for",
                    "next_attempt_at", "sent_at")
    list_filter = ("status", "channel", "audience", "emergency", "project")
    search_fields = ("address", "subject", "kind", "dedupe_key")
    date_hierarchy = "created_at"
    inlines = [AttemptInline]


@admin.register(MailItem)
class MailItemAdmin(admin.ModelAdmin):
    """R-M17-09 信件报刊: the front desk adds what arrived (through ``mail.receive_mail``); stewards are
    told daily at the set time; the actions record collection and delivery."""

    list_display = ("received_at", "project", "kind", "addressee", "household", "notified_at", "collected_at",
                    "delivered_at")
    list_filter = ("project", "kind")
    search_fields = ("addressee", "household__label")
    date_hierarchy = "received_at"
    fields = ("project", "household", "addressee", "kind", "note")
    raw_id_fields = ("household",)
    actions = ("mark_collected", "mark_delivered")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: MailItem, form: Any, change: bool) -> None:

        saved = mail.receive_mail(project=obj.project, household=obj.household, addressee=obj.addressee,
                                  kind=obj.kind, note=obj.note, acting_user=request.user, now=clock.now())
        obj.pk = saved.pk

    def _apply(self, request: HttpRequest, queryset: Any, fn: Any, done: str) -> None:

        n = 0
        for item in queryset:
            try:
                fn(item, acting_user=request.user, now=clock.now())
                n += 1
            except mail.MailError as exc:
                self.message_user(request, f"{item}：{exc}", level="error")
        self.message_user(request, f"{done} {n} 件")

    @admin.action(description=_("标记已领取"))
    def mark_collected(self, request: HttpRequest, queryset: Any) -> None:

        self._apply(request, queryset, mail.collect_mail, "已领取")

    @admin.action(description=_("标记已派送"))
    def mark_delivered(self, request: HttpRequest, queryset: Any) -> None:

        self._apply(request, queryset, mail.deliver_mail, "已派送")


@admin.register(OwnerNotice)
class OwnerNoticeAdmin(admin.ModelAdmin):
    """业主群发通知 (R-M17-02, R-M17-03, R-M17-06): adding one sends it (``notices.send_owner_notice``,
    lead-time and approval checks included); sent notices are read-only."""

    list_display = ("created_at", "project", "kind", "event_date", "short_notice", "recipients", "no_phone",
                    "created_by")
    list_filter = ("project", "kind", "short_notice")
    search_fields = ("body", "approval_ref")
    fields = ("project", "building", "kind", "event_date", "approval_ref", "approved_on", "body")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        class NoticeForm(form):  # type: ignore[misc, valid-type]
            def _post_clean(self) -> None:
                super()._post_clean()
                if self.errors:
                    return


                d = self.cleaned_data
                try:
                    self.instance = notices.send_owner_notice(
                        project=d["project"], building=d.get("building"), kind=d["kind"], body=d["body"],
                        event_date=d.get("event_date"), approval_ref=d.get("approval_ref", ""),
                        approved_on=d.get("approved_on"), acting_user=request.user, now=clock.now())
                except queries.NotifyError as exc:
                    self.add_error(next(iter(exc.fields), None), ValidationError(str(exc)))

        return NoticeForm

    def save_model(self, request: HttpRequest, obj: OwnerNotice, form: Any, change: bool) -> None:
        pass  # sent (and saved) by the form through notices.send_owner_notice
