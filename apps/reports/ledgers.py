"""Registers and weekly/period queries of SPEC M5 that are plain lists, not fixed reports.

- ``complaint_ledger`` / ``repair_ledger`` (投诉台账 / 报修台账, R-M5-16): every complaint or repair of
  a scope with its time stamps, as header + row iterator for the streaming .xlsx export.
- ``steward_weekly`` (楼宇员每周分析, R-M5-11): the events reported in a steward's buildings in one
  week and how far they are completed. The steward's buildings come from ``estates.Building.steward``
  when that field exists; otherwise from the buildings of the tickets the steward received.
- ``subject_of`` (R-M5-15): the 投诉主体 dimension (物业管理 / 地产 / 市政).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from apps.estates.masking import mask_text
from apps.estates.models import Building
from apps.repairs.models import RepairOrder
from apps.reports import kpis
from apps.reports.queries import settings_for
from apps.tickets import policies as ticket_policies
from apps.tickets import queries as ticket_queries
from apps.tickets.choices import OPEN_STATUSES, Channel, Kind, Source, TicketStatus
from apps.tickets.complaint_level import complaint_level_label
from apps.tickets.models import Ticket
from apps.tickets.policies import policy_is_q
from linli import clock

COMPLAINT_LEDGER_COLUMNS = ["编号", "项目", "受理时间", "录入时间", "渠道", "投诉方式", "类别", "责任部门", "投诉主体",
                            "投诉级别", "内容", "状态", "处理结果", "关闭时间"]
# R-M6-07: the door-to-door service record in the computer file — the basis for return visits
# (回访评价), appraisal (维修人员, 工时, 验收), materials drawn (材料) and charging (收费金额).
REPAIR_LEDGER_COLUMNS = ["编号", "项目", "报修时间", "位置", "内容", "维修人员", "约定上门时间", "到场时间",
                         "完工时间", "验收合格", "状态", "工时（小时）", "材料", "收费金额（元）", "回访评价"]
SUBJECTS = {"property": "物业管理", "developer": "地产", "municipal": "市政"}


def subject_of(ticket: Ticket) -> str:
    """R-M5-15: who the complaint is about — the developer, the municipality or property management."""
    if ticket.developer_matter:
        return "developer"
    if ticket.municipal:
        return "municipal"
    return "property"


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return clock.local(value) if value else None


def _text(value: str | None, project_id: int, unmasked: Collection[int]) -> str:
    """Free text as exported: phone and ID numbers masked unless the project is in ``unmasked`` (issue 14
    item 9: the exporting user holds that project's grant)."""
    return (value or "") if project_id in unmasked else mask_text(value)


def complaint_ledger(scope: kpis.Scope, unmasked: Collection[int] = ()) -> tuple[list[str], Iterator[list[Any]]]:
    """投诉台账 (R-M5-16): every complaint received in the scope (unclosed ones included, R-M5-14).
    投诉级别 is the level as shown everywhere: 一般/重要/热点/重大 (R-M3-01, :mod:`apps.tickets.complaint_level`).
    Owners' phone and ID numbers in the texts are masked except in the projects of ``unmasked``."""
    qs = (kpis.tickets(scope).filter(kind=Kind.COMPLAINT)
          .select_related("project", "category", "department").order_by("received_at", "pk"))

    def rows() -> Iterator[list[Any]]:
        for t in qs.iterator(chunk_size=500):
            yield [t.number, t.project.name, _local(t.received_at), _local(t.recorded_at), t.get_source_display(),
                   t.get_channel_display(), t.category.name if t.category else "",
                   t.department.name if t.department else "", SUBJECTS[subject_of(t)],
                   complaint_level_label(t), _text(t.content, t.project_id, unmasked), t.get_status_display(),
                   _text(t.handling_result, t.project_id, unmasked),
                   _local(t.closed_at)]

    return COMPLAINT_LEDGER_COLUMNS, rows()


def repair_ledger(scope: kpis.Scope, unmasked: Collection[int] = ()) -> tuple[list[str], Iterator[list[Any]]]:
    """报修台账 (R-M5-16): every repair received in the scope with its time stamps (texts masked as in
    :func:`complaint_ledger`)."""
    qs = (RepairOrder.objects.filter(ticket__in=kpis.tickets(scope))
          .select_related("ticket", "ticket__project", "worker")
          .prefetch_related("materials", "charge_lines", "ratings").order_by("ticket__received_at", "pk"))

    def rows() -> Iterator[list[Any]]:
        for o in qs.iterator(chunk_size=500):
            t = o.ticket
            worker = (o.worker.get_full_name() or o.worker.username) if o.worker else ""
            quality = "" if o.quality_ok is None else ("是" if o.quality_ok else "否")
            materials = "；".join(f"{m.name}×{m.quantity.normalize():f}{m.unit}" for m in o.materials.all())
            charge = sum((c.amount for c in o.charge_lines.all()), start=0) if o.charge_lines.all() else None
            ratings = list(o.ratings.all())
            rating = f"质量{ratings[-1].quality}/态度{ratings[-1].attitude}" if ratings else ""
            yield [t.number, t.project.name, _local(t.received_at), _text(o.location or t.address, t.project_id, unmasked),
                   _text(t.content, t.project_id, unmasked), worker,
                   _local(o.agreed_visit_at), _local(o.arrived_at), _local(o.completed_at), quality,
                   t.get_status_display(), o.labour_hours, materials, charge, rating]

    return REPAIR_LEDGER_COLUMNS, rows()


def ledger_rows_per_project(kind: str, scope: kpis.Scope) -> dict[int, int]:
    """How many rows of each project the ``kind`` ledger of ``scope`` holds (for the read log)."""
    pairs: Any
    if kind == "repair":
        pairs = (RepairOrder.objects.filter(ticket__in=kpis.tickets(scope)).values("ticket__project")
                 .annotate(n=Count("pk")).values_list("ticket__project", "n"))
    else:
        pairs = (kpis.tickets(scope).filter(kind=Kind.COMPLAINT).order_by().values("project")
                 .annotate(n=Count("pk")).values_list("project", "n"))
    return dict(pairs)


def _building_has_steward() -> bool:
    return any(f.name == "steward" for f in Building._meta.get_fields())


def steward_building_ids(steward: Any) -> tuple[list[int], str]:
    """The buildings a steward looks after and where that came from ("estates" or "tickets")."""
    if _building_has_steward():
        ids = list(Building.objects.filter(steward=steward).values_list("pk", flat=True))
        if ids:
            return sorted(ids), "estates"
    from_tickets = (Ticket.objects.filter(receiver=steward, household__isnull=False)
                    .values_list("household__building_id", flat=True).distinct())
    return sorted(set(from_tickets)), "tickets"


@dataclass
class StewardWeek:
    week_start: dt.date
    building_ids: list[int]
    source: str
    total: int = 0
    completed: int = 0
    open: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    open_tickets: list[Ticket] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        return round(100.0 * self.completed / self.total, 1) if self.total else None


def _week_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    monday = week_start - dt.timedelta(days=week_start.weekday())
    start = dt.datetime.combine(monday, dt.time(0), tzinfo=clock.SHANGHAI)
    return start, start + dt.timedelta(days=7)


def steward_weekly(steward: Any, week_start: dt.date) -> StewardWeek:
    """楼宇员每周分析 (R-M5-11): events (repairs and other reports) received in the steward's buildings
    in the week (Monday–Sunday, local time) and their completion; open ones listed for follow-up."""
    building_ids, source = steward_building_ids(steward)
    start, end = _week_bounds(week_start)
    qs: QuerySet[Ticket] = (Ticket.objects.filter(household__building_id__in=building_ids, received_at__gte=start,
                                                  received_at__lt=end).exclude(status=TicketStatus.VOIDED))
    result = StewardWeek(week_start=start.date(), building_ids=building_ids, source=source)
    labels = dict(Kind.choices)
    for t in qs.select_related("household", "household__building").order_by("received_at", "pk"):
        result.total += 1
        result.by_kind[str(labels.get(t.kind, t.kind))] = result.by_kind.get(str(labels.get(t.kind, t.kind)), 0) + 1
        if t.status in OPEN_STATUSES:
            result.open += 1
            result.open_tickets.append(t)
        else:
            result.completed += 1
    return result


def company_level_q() -> Any:
    """R-M4-03, R-M3-11: complaints that reach the company. The company-level complaints of the ticket
    pipeline (:func:`apps.tickets.policies.company_level_q`: held by 品质管理部 — escalated to it by a
    管理处, or forwarded by the group or the government, R-M1-10 — and online ones where the project's
    POLICY P-10 is 篇4, the default); the group's and the government's forwards by their source or
    channel in any case (both versions of P-10); complaints issued by 品质管理部 or made directly to the
    company; website complaints only where P-10 is 篇4, like every online complaint."""
    website = Q(source=Source.WEBSITE) & policy_is_q("quality_owns", "b4")
    return ticket_policies.company_level_q() | (Q(kind=Kind.COMPLAINT) & (
        Q(issued_by_quality=True) | Q(source__in=(Source.COMPANY, Source.GROUP_HQ, Source.GOVERNMENT))
        | Q(channel__in=(Channel.GROUP_TRANSFER, Channel.GOVERNMENT_PETITION)) | website))


def quality_return_visit_queue(project_ids: list[int]) -> QuerySet[Ticket]:
    """R-M4-03 worklist of 品质管理部: company-level complaints the project has verified (已验证) and
    fed back, now waiting for the company's return visit / verification, oldest first."""
    return (Ticket.objects.filter(company_level_q(), project_id__in=project_ids, kind=Kind.COMPLAINT,
                                  status=TicketStatus.VERIFIED)
            .select_related("project").order_by("received_at", "pk"))


def records_past_retention(company: Any, now: dt.datetime) -> QuerySet[Ticket]:
    """R-M6-05: complaints ended (closed or 未关闭) longer ago than the company's retention period
    (``ReportSettings.record_retention_years``). Empty setting = kept for ever → nothing listed.
    The list is for a person to review; nothing is ever deleted automatically."""
    years = settings_for(company).record_retention_years
    if not years:
        return Ticket.objects.none()
    local_now = clock.local(now)
    try:
        cutoff = local_now.replace(year=local_now.year - years)
    except ValueError:  # 29 February
        cutoff = local_now.replace(year=local_now.year - years, day=28)
    return (Ticket.objects.filter(project__company=company, kind=Kind.COMPLAINT,
                                  status__in=(TicketStatus.CLOSED, TicketStatus.UNRESOLVED),  # 未关闭 ends too
                                  closed_at__lt=cutoff).select_related("project").order_by("closed_at", "pk"))


def immediate_return_visits(project_ids: list[int]) -> QuerySet[Ticket]:
    """R-M4-06 worklist: complaints with a 《顾客投诉处理记录表》 (``record_form``) or of a class-1
    category (``Category.class_one``, configurable) whose handling is done and verified and whose
    return visit is still to be made — immediately; oldest verification first."""
    return (Ticket.objects.filter(ticket_queries.immediate_return_visit_q(),
                                  project_id__in=project_ids, kind=Kind.COMPLAINT, status=TicketStatus.VERIFIED,
                                  return_visit_exemption="")
            .annotate(ready_since=Max("verifications__verified_at"))
            .select_related("project", "category").order_by("ready_since", "pk"))
