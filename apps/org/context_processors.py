from __future__ import annotations

from django.http import HttpRequest

from apps.org import access


def linli(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_project": None, "my_projects": []}
    return {
        "current_project": getattr(request, "project", None),
        "my_projects": list(access.visible_projects(user).order_by("code")),
    }
