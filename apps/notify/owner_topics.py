"""Which owner SMS an owner may switch off (issue 19 item 6): each ``notify_owner`` kind belongs to a
topic; the owner chooses topics on their account page or through ``/api/v1/me/sms-preferences``.

Defaults: every topic is on until the owner switches it off (an owner who never visits the page gets
what they got before). Sign-in codes, door-code changes and emergency messages have no topic: they
are always sent.
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# (code, label, help) in the order the owner sees them
TOPICS: tuple[tuple[str, Any, Any], ...] = (
    ("requests", _("报事进度通知"), _("您在网上提交的报修、投诉、建议等派工、处理完成、回复和办结时的短信")),
    ("service", _("物业服务通知"), _("停水停电、天气等温馨提示及其他物业通知")),
    ("fees", _("缴费提醒"), _("物业费等账单的缴费提醒")),
    ("surveys", _("满意度调查邀请"), _("抽中本户参加满意度调查时的问卷链接")),
    ("activities", _("社区活动邀请"), _("社区文化活动的通知和邀请")),
    ("greetings", _("节日问候"), _("节日祝福短信")),
    ("reminders", _("房屋提醒"), _("入住欢迎、保修到期、装修手续进度等提醒")),
)
TOPIC_CODES = tuple(code for code, _label, _help in TOPICS)

_KIND_TOPICS = {
    "request_status": "requests",
    "notice_weather": "service", "notice_other": "service",
    "notice_fee": "fees", "fee_reminder": "fees",
    "survey_link": "surveys",
    "notice_activity": "activities", "activity_invitation": "activities",
    "notice_festival": "greetings",
    "welcome": "reminders", "warranty_reminder": "reminders", "decoration_progress": "reminders",
}


def topic_of(kind: str) -> str | None:
    """The topic of a message kind, or None when the owner cannot switch it off."""
    return _KIND_TOPICS.get(kind)
