"""Escalation pages (thin: rules in actions.py, reads in queries.py, who-sees-what in access.py).
A record of another project → 404. Each form posts to its own view, which calls one action."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.flash import flash_form_errors, flash_refusal
from apps.escalation import actions, queries, volumes
from apps.escalation.access import open_clusters, staff_user, visible_clusters, visible_tickets
from apps.escalation.forms import (
    DowngradeForm,
    FlagsForm,
    LeadershipOpinionForm,
    LegacyForwardForm,
    MajorChangeForm,
    ReportForm,
)
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
from apps.org.roles import Cap, Role
from apps.tickets.choices import Attribution
from apps.tickets.models import Ticket
from linli import clock


def _tickets(request: HttpRequest) -> QuerySet[Ticket]:
    if not access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise Http404
    return visible_tickets(request)


def _error(request: HttpRequest, exc: actions.EscalationError) -> None:
    flash_refusal(request, exc, with_fields=True)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """热点/重大投诉 overview: escalated complaints with their open reports, and suggested groups."""
    rows = queries.escalated_rows(_tickets(request), limit=100)
    clusters = open_clusters(request).select_related("project").order_by("state", "-created_at")[:50]
    return render(request, "escalation/overview.html", {"rows": rows, "clusters": clusters, "now": clock.now()})


@login_required
def ticket_panel(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(_tickets(request).select_related("project"), pk=pk)
    return _panel(request, ticket)


def _panel(request: HttpRequest, ticket: Ticket, *, major_change_form: MajorChangeForm | None = None) -> HttpResponse:
    reports = []
    for r in EscalationReport.objects.filter(ticket=ticket).select_related("sent_by").order_by("created_at", "pk"):
        form = ReportForm(prefix=f"r{r.pk}", fields_needed=REPORT_FIELDS[r.kind],
                          initial={f: getattr(r, f) for f in REPORT_FIELDS[r.kind]})
        reports.append({"r": r, "form": form})
    member = ClusterMember.objects.filter(ticket=ticket).select_related("cluster").first()
    can_escalate = access.has_cap(request.user, Cap.ESCALATE, ticket.project)
    return render(request, "escalation/ticket_panel.html", {
        "ticket": ticket, "reasons": queries.reasons_for(ticket), "reports": reports, "member": member,
        "volume": getattr(ticket, "archive_volume", None) if hasattr(ticket, "archive_volume") else None,
        "can_escalate": can_escalate,
        "is_quality": can_escalate and actions.is_quality(staff_user(request), ticket.project),
        "can_give_opinion": can_escalate or bool(access.roles_in(request.user, ticket.project)
                                                 & {Role.LEADERSHIP, Role.GENERAL_MANAGER}),
        "can_downgrade": access.has_cap(request.user, Cap.DOWNGRADE, ticket.project),
        "downgrade_form": DowngradeForm(),
        "flags_form": FlagsForm(initial={f: getattr(ticket, f) for f in
                                         ("litigation", "media_exposed", "media_or_litigation_risk", "collective",
                                          "people_count", "attribution", "source")}),
        "candidates": queries.candidates_for(ticket) if can_escalate and member is None else [],
        "opinions": LeadershipOpinion.objects.filter(ticket=ticket).select_related("recorded_by"),
        "opinion_from": queries.ticket_policy_for(ticket.project).quality_owns,  # R-M3-12, POLICY P-10
        "visit_roles": {str(r) for r in access.roles_in(request.user, ticket.project)}
        if ticket.channel == "field_visit" else set(),  # R-M3-13
        "classifications": Attribution.choices,
        "government_causes": GovernmentEventCause.choices if can_escalate and getattr(
            queries.policy_for(ticket.project), "government_report_enabled", False) else [],
        "opinion_form": LeadershipOpinionForm(initial={"given_on": clock.local(clock.now(), ticket.project.tz).date()}),
        "major_change_form": major_change_form or MajorChangeForm(
            initial={"phoned_at": clock.local(clock.now(), ticket.project.tz).replace(second=0, microsecond=0)}),
    })


@login_required
@require_POST
def ticket_major_change(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M3-08: a major change in a major complaint, phoned to the group — recorded here, and everyone
    concerned gets an urgent notice. Bad input: the page again, the messages beside the fields."""
    ticket = get_object_or_404(_tickets(request).select_related("project"), pk=pk)
    form = MajorChangeForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _panel(request, ticket, major_change_form=form)
    try:
        actions.report_major_change(ticket, acting_user=staff_user(request), now=clock.now(), **form.cleaned_data)
    except actions.EscalationError as exc:
        for name, errors in exc.fields.items():
            if name in form.fields:
                for e in errors:
                    form.add_error(name, e)
        flash_refusal(request, exc)
        return _panel(request, ticket, major_change_form=form)
    messages.success(request, _("已记录电话报告，并已紧急通知相关人员"))
    return redirect("escalation:ticket", pk=ticket.pk)


