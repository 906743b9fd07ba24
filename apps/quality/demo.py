"""Demo NCRs for ``make run``: in each residential project of the demo company, the first same-lift
complaint turns out to need a company decision (the lift's main board must be replaced, beyond the
project's spending authority), so the 客服经理 raises a 《不合格/纠正、预防措施报告》 — signed by the
管理者代表 in the first project, still awaiting signature (handling blocked, R-M2-04) in the others.
Built through the real actions; deterministic for a "now"."""
from __future__ import annotations

import datetime as dt

from apps.org.models import Company, Membership, Project
from apps.org.roles import Role
from apps.quality import actions
from apps.tickets.models import Ticket
from linli import clock


def load_demo_ncrs(company: Company, *, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    rep = (Membership.objects.filter(company=company, role=Role.MANAGEMENT_REP).select_related("user")
           .order_by("pk").first())
    if rep is None:  # without a 管理者代表 no report can be raised (raise_ncr refuses: no_management_rep)
        return 0
    count = 0
    for i, project in enumerate(Project.objects.filter(company=company, kind="residential").order_by("code")):
        manager = (Membership.objects.filter(project=project, role=Role.CS_MANAGER).select_related("user")
                   .order_by("pk").first())
        ticket = (Ticket.objects.filter(project=project, kind="complaint", status="received",
                                        content__contains="电梯").order_by("received_at", "pk").first())
        if manager is None or ticket is None:
            continue
        raised_at = min(ticket.received_at + dt.timedelta(hours=2), now)
        with clock.frozen(raised_at):
            report = actions.raise_ncr(
                ticket=ticket, acting_user=manager.user, now=raised_at,
                nonconformity=f"{ticket.content}。经工程部检查，电梯主板老化需整体更换。",
                beyond_authority_reason="更换主板费用约6万元，超出管理处审批权限，须报公司决定并动用维修资金",
                cause_analysis="电梯使用超过十年，主板元件老化，日常维保未能提前发现")
        count += 1
        if i == 0:
            signed_at = min(raised_at + dt.timedelta(hours=3), now)
            with clock.frozen(signed_at):
                actions.sign_ncr(report=report, opinion="同意更换主板，先行启用维修资金，工程部一周内完成并报品质部",
                                 acting_user=rep.user, now=signed_at)
    return count
