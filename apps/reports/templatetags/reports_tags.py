"""``{% drill_href report.figures.scope kpi="received" part="all" by="category" key=row.key %}``:
the drill-down URL of one figure of a stored report (its scope is saved with the figures)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def drill_href(scope: dict[str, Any] | None, **kwargs: Any) -> str:
    if not scope:
        return ""
    params = dict(scope)
    for key, value in kwargs.items():
        if value is not None and value != "":
            params[key] = value
        elif key == "key":
            params[key] = "none"
    return f"{reverse('reports:drill')}?{urlencode(params)}"


@register.filter
def pct(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:g}%" if unit == "%" else f"{value:g}"


SECTION_LABELS = {"summary": "概述", "causes": "原因分析", "lessons": "经验教训", "measures": "改进措施",
                  "trends": "趋势"}


@register.filter
def section_label(key: str) -> str:
    return SECTION_LABELS.get(key, key)
