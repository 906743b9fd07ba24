"""The staff home page per role and the project switcher."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.home import queries
from apps.org import access
from apps.org.middleware import SESSION_KEY
from apps.org.roles import Role
from linli import clock


@login_required
def home(request: HttpRequest) -> HttpResponse:
    project = getattr(request, "project", None)
    roles = access.roles_in(request.user, project)
    return render(request, "home/home.html", {
        "role_names": [Role(r).label for r in sorted(roles)],
        "panels": queries.home_panels(request.user, project, now=clock.now()),
    })


@login_required
@require_POST
def switch_project(request: HttpRequest) -> HttpResponse:
    try:
        project_id = int(request.POST.get("project", ""))
    except ValueError:
        project_id = 0
    if access.visible_projects(request.user).filter(pk=project_id).exists():
        request.session[SESSION_KEY] = project_id
    else:
        messages.error(request, _("无法切换到该项目：项目不存在或您不是其成员。"))
    nxt = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        nxt = "/"
    return HttpResponseRedirect(nxt)
