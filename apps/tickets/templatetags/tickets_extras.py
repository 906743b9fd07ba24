"""Template helpers of the ticket pages: deadline badges, status badges, local times."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from apps.core.validation import safe_local
from apps.tickets import access, choices, measures
from apps.tickets.deadline_display import deadline_state
from linli import clock

register = template.Library()


@register.simple_tag
def deadline_badge(deadline: Any, now: dt.datetime | None = None) -> str:
    """``<span class="badge …">剩余3小时</span>`` for a Deadline row (provisional marked, T-03/P-25)."""
    now = now or clock.now()
    cancelled_at = getattr(deadline, "cancelled_at", None)
    if cancelled_at is not None and deadline.met_at is None:
        missed = deadline.due_at is not None and deadline.due_at < cancelled_at
        label, colour, code = (_("超时未完成（已结束）"), "red", "missed") if missed else (_("已结束，未计时"), "grey",
                                                                                       "cancelled")
        return format_html('<span class="badge badge-{}" data-deadline-state="{}">{}</span>', colour, code, label)
    state = deadline_state(due_at=deadline.due_at, met_at=deadline.met_at, now=now,
                           warn_at=getattr(deadline, "warn_at", None))
    provisional = ""
    if getattr(deadline, "provisional", False):
        provisional = format_html(' <span class="badge badge-purple" title="{}">{}</span>',
                                  _("按暂定日历计算，官方节假日公布后可能调整"), _("暂定"))
    return format_html('<span class="badge badge-{}" data-deadline-state="{}">{}</span>{}',
                       state.colour, state.code, state.label, provisional)


@register.simple_tag
def investigation_late_badge(ticket: Any, now: dt.datetime | None = None) -> str:
    """当日未调查核实 (R-M2-02): a complaint not investigated by the end of its intake day."""
    if not measures.investigation_late(ticket, now or clock.now()):
        return ""
    return format_html('<span class="badge badge-orange" data-testid="investigation-late" title="{}">{}</span>',
                       _("受理当天未完成调查核实"), _("当日未核实"))


@register.filter
def local_dt(value: dt.datetime | None) -> str:
    """Aware UTC → ``2026-11-23 10:00`` in Asia/Shanghai (T-01); empty for None."""
    shown = safe_local(value)  # a stored extreme moment (1900, 9999) is shown, never a failed page
    return "" if shown is None else shown.strftime("%Y-%m-%d %H:%M")


@register.filter
def local_input(value: dt.datetime | None) -> str:
    """Value for ``<input type=datetime-local>`` in Asia/Shanghai."""
    shown = safe_local(value)
    return "" if shown is None else shown.strftime("%Y-%m-%dT%H:%M")


STATUS_COLOURS_FALLBACK = "grey"


@register.simple_tag
def status_badge(ticket: Any) -> str:
    colour = getattr(choices, "STATUS_COLOURS", {}).get(ticket.status, STATUS_COLOURS_FALLBACK)
    return format_html('<span class="badge badge-{}" data-status="{}">{}</span>', colour, ticket.status,
                       ticket.get_status_display())


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination, sort links)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag
def next_due_badge(due_at: dt.datetime, now: dt.datetime | None = None) -> str:
    """Badge for the earliest open due time of a list row (``next_due`` annotation)."""
    state = deadline_state(due_at=due_at, met_at=None, now=now or clock.now())
    return format_html('<span class="badge badge-{}" data-deadline-state="{}">{}</span>', state.colour, state.code,
                       state.label)


@register.filter
def get_field(form: Any, name: str) -> Any:
    """``form|get_field:"media_exposed"`` → the bound field (for loops over flag names)."""
    return form[name]


@register.simple_tag(takes_context=True)
def keeps_complaint_settings(context: Any) -> bool:
    """Does the signed-in user keep the company's complaint settings (判定标准, R-M1-18)?"""
    request = context.get("request")
    return bool(request is not None and access.managed_company_ids(request.user))
