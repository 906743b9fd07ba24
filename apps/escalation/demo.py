"""Demo escalation for ``make run``: the demo tickets' same-complaint groups that reached the hot
threshold are confirmed by the project's 客服主管, as staff would (R-M3-04: the system only suggests),
so the demo shows a hot complaint that came from a confirmed group; and the first major complaint's
major change in the situation is phoned to the group and recorded (R-M3-08). Deterministic."""
from __future__ import annotations

import datetime as dt

from apps.escalation import actions, queries
from apps.escalation.models import ClusterState, ComplaintCluster, EscalationReport, ReportKind
from apps.org.models import Company, Membership
from apps.org.roles import Role
from apps.tickets.models import Ticket
from linli import clock


def load_demo_escalation(company: Company, *, now: dt.datetime | None = None) -> int:
    """Confirm each suggested group of ``company`` with at least the hot number of distinct complainants;
    returns how many were confirmed."""
    now = now or clock.now()
    confirmed = 0
    for cluster in (ComplaintCluster.objects.filter(project__company=company, state=ClusterState.SUGGESTED)
                    .select_related("project").order_by("pk")):
        if cluster.distinct_complainants < queries.thresholds_for(cluster.project).hot_distinct_complainants:
            continue
        supervisor = (Membership.objects.filter(project=cluster.project, role=Role.CS_SUPERVISOR)
                      .select_related("user").order_by("pk").first())
        if supervisor is None:
            continue
        actions.confirm_cluster(cluster, acting_user=supervisor.user, now=now)
        confirmed += 1
    _demo_major_change(company, now=now)
    return confirmed


def _demo_major_change(company: Company, *, now: dt.datetime) -> None:
    """R-M3-08: the 客服经理 phoned the group about a major change in a major complaint — the first open
    one, else the oldest open complaint, which the manager first records as exposed by the media."""
    open_complaints = (Ticket.objects.filter(project__company=company, kind="complaint", closed_at=None)
                       .exclude(status="voided").select_related("project").order_by("received_at", "pk"))
    ticket = open_complaints.filter(escalation_level="major").first() or open_complaints.first()
    if ticket is None or EscalationReport.objects.filter(ticket=ticket, kind=ReportKind.MAJOR_CHANGE).exists():
        return
    manager = (Membership.objects.filter(project=ticket.project, role=Role.CS_MANAGER)
               .select_related("user").order_by("pk").first())
    if manager is None:
        return
    if ticket.escalation_level != "major":
        actions.flag_ticket(ticket, acting_user=manager.user, now=now, media_exposed=True,
                            reason="业主已向本地电视台反映，节目已播出")
        ticket.refresh_from_db()
        if ticket.escalation_level != "major":
            return
    phoned_at = max(ticket.received_at, now - dt.timedelta(hours=1))
    actions.report_major_change(
        ticket, situation_change="业主代表称已联系电视台，明日将到小区采访，部分业主准备聚集到管理处",
        current_handling="客服经理已约业主代表当面沟通，整改方案今晚报公司审批", phoned_to="集团物业管理部 值班经理",
        phoned_at=phoned_at, acting_user=manager.user, now=now)