@login_required
@require_POST
def ticket_visit_result(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M3-13: the 客服主管 reports the result to the 客服经理; the 客服经理 classifies it for the 总经理."""
    ticket = get_object_or_404(_tickets(request).select_related("project"), pk=pk)
    try:
        if request.POST.get("step") == "classify":
            actions.classify_visit_problem(ticket, classification=request.POST.get("classification", ""),
                                           note=request.POST.get("note", ""), acting_user=staff_user(request),
                                           now=clock.now())
            messages.success(request, _("已分类并报总经理"))
        else:
            actions.report_visit_problem_result(ticket, result=request.POST.get("result", ""),
                                                acting_user=staff_user(request), now=clock.now())
            messages.success(request, _("已上报客服经理"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:ticket", pk=ticket.pk)


@login_required
@require_POST
def ticket_visit_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M3-13: report a visit problem that cannot be solved promptly to the 客服主管."""
    ticket = get_object_or_404(_tickets(request).select_related("project"), pk=pk)
    try:
        actions.report_visit_problem(ticket, reason=request.POST.get("reason", ""), acting_user=staff_user(request),
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
        actions.raise_government_report(ticket, cause=request.POST.get("cause", ""), acting_user=staff_user(request),
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
            user = staff_user(request)
            data = dict(form.cleaned_data)
            if not access.has_cap(user, Cap.ESCALATE, ticket.project):  # a leader records their own opinion
                data["given_by"] = user
            actions.record_leadership_opinion(ticket, acting_user=user, now=clock.now(), **data)
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
                              acting_user=staff_user(request), now=clock.now())
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
    data["attribution"] = data.get("attribution") or None  # left empty: not changed
    data["source"] = data.get("source") or None
    try:
        events = actions.flag_ticket(ticket, acting_user=staff_user(request), now=clock.now(), reason=reason, **data)
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
        actions.submit_report(report, acting_user=staff_user(request), now=clock.now(), **form.cleaned_data)
        messages.success(request, _("报告已报送"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:ticket", pk=report.ticket_id)


def _cluster(request: HttpRequest, pk: int) -> ComplaintCluster:
    return get_object_or_404(visible_clusters(request).select_related("project"), pk=pk)


@login_required
@require_POST
def ticket_close_volume(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M3-10: 结卷 — close a major complaint's separate volume once its reports are sent."""
    ticket = get_object_or_404(_tickets(request), pk=pk)
    try:
        actions.close_volume(ticket, acting_user=staff_user(request), now=clock.now())
        messages.success(request, _("已结卷"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:volume", pk=ticket.pk)


@login_required
def ticket_volume(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M6-04: the major complaint's separate volume — number, state and contents."""
    ticket = get_object_or_404(_tickets(request).select_related("project", "archive_volume"), pk=pk)
    volume = getattr(ticket, "archive_volume", None) if hasattr(ticket, "archive_volume") else None
    if volume is None:
        raise Http404
    ok, missing = queries.can_archive(ticket)
    return render(request, "escalation/volume.html", {
        "ticket": ticket, "volume": volume, "missing": "" if ok else missing,
        "is_quality": actions.is_quality(staff_user(request), ticket.project)
        and access.has_cap(request.user, Cap.ESCALATE, ticket.project), **volumes.contents(ticket)})


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
def cluster_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    try:
        actions.confirm_cluster(cluster, acting_user=staff_user(request), now=clock.now(),
                                title=request.POST.get("title") or None)
        messages.success(request, _("已确认为相同投诉"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:cluster", pk=cluster.pk)


@login_required
@require_POST
def cluster_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M3-04: staff reject a suggested group (not the same complaint)."""
    cluster = _cluster(request, pk)
    try:
        actions.reject_cluster(cluster, acting_user=staff_user(request), now=clock.now())
        messages.success(request, _("已否定：这些投诉不是同一投诉"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:cluster", pk=cluster.pk)


@login_required
@require_POST
def cluster_split(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    ids = [int(x) for x in request.POST.getlist("ticket_ids") if x.isdigit()]
    try:
        actions.split_cluster(cluster, ticket_ids=ids, acting_user=staff_user(request), now=clock.now(),
                              title=request.POST.get("title", ""))
        messages.success(request, _("已拆分"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:cluster", pk=cluster.pk)


@login_required
@require_POST
def cluster_merge(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    ids = [int(x) for x in request.POST.getlist("others") if x.isdigit()]
    others = list(visible_clusters(request).filter(pk__in=ids))
    try:
        actions.merge_clusters(cluster, others, acting_user=staff_user(request), now=clock.now())
        messages.success(request, _("已合并"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:cluster", pk=cluster.pk)


@login_required
@require_POST
def cluster_distinct(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M3-04: mark an anonymous member as a different complainant (or undo it)."""
    cluster = _cluster(request, pk)
    member = get_object_or_404(ClusterMember, cluster=cluster, pk=request.POST.get("member"))
    try:
        actions.mark_distinct(member, distinct=request.POST.get("distinct") == "1", acting_user=staff_user(request),
                              now=clock.now())
        messages.success(request, _("已更新"))
    except actions.EscalationError as exc:
        _error(request, exc)
    return redirect("escalation:cluster", pk=cluster.pk)


@login_required
@require_POST
def cluster_add(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    ticket = get_object_or_404(_tickets(request), pk=request.POST.get("ticket"))
    try:
        actions.add_to_cluster(cluster, ticket, acting_user=staff_user(request), now=clock.now())
        messages.success(request, _("已加入"))
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
                actions.forward_legacy(project, month=form.cleaned_data["month"], acting_user=staff_user(request),
                                       now=clock.now(), document_no=form.cleaned_data["document_no"],
                                       note=form.cleaned_data["note"])
                messages.success(request, _("已记录转交"))
                return redirect(f"{request.path}?month={form.cleaned_data['month']:%Y-%m}")
            except actions.EscalationError as exc:
                _error(request, exc)
    counts = queries.legacy_monthly_counts(projects, month)
    forwarded = {f.project_id: f for f in LegacyForward.objects.filter(project__in=projects, month=month)}
    rows = [{**c, "forward": forwarded.get(c["project"].pk),
             "can_forward": access.has_cap(request.user, Cap.ESCALATE, c["project"])} for c in counts]
    return render(request, "escalation/legacy.html", {"rows": rows, "month": month, "form": form})
