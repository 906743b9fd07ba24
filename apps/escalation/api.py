"""REST endpoints of the escalation app (mounted at /api/v1/escalation). Thin: each calls an action.

``GET /clusters`` answers a bare list (at most 100 groups), as it always has: paging it with
``LinliPagination`` would change its response shape, which the API contract does not allow."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Router, Schema

from apps.core.api_errors import ERRORS, ApiError
from apps.core.validation import PastMoment
from apps.escalation import actions, queries, volumes
from apps.escalation.access import open_clusters, staff_user, visible_clusters
from apps.escalation.models import (
    REPORT_FIELDS,
    ArchiveVolume,
    ClusterMember,
    ComplaintCluster,
    EscalationReport,
    LeadershipOpinion,
    Level,
)
from apps.org import access
from apps.org.roles import Cap
from apps.tickets.choices import Attribution, Source
from apps.tickets.complaint_level import complaint_level, complaint_level_label
from apps.tickets.models import Ticket
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
    phoned_to: str = Field("", description="事态重大变化：电话报告的集团物业管理部人员")
    phoned_at: dt.datetime | None = Field(None, description="事态重大变化：电话报告时间")


class LeadershipOpinionOut(Schema):
    id: int
    opinion: str
    given_by_name: str
    given_on: dt.date
    recorded_at: dt.datetime


class AttributionOut(Schema):
    """责任归属 (R-M3-05): the value, its label, and who determined it, when and why (empty while the
    default "ours" was never changed)."""

    value: str
    label: str
    reason: str
    by: str | None
    at: dt.datetime | None


class EscalationOut(Schema):
    ticket_id: int
    number: str
    level: str = Field(description="升级级别：none/hot/major（系统判定）")
    complaint_level: str = Field("none", description="投诉级别：none/important/hot/major（一般/重要/热点/重大，取最高）")
    complaint_level_label: str = Field("", description="投诉级别：一般/重要/热点/重大")
    attribution: AttributionOut
    reasons: list[ReasonOut]
    reports: list[ReportOut]
    cluster_id: int | None
    opinions: list[LeadershipOpinionOut] = []


class EscalationFlagsIn(Schema):
    """Escalation facts (R-M3-02 a/c, R-M3-03 a/b/c, R-M3-05); a field left out is not changed."""

    litigation: bool | None = Field(None, description="已引起诉讼")
    media_exposed: bool | None = Field(None, description="已被媒体曝光")
    media_or_litigation_risk: bool | None = Field(None, description="可能引起诉讼或媒体曝光")
    collective: bool | None = None
    people_count: int | None = Field(None, ge=1, le=100000)
    our_side: bool | None = Field(None, description="我方原因（旧字段；false 记为“其他原因”）；更改须填 reason")
    attribution: Attribution | None = Field(None, description="责任归属：ours/developer/municipal/customer/other；更改须填 reason")
    source: Source | None = Field(None, description="渠道（来源单位）；改为 group_hq/government 时交由品质管理部负责")
    reason: str = Field("", max_length=1000)


class LeadershipOpinionIn(Schema):
    opinion: str = Field(max_length=4000)
    given_on: dt.date
    given_by_name: str = Field("", max_length=100, description="提出意见的领导；领导本人记录时可留空")


class EscalationVisitProblemIn(Schema):
    reason: str = Field(max_length=1000)


class MajorChangeIn(Schema):
    """A major change in the situation of a major complaint, already phoned to the group (R-M3-08)."""

    situation_change: str = Field(max_length=4000, description="事态发生的重大变化")
    current_handling: str = Field(max_length=4000, description="目前处理情况")
    phoned_to: str = Field(max_length=100, description="电话报告的集团物业管理部人员（姓名、职务）")
    phoned_at: PastMoment = Field(description="电话报告时间；不带时区时按项目当地时间")


class GovernmentReportIn(Schema):
    cause: str


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


class AddIn(Schema):
    ticket_id: int


class VolumeOut(Schema):
    ticket_id: int
    volume_no: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    ticket = (Ticket.objects.filter(pk=ticket_id, project__in=access.visible_projects(request.user))
              .select_related("project").first())
    if ticket is None or not access.has_cap(request.user, Cap.VIEW_TICKETS, ticket.project):
        raise ApiError(404, "not_found", "工单不存在")
    return ticket


def _report_out(r: EscalationReport) -> dict[str, Any]:
    return {"id": r.pk, "kind": r.kind, "kind_label": r.get_kind_display(), "sequence": r.sequence,
            "recipients": r.recipients, "due_at": r.due_at, "sent_at": r.sent_at,
            "required_fields": list(REPORT_FIELDS[r.kind]), "phoned_to": r.phoned_to, "phoned_at": r.phoned_at}


def _escalation(ticket: Ticket) -> dict[str, Any]:
    reports = EscalationReport.objects.filter(ticket=ticket).order_by("created_at", "pk")
    member = ClusterMember.objects.filter(ticket=ticket).first()
    return {
        "ticket_id": ticket.pk, "number": ticket.number, "level": ticket.escalation_level,
        "complaint_level": complaint_level(ticket), "complaint_level_label": complaint_level_label(ticket),
        "attribution": {"value": ticket.attribution, "label": ticket.get_attribution_display(),
                        "reason": ticket.attribution_reason,
                        "by": str(ticket.attribution_by) if ticket.attribution_by_id else None,
                        "at": ticket.attribution_at},
        "reasons": queries.reasons_for(ticket),
        "reports": [_report_out(r) for r in reports],
        "cluster_id": member.cluster_id if member else None,
        "opinions": [{"id": o.pk, "opinion": o.opinion, "given_by_name": o.given_by_name, "given_on": o.given_on,
                      "recorded_at": o.recorded_at}
                     for o in LeadershipOpinion.objects.filter(ticket=ticket).order_by("given_on", "pk")],
    }


@router.get("/tickets/{ticket_id}", response={200: EscalationOut, **ERRORS}, summary="工单的升级级别、原因与报告")
def ticket_escalation(request: HttpRequest, ticket_id: int) -> Any:
    return _escalation(_ticket(request, ticket_id))


@router.post("/tickets/{ticket_id}/downgrade", response={200: EscalationOut, **ERRORS}, summary="人工降级（需原因）")
def ticket_downgrade(request: HttpRequest, ticket_id: int, payload: DowngradeIn) -> Any:
    ticket = _ticket(request, ticket_id)
    if payload.to_level not in Level.values:
        raise ApiError(422, "invalid", "级别不正确", {"to_level": ["不是允许的取值"]})
    actions.downgrade(ticket, to_level=payload.to_level, reason=payload.reason, acting_user=staff_user(request),
                      now=clock.now())
    return _escalation(ticket)


@router.post("/tickets/{ticket_id}/flags", response={200: EscalationOut, **ERRORS},
             summary="登记升级事实：诉讼、媒体曝光、可能诉讼/曝光、集体投诉人数、责任归属")
def ticket_flags(request: HttpRequest, ticket_id: int, payload: EscalationFlagsIn) -> Any:
    ticket = _ticket(request, ticket_id)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "") or ""
    for name in ("attribution", "source"):
        if data.get(name) is not None:
            data[name] = str(data[name])
    actions.flag_ticket(ticket, acting_user=staff_user(request), now=clock.now(), reason=reason, **data)
    ticket.refresh_from_db()
    return _escalation(ticket)


@router.post("/tickets/{ticket_id}/opinions", response={200: EscalationOut, **ERRORS},
             summary="记录领导处理意见")
def ticket_opinion(request: HttpRequest, ticket_id: int, payload: LeadershipOpinionIn) -> Any:
    ticket = _ticket(request, ticket_id)
    user = staff_user(request)
    # a leader (no ESCALATE) records their own opinion; 品质管理部/客服经理 record one a leader gave them
    leader_self = not access.has_cap(user, Cap.ESCALATE, ticket.project)
    actions.record_leadership_opinion(ticket, opinion=payload.opinion, given_on=payload.given_on, acting_user=user,
                                      now=clock.now(), given_by=user if leader_self else None,
                                      given_by_name=payload.given_by_name)
    return _escalation(ticket)


@router.post("/tickets/{ticket_id}/visit-problem", response={200: EscalationOut, **ERRORS},
             summary="走访中发现、不能及时解决的问题上报客服主管")
def ticket_visit_problem(request: HttpRequest, ticket_id: int, payload: EscalationVisitProblemIn) -> Any:
    ticket = _ticket(request, ticket_id)
    actions.report_visit_problem(ticket, reason=payload.reason, acting_user=staff_user(request), now=clock.now())
    return _escalation(ticket)


class VisitProblemResultIn(Schema):
    result: str = Field(max_length=2000, description="协调解决的结果（客服主管报客服经理）")


class VisitProblemClassifyIn(Schema):
    classification: Attribution = Field(description="问题分类：ours/developer/municipal/customer/other")
    note: str = Field("", max_length=1000)


@router.post("/tickets/{ticket_id}/visit-problem/result", response={200: EscalationOut, **ERRORS},
             summary="走访问题处理结果报客服经理（客服主管）")
def ticket_visit_result(request: HttpRequest, ticket_id: int, payload: VisitProblemResultIn) -> Any:
    ticket = _ticket(request, ticket_id)
    actions.report_visit_problem_result(ticket, result=payload.result, acting_user=staff_user(request),
                                        now=clock.now())
    return _escalation(ticket)


@router.post("/tickets/{ticket_id}/visit-problem/classification", response={200: EscalationOut, **ERRORS},
             summary="走访问题分类并报总经理（客服经理）")
def ticket_visit_classify(request: HttpRequest, ticket_id: int, payload: VisitProblemClassifyIn) -> Any:
    ticket = _ticket(request, ticket_id)
    actions.classify_visit_problem(ticket, classification=str(payload.classification), note=payload.note,
                                   acting_user=staff_user(request), now=clock.now())
    return _escalation(ticket)


@router.post("/tickets/{ticket_id}/major-change", response={200: EscalationOut, **ERRORS},
             summary="重大投诉事态重大变化：登记电话报告集团并紧急通知")
def ticket_major_change(request: HttpRequest, ticket_id: int, payload: MajorChangeIn) -> Any:
    ticket = _ticket(request, ticket_id)
    actions.report_major_change(ticket, situation_change=payload.situation_change,
                                current_handling=payload.current_handling, phoned_to=payload.phoned_to,
                                phoned_at=payload.phoned_at, acting_user=staff_user(request), now=clock.now())
    return _escalation(ticket)


@router.post("/tickets/{ticket_id}/government-report", response={200: EscalationOut, **ERRORS},
             summary="需报告政府主管部门的重大事件")
def ticket_government_report(request: HttpRequest, ticket_id: int, payload: GovernmentReportIn) -> Any:
    ticket = _ticket(request, ticket_id)
    actions.raise_government_report(ticket, cause=payload.cause, acting_user=staff_user(request), now=clock.now())
    return _escalation(ticket)


@router.post("/tickets/{ticket_id}/volume/close", response={200: VolumeOut, **ERRORS},
             summary="重大投诉单独立卷结卷")
def ticket_close_volume(request: HttpRequest, ticket_id: int) -> Any:
    ticket = _ticket(request, ticket_id)
    volume: ArchiveVolume = actions.close_volume(ticket, acting_user=staff_user(request), now=clock.now())
    return {"ticket_id": ticket.pk, "volume_no": volume.volume_no, "opened_at": volume.opened_at,
            "closed_at": volume.closed_at}


class EscalationVolumeItemOut(Schema):
    """One piece of a major complaint's volume: a reply or letter (correspondence) or an attachment (evidence)."""

    kind: str
    at: dt.datetime | None
    title: str
    text: str


