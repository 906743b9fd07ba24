"""Remembers the project chosen in the project switcher (项目切换) on ``request.project``."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apps.org import access

SESSION_KEY = "linli_project_id"


class CurrentProjectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.project = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            projects = access.visible_projects(user)
            wanted = request.session.get(SESSION_KEY)
            project = projects.filter(pk=wanted).first() if wanted else None
            if project is None:
                project = projects.order_by("code").first()
            request.project = project  # type: ignore[attr-defined]
        return self.get_response(request)
