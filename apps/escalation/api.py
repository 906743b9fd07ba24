"""REST endpoints of the escalation app (mounted at /api/v1/escalation). Thin: each calls an action."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from apps.core.api_errors import ERRORS, ApiError
from apps.escalation import actions, services
from apps.escalation.models import REPORT_FIELDS, ClusterState, ComplaintCluster, EscalationReport, Level
from apps.org import access
from apps.org.roles import Cap
from linli import clock

router = Router(tags=["escalation"])


class ReasonOut(Schema):
    kind: str
    level: str
    level_label: str
    rule_id: str
    reason: str
    raised_at: dt.datetime
    report_due_at: dt.datetime | None
    by: str | None


class ReportOut(Schema):
    id: int
    kind: str
    kind_label: str
    sequence: int
    recipients: str
    due_at: dt.datetime | None
    sent_at: dt.datetime | None
    required_fields: list[str]


class EscalationOut(Schema):
    ticket_id: int
    number: str
    level: str
    reasons: list[ReasonOut]
    reports: list[ReportOut]
    cluster_id: int | None


class DowngradeIn(Schema):
    to_level: str
    reason: str


class ReportIn(Schema):
    content: str = ""
    cause_analysis: str = ""
    current_handling: str = ""
    difficulties: str = ""
    help_needed: str = ""
    handling_result: str = ""
    why_worsened: str = ""
    lessons: str = ""
    corrective_measures: str = ""


class MemberOut(Schema):
    ticket_id: int
    number: str
    received_at: dt.datetime
    score: float | None
    marked_distinct: bool


class ClusterOut(Schema):
    id: int
    project_id: int
    title: str
    state: str
    distinct_complainants: int
    members: list[MemberOut]


class SplitIn(Schema):
    ticket_ids: list[int]
    title: str = ""


class MergeIn(Schema):
    others: list[int]


def _ticket(request: HttpRequest, ticket_id: int) -> Any:
    from apps.tickets.models import Ticket

    ticket = (Ticket.objects.filter(pk=ticket_id, project__in=access.visible_projects(request.user))
              .select_related("project").first())
    if ticket is None or not access.has_cap(request.user, Cap.VIEW_TICKETS, ticket.project):
        raise ApiError(404, "not_found", "工单不存在")
    return ticket


def _escalation(ticket: Any) -> dict[str, Any]:
    reports = EscalationReport.objects.filter(ticket=ticket).order_by("created_at", "pk")
    member = ticket.complaint_cluster_member if hasattr(ticket, "complaint_cluster_member") else None
    return {
        "ticket_id": ticket.pk, "number": ticket.number, "level": ticket.escalation_level,
        "reasons": services.reasons_for(ticket),
        "reports": [{"id": r.pk, "kind": r.kind, "kind_label": r.get_kind_display(), "sequence": r.sequence,
                     "recipients": r.recipients, "due_at": r.due_at, "sent_at": r.sent_at,
                     "required_fields": list(REPORT_FIELDS[r.kind])} for r in reports],
        "cluster_id": member.cluster_id if member else None,
    }


@router.get("/tickets/{ticket_id}", response={200: EscalationOut, **ERRORS}, summary="工单的升级级别、原因与报告")
def ticket_escalation(request: HttpRequest, ticket_id: int) -> Any:
    return _escalation(_ticket(request, ticket_id))


@router.post("/tickets/{ticket_id}/downgrade", response={200: EscalationOut, **ERRORS}, summary="人工降级（需原因）")
def ticket_downgrade(request: HttpRequest, ticket_id: int, payload: DowngradeIn) -> Any:
    ticket = _ticket(request, ticket_id)
    if payload.to_level not in Level.values:
        raise ApiError(422, "invalid", "级别不正确", {"to_level": ["不是允许的取值"]})
    actions.downgrade(ticket, to_level=payload.to_level, reason=payload.reason, acting_user=request.user,
                      now=clock.now())
    return _escalation(ticket)


@router.post("/reports/{report_id}/submit", response={200: ReportOut, **ERRORS}, summary="填写并报送升级报告")
def report_submit(request: HttpRequest, report_id: int, payload: ReportIn) -> Any:
    report = EscalationReport.objects.filter(pk=report_id).select_related("ticket__project").first()
    if report is None:
        raise ApiError(404, "not_found", "报告不存在")
    _ticket(request, report.ticket_id)
    fields = {k: v for k, v in payload.dict().items() if k in REPORT_FIELDS[report.kind]}
    r = actions.submit_report(report, acting_user=request.user, now=clock.now(), **fields)
    return {"id": r.pk, "kind": r.kind, "kind_label": r.get_kind_display(), "sequence": r.sequence,
            "recipients": r.recipients, "due_at": r.due_at, "sent_at": r.sent_at,
            "required_fields": list(REPORT_FIELDS[r.kind])}


def _cluster(request: HttpRequest, cluster_id: int) -> ComplaintCluster:
    cluster = ComplaintCluster.objects.filter(pk=cluster_id, project__in=access.visible_projects(request.user)).first()
    if cluster is None:
        raise ApiError(404, "not_found", "相同投诉组不存在")
    return cluster


def _cluster_out(cluster: ComplaintCluster) -> dict[str, Any]:
    cluster.refresh_from_db()
    return {"id": cluster.pk, "project_id": cluster.project_id, "title": cluster.title, "state": cluster.state,
            "distinct_complainants": cluster.distinct_complainants,
            "members": [{"ticket_id": m.ticket_id, "number": m.ticket.number, "received_at": m.ticket.received_at,
                         "score": m.score, "marked_distinct": m.marked_distinct}
                        for m in cluster.members.select_related("ticket").order_by("ticket__received_at")]}


@router.get("/clusters", response={200: list[ClusterOut], **ERRORS}, summary="相同投诉组列表")
def cluster_list(request: HttpRequest, state: str | None = None) -> Any:
    qs = ComplaintCluster.objects.filter(project__in=access.visible_projects(request.user)).exclude(
        state=ClusterState.DISSOLVED)
    if state:
        qs = qs.filter(state=state)
    return [_cluster_out(c) for c in qs.order_by("-created_at")[:100]]


@router.get("/clusters/{cluster_id}", response={200: ClusterOut, **ERRORS}, summary="相同投诉组")
def cluster_detail(request: HttpRequest, cluster_id: int) -> Any:
    return _cluster_out(_cluster(request, cluster_id))


@router.post("/clusters/{cluster_id}/confirm", response={200: ClusterOut, **ERRORS}, summary="确认为相同投诉")
def cluster_confirm(request: HttpRequest, cluster_id: int) -> Any:
    cluster = _cluster(request, cluster_id)
    actions.confirm_cluster(cluster, acting_user=request.user, now=clock.now())
    return _cluster_out(cluster)


@router.post("/clusters/{cluster_id}/split", response={200: ClusterOut, **ERRORS}, summary="拆分相同投诉组")
def cluster_split(request: HttpRequest, cluster_id: int, payload: SplitIn) -> Any:
    cluster = _cluster(request, cluster_id)
    actions.split_cluster(cluster, ticket_ids=payload.ticket_ids, acting_user=request.user, now=clock.now(),
                          title=payload.title)
    return _cluster_out(cluster)


@router.post("/clusters/{cluster_id}/merge", response={200: ClusterOut, **ERRORS}, summary="合并相同投诉组")
def cluster_merge(request: HttpRequest, cluster_id: int, payload: MergeIn) -> Any:
    cluster = _cluster(request, cluster_id)
    others = list(ComplaintCluster.objects.filter(pk__in=payload.others,
                                                  project__in=access.visible_projects(request.user)))
    if len(others) != len(set(payload.others)):
        raise ApiError(404, "not_found", "相同投诉组不存在", {"others": ["包含不存在的组"]})
    actions.merge_clusters(cluster, others, acting_user=request.user, now=clock.now())
    return _cluster_out(cluster)
