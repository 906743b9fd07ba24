"""Staff-record pages (thin: rules in actions.py, who may see what in access.py).

- ``/staff-records/certificates/``: certificates with their expiry state and warnings (R-M19-10);
- ``/staff-records/certificates/new/`` and ``…/<pk>/edit/``: register, correct or renew one.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.staffrecords import access, actions, queries
from apps.staffrecords.forms import CertificateForm, bind_refusal
from apps.staffrecords.models import CertificateKind, ExpiryState
from linli import clock


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    today = clock.local(clock.now()).date()
    base = access.visible_certificates(request.user)
    qs = base.select_related("holder")
    state = request.GET.get("state", "")
    if state in ExpiryState.values:
        qs = queries.by_state(qs, state, today)
    kind = request.GET.get("kind", "")
    if kind in CertificateKind.values:
        qs = qs.filter(kind=kind)
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(Q(holder__username__icontains=q) | Q(holder__display_name__icontains=q)
                       | Q(holder__last_name__icontains=q))
    certificates = list(qs.order_by("valid_until", "id")[:500])
    for c in certificates:
        c.state = c.state_on(today)  # type: ignore[attr-defined]
    return render(request, "staffrecords/certificate_list.html", {
        "certificates": certificates, "state": state, "kind": kind, "q": q, "states": ExpiryState.choices,
        "kinds": CertificateKind.choices, "counts": queries.counts(base, today),
        "can_manage": access.can_manage(request.user),
    })


@login_required
def certificate_new(request: HttpRequest) -> HttpResponse:
    if not access.can_manage(request.user):
        raise PermissionDenied
    form = CertificateForm(request.POST or None, staff=access.staff_in_scope(request.user).order_by("username"))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            cert = actions.add_certificate(acting_user=access.acting_user(request), now=clock.now(),
                                           **form.cleaned_data)
        except DomainError as exc:
            bind_refusal(form, exc)
            status = exc.status
        else:
            messages.success(request, _("已登记证书 %(name)s") % {"name": cert.name})
            return redirect("staffrecords:certificates")
    return render(request, "staffrecords/certificate_form.html", {"form": form, "editing": False}, status=status)


@login_required
def certificate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_manage(request.user):
        raise PermissionDenied
    cert = access.visible_certificates(request.user).filter(pk=pk).first()
    if cert is None:
        raise Http404
    initial = {k: getattr(cert, k) for k in actions.CERT_FIELDS}
    form = CertificateForm(request.POST or None, initial=initial, editing=True,
                           staff=access.staff_in_scope(request.user).order_by("username"))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_certificate(certificate=cert, acting_user=access.acting_user(request), now=clock.now(),
                                       **form.cleaned_data)
        except DomainError as exc:
            bind_refusal(form, exc)
            status = exc.status
        else:
            messages.success(request, _("证书已修改"))
            return redirect("staffrecords:certificates")
    return render(request, "staffrecords/certificate_form.html", {"form": form, "editing": True, "cert": cert},
                  status=status)
