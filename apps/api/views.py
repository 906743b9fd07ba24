"""The profile page (memberships, language, API tokens) and its token actions (issue 2 item 7).

It lives in ``apps.api`` because API tokens do: no lower app may import them.
"""
from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.api import actions, queries
from apps.org import access
from apps.org.models import Membership, User
from linli import clock

NEW_TOKEN_KEY = "linli_new_api_token"


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    memberships = (Membership.objects.filter(user=user)
                   .select_related("project", "department", "company").order_by("project__code", "role"))
    return render(request, "api/profile.html", {
        "memberships": memberships,
        "company_level": access.is_company_level(request.user),
        "tokens": queries.active_tokens(request.user),
        "new_token": request.session.pop(NEW_TOKEN_KEY, None),
    })


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    try:
        token, raw = actions.issue_token(request.user, name=request.POST.get("name", ""), now=clock.now())
    except actions.TokenError as exc:
        messages.error(request, str(exc))
    else:
        request.session[NEW_TOKEN_KEY] = {"raw": raw, "name": token.name}
        messages.success(request, _("已创建令牌。请立即复制保存，离开本页后无法再次查看。"))
    return redirect(reverse("profile") + "#tokens")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = actions.revoke_token(request.user, pk, now=clock.now())
    except actions.TokenError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已吊销令牌 %(prefix)s…") % {"prefix": token.prefix})
    return redirect(reverse("profile") + "#tokens")
