"""Notify's settings on the settings pages (:mod:`apps.org.settings_registry`): quiet hours for
calls to owners, per company with project overrides."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.notify.models import QuietHoursPolicy
from apps.org.settings_registry import FieldSpec, ModelRowSection, register

register(ModelRowSection(
    key="quiet-hours", title=_("免打扰时段"), group=_("通知"), model=QuietHoursPolicy,
    order=70, description=_("回访、走访等致电业主时避开的时段（紧急情况除外）"),
    specs=(
        FieldSpec("windows", _("免打扰时段"), _('如 [["12:00", "14:00"], ["21:00", "08:00"]]；开始晚于结束表示跨午夜')),
        FieldSpec("applies_to_calls", _("适用于电话")),
        FieldSpec("applies_to_sms", _("适用于短信")),
    ),
))
