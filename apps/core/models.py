"""Platform records: login attempts for the lockout (issue 2 item 8)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginAttempt(models.Model):
    """One login attempt through /login/ or /admin/login/.

    Failures count towards a lock per username and per client address (apps.core.lockout);
    a successful login marks that username's earlier failures ``cleared``. Rows are kept as the
    audit trail of who tried to log in from where."""

    username = models.CharField(_("用户名"), max_length=150, db_index=False)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"))
    succeeded = models.BooleanField(_("成功"), default=False)
    cleared = models.BooleanField(_("已清除"), default=False, help_text=_("登录成功或管理员解锁后不再计数"))
    screen = models.CharField(_("入口"), max_length=20, default="login")

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["username", "-at"], name="core_login_username_at"),
            models.Index(fields=["address", "-at"], name="core_login_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.address} {'✓' if self.succeeded else '✗'} {self.at:%Y-%m-%d %H:%M}"
