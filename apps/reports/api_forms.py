"""The printable paper forms through the API (mounted at /api/v1/reports/forms), as the pages print them
(R-M7-01, R-M7-03):

- ``GET /ticket/{ticket_id}`` — 《顾客意见(投诉/建议)处理表》 of one ticket the user may see (PDF);
- ``GET /worklog?project=&day=`` — 《工作信息记录本》 of one day in one project (PDF).

The owner's name, phone and a VIP's room are masked unless the user may reveal personal data *and* holds
a department head's grant in that project (:func:`apps.estates.actions.print_grant`); every print, masked
or not, writes its row in the customer-data read log (:func:`apps.estates.actions.log_print`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from ninja import Query, Router, Schema
from pydantic import Field

from apps.core.api_errors import ERRORS, ApiError
from apps.core.exports import render_pdf
from apps.estates import actions as estates_actions
from apps.org import access
from apps.reports.views import printing as forms_print
from apps.tickets.access import TicketNotFound, access_ticket, visible_tickets

router = Router(tags=["reports"])


class ReportsWorklogQuery(Schema):
    project: int = Field(ge=1, le=2**31 - 1, description="项目 id")
    day: dt.date = Field(description="日期（项目当地时间），YYYY-MM-DD")


def _pdf(template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(render_to_string(template, {**context, "pdf": True})),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@router.get("/ticket/{ticket_id}", response={200: None, **ERRORS},
            summary="打印《顾客意见(投诉/建议)处理表》（PDF；姓名、电话遮蔽，持授权者完整；记入查阅记录）")
def ticket_form(request: HttpRequest, ticket_id: int,
                layout: Literal["handling", "register", "user_record", "record_form"] = "handling") -> Any:
    """``layout``: handling 处理表 (篇4), register 顾客投诉信息登记表 (篇3), user_record 用户投诉记录 (篇5),
    record_form 顾客投诉处理记录表 (R-M1-06, R-M2-17, R-M2-20)."""
    user: Any = request.user
    try:
        ticket = access_ticket(user, ticket_id)
    except TicketNotFound:
        raise ApiError(404, "not_found", "记录不存在或无权查看") from None
    grant = estates_actions.print_grant(user, ticket.project)
    title = "处理表" if layout == "handling" else forms_print.TICKET_LAYOUTS[layout][0]
    response = _pdf("reports/form_ticket.html", forms_print.ticket_form(ticket, unmasked=grant is not None, layout=layout),
                    f"{ticket.number}-{title}.pdf")
    estates_actions.log_print(user, ticket.project, grant=grant, rows=1, household=ticket.household,
                              person=ticket.person, screen=f"API 打印：{'顾客意见处理表' if layout == 'handling' else title} {ticket.number}")
    return response


@router.get("/worklog", response={200: None, **ERRORS},
            summary="打印《工作信息记录本》（一天一项目，PDF；姓名、电话遮蔽，持授权者完整；记入查阅记录）")
def worklog(request: HttpRequest, query: Query[ReportsWorklogQuery]) -> Any:
    user: Any = request.user
    project = access.visible_projects(user).filter(pk=query.project).first()
    if project is None:
        raise ApiError(404, "not_found", "项目不存在或无权查看", {"project": ["项目不存在或无权查看"]})
    grant = estates_actions.print_grant(user, project)
    ctx = forms_print.worklog(visible_tickets(user).filter(project=project), project=project, day=query.day,
                              unmasked=grant is not None)
    response = _pdf("reports/form_worklog.html", ctx, f"工作信息记录本-{query.day}.pdf")
    estates_actions.log_print(user, project, grant=grant, rows=len(ctx["rows"]),
                              screen=f"API 打印：工作信息记录本 {query.day}")
    return response
