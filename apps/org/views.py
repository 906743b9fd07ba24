"""Organisation pages: the internal directory (R-M19-12)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.org.directory import directory


@login_required
def directory_page(request: HttpRequest) -> HttpResponse:
    project = getattr(request, "project", None)
    return render(request, "org/directory.html", {"sections": directory(project) if project else []})
