"""Demo assessments: the section 4 catalogue for the demo company and last month's sheets for the CS
staff of each project, filled by the project's 客服主管 through the real actions (AS-35-like entries,
a praise, a spot check by the 客服经理); the first project's sheets are submitted and signed off."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.assessments import actions
from apps.assessments.models import CatalogueItem, EntrySource
from apps.org.models import Company, Membership, Project
from apps.org.roles import Role
from linli import clock

STAFF_ROLES = (Role.FRONT_DESK, Role.BUTLER, Role.BUILDING_STEWARD)
ENTRIES = [("1.1", 2, None, "早班两次未及时接待来访业主"), ("5.6", 1, None, "午休后穿拖鞋在前台"),
           ("1.4", 1, Decimal("6"), "业主投诉未主动问候"), ("5.2", 1, Decimal("0.5"), "长发未扎")]


def load_demo_assessments(company: Company, *, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    catalogue = actions.load_seed_catalogue(company=company, now=now)
    items = {i.code: i for i in CatalogueItem.objects.filter(catalogue=catalogue)}
    period = clock.local(now).date().replace(day=1) - dt.timedelta(days=1)
    period = period.replace(day=1)
    count = 0
    for p_index, project in enumerate(Project.objects.filter(company=company).order_by("code")):
        supervisor = Membership.objects.filter(project=project, role=Role.CS_SUPERVISOR).order_by("pk").first()
        manager = Membership.objects.filter(project=project, role=Role.CS_MANAGER).order_by("pk").first()
        if supervisor is None:
            continue
        staff = (Membership.objects.filter(project=project, role__in=STAFF_ROLES).exclude(user=supervisor.user)
                 .select_related("user").order_by("pk"))
        for s_index, m in enumerate(staff[:6]):
            sheet = actions.open_sheet(employee=m.user, project=project, period=period, acting_user=supervisor.user,
                                       now=now)
            for e_index, (code, qty, value, note) in enumerate(ENTRIES):
                if (s_index + e_index) % 3 == 0:
                    actions.add_entry(sheet=sheet, item=items[code], value=value, quantity=qty,
                                      source=EntrySource.DEPARTMENT_CHECK, occurred_on=period + dt.timedelta(days=3 + e_index),
                                      note=note, acting_user=supervisor.user, now=now)
            if s_index == 0:
                actions.add_entry(sheet=sheet, source=EntrySource.CUSTOMER_PRAISE, occurred_on=period + dt.timedelta(days=9),
                                  note="业主来电表扬服务热情", acting_user=supervisor.user, now=now)
            if p_index == 0 and manager is not None and manager.user_id != m.user_id:
                actions.submit_sheet(sheet=sheet, acting_user=supervisor.user, now=now)
                if s_index == 0:
                    actions.add_entry(sheet=sheet, item=items["5.4"], source=EntrySource.MANAGER_SPOT_CHECK,
                                      occurred_on=period + dt.timedelta(days=12), note="抽查发现靠墙站立",
                                      acting_user=manager.user, now=now)
                actions.sign_off_sheet(sheet=sheet, note="同意", acting_user=manager.user, now=now)
            count += 1
    return count
