"""Typing for the pages: a request behind ``login_required`` carries a staff :class:`User`."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.org.models import Project, User


class AuthenticatedRequest(HttpRequest):
    """An ``HttpRequest`` whose user is signed in (annotate ``login_required`` views with it).
    ``project`` is the switcher's project (``CurrentProjectMiddleware``), ``htmx`` django-htmx's details."""

    user: User  # narrower than HttpRequest.user: login_required ran
    project: Project | None
    htmx: Any
