"""Urgent internal notice of an online complaint (R-M17-10, R-M2-09), raised at intake.

Every intake path (the staff ticket page, ``POST /api/v1/tickets``, the owners' portal) calls
``actions.receive_ticket``, which publishes ``tickets.received``; the durable job
``tickets.online_complaint_notice`` reacts to it for complaints. When the complaint came in online
(``Channel.ONLINE``: 网上回帖/APP/微信, the owners' portal), it sends one **urgent** notice (in-app and
SMS, ``apps.notify.actions.notify_staff(urgent=True)``) to the people R-M2-09 names:

- the company's 品质管理部 (its information administrator forwards the complaint by email and telephones
  the 管理处 at once, then records both on the ticket: ``actions.record_online_notification``);
- the project's 管理处经理 and its designated intake post(s) (R-M1-07);
- the head of the responsible department, when one is set.

Idempotent: the notice carries a dedupe key per ticket, so a retried job tells nobody twice.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from apps.core import jobs
from apps.notify.actions import notify_staff
from apps.org.models import Membership
from apps.org.roles import Role
from apps.tickets.channels import intake_roles
from apps.tickets.choices import Channel, Kind
from apps.tickets.models import Ticket
from linli import clock

ONLINE_COMPLAINT_NOTICE = "tickets.online_complaint_notice"
NOTICE_KIND = "online_complaint"


def online_complaint_recipients(ticket: Ticket) -> list[Any]:
    """品质管理部 of the company, the 管理处经理 and the designated intake posts of the project, and the
    responsible department's head (R-M2-09) — active users, each once, in a stable order."""
    roles = {Role.PROJECT_MANAGER, *intake_roles(ticket.project)}
    q = Membership.objects.filter(project=ticket.project, role__in=roles)
    q = q | Membership.objects.filter(company_id=ticket.project.company_id, role=Role.QUALITY)
    if ticket.department_id:
        q = q | Membership.objects.filter(department_id=ticket.department_id, role=Role.DEPT_HEAD)
    people: dict[int, Any] = {}
    for m in q.select_related("user").order_by("user_id", "id"):
        if m.user.is_active:
            people.setdefault(m.user_id, m.user)
    return list(people.values())


@jobs.handler(ONLINE_COMPLAINT_NOTICE)
def online_complaint_notice(*, ticket_id: int, now: str = "", **_: object) -> None:
    ticket = Ticket.objects.select_related("project").filter(pk=ticket_id).first()
    if ticket is None or ticket.kind != Kind.COMPLAINT or ticket.channel != Channel.ONLINE:
        return
    moment = dt.datetime.fromisoformat(now) if now else clock.now()
    notify_staff(online_complaint_recipients(ticket), kind=NOTICE_KIND, urgent=True,
                 subject=f"网上投诉 {ticket.number}：请立即处理",
                 body=(f"{ticket.content[:200]}\n品质管理部：请立即邮件转发责任部门负责人及管理处指定岗位，"
                       "并电话通知管理处经理，在工单上登记通知时间；管理处：请立即调查，"
                       "将事实和拟采取的措施报品质管理部，网上回复须经品质管理部审核后发布。"),
                 link=f"/tickets/{ticket.pk}/", project=ticket.project,
                 dedupe_key=f"online-complaint:{ticket.pk}", now=moment)


def register() -> None:
    jobs.react("tickets.received", ONLINE_COMPLAINT_NOTICE, when=lambda p: p.get("kind") == Kind.COMPLAINT)
