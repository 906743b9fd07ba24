"""Notify's settings on the settings pages (:mod:`apps.org.settings_registry`): quiet hours for
calls to owners and the deadline-reminder point (R-M17-11), per company with project overrides."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.notify.models import DeadlineReminderPolicy, QuietHoursPolicy
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

register(ModelRowSection(
    key="deadline-reminders", title=_("期限提醒"), group=_("通知"), model=DeadlineReminderPolicy,
    order=71, description=_("工单各阶段时限到期前提醒处理人的时间点；修改只对之后开始计时的时限生效"),
    specs=(
        FieldSpec("warn_percent", _("提前提醒点（时限的百分比）"),
                  _("从时限开始计算，经过该百分比的时间后提醒处理人，如 75 表示时限过去四分之三时提醒")),
    ),
))
