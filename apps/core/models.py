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


class JobState(models.TextChoices):
    PENDING = "pending", _("待执行")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败（已停止重试）")


class Job(models.Model):
    """A durable reaction (apps.core.jobs): work one module's write causes in another module.

    The row is written in the same transaction as the write that causes it, so it exists exactly when
    that write committed. It runs after the commit (inline in the embedded default, as a Celery task in
    production); a failure is recorded here and retried with back-off until ``max_attempts``, then the
    job is ``failed`` and shown to administrators (admin → 后台任务). Nothing is swallowed."""

    name = models.CharField(_("任务"), max_length=100)
    event = models.CharField(_("触发事件"), max_length=100, blank=True, default="")
    payload = models.JSONField(_("参数"), default=dict)
    key = models.CharField(_("去重键"), max_length=200, null=True, blank=True, unique=True,
                           help_text=_("同一键的任务只登记一次"))
    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("最多尝试次数"), default=8)
    run_after = models.DateTimeField(_("最早执行时间"))
    created_at = models.DateTimeField(_("登记时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    last_error = models.TextField(_("最近一次错误"), blank=True, default="")

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "run_after"], name="core_job_due"),
            models.Index(fields=["name", "state"], name="core_job_name_state"),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} ({self.get_state_display()})"
