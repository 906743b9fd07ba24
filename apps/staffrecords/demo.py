"""Demo staff records: certificates of each project's staff registered by the 办公室主任 through the real
action — most valid, one expiring within the warning window and one expired per project (R-M19-10)."""
from __future__ import annotations

import datetime as dt

from apps.org.models import Company, Membership, Project
from apps.org.roles import Role
from apps.staffrecords import actions
from apps.staffrecords.models import Certificate
from linli import clock

# role → (kind, name, issuer, number prefix)
CERTS: dict[str, tuple[str, str, str, str]] = {
    Role.PROJECT_MANAGER: ("property_management", "物业管理从业资格证（经理）", "市住房和城乡建设局", "WY"),
    Role.CS_MANAGER: ("property_management", "物业管理从业资格证", "市住房和城乡建设局", "WY"),
    Role.CS_SUPERVISOR: ("post", "客服主管岗位证书", "市物业管理协会", "GW"),
    Role.FRONT_DESK: ("post", "客服员岗位证书", "市物业管理协会", "GW"),
    Role.BUILDING_STEWARD: ("post", "楼宇管理员岗位证书", "市物业管理协会", "GW"),
    Role.WORKER: ("electrician", "低压电工作业证", "市应急管理局", "DG"),
}


def load_demo_staffrecords(company: Company, *, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    if Certificate.objects.filter(company=company).exists():
        return 0
    director = Membership.objects.filter(company=company, role=Role.OFFICE_DIRECTOR).order_by("pk").first()
    if director is None:
        return 0
    today = clock.local(now).date()
    count = 0
    for p_index, project in enumerate(Project.objects.filter(company=company).order_by("code")):
        members = Membership.objects.filter(project=project, role__in=list(CERTS)).select_related("user").order_by("pk")
        for m_index, m in enumerate(members):
            kind, name, issuer, prefix = CERTS[m.role]
            if m_index == 1:
                valid_until: dt.date | None = today - dt.timedelta(days=12)  # expired: flagged
            elif m_index == 2:
                valid_until = today + dt.timedelta(days=25)  # expiring: warned
            elif kind == "property_management":
                valid_until = None  # long-term
            else:
                valid_until = today.replace(year=today.year + 2, day=1)
            issued_on = (valid_until or today).replace(day=1) - dt.timedelta(days=3 * 365)
            issued_on = min(issued_on, today)
            actions.add_certificate(
                acting_user=director.user, now=now, holder=m.user, kind=kind, name=name, issuer=issuer,
                number=f"{prefix}-{project.code}-{2020 + m_index:04d}{m.user.pk:04d}", issued_on=issued_on,
                valid_until=valid_until, note="" if p_index else "演示数据")
            count += 1
    return count
