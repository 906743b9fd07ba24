"""The owner session: a key in the Django session, never ``request.user``.

- An owner page (``@owner_required``) needs an owner session *and* no staff user: a staff session
  never passes it (it is answered 403 with a hint to sign out), an anonymous visitor is sent to the
  phone sign-in.
- A staff page checks ``request.user`` (django.contrib.auth): an owner session never sets it, so an
  owner never reaches a staff page.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from apps.estates.models import Household
from apps.owners import queries
from apps.owners.models import OwnerAccount

ACCOUNT_KEY = "owners.account_id"
HOUSEHOLD_KEY = "owners.household_id"


def sign_in(request: HttpRequest, account: OwnerAccount) -> None:
    """Start a fresh session for the owner (any earlier session, staff or owner, is dropped)."""
    request.session.flush()
    request.session[ACCOUNT_KEY] = account.pk
    households = list(queries.households_for_phone(account.phone)[:2])
    if len(households) == 1:
        request.session[HOUSEHOLD_KEY] = households[0].pk


def sign_out(request: HttpRequest) -> None:
    request.session.flush()


def current_account(request: HttpRequest) -> OwnerAccount | None:
    pk = request.session.get(ACCOUNT_KEY)
    if not pk:
        return None
    return OwnerAccount.objects.filter(pk=pk, active=True).first()


def current_household(request: HttpRequest, account: OwnerAccount) -> Household | None:
    return queries.household_for_phone(account.phone, request.session.get(HOUSEHOLD_KEY))


def owner_required(*, household: bool = True) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.is_authenticated:
                return staff_refused(request)
            account = current_account(request)
            if account is None:
                return redirect("owners:sign_in")
            request.owner_account = account  # type: ignore[attr-defined]
            if household:
                home = current_household(request, account)
                if home is None:
                    return redirect("owners:choose")
                request.owner_household = home  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)
        return wrapped
    return decorate


def staff_refused(request: HttpRequest) -> HttpResponse:
    return render(request, "owners/staff_refused.html", {}, status=403)
