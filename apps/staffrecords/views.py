"""Staff-record pages (thin: rules in actions.py, who may see what in access.py).

- ``/staff-records/certificates/``: certificates with their expiry state and warnings (R-M19-10);
- ``/staff-records/certificates/new/`` and ``…/<pk>/edit/``: register, correct or renew one;
- ``/staff-records/directory/`` and ``…/<pk>/edit/``: the internal directory kept up to date (R-M19-12);
- ``/staff-records/training/``, ``…/new/`` and ``…/<pk>/``: the training plan and attendance (R-M19-13);
- ``/staff-records/contracts/`` (+ ``new/``, ``<pk>/edit/`` with the corrections) and
  ``/staff-records/takeovers/`` (+ ``new/``): owners' service contracts and takeover inspections (R-M19-14);
- ``/staff-records/appraisals/``: the annual appraisal of door-to-door service staff on their services
  and the residents' feedback (R-M8-18, R-M19-10);
- ``/staff-records/patrols/``: the stewards' daily building patrols, recorded on the same page, a finding
  that needs action raised as an internal ticket (R-M19-04).

Every form posts through :func:`_post_form` (the action's refusal beside the field, a redirect when
saved); the pages only the keepers open are :func:`_keepers_only`.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.estates.models import Building, Person, PersonKind
from apps.org.models import Membership, TrainingAttendance, TrainingSession
from apps.staffrecords import access, actions, queries
from apps.staffrecords.forms import (
    AppraisalForm,
    CertificateForm,
    ContractEditForm,
    ContractForm,
    DirectoryEntryForm,
    PatrolForm,
    TakeoverForm,
    TrainingForm,
    TrainingRecordForm,
    bind_refusal,
)
from apps.staffrecords.models import CertificateKind, ExpiryState
from linli import clock


def _keepers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page only the keepers of staff records (办公室主任, 管理处经理) open: 403 for anyone else."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.can_manage(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _post_form(request: HttpRequest, form: forms.Form | None, action: Callable[..., Any],
               success: str | Callable[[Any], str], to: str | Callable[[Any], str],
               **extra: Any) -> tuple[HttpResponse | None, int]:
    """A staff-record form posted to its action: ``(redirect, 302)`` when saved, with ``success`` (or
    ``success(result)``) flashed and the browser sent to ``to`` (or ``to(result)``); otherwise
    ``(None, status)`` to show the form again — 200 for a GET, 400 for input the form refuses, the
    refusal's status with its message beside the field when the action refuses. The action gets
    ``acting_user``, ``now``, ``extra`` and the form's cleaned data."""
    if request.method != "POST":
        return None, 200
    if form is None:
        raise PermissionDenied
    if not form.is_valid():
        return None, 400
    try:
        result = action(acting_user=access.acting_user(request), now=clock.now(), **extra, **form.cleaned_data)
    except DomainError as exc:
        bind_refusal(form, exc)
        return None, exc.status
    messages.success(request, success(result) if callable(success) else success)
    return redirect(to(result) if callable(to) else to), 302


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


@_keepers_only
def certificate_new(request: HttpRequest) -> HttpResponse:
    form = CertificateForm(request.POST or None, staff=access.staff_in_scope(request.user).order_by("username"))
    done, status = _post_form(request, form, actions.add_certificate,
                              lambda cert: _("已登记证书 %(name)s") % {"name": cert.name}, "staffrecords:certificates")
    if done:
        return done
    return render(request, "staffrecords/certificate_form.html", {"form": form, "editing": False}, status=status)


@_keepers_only
def certificate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cert = access.visible_certificates(request.user).filter(pk=pk).first()
    if cert is None:
        raise Http404
    initial = {k: getattr(cert, k) for k in actions.CERT_FIELDS}
    form = CertificateForm(request.POST or None, initial=initial, editing=True,
                           staff=access.staff_in_scope(request.user).order_by("username"))
    done, status = _post_form(request, form, actions.update_certificate, _("证书已修改"), "staffrecords:certificates",
                              certificate=cert)
    if done:
        return done
    return render(request, "staffrecords/certificate_form.html", {"form": form, "editing": True, "cert": cert},
                  status=status)


def _with_posts(qs: Any) -> Any:
    return qs.prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related(
        "project", "department").order_by("project__code", "role", "pk"), to_attr="posts"))


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """内部通讯录 (R-M19-12): keepers see and correct their staff's numbers, anyone else their own."""
    qs = access.directory_people(request.user)
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(extension__icontains=q)
                       | Q(employee_no__icontains=q))
    people = list(_with_posts(qs).order_by("display_name", "username", "pk")[:500])
    return render(request, "staffrecords/directory.html", {
        "people": people, "q": q, "can_manage": access.can_manage(request.user)})


