"""Escalation pages (thin: rules in actions.py / services.py). A record of another project → 404."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.flash import flash_form_errors, flash_refusal
from apps.escalation import actions, services
from apps.escalation.forms import DowngradeForm, FlagsForm, LeadershipOpinionForm, LegacyForwardForm, ReportForm
from apps.escalation.models import (
    REPORT_FIELDS,
    ClusterMember,
    ClusterState,
    ComplaintCluster,
    EscalationReport,
    GovernmentEventCause,
    LeadershipOpinion,
    LegacyForward,
)
from apps.org import access
from apps.org.roles import Cap
from linli import clock


def _tickets(request: HttpRequest) -> Any:
    from apps.tickets.models import Ticket

    if not access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise Http404
    return Ticket.objects.filter(project__in=access.visible_projects(request.user))


def _error(request: HttpRequest, exc: actions.EscalationError) -> None:
    flash_refusal(request, exc, with_fields=True)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """热点/重大投诉 overview: escalated complaints with their open reports, and suggested groups."""
    tickets = (_tickets(request).exclude(escalation_level="none").select_related("project")
               .order_by("-received_at")[:100])
    rows = []
    for t in tickets:
        reasons = services.reasons_for(t)
        rows.append({"t": t, "reason": reasons[-1] if reasons else None, "due": services.next_report_due(t)})
    clusters = (ComplaintCluster.objects.filter(project__in=access.visible_projects(request.user))
                .exclude(state=ClusterState.DISSOLVED).select_related("project").order_by("state", "-created_at")[:50])
    return render(request, "escalation/overview.html", {"rows": rows, "clusters": clusters, "now": clock.now()})


@login_required
def ticket_panel(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(_tickets(request).select_related("project"), pk=pk)
    reports = []
    for r in EscalationReport.objects.filter(ticket=ticket).order_by("created_at", "pk"):
        form = ReportForm(prefix=f"r{r.pk}", fields_needed=REPORT_FIELDS[r.kind],
                          initial={f: getattr(r, f) for f in REPORT_FIELDS[r.kind]})
        reports.append({"r": r, "form": form})
    member = ClusterMember.objects.filter(ticket=ticket).select_related("cluster").first()
    can_escalate = access.has_cap(request.user, Cap.ESCALATE, ticket.project)
    return render(request, "escalation/ticket_panel.html", {
        "ticket": ticket, "reasons": services.reasons_for(ticket), "reports": reports, "member": member,
        "volume": getattr(ticket, "archive_volume", None) if hasattr(ticket, "archive_volume") else None,
        "can_escalate": can_escalate,
        "can_downgrade": access.has_cap(request.user, Cap.DOWNGRADE, ticket.project),
        "downgrade_form": DowngradeForm(),
        "flags_form": FlagsForm(initial={f: getattr(ticket, f) for f in
                                         ("litigation", "media_exposed", "media_or_litigation_risk", "collective",
                                          "people_count", "our_side")}),
        "candidates": services.candidates_for(ticket) if can_escalate and member is None else [],
        "opinions": LeadershipOpinion.objects.filter(ticket=ticket).select_related("recorded_by"),
        "government_causes": GovernmentEventCause.choices if can_escalate and getattr(
            services.policy_for(ticket.project), "government_report_enabled", False) else [],
        "opinion_form": LeadershipOpinionForm(initial={"given_on": clock.local(clock.now(), ticket.project.tz).date()}),
    })


@login_required
@require_POST
def ticket_visit_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M3-13: report a visit problem that cannot be solved promptly to the 客服主管."""
    ticket = get_object_or_404(_tickets(request).select_related("project"), pk=pk)
    try:
        actions.report_visit_problem(ticket, reason=request.POST.get("reason", ""), acting_user=request.user,
                                     now=clock.now())
        messages.success(request, _("已上报客服主管"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:ticket", pk=ticket.pk)


@login_required
@require_POST
def ticket_government(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M3-14: raise the "report to the government authority" task (where the city's rule applies)."""
    ticket = get_object_or_404(_tickets(request).select_related("project"), pk=pk)
    try:
        actions.raise_government_report(ticket, cause=request.POST.get("cause", ""), acting_user=request.user,
                                        now=clock.now())
        messages.success(request, _("已生成政府主管部门报告任务"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:ticket", pk=ticket.pk)


@login_required
@require_POST
def ticket_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M3-12: record the leadership's handling opinion on an unresolved complaint."""
    ticket = get_object_or_404(_tickets(request).select_related("project"), pk=pk)
    form = LeadershipOpinionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            actions.record_leadership_opinion(ticket, acting_user=request.user, now=clock.now(), **form.cleaned_data)
            messages.success(request, _("已记录领导处理意见"))
        except actions.EscalationError as exc:
            _error(request, exc)
    return redirect("escalation:ticket", pk=ticket.pk)


@login_required
@require_POST
def ticket_downgrade(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(_tickets(request), pk=pk)
    form = DowngradeForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            actions.downgrade(ticket, to_level=form.cleaned_data["to_level"], reason=form.cleaned_data["reason"],
                              acting_user=request.user, now=clock.now())
            messages.success(request, _("已降级"))
        except actions.EscalationError as exc:
            _error(request, exc)
    return redirect("escalation:ticket", pk=ticket.pk)


@login_required
@require_POST
def ticket_flags(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(_tickets(request), pk=pk)
    form = FlagsForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("escalation:ticket", pk=ticket.pk)
    data = dict(form.cleaned_data)
    reason = data.pop("reason") or ""
    try:
        events = actions.flag_ticket(ticket, acting_user=request.user, now=clock.now(), reason=reason, **data)
        messages.success(request, _("已保存，新增升级 %(n)d 条") % {"n": len(events)} if events else _("已保存"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:ticket", pk=ticket.pk)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(EscalationReport.objects.filter(ticket__in=_tickets(request)), pk=pk)
    form = ReportForm(request.POST, prefix=f"r{report.pk}", fields_needed=REPORT_FIELDS[report.kind])
    form.is_valid()
    try:
        actions.submit_report(report, acting_user=request.user, now=clock.now(), **form.cleaned_data)
        messages.success(request, _("报告已报送"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:ticket", pk=report.ticket_id)


def _cluster(request: HttpRequest, pk: int) -> ComplaintCluster:
    return get_object_or_404(ComplaintCluster.objects.filter(project__in=access.visible_projects(request.user))
                             .select_related("project"), pk=pk)


@login_required
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    members = cluster.members.select_related("ticket", "ticket__household").order_by("ticket__received_at")
    others = (ComplaintCluster.objects.filter(project=cluster.project).exclude(pk=cluster.pk)
              .exclude(state=ClusterState.DISSOLVED).order_by("-created_at")[:30])
    return render(request, "escalation/cluster_detail.html", {
        "cluster": cluster, "members": members, "others": others,
        "can_edit": access.has_cap(request.user, Cap.ESCALATE, cluster.project),
    })


@login_required
@require_POST
def cluster_action(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    cluster = _cluster(request, pk)
    now, user = clock.now(), request.user
    try:
        if op == "confirm":
            actions.confirm_cluster(cluster, acting_user=user, now=now, title=request.POST.get("title") or None)
            messages.success(request, _("已确认为相同投诉"))
        elif op == "split":
            ids = [int(x) for x in request.POST.getlist("ticket_ids") if x.isdigit()]
            actions.split_cluster(cluster, ticket_ids=ids, acting_user=user, now=now, title=request.POST.get("title", ""))
            messages.success(request, _("已拆分"))
        elif op == "merge":
            ids = [int(x) for x in request.POST.getlist("others") if x.isdigit()]
            others = list(ComplaintCluster.objects.filter(pk__in=ids, project__in=access.visible_projects(user)))
            actions.merge_clusters(cluster, others, acting_user=user, now=now)
            messages.success(request, _("已合并"))
        elif op == "distinct":
            member = get_object_or_404(ClusterMember, cluster=cluster, pk=request.POST.get("member"))
            actions.mark_distinct(member, distinct=request.POST.get("distinct") == "1", acting_user=user, now=now)
            messages.success(request, _("已更新"))
        elif op == "add":
            ticket = get_object_or_404(_tickets(request), pk=request.POST.get("ticket"))
            actions.add_to_cluster(cluster, ticket, acting_user=user, now=now)
            messages.success(request, _("已加入"))
        else:
            raise Http404
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:cluster", pk=cluster.pk)


@login_required
def legacy(request: HttpRequest) -> HttpResponse:
    """地产遗留问题 monthly counts and forwarding records (R-M5-06, R-M2-03)."""
    if not access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise Http404
    projects = list(access.visible_projects(request.user))
    today = clock.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month = last_month
    if request.GET.get("month"):
        try:
            month = dt.date.fromisoformat(request.GET["month"] + "-01")
        except ValueError:
            messages.error(request, _("月份格式应为 YYYY-MM"))
    form = LegacyForwardForm(initial={"month": month.strftime("%Y-%m")})
    if request.method == "POST":
        form = LegacyForwardForm(request.POST)
        project = next((p for p in projects if str(p.pk) == request.POST.get("project")), None)
        if project is None:
            raise Http404
        if form.is_valid():
            try:
                actions.forward_legacy(project, month=form.cleaned_data["month"], acting_user=request.user,
                                       now=clock.now(), document_no=form.cleaned_data["document_no"],
                                       note=form.cleaned_data["note"])
                messages.success(request, _("已记录转交"))
                return redirect(f"{request.path}?month={form.cleaned_data['month']:%Y-%m}")
            except actions.EscalationError as exc:
                _error(request, exc)
    counts = services.legacy_monthly_counts(projects, month)
    forwarded = {f.project_id: f for f in LegacyForward.objects.filter(project__in=projects, month=month)}
    rows = [{**c, "forward": forwarded.get(c["project"].pk),
             "can_forward": access.has_cap(request.user, Cap.ESCALATE, c["project"])} for c in counts]
    return render(request, "escalation/legacy.html", {"rows": rows, "month": month, "form": form})