class EscalationVolumeOut(Schema):
    """重大投诉单独立卷 (R-M6-04): number, state, what is still missing before 结卷, and its contents."""

    ticket_id: int
    number: str
    volume_no: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    closed_by: str | None
    missing: str
    reports: list[ReportOut]
    correspondence: list[EscalationVolumeItemOut]
    evidence: list[EscalationVolumeItemOut]


@router.get("/tickets/{ticket_id}/volume", response={200: EscalationVolumeOut, **ERRORS},
            summary="重大投诉单独立卷：报告、往来函件、证据材料")
def ticket_volume(request: HttpRequest, ticket_id: int) -> Any:
    ticket = _ticket(request, ticket_id)
    volume = ArchiveVolume.objects.filter(ticket=ticket).select_related("closed_by").first()
    if volume is None:
        raise ApiError(404, "not_found", "该投诉没有单独立卷")
    ok, missing = queries.can_archive(ticket)
    parts = volumes.contents(ticket)
    correspondence = [
        *({"kind": "reply", "at": x.sent_at, "title": f"{x.get_recipient_display()} · {x.get_channel_display()}",
           "text": x.content} for x in parts["replies"]),
        *({"kind": "developer_letter", "at": x.sent_at, "title": x.document_no, "text": x.content}
          for x in parts["letters"]),
        *({"kind": "leadership_opinion", "at": x.recorded_at, "title": x.given_by_name, "text": x.opinion}
          for x in parts["opinions"]),
    ]
    return {"ticket_id": ticket.pk, "number": ticket.number, "volume_no": volume.volume_no,
            "opened_at": volume.opened_at, "closed_at": volume.closed_at,
            "closed_by": str(volume.closed_by) if volume.closed_by_id else None, "missing": "" if ok else missing,
            "reports": [_report_out(r) for r in parts["reports"]], "correspondence": correspondence,
            "evidence": [{"kind": "attachment", "at": a.uploaded_at, "title": a.caption or a.file.name, "text": ""}
                         for a in parts["attachments"]]}