@login_required
def directory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.directory_people(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404
    keeper = access.keeps(request.user, person)
    form = DirectoryEntryForm(request.POST or None, keeper=keeper,
                              initial={k: getattr(person, k) for k in actions.DIRECTORY_FIELDS})
    done, status = _post_form(request, form, actions.update_directory_entry, _("通讯录已更新"),
                              "staffrecords:directory", person=person)
    if done:
        return done
    return render(request, "staffrecords/directory_form.html", {"form": form, "person": person}, status=status)


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    """培训 (R-M19-13): the training plan with each session's attendance count."""
    # counted on a fresh queryset: the visibility filter joins the attendances, which would narrow the counts
    visible = access.visible_trainings(request.user).values("pk")
    qs = TrainingSession.objects.filter(pk__in=visible).select_related("project").annotate(
        expected=Count("attendances", distinct=True),
        came=Count("attendances", filter=Q(attendances__attended=True), distinct=True))
    state = request.GET.get("state", "")
    if state == "planned":
        qs = qs.filter(held_at__isnull=True)
    elif state == "held":
        qs = qs.filter(held_at__isnull=False)
    sessions = list(qs.order_by("-planned_on", "-id")[:300])
    return render(request, "staffrecords/training_list.html", {
        "sessions": sessions, "state": state, "can_manage": access.can_manage(request.user)})


@_keepers_only
def training_new(request: HttpRequest) -> HttpResponse:
    form = TrainingForm(request.POST or None, projects=access.kept_projects(request.user),
                        staff=access.staff_in_scope(request.user).order_by("display_name", "username"))
    done, status = _post_form(request, form, actions.plan_training,
                              lambda session: _("已安排培训 %(t)s") % {"t": session.title},
                              lambda session: reverse("staffrecords:training_detail", kwargs={"pk": session.pk}))
    if done:
        return done
    return render(request, "staffrecords/training_form.html", {"form": form}, status=status)


@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.visible_trainings(request.user).select_related("project").filter(pk=pk).first()
    if session is None:
        raise Http404
    keeper = access.keeps_training(request.user, session)
    rows = list(TrainingAttendance.objects.filter(session=session).select_related("user").order_by("user__username"))
    if not keeper:
        rows = [r for r in rows if r.user_id == request.user.pk]
    people = [(r.user_id, str(r.user)) for r in rows]
    initial = {"attended": [r.user_id for r in rows if r.attended], "passed": [r.user_id for r in rows if r.passed],
               "notes": session.notes, "held_at": clock.local(session.held_at) if session.held_at else None}
    form = TrainingRecordForm(request.POST or None, people=people, initial=initial) if keeper else None
    done, status = _post_form(request, form, actions.record_training, _("已登记培训签到"),
                              reverse("staffrecords:training_detail", kwargs={"pk": session.pk}), session=session)
    if done:
        return done
    return render(request, "staffrecords/training_detail.html", {
        "session": session, "rows": rows, "form": form, "can_manage": access.can_manage(request.user)}, status=status)


@_keepers_only
def contract_list(request: HttpRequest) -> HttpResponse:
    """物业服务合同 (R-M19-14) of the keeper's projects; owners' names masked."""
    qs = access.visible_contracts(request.user).select_related("project", "household", "owner", "created_by")
    qs = qs.annotate(corrections=Count("changes"))
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(household__label__icontains=q))
    return render(request, "staffrecords/contract_list.html", {
        "contracts": list(qs.order_by("project__code", "-signed_on", "-id")[:500]), "q": q})


def _owners(request: HttpRequest) -> Any:
    return (Person.objects.filter(project__in=access.kept_projects(request.user), kind=PersonKind.OWNER,
                                  active=True).select_related("household").order_by("household__label", "pk"))


@_keepers_only
def contract_new(request: HttpRequest) -> HttpResponse:
    form = ContractForm(request.POST or None, owners=_owners(request))
    done, status = _post_form(request, form, actions.add_service_contract,
                              lambda c: _("已登记物业服务合同 %(n)s") % {"n": c.number}, "staffrecords:contracts")
    if done:
        return done
    return render(request, "staffrecords/record_form.html", {
        "form": form, "title": _("登记物业服务合同"), "back": "staffrecords:contracts"}, status=status)


@_keepers_only
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """更正物业服务合同 (R-M19-14): the form with the reason, and every earlier correction below it."""
    contract = access.visible_contracts(request.user).select_related("project", "household", "owner",
                                                                     "created_by").filter(pk=pk).first()
    if contract is None:
        raise Http404
    # the contract's owner stays choosable even after moving out (the correction keeps them)
    owners = _owners(request) | Person.objects.filter(pk=contract.owner_id).select_related("household")
    initial = {k: getattr(contract, k) for k in actions.CONTRACT_FIELDS}
    form = ContractEditForm(request.POST or None, owners=owners.distinct(), initial=initial)
    done, status = _post_form(request, form, actions.update_service_contract,
                              lambda c: _("已更正物业服务合同 %(n)s") % {"n": c.number}, "staffrecords:contracts",
                              contract=contract)
    if done:
        return done
    labels = {"owner": _("业主"), "number": _("合同编号"), "signed_on": _("签订日期"), "valid_until": _("合同期至"),
              "note": _("备注")}
    changes = list(contract.changes.select_related("changed_by").order_by("-changed_at", "-id"))
    for ch in changes:
        ch.lines = [(labels[k], ch.before.get(k, ""), ch.after.get(k, ""))  # type: ignore[attr-defined]
                    for k in actions.CONTRACT_FIELDS if k in ch.before or k in ch.after]
    return render(request, "staffrecords/contract_edit.html", {
        "form": form, "contract": contract, "changes": changes}, status=status)


