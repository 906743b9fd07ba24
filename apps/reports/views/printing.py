"""Printable paper records (SPEC §0.2: every named paper form printable under its Chinese name).

- 《顾客意见(投诉/建议)处理表》: one ticket — intake, dispatch, handling, replies, verification,
  return visit, closure, deadlines.
- 《工作信息记录本》: one page per day — every ticket received that day, in order.
- report rows for the .xlsx export of a fixed report, and the report as its exports show it
  (:func:`shown_report`: phone and ID numbers in its texts masked unless the exporting user holds a grant).

Who may open them: users who may see the ticket. What they show (issue 14 item 9, R-M7-01/R-M7-03):
the owner's name and phone masked (``张**``, ``138****5678``) unless the printing user holds a
department head's grant (``unmasked=True``, decided by the view through apps.estates.actions.print_grant);
the view writes every print to the read log. A VIP's room is masked too (``5栋2单元****``, R-M7-03: any
field of a VIP person needs the grant); the building stays so the form can still be filed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.estates.masking import mask_name, mask_phone, mask_room
from apps.reports.reading import has_personal_numbers, keep_unmasked, shown_report
from apps.tickets.models import Deadline, Dispatch, Reply, ReturnVisit, Ticket, Verification

__all__ = ["has_personal_numbers", "keep_unmasked", "report_rows", "shown_report", "ticket_form", "worklog"]


def _customer(t: Ticket, unmasked: bool = False) -> str:
    if t.anonymous:
        return "匿名"
    if t.person_id and t.person:
        return t.person.name if unmasked else mask_name(t.person.name)
    return f"{t.complainant_surname}（先生/女士）" if t.complainant_surname else ""


def _phone(t: Ticket, unmasked: bool) -> str:
    return (t.phone or "") if unmasked else mask_phone(t.phone)


def _address(t: Ticket, unmasked: bool) -> str:
    """The household's 房号 (or the free address): a VIP's room masked unless the print is granted."""
    household = t.household if t.household_id else None
    label = household.label if household is not None else (t.address or "")
    vip = bool(t.person_id and t.person and t.person.is_vip)
    if unmasked or not vip:
        return label
    return mask_room(label, household.room_no if household is not None else None)


# The layouts one ticket prints in (R-M1-06, R-M2-17, R-M2-20): title and the sections it carries. Every
# layout is the same ticket (the single electronic register) through the one template reports/form_ticket.html.
TICKET_LAYOUTS: dict[str, tuple[str, frozenset[str]]] = {
    # 《顾客意见(投诉/建议)处理表》 (篇4): the whole file
    "handling": ("顾客意见(投诉/建议)处理表",
                 frozenset({"dispatches", "replies", "attachments", "verifications", "return_visits", "deadlines"})),
    # 顾客投诉信息登记表 (篇3): what the receiver registers, the agreed feedback time and the closing courtesy
    "register": ("顾客投诉信息登记表", frozenset({"intake", "deadlines"})),
    # 《用户投诉记录》 (篇5): the complained-about department's record — contact, measures, result, return visit
    "user_record": ("用户投诉记录", frozenset({"dispatches", "replies", "verifications", "return_visits"})),
    # 《顾客投诉处理记录表》 (R-M2-17): a difficult complaint — named handler, why listed, handling, result
    "record_form": ("顾客投诉处理记录表",
                    frozenset({"record_form", "dispatches", "replies", "verifications", "return_visits", "deadlines"})),
}


def ticket_layout(value: str | None) -> str:
    """The layout asked for (``?layout=``); anything unknown is the 处理表."""
    return value if value in TICKET_LAYOUTS else "handling"


def ticket_form(ticket: Ticket, *, unmasked: bool = False, layout: str = "handling") -> dict[str, Any]:
    t = (Ticket.objects.select_related("project", "receiver", "household", "person", "category", "department",
                                       "handler", "closed_by")
         .prefetch_related(Prefetch("dispatches", queryset=Dispatch.objects.select_related("department", "assignee")
                                    .order_by("dispatched_at", "id")),
                           Prefetch("replies", queryset=Reply.objects.select_related("author").order_by("created_at")),
                           Prefetch("verifications", queryset=Verification.objects.select_related("verifier")),
                           Prefetch("return_visits", queryset=ReturnVisit.objects.select_related("visitor")),
                           Prefetch("deadlines", queryset=Deadline.objects.order_by("cycle", "start_at", "id")))
         .get(pk=ticket.pk))
    kind_name = {"complaint": "投诉", "suggestion": "建议"}.get(t.kind, t.get_kind_display())
    title, sections = TICKET_LAYOUTS[ticket_layout(layout)]
    record_form_note = ""
    if "record_form" in sections:  # why and by whom it was listed (the flag's timeline entry)
        listed = t.events.filter(extra__changes__has_key="record_form").order_by("at", "id").first() \
            if t.record_form else None
        record_form_note = listed.message if listed is not None else ""
    return {
        "layout": ticket_layout(layout), "sections": sections, "record_form_note": record_form_note,
        "t": t, "form_title": title, "kind_name": kind_name, "customer": _customer(t, unmasked),
        "unmasked": unmasked,  # the owner's texts: phone and ID numbers in them masked unless granted
        "phone": _phone(t, unmasked),
        "address": _address(t, unmasked),
        "dispatches": list(t.dispatches.all()), "replies": [r for r in t.replies.all() if r.sent_at],
        "verifications": list(t.verifications.all()), "return_visits": list(t.return_visits.all()),
        "deadlines": list(t.deadlines.all()),
        # R-M6-03: the online post's address and its captures (PDF/image) are printed with the file
        "attachments": list(t.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")),
    }


def worklog(tickets: QuerySet[Ticket], *, project: Any, day: dt.date, unmasked: bool = False) -> dict[str, Any]:
    """《工作信息记录本》 of ``day`` (project time): received tickets in order of receipt."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=project.tz)
    end = start + dt.timedelta(days=1)
    rows = (tickets.filter(received_at__gte=start, received_at__lt=end)
            .select_related("receiver", "household", "person", "department", "handler", "category")
            .order_by("received_at", "pk"))
    return {"project": project, "day": day, "unmasked": unmasked, "rows": [
        {"t": t, "customer": _customer(t, unmasked), "phone": _phone(t, unmasked), "address": _address(t, unmasked)}
        for t in rows]}