@router.post("/reports/{report_id}/submit", response={200: ReportOut, **ERRORS}, summary="填写并报送升级报告")
def report_submit(request: HttpRequest, report_id: int, payload: ReportIn) -> Any:
    report = EscalationReport.objects.filter(pk=report_id).select_related("ticket__project").first()
    if report is None:
        raise ApiError(404, "not_found", "报告不存在")
    _ticket(request, report.ticket_id)
    fields = {k: v for k, v in payload.dict().items() if k in REPORT_FIELDS[report.kind]}
    r = actions.submit_report(report, acting_user=staff_user(request), now=clock.now(), **fields)
    return _report_out(r)


def _members() -> Prefetch[Any]:
    return Prefetch("members", to_attr="members_in_order",
                    queryset=ClusterMember.objects.select_related("ticket").order_by("ticket__received_at"))


def _cluster(request: HttpRequest, cluster_id: int) -> ComplaintCluster:
    cluster = visible_clusters(request).filter(pk=cluster_id).first()
    if cluster is None:
        raise ApiError(404, "not_found", "相同投诉组不存在")
    return cluster


def _cluster_out(cluster: ComplaintCluster) -> dict[str, Any]:
    """The group as stored now (re-read with its members: an action may have changed both)."""
    fresh = ComplaintCluster.objects.prefetch_related(_members()).get(pk=cluster.pk)
    return _cluster_dict(fresh)


