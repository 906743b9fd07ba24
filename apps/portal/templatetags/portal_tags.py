"""``{% portal_publish_box report %}`` on the report page: the "推送到业主公告栏" button (R-M17-12)."""
from __future__ import annotations

from typing import Any

from django import template

from apps.portal.access import can_publish
from apps.portal.models import BOARD_KIND
from apps.portal.queries import live_publication_of

register = template.Library()


@register.inclusion_tag("portal/_publish_box.html", takes_context=True)
def portal_publish_box(context: dict[str, Any], report: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    show = report.project_id is not None and report.duty_code in BOARD_KIND and report.status == "approved"
    live = live_publication_of(report) if show else None
    return {"show": show, "live": live, "report": report, "can_publish": show and can_publish(user, report.project),
            "csrf_token": context.get("csrf_token")}
