"""``{{ ticket|complaint_level }}`` and ``{{ ticket|complaint_level_label }}``: the complaint level as
shown (R-M3-01, :mod:`apps.tickets.complaint_level`)."""
from __future__ import annotations

from typing import Any

from django import template

from apps.tickets import complaint_level as levels

register = template.Library()


@register.filter
def complaint_level(ticket: Any) -> str:
    return levels.complaint_level(ticket)


@register.filter
def complaint_level_label(ticket: Any) -> str:
    return levels.complaint_level_label(ticket)