def _cluster_dict(cluster: ComplaintCluster) -> dict[str, Any]:
    members: list[ClusterMember] = cluster.members_in_order  # type: ignore[attr-defined]  # Prefetch to_attr
    return {"id": cluster.pk, "project_id": cluster.project_id, "title": cluster.title, "state": cluster.state,
            "distinct_complainants": cluster.distinct_complainants,
            "members": [{"ticket_id": m.ticket_id, "number": m.ticket.number, "received_at": m.ticket.received_at,
                         "score": m.score, "marked_distinct": m.marked_distinct} for m in members]}


@router.get("/clusters", response={200: list[ClusterOut], **ERRORS}, summary="相同投诉组列表")
def cluster_list(request: HttpRequest, state: str | None = None) -> Any:
    qs = open_clusters(request)
    if state:
        qs = qs.filter(state=state)
    return [_cluster_dict(c) for c in qs.prefetch_related(_members()).order_by("-created_at")[:100]]


@router.get("/clusters/{cluster_id}", response={200: ClusterOut, **ERRORS}, summary="相同投诉组",
            url_name="escalation_cluster")
def cluster_detail(request: HttpRequest, cluster_id: int) -> Any:
    return _cluster_out(_cluster(request, cluster_id))


@router.post("/clusters/{cluster_id}/confirm", response={200: ClusterOut, **ERRORS}, summary="确认为相同投诉")
def cluster_confirm(request: HttpRequest, cluster_id: int) -> Any:
    cluster = _cluster(request, cluster_id)
    actions.confirm_cluster(cluster, acting_user=staff_user(request), now=clock.now())
    return _cluster_out(cluster)


