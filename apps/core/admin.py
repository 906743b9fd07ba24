from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from apps.core import lockout
from apps.core.models import LoginAttempt


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
