from __future__ import annotations

from django.http import HttpRequest

from apps.org import access
from apps.org.roles import Cap


def linli(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_project": None, "my_projects": [], "can_configure": False, "can_dept_plans": False}
    return {
        "current_project": getattr(request, "project", None),
        "my_projects": list(access.visible_projects(user).order_by("code")),
        "can_configure": access.has_cap(user, Cap.MANAGE_CONFIG),  # the settings pages (issue 17)
        # the CS department's plans, budget and assets (R-M19-01/-02); memberships are cached: no query
        "can_dept_plans": access.has_cap(user, Cap.DRAFT_DEPT_PLANS) or access.has_cap(user, Cap.APPROVE_DEPT_PLANS),
    }