@router.post("/clusters/{cluster_id}/reject", response={200: ClusterOut, **ERRORS},
             summary="否定系统建议的相同投诉组（不是同一投诉）")
def cluster_reject(request: HttpRequest, cluster_id: int) -> Any:
    cluster = _cluster(request, cluster_id)
    actions.reject_cluster(cluster, acting_user=staff_user(request), now=clock.now())
    return _cluster_out(cluster)


class ClusterDistinctIn(Schema):
    distinct: bool = True


@router.post("/clusters/{cluster_id}/members/{ticket_id}/distinct", response={200: ClusterOut, **ERRORS},
             summary="匿名投诉人确认为（或取消）不同投诉人")
def cluster_member_distinct(request: HttpRequest, cluster_id: int, ticket_id: int, payload: ClusterDistinctIn) -> Any:
    cluster = _cluster(request, cluster_id)
    member = ClusterMember.objects.filter(cluster=cluster, ticket_id=ticket_id).first()
    if member is None:
        raise ApiError(404, "not_found", "该投诉不在本组中")
    actions.mark_distinct(member, distinct=payload.distinct, acting_user=staff_user(request), now=clock.now())
    return _cluster_out(cluster)


@router.post("/clusters/{cluster_id}/split", response={200: ClusterOut, **ERRORS}, summary="拆分相同投诉组")
def cluster_split(request: HttpRequest, cluster_id: int, payload: SplitIn) -> Any:
    cluster = _cluster(request, cluster_id)
    actions.split_cluster(cluster, ticket_ids=payload.ticket_ids, acting_user=staff_user(request), now=clock.now(),
                          title=payload.title)
    return _cluster_out(cluster)


@router.post("/clusters/{cluster_id}/merge", response={200: ClusterOut, **ERRORS}, summary="合并相同投诉组")
def cluster_merge(request: HttpRequest, cluster_id: int, payload: MergeIn) -> Any:
    cluster = _cluster(request, cluster_id)
    others = list(visible_clusters(request).filter(pk__in=payload.others))
    if len(others) != len(set(payload.others)):
        raise ApiError(404, "not_found", "相同投诉组不存在", {"others": ["包含不存在的组"]})
    actions.merge_clusters(cluster, others, acting_user=staff_user(request), now=clock.now())
    return _cluster_out(cluster)


@router.post("/clusters/{cluster_id}/add", response={200: ClusterOut, **ERRORS}, summary="把遗漏的投诉加入本组")
def cluster_add(request: HttpRequest, cluster_id: int, payload: AddIn) -> Any:
    cluster = _cluster(request, cluster_id)
    ticket = _ticket(request, payload.ticket_id)
    actions.add_to_cluster(cluster, ticket, acting_user=staff_user(request), now=clock.now())
    return _cluster_out(cluster)
