"""Demo audits: the seed standard loaded for the demo company and one supervision audit per demo
project over last month, scored through the real actions — in the first project the auditor overrides
the pre-checks (with reasons), in the others confirms them; a few items are found not met."""
from __future__ import annotations

import datetime as dt

from apps.audits import actions
from apps.audits.models import AuditFinding, FindingResult
from apps.org.models import Company, Membership, Project
from apps.org.roles import Role
from linli import clock

NOT_MET = {"A1.1": ("保安两人未按规定着装", 2), "B2.2": ("两宗复杂投诉未填写《顾客投诉处理记录表》", 1),
           "C1.3": ("中秋活动通知只提前两天张贴", 1)}


def load_demo_audits(company: Company, *, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    auditor = (Membership.objects.filter(company=company, role=Role.QUALITY).select_related("user")
               .order_by("pk").first())
    if auditor is None:
        return 0
    actions.load_seed_standard(company=company, acting_user=auditor.user, now=now)
    today = clock.local(now).date()
    end = today.replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    count = 0
    for i, project in enumerate(Project.objects.filter(company=company).order_by("code")):
        audit = actions.open_audit(project=project, audited_on=today, period_start=start, period_end=end,
                                   acting_user=auditor.user, now=now)
        if i == 0:
            for f in AuditFinding.objects.filter(audit=audit).exclude(suggested="").exclude(suggested="unknown"):
                other = FindingResult.CONFORM if f.suggested == FindingResult.NONCONFORM else FindingResult.NONCONFORM
                actions.answer_item(finding=f, result=other, note="现场核实与系统记录不一致",
                                    override_reason="现场查阅纸质记录，与系统预检结果不同", acting_user=auditor.user, now=now)
        else:
            actions.confirm_suggestions(audit=audit, acting_user=auditor.user, now=now)
        for f in AuditFinding.objects.filter(audit=audit, result="").select_related("item"):
            if f.item.code in NOT_MET and i != 1:
                note, n = NOT_MET[f.item.code]
                actions.answer_item(finding=f, result=FindingResult.NONCONFORM, count=n, note=note,
                                    override_reason="现场核实", acting_user=auditor.user, now=now)
            else:
                actions.answer_item(finding=f, result=FindingResult.CONFORM, override_reason="现场核实",
                                    acting_user=auditor.user, now=now)
        actions.complete_audit(audit=audit, summary="总体符合督导标准，个别项目需整改", acting_user=auditor.user, now=now)
        count += 1
    return count
