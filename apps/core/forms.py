"""Login forms with lockout (issue 2 item 8), used by /login/ and /admin/login/."""
from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import lockout
from linli import clock


def locked_message(lock: lockout.Lock) -> str:
    """Chinese message naming the moment (Asia/Shanghai) the user may try again."""
    now = clock.now()
    minutes = max(1, math.ceil((lock.until - now).total_seconds() / 60))
    local_until = timezone.localtime(lock.until, clock.SHANGHAI)
    same_day = local_until.date() == timezone.localtime(now, clock.SHANGHAI).date()
    when = local_until.strftime("%H:%M") if same_day else local_until.strftime("%Y-%m-%d %H:%M")
    if lock.by == "address":
        text = _("此地址登录失败次数过多，已暂时锁定。请在 %(when)s（约 %(minutes)s 分钟后）再试。")
    else:
        text = _("登录失败次数过多，账户已暂时锁定。请在 %(when)s（约 %(minutes)s 分钟后）再试，或联系系统管理员解锁。")
    return text % {"when": when, "minutes": minutes}


class LockoutMixin:
    """Checks the lock before the password and records every attempt."""

    screen = "login"
    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = lockout.client_address(self.request)
        lock = lockout.lock_for(username, address)
        if lock is not None:
            raise forms.ValidationError(locked_message(lock), code="locked")
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            if username:
                lock = lockout.record_failure(username, address, screen=self.screen)
                if lock is not None:
                    raise forms.ValidationError(locked_message(lock), code="locked") from None
            raise
        if getattr(self, "user_cache", None) is not None:  # blank fields never reach authenticate()
            lockout.record_success(username, address, screen=self.screen)
        return cleaned


class LoginForm(LockoutMixin, AuthenticationForm):
    screen = "login"
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("用户名或密码不正确（区分大小写）。"),
        "inactive": gettext_lazy("该账户已停用，请联系系统管理员。"),
    }


class AdminLoginForm(LockoutMixin, AdminAuthenticationForm):
    screen = "admin"
