from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.core import jobs, lockout
from apps.core.models import Job, JobState, LoginAttempt


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """Read-only audit of login attempts, with an unlock action for the system administrator."""

    list_display = ("at", "username", "address", "succeeded", "cleared", "screen")
    list_filter = ("succeeded", "cleared", "screen")
    search_fields = ("username", "address")
    date_hierarchy = "at"
    actions = ["unlock_selected"]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    @admin.action(description=_("解锁所选记录的用户名和地址"))
    def unlock_selected(self, request, queryset):  # noqa: ANN001, ANN201
        cleared = 0
        for username, address in set(queryset.values_list("username", "address")):
            cleared += lockout.unlock(username=username)
            if address:
                cleared += lockout.unlock(address=address)
        self.message_user(request, _("已解锁，清除 %(n)s 条失败记录。") % {"n": cleared}, messages.SUCCESS)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """后台任务: the durable reactions between modules (apps.core.jobs). Failed ones stay here, with their
    error, until an administrator retries them."""

    list_display = ("created_at", "name", "state", "attempts", "run_after", "finished_at")
    list_filter = ("state", "name")
    search_fields = ("name", "key", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = ("name", "event", "payload", "key", "state", "attempts", "max_attempts", "run_after",
                       "created_at", "finished_at", "last_error")
    actions = ["retry_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False

    @admin.action(description=_("立即重试所选任务"))
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        retried = 0
        for job in queryset.exclude(state=JobState.DONE):
            jobs.retry(job)
            retried += 1
        self.message_user(request, _("已安排重试 %(n)s 个任务") % {"n": retried}, messages.SUCCESS)