def report_rows(report: Any) -> Iterator[list[Any]]:
    """Rows of a report's figures for the workbook (structured figures, or the older flat ones)."""
    f = report.figures or {}
    if "kpis" not in f:
        for key, value in f.items():
            yield ["数据", key, value if isinstance(value, (int, float, str)) else str(value), "", ""]
    else:
        for row in f["kpis"]:
            counts = "，".join(f"{k}={v}" for k, v in row.get("counts", {}).items())
            yield ["指标", row["label"], row["value"], row["unit"], counts]
        for table in f.get("tables", []):
            for r in table["rows"]:
                yield [table["title"], r["label"], r["count"], "件", ""]
        for item in f.get("items", []):
            yield ["公布事项", item["category"], item["count"], "件", "；".join(item.get("measures", []))]
        for case in f.get("cases", []):
            yield ["典型案例", case["number"], case["category"], case["level"], case["summary"]]
        for row in f.get("legacy", []):
            yield ["地产遗留", row["project"], row["count"], "件", f"未关闭 {row['open']}"]
        for row in f.get("trend", []):
            yield ["趋势", row["label"], row["count"], "件", ""]
        for table in f.get("visit_tables", []):
            for r in table["rows"]:
                yield [table["title"], r["label"], r["count"], table.get("unit", ""), ""]
        for p in f.get("open_problems", []):
            yield ["未解决/无法解决问题", f"{p['day']} {p['household']}", p["description"], p["status"],
                   "；".join(x for x in (p["category"], p["department"], p["reason"], p["ticket"]) if x)]
    for key, text in (report.sections or {}).items():
        if text:
            yield ["正文", key, text, "", ""]
