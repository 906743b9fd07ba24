"""Demo escalation for ``make run``: the demo tickets' same-complaint groups that reached the hot
threshold are confirmed by the project's 客服主管, as staff would (R-M3-04: the system only suggests),
so the demo shows a hot complaint that came from a confirmed group. Deterministic."""
from __future__ import annotations

import datetime as dt

from apps.escalation import actions, queries
from apps.escalation.models import ClusterState, ComplaintCluster
from apps.org.models import Company, Membership
from apps.org.roles import Role
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
    return confirmed