@_keepers_only
def takeover_list(request: HttpRequest) -> HttpResponse:
    """接管验收记录 (R-M19-14) of the keeper's projects."""
    qs = access.visible_takeovers(request.user).select_related("project")
    return render(request, "staffrecords/takeover_list.html", {
        "takeovers": list(qs.order_by("project__code", "-inspected_on", "-id")[:300])})


@_keepers_only
def takeover_new(request: HttpRequest) -> HttpResponse:
    form = TakeoverForm(request.POST or None, projects=access.kept_projects(request.user))
    done, status = _post_form(request, form, actions.add_takeover_inspection, _("已登记接管验收记录"),
                              "staffrecords:takeovers")
    if done:
        return done
    return render(request, "staffrecords/record_form.html", {
        "form": form, "title": _("登记接管验收"), "back": "staffrecords:takeovers"}, status=status)


@login_required
def patrols(request: HttpRequest) -> HttpResponse:
    """楼宇日常巡查 (R-M19-04 (9)): a steward records patrols of their project's buildings here and sees
    their own; keepers (office director, project manager) see their scope's. A finding that needs action
    is raised as an internal ticket, linked from its row."""
    projects = access.patrol_projects(request.user)
    can_patrol = projects.exists()
    if not can_patrol and not access.can_manage(request.user):
        raise PermissionDenied
    form = None
    if can_patrol:
        buildings = Building.objects.filter(project__in=projects).select_related("project").order_by(
            "project__code", "name", "pk")
        form = PatrolForm(request.POST or None, buildings=buildings,
                          initial={"patrolled_at": clock.local(clock.now()).replace(second=0, microsecond=0,
                                                                                    tzinfo=None)})
    done, status = _post_form(request, form, actions.record_patrol,
                              lambda p: _("已登记楼宇巡查，并转为内部工单 %(n)s") % {"n": p.ticket.number}
                              if p.ticket_id else _("已登记楼宇巡查"), "staffrecords:patrols")
    if done:
        return done
    qs = access.visible_patrols(request.user).select_related("project", "building", "steward", "ticket")
    problems = request.GET.get("problems") == "1"
    if problems:
        qs = qs.exclude(cleaning_ok=True, security_ok=True, facilities_ok=True, signage_ok=True, decoration_ok=True)
    return render(request, "staffrecords/patrols.html", {
        "patrols": list(qs.order_by("-patrolled_at", "-id")[:300]), "form": form, "problems": problems,
        "can_manage": access.can_manage(request.user)}, status=status)


@login_required
def patrol_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """转内部工单: a recorded finding raised as an internal ticket afterwards (POST only)."""
    if request.method != "POST":
        raise Http404
    patrol = access.visible_patrols(request.user).filter(pk=pk).first()
    if patrol is None:
        raise Http404
    try:
        ticket = actions.patrol_to_ticket(patrol=patrol, acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已转为内部工单 %(n)s") % {"n": ticket.number})
    return redirect("staffrecords:patrols")


@login_required
def appraisals(request: HttpRequest) -> HttpResponse:
    """年度考评 (R-M8-18): keepers appraise their staff here (the form shows the year's services and
    feedback once saved) and see their projects' appraisals; anyone else sees their own."""
    keeper = access.can_manage(request.user)
    form = None
    if keeper:
        form = AppraisalForm(request.POST or None, staff=access.staff_in_scope(request.user).order_by(
            "display_name", "username"), projects=access.kept_projects(request.user),
            initial={"year": clock.local(clock.now()).year - 1})
    done, status = _post_form(request, form, actions.appraise_annually,
                              lambda a: _("已登记 %(who)s 的年度考评") % {"who": a.staff}, "staffrecords:appraisals")
    if done:
        return done
    rows = list(access.visible_appraisals(request.user).select_related("staff", "project", "appraised_by")
                .order_by("-year", "-appraised_at", "-id")[:300])
    shown = [{"a": a, "evidence": [(label, (a.evidence or {}).get(key, 0)) for key, label in queries.EVIDENCE_LABELS]}
             for a in rows]
    return render(request, "staffrecords/appraisals.html", {"rows": shown, "form": form, "can_manage": keeper},
                  status=status)
