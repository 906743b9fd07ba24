"""KPIs of the complaint and service pipeline (issue 7 item 1; SPEC R-M5-10, R-M5-13, R-M5-14).

Every KPI is a function over a :class:`Scope` — projects, period (on the time a ticket was
received, T-02), and optionally a department, category (with its sub-categories), channel and
kind. Its ``definition`` is shown next to the figure on the dashboard (translated when shown).

A KPI is a set of named *parts* (``numerator``, ``denominator`` …), each a condition on the
tickets of the scope. The figures are computed with one aggregate query (``COUNT(*) FILTER``),
and the drill-down list of a part is the same condition applied as a filter — so a report figure
always equals the length of its drill-down list.

Statistics never count voided tickets; tickets that ended as 未关闭 count everywhere (R-M5-14).
Complaints by internal staff (R-M1-17) are not customer complaints under POLICY P-08's default: they
are left out of every figure, drill-down list, ledger and report built on :func:`tickets` unless the
project's ``TicketPolicy`` counts them.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, TruncMonth, TruncWeek
from django.utils.translation import gettext, gettext_noop

from apps.core import rule_codes
from apps.escalation.models import ClusterMember
from apps.estates.models import Household
from apps.org.models import Project
from apps.reports.models import KpiSettings, default_targets
from apps.tickets import complaint_level as complaint_levels
from apps.tickets import measures
from apps.tickets.choices import (
    RETURN_VISIT_KINDS,
    Channel,
    EscalationLevel,
    Kind,
    ReturnVisitOutcome,
    Satisfaction,
    Stage,
    TicketStatus,
)
from apps.tickets.models import Deadline, ReturnVisit, Ticket
from apps.tickets.policies import customer_complaints_q
from apps.workdays import actions as workdays_actions
from apps.workdays import workhours

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Scope:
    """What a KPI is computed over. ``start``/``end`` bound ``received_at`` as [start, end)."""

    project_ids: tuple[int, ...]
    start: dt.datetime
    end: dt.datetime
    now: dt.datetime
    department_id: int | None = None
    category_id: int | None = None
    channel: str | None = None
    kind: str | None = None
    developer_only: bool = False  # 地产遗留 only (R-M5-06)
    tz: dt.tzinfo = SHANGHAI

    @classmethod
    def for_dates(cls, project_ids: Iterable[int], first: dt.date, last: dt.date, *, now: dt.datetime,
                  tz: dt.tzinfo = SHANGHAI, **kw: Any) -> Scope:
        """Local calendar dates ``first``…``last`` inclusive (T-09 periods)."""
        start = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        return cls(tuple(sorted(project_ids)), start, end, now, tz=tz, **kw)

    @property
    def first_day(self) -> dt.date:
        return self.start.astimezone(self.tz).date()

    @property
    def last_day(self) -> dt.date:
        return (self.end.astimezone(self.tz) - dt.timedelta(days=1)).date()

    def params(self) -> dict[str, str]:
        """Query parameters that rebuild this scope (drill-down links)."""
        p = {"from": self.first_day.isoformat(), "to": self.last_day.isoformat(),
             "projects": ",".join(str(i) for i in self.project_ids)}
        for key, value in (("department", self.department_id), ("category", self.category_id),
                           ("channel", self.channel), ("kind", self.kind)):
            if value:
                p[key] = str(value)
        if self.developer_only:
            p["developer"] = "1"
        return p


def tickets(scope: Scope) -> QuerySet[Ticket]:
    """The tickets a scope counts: received in the period, not voided (R-M5-14: 未关闭 included), and
    without internal-staff complaints where the project's policy excludes them (R-M1-17, POLICY P-08 —
    filtered here once, so every KPI, drill-down, ledger and generated report agrees)."""
    qs = Ticket.objects.filter(project_id__in=scope.project_ids, received_at__gte=scope.start,
                               received_at__lt=scope.end).exclude(status=TicketStatus.VOIDED)
    qs = qs.filter(customer_complaints_q())
    if scope.department_id:
        qs = qs.filter(department_id=scope.department_id)
    if scope.category_id:
        qs = qs.filter(Q(category_id=scope.category_id) | Q(category__parent_id=scope.category_id))
    if scope.channel:
        qs = qs.filter(channel=scope.channel)
    if scope.kind:
        qs = qs.filter(kind=scope.kind)
    if scope.developer_only:
        qs = qs.filter(developer_matter=True)
    return qs


# ------------------------------------------------------------------ building blocks


def _deadline(stage: str | None = None, **kw: Any) -> QuerySet[Deadline]:
    qs = Deadline.objects.filter(ticket=OuterRef("pk"), cancelled_at__isnull=True, due_at__isnull=False, **kw)
    return qs.filter(stage=stage) if stage else qs


def _decided(now: dt.datetime) -> Q:
    """A deadline is decided when it was met, or is still open past its due time (then it is late)."""
    return measures.decided_q(now)


def _late(now: dt.datetime) -> Q:
    return measures.late_q(now)


def _first_deadline(stage: str) -> Callable[[QuerySet[Ticket], Scope], QuerySet[Ticket]]:
    """Join the ticket's first-cycle deadline of ``stage`` (at most one: unique per ticket, stage,
    cycle) as ``_<stage>`` — a LEFT JOIN, so the rate is one pass over the tickets."""
    def annotate(qs: QuerySet[Ticket], scope: Scope) -> QuerySet[Ticket]:
        return qs.annotate(**{f"_{stage}": FilteredRelation("deadlines", condition=Q(
            deadlines__stage=stage, deadlines__cycle=0, deadlines__cancelled_at__isnull=True,
            deadlines__due_at__isnull=False))})

    return annotate


def _on_time_parts(stage: str, scope: Scope) -> dict[str, Q]:
    """Needs :func:`_first_deadline` (the KPI's ``annotate``). Met in time implies decided."""
    return {"numerator": measures.on_time_q(f"_{stage}"), "denominator": measures.decided_q(scope.now, f"_{stage}")}


COMPLAINT = Q(kind=Kind.COMPLAINT)
AFTER_VERIFICATION = (TicketStatus.VERIFIED, TicketStatus.RETURN_VISITED, TicketStatus.CLOSED,
                      TicketStatus.UNRESOLVED)
GOOD = (Satisfaction.SATISFIED, Satisfaction.BASIC)


def repeat_window_days(company_id: int | None) -> int:
    row = KpiSettings.objects.filter(company_id=company_id).first() if company_id else None
    return row.repeat_window_days if row else 90


def _repeat(scope: Scope, window_days: int) -> Q:
    """Same household and category complained about within the window before, or a later member
    of a same-complaint group (apps.escalation clusters)."""
    earlier = Ticket.objects.filter(
        kind=Kind.COMPLAINT, household_id=OuterRef("household_id"), category_id=OuterRef("category_id"),
        received_at__lt=OuterRef("received_at"),
        received_at__gte=OuterRef("received_at") - dt.timedelta(days=window_days),
    ).exclude(status=TicketStatus.VOIDED).filter(customer_complaints_q())
    cluster_earlier = ClusterMember.objects.filter(
        cluster__members__ticket_id=OuterRef("pk"), ticket__received_at__lt=OuterRef("received_at"),
    ).exclude(ticket__status=TicketStatus.VOIDED).filter(customer_complaints_q("ticket__"))
    return Q(Exists(earlier)) | Q(Exists(cluster_earlier))


# ------------------------------------------------------------------ the KPI registry


@dataclass(frozen=True)
class Kpi:
    code: str
    label: str
    rule: str
    unit: str  # "%", "件", "小时"
    parts: Callable[[Scope], dict[str, Q]]
    definition: str
    annotate: Callable[[QuerySet[Ticket], Scope], QuerySet[Ticket]] | None = None
    value_part: str = "numerator"  # for counts: which part is the figure


REGISTRY: dict[str, Kpi] = {}


def kpi(code: str, label: str, *, definition: str, rule: str = "", unit: str = "%", value_part: str = "numerator",
        annotate: Callable[[QuerySet[Ticket], Scope], QuerySet[Ticket]] | None = None) -> Callable[[Any], Any]:
    """Register a KPI. ``label`` and ``definition`` (what users read beside the figure; no rule codes — those stay
    in the function's docstring for developers) are marked with ``gettext_noop``: they are translated when a
    result is shown (:meth:`KpiResult.as_dict`), in the language of that request, never at import."""
    def register(fn: Callable[[Scope], dict[str, Q]]) -> Callable[[Scope], dict[str, Q]]:
        REGISTRY[code] = Kpi(code, label, rule, unit, fn, rule_codes.strip(definition), annotate, value_part)
        return fn

    return register


@kpi("received", gettext_noop("受理总数"), rule="R-M5-14", unit="件", value_part="all",
     definition=gettext_noop(
        "期内受理的全部诉求（按受理时间计；不含作废，含“未关闭”结案）。内部员工投诉按公司设置（默认不计入）"
        "决定是否计入本页全部指标。"))
def _received(scope: Scope) -> dict[str, Q]:
    """Cites T-02, R-M5-14, R-M1-17, P-08."""
    parts = {"all": Q()}
    for code, _label in Kind.choices:
        parts[code] = Q(kind=code)
    return parts


@kpi("valid_complaint_rate", gettext_noop("有效投诉率"), rule="R-M5-10",
     definition=gettext_noop(
        "有效投诉率 = 期内受理的投诉中被认定为有效投诉的件数 ÷ 期内受理的投诉总数 × 100%。目标："
        "≤ 1%。"))
def _valid_rate(scope: Scope) -> dict[str, Q]:
    """Cites R-M1-18, R-M5-13, P-30."""
    return {"numerator": COMPLAINT & Q(valid_complaint=True), "denominator": COMPLAINT}


@kpi("valid_complaints_per_household", gettext_noop("有效投诉率（按户、年化）"), rule="R-M5-13",
     definition=gettext_noop(
        "有效投诉率（目标 ≤ 1%）= 期内认定的有效投诉件数 ÷ 统计项目的户数 × 100%，按年折算（"
        "× 365 ÷ 统计期天数）。“有效投诉占投诉总数”的比例是另一项指标；≤ 1% 的目标只与本指标比"
        "较。"))
def _valid_per_household(scope: Scope) -> dict[str, Q]:
    return {"numerator": COMPLAINT & Q(valid_complaint=True)}


def households_of(scope: Scope) -> int:
    """The households of the scope's projects (the base of :func:`_valid_per_household`)."""
    return Household.objects.filter(project_id__in=scope.project_ids).count()


@kpi("response_on_time_rate", gettext_noop("1个工作日内响应及时率"), rule="R-M2-05", annotate=_first_deadline(Stage.RESPOND),
     definition=gettext_noop(
        "响应及时率 = 首轮“响应处理”时限按时完成的工单数 ÷ 首轮响应时限已到期或已完成的工单数 × "
        "100%（时限为 1 个工作日，按工作日历计；到期仍未响应的计为不及时，未到期的不计入）。"))
def _response_on_time(scope: Scope) -> dict[str, Q]:
    return _on_time_parts(Stage.RESPOND, scope)


@kpi("reply_on_time_rate", gettext_noop("回复及时率"), rule="R-M5-13", annotate=_first_deadline(Stage.REPLY),
     definition=gettext_noop(
        "回复及时率 = 首轮“回复业主”时限（约定时间与制度时限取早者）按时完成的工单数 ÷ 首轮回复时限已"
        "到期或已完成的工单数 × 100%。可按投诉方式（渠道）分列。目标：100%。"))
def _reply_on_time(scope: Scope) -> dict[str, Q]:
    """Cites R-M5-13."""
    return _on_time_parts(Stage.REPLY, scope)


@kpi("handling_timely_rate", gettext_noop("处理及时率"), rule="R-M5-10",
     definition=gettext_noop(
        "处理及时率 = 所有已到期或已完成的时限（回复、完成、回访等各环节）均按时完成的投诉数 ÷ 期内有已"
        "到期或已完成时限的投诉数 × 100%（即：回复和关闭在应完成时间内）。"))
def _timely(scope: Scope) -> dict[str, Q]:
    """Cites R-M5-10."""
    has_due = Exists(_deadline().filter(_decided(scope.now)))
    late = Exists(_deadline().filter(_late(scope.now)))
    return {"numerator": COMPLAINT & Q(has_due) & ~Q(late), "denominator": COMPLAINT & Q(has_due)}


@kpi("closure_rate", gettext_noop("关闭率"), rule="R-M2-15",
     definition=gettext_noop(
        "关闭率 = 期内受理且已正常关闭（状态“已关闭”）的工单数 ÷ 期内受理的工单总数 × 100%；以"
        "“未关闭”结案的不计为关闭。"))
def _closure(scope: Scope) -> dict[str, Q]:
    """Cites R-M2-16."""
    return {"numerator": Q(status=TicketStatus.CLOSED), "denominator": Q()}


@kpi("return_visit_rate", gettext_noop("回访率"), rule="R-M5-13",
     definition=gettext_noop(
        "回访率 = 已完成回访（回访结果“已回访”）的工单数 ÷ 应回访的工单数 × 100%。应回访：需回"
        "访的类型（投诉、报修、建议、需求、有偿服务），已验证或之后的状态，且未批准免回访。目标：100%。"))
def _return_visit(scope: Scope) -> dict[str, Q]:
    """Cites R-M4-05."""
    due = Q(kind__in=RETURN_VISIT_KINDS, status__in=AFTER_VERIFICATION, return_visit_exemption="")
    done = Exists(ReturnVisit.objects.filter(ticket=OuterRef("pk"), outcome=ReturnVisitOutcome.DONE))
    return {"numerator": due & Q(done), "denominator": due}


REPAIR_KINDS = (Kind.REPAIR, Kind.PAID_SERVICE)  # the repairs population of apps.repairs.measures (R-M8-15 (7))


@kpi("repair_visit_on_time_rate", gettext_noop("报修48小时内回访率"), rule="R-M5-13", annotate=_first_deadline(Stage.RETURN_VISIT),
     definition=gettext_noop(
        "报修回访及时率 = 首轮“回访”时限（制度9：维修后 48 小时内；按公司所选规则集）按时完成的报修"
        "（含有偿服务）÷ 首轮回访时限已到期或已完成的报修 × 100%（到期仍未回访的计为不及时，未到期"
        "的、免回访的不计入）。目标由公司设置，默认 100%。"))
def _repair_visit_on_time(scope: Scope) -> dict[str, Q]:
    parts = _on_time_parts(Stage.RETURN_VISIT, scope)
    repairs = Q(kind__in=REPAIR_KINDS)
    return {name: repairs & cond for name, cond in parts.items()}


def _latest_visit_with_verdict() -> QuerySet[ReturnVisit]:
    """The ticket's completed return visit of the highest cycle that carries the owner's verdict."""
    later = ReturnVisit.objects.filter(ticket=OuterRef("ticket"), outcome=ReturnVisitOutcome.DONE,
                                       cycle__gt=OuterRef("cycle")).exclude(satisfaction="")
    return (ReturnVisit.objects.filter(ticket=OuterRef("pk"), outcome=ReturnVisitOutcome.DONE)
            .exclude(satisfaction="").exclude(Exists(later)))


@kpi("satisfaction_rate", gettext_noop("回访满意率"), rule="R-M5-13",
     definition=gettext_noop(
        "满意率 = 最近一次已完成回访的业主评价为“满意”或“基本满意”的工单数 ÷ 有回访评价的工单数 ×"
        " 100%。目标：≥ 95%。"))
def _satisfaction(scope: Scope) -> dict[str, Q]:
    """Cites R-M5-13, P-30."""
    latest = _latest_visit_with_verdict()
    return {"numerator": Q(Exists(latest.filter(satisfaction__in=GOOD))), "denominator": Q(Exists(latest))}


@kpi("visit_feedback_rate", gettext_noop("回访反馈处理率"), rule="R-M4-13",
     definition=gettext_noop(
        "回访反馈处理率 = 回访中业主提出的意见、问题均已处理完毕的工单数 ÷ 回访中业主提出意见或问题的工单数 × "
        "100%。提出意见：评价“不满意”；提出问题：当场未能答复、约定时间答复的问题（满意的业主提出的也计入）。"
        "处理完毕：“不满意”其后一轮回访评价为“满意”或“基本满意”或工单已关闭（直至业主满意），且每个约定答复的"
        "问题都已答复。目标：100%。"))
def _visit_feedback(scope: Scope) -> dict[str, Q]:
    """Cites R-M4-09, R-M4-10, R-M4-13, R-M5-13."""
    visits = ReturnVisit.objects.filter(ticket=OuterRef("pk"))
    raised = Q(Exists(visits.filter(outcome=ReturnVisitOutcome.DONE, satisfaction=Satisfaction.UNSATISFIED)))
    later_good = Q(Exists(visits.filter(outcome=ReturnVisitOutcome.DONE, satisfaction__in=GOOD)))
    asked = Q(Exists(visits.exclude(open_question="")))
    unanswered = Q(Exists(visits.exclude(open_question="").filter(answered_at__isnull=True)))
    due = raised | asked
    opinions_done = ~raised | later_good | Q(status=TicketStatus.CLOSED)
    return {"numerator": due & opinions_done & ~unanswered, "denominator": due}


@kpi("repeat_complaints", gettext_noop("重复投诉"), rule="R-M3-02", unit="件",
     definition=gettext_noop(
        "重复投诉 = 期内受理的投诉中，同一房屋同一类别在统计窗口（默认 90 天，可设置）内此前已投诉过的"
        "，或属于同一投诉组（同类投诉聚合）且组内有更早投诉的件数；“占比”= 重复投诉 ÷ 投诉总数。"))
def _repeats(scope: Scope) -> dict[str, Q]:
    window = repeat_window_days(_company_of(scope))
    return {"numerator": COMPLAINT & _repeat(scope, window), "denominator": COMPLAINT}


@kpi("hot_major", gettext_noop("热点/重大投诉"), rule="R-M3-01", unit="件", value_part="all",
     definition=gettext_noop(
        "热点、重大投诉件数：期内受理、当前级别为热点或重大的投诉（级别由升级模块判定）。"))
def _hot_major(scope: Scope) -> dict[str, Q]:
    return {"all": Q(escalation_level__in=(EscalationLevel.HOT, EscalationLevel.MAJOR)),
            "hot": Q(escalation_level=EscalationLevel.HOT), "major": Q(escalation_level=EscalationLevel.MAJOR)}


@kpi("overdue_now", gettext_noop("当前超时未办"), rule="R-M2-26", unit="件", value_part="all",
     definition=gettext_noop(
        "当前超时：期内受理、仍在处理中，且至少有一个未完成的时限已过到期时间的工单数（统计时点为“现在”）。"))
def _overdue(scope: Scope) -> dict[str, Q]:
    return {"all": measures.overdue_q(scope.now)}


@kpi("handling_hours", gettext_noop("处理时长（工作小时）"), rule="T-03", unit="小时", value_part="denominator",
     definition=gettext_noop(
        "处理时长 = 从受理时间到关闭时间（含“未关闭”结案）之间的工作时间，按项目上班时间（扣除午休）和工"
        "作日历计，夜间、休息日和节假日不计。给出平均值和第 90 百分位（最近秩法：排序后第 ⌈0.9n⌉ "
        "个）。"))
def _handling(scope: Scope) -> dict[str, Q]:
    return {"denominator": Q(closed_at__isnull=False)}


def _company_of(scope: Scope) -> int | None:
    return Project.objects.filter(pk__in=scope.project_ids).values_list("company_id", flat=True).first()


# ------------------------------------------------------------------ results


@dataclass
class KpiResult:
    code: str
    label: str
    rule: str
    unit: str
    definition: str
    counts: dict[str, int]
    value: float | None
    extra: dict[str, Any] = field(default_factory=dict)
    target: dict[str, Any] | None = None

    @property
    def met_target(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        goal = float(self.target["value"])
        return self.value <= goal if self.target.get("op") == "<=" else self.value >= goal

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": gettext(self.label), "rule": self.rule, "unit": self.unit,
                "definition": gettext(self.definition), "counts": self.counts, "value": self.value, "extra": self.extra,
                "target": self.target, "met_target": self.met_target}


def targets_for(company_id: int | None) -> dict[str, dict[str, Any]]:
    targets = default_targets()
    row = KpiSettings.objects.filter(company_id=company_id).first() if company_id else None
    if row and isinstance(row.targets, dict):
        targets.update({k: v for k, v in row.targets.items() if isinstance(v, dict) and "value" in v})
    return targets


def part_queryset(code: str, part: str, scope: Scope) -> QuerySet[Ticket]:
    """The exact tickets counted in ``part`` of KPI ``code`` (the drill-down list)."""
    k = REGISTRY[code]
    parts = k.parts(scope)
    if part not in parts:
        raise KeyError(part)
    qs = tickets(scope)
    if k.annotate:
        qs = k.annotate(qs, scope)
    return qs.filter(parts[part])


def _pct(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 2) if den else None


def _result(code: str, scope: Scope, counts: dict[str, int], targets: dict[str, Any]) -> KpiResult:
    k = REGISTRY[code]
    extra: dict[str, Any] = {}
    if k.unit == "%" and code != "valid_complaints_per_household":
        value = _pct(counts["numerator"], counts["denominator"])
    elif code == "handling_hours":
        extra = handling_time(scope)
        value = extra["average_hours"]
    elif code == "valid_complaints_per_household":  # R-M5-13: valid ÷ households, per year
        households = households_of(scope)
        days = max((scope.end - scope.start).days, 1)
        extra = {"households": households, "days": days}  # the base is not a ticket count: not drilled
        value = round(counts["numerator"] * 36500.0 / (households * days), 2) if households else None
    else:
        value = float(counts[k.value_part])
        if "denominator" in counts and "numerator" in counts:
            extra["share_percent"] = _pct(counts["numerator"], counts["denominator"])
    return KpiResult(k.code, k.label, k.rule, k.unit, k.definition, counts, value, extra, targets.get(code))


@contextlib.contextmanager
def no_jit() -> Iterator[None]:
    """PostgreSQL: these aggregates read 10⁴–10⁶ rows once; compiling them with JIT costs more than
    it saves (seconds at 2 M tickets, see bench/reports_kpi_bench.py), so it is off for the
    transaction. Other databases: nothing to do."""

    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")
        yield


def _count_all(scope: Scope, codes: Iterable[str]) -> dict[str, dict[str, int]]:
    """Every part of every KPI in ``codes`` with ONE aggregate query (``COUNT(*) FILTER (…)`` each)."""
    qs = tickets(scope)
    aggregates: dict[str, Any] = {}
    names: dict[str, list[str]] = {}
    for code in codes:
        k = REGISTRY[code]
        if k.annotate:
            qs = k.annotate(qs, scope)
        names[code] = []
        for part, cond in k.parts(scope).items():
            alias = f"{code}__{part}"
            aggregates[alias] = Count("pk", filter=cond) if cond else Count("pk")
            names[code].append(part)
    with no_jit():
        row = qs.aggregate(**aggregates) if aggregates else {}
    return {code: {part: int(row[f"{code}__{part}"] or 0) for part in parts} for code, parts in names.items()}


def compute(code: str, scope: Scope, *, targets: dict[str, Any] | None = None) -> KpiResult:
    """One KPI over one scope, with a single aggregate query (plus two for handling time)."""
    counts = _count_all(scope, [code])[code]
    if targets is None:
        targets = targets_for(_company_of(scope))
    return _result(code, scope, counts, targets)


def _one_per_company(scope: Scope) -> list[Any]:
    seen: dict[int, Any] = {}
    for p in Project.objects.filter(pk__in=scope.project_ids).order_by("pk"):
        seen.setdefault(p.company_id, p)
    return list(seen.values())


def handling_time(scope: Scope) -> dict[str, Any]:
    """Average and nearest-rank 90th percentile of handling time in working hours (aggregate SQL)."""
    project = Project.objects.filter(pk__in=scope.project_ids).order_by("pk").first()
    qs = part_queryset("handling_hours", "denominator", scope)
    last = qs.order_by("-closed_at").values_list("closed_at", flat=True).first()
    if last is None:
        return {"count": 0, "average_hours": None, "p90_hours": None,
                "calendar": workhours.calendar_source(project)}
    until = max(last.astimezone(scope.tz).date(), scope.last_day)
    for first in _one_per_company(scope):  # each company has its own calendar overrides (P-25)
        workdays_actions.ensure_working_day_index(until, project=first)
    timed = workhours.annotate_handling_minutes(qs, tz=scope.tz)
    with no_jit():
        if connection.vendor == "postgresql":  # one statement; percentile_disc is the nearest-rank percentile
            n, avg, p90 = workhours.handling_stats_postgres(qs, tz=scope.tz)
            agg = {"avg": avg}
        else:
            agg = timed.aggregate(n=Count("pk"), avg=Avg("handling_minutes"))
            n = agg["n"]
            p90 = timed.order_by("handling_minutes", "pk").values_list("handling_minutes", flat=True)[
                math.ceil(0.9 * n) - 1]
    if agg["avg"] is None or p90 is None:  # every row lacked its closing time (cannot happen: filtered above)
        return {"count": n, "average_hours": None, "p90_hours": None, "calendar": workhours.calendar_source(project)}
    return {"count": n, "average_hours": round(float(agg["avg"]) / 60, 2),
            "p90_hours": round(p90 / 60, 2), "calendar": workhours.calendar_source(project)}


class PercentileDisc(Aggregate):
    """PostgreSQL ``percentile_disc(0.9) WITHIN GROUP (ORDER BY …)``: the smallest value whose
    cumulative share reaches 90 % — the nearest-rank 90th percentile."""

    function = "percentile_disc"
    template = "%(function)s(0.9) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = IntegerField()


SUMMARY_CODES = ("received", "valid_complaint_rate", "valid_complaints_per_household", "response_on_time_rate", "reply_on_time_rate",
                 "handling_timely_rate", "closure_rate", "return_visit_rate", "visit_feedback_rate", "satisfaction_rate",
                 "repeat_complaints", "hot_major", "overdue_now", "handling_hours")


def all_kpis(scope: Scope, codes: Iterable[str] = SUMMARY_CODES) -> list[KpiResult]:
    """Several KPIs; all their counts come from one aggregate query over the scope's tickets."""
    codes = list(codes)
    targets = targets_for(_company_of(scope))
    counts = _count_all(scope, codes)
    return [_result(c, scope, counts[c], targets) for c in codes]


# ------------------------------------------------------------------ breakdowns


def breakdown(scope: Scope, by: str, *, code: str = "received", part: str = "all") -> list[dict[str, Any]]:
    """Counts of a KPI part grouped by ``by`` (one GROUP BY query). ``by`` is one of
    kind, channel, category (top level), department, building, project, subject, escalation_level
    (the R-M5-15 dimensions)."""
    columns = {
        "kind": ("kind", None),
        "channel": ("channel", None),
        "department": ("department_id", "department_label"),
        "category": ("category_top", "category_top_name"),
        "building": ("household__building_id", "household__building__name"),
        "project": ("project_id", "project__name"),
        "subject": ("subject", None),  # R-M5-15: 物业管理 / 地产 / 市政
        "escalation_level": ("complaint_level", None),  # R-M5-15, R-M3-01: 一般 ‹ 重要 ‹ 热点 ‹ 重大
    }
    if by not in columns:
        raise KeyError(by)
    key, name = columns[by]
    qs = part_queryset(code, part, scope)
    if by == "category":

        qs = qs.annotate(category_top=Coalesce("category__parent_id", "category_id"),
                         category_top_name=Coalesce("category__parent__name", "category__name"))
    if by == "subject":

        qs = qs.annotate(subject=Case(When(developer_matter=True, then=Value("developer")),
                                      When(municipal=True, then=Value("municipal")),
                                      default=Value("property"), output_field=CharField()))
    if by == "escalation_level":  # the one level definition, not the stored escalation field
        qs = qs.annotate(complaint_level=complaint_levels.level_expression())
    if by == "department":
        qs = qs.annotate(department_label=Concat(Coalesce("department__project__name", Value("公司")), Value("·"),
                                                 "department__name"))
    values = [key] + ([name] if name else [])
    rows = qs.order_by().values(*values).annotate(n=Count("pk")).order_by("-n")
    labels: dict[str, Any] = dict(Kind.choices) if by == "kind" else dict(Channel.choices) if by == "channel" else {}
    if by == "subject":
        labels = {"property": "物业管理", "developer": "地产", "municipal": "市政"}
    if by == "escalation_level":
        labels = dict(complaint_levels.LABELS)
    out = []
    for r in rows:
        k = r[key]
        label = labels.get(k, k) if not name else (r[name] or "未分类")
        missing = "未分类" if by == "category" else "未指定"
        out.append({"key": k, "label": str(label if k is not None else missing), "count": r["n"]})
    return out


def rate_by(scope: Scope, code: str, by: str) -> list[dict[str, Any]]:
    """A rate KPI per group (e.g. reply on-time rate per channel): one GROUP BY with FILTERed counts."""
    k = REGISTRY[code]
    parts = k.parts(scope)
    qs = tickets(scope)
    if k.annotate:
        qs = k.annotate(qs, scope)
    rows = (qs.order_by().values(by).annotate(num=Count("pk", filter=parts["numerator"]),
                                              den=Count("pk", filter=parts["denominator"])).order_by(by))
    labels = dict(Channel.choices) if by == "channel" else dict(Kind.choices) if by == "kind" else {}
    return [{"key": r[by], "label": str(labels.get(r[by], r[by])), "numerator": r["num"], "denominator": r["den"],
             "value": _pct(r["num"], r["den"])} for r in rows if r["den"]]


def trend(scope: Scope, *, unit: str = "month", code: str = "received", part: str = "all") -> list[dict[str, Any]]:
    """Counts per week or month of receipt (local time), oldest first."""

    trunc = TruncMonth if unit == "month" else TruncWeek
    rows = (part_queryset(code, part, scope).order_by()
            .annotate(bucket=trunc("received_at", tzinfo=scope.tz)).values("bucket").annotate(n=Count("pk"))
            .order_by("bucket"))
    out = []
    for r in rows:
        b = r["bucket"]
        day = b.astimezone(scope.tz).date() if isinstance(b, dt.datetime) else b
        if unit == "month":
            last = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            label = f"{day.year}-{day.month:02d}"
        else:
            last = day + dt.timedelta(days=6)
            label = f"{day:%m-%d}"
        out.append({"label": label, "from": max(day, scope.first_day), "to": min(last, scope.last_day),
                    "count": r["n"]})
    return out


def group_filter(by: str, key: str | None) -> Q:
    """The condition behind one row of :func:`breakdown` (drill-down from a chart or table row)."""
    empty = key in (None, "", "none", "None")
    if by == "category":
        return Q(category__isnull=True) if empty else Q(category_id=key) | Q(category__parent_id=key)
    if by == "subject":  # R-M5-15: 物业管理 / 地产 / 市政, as breakdown() classifies them
        subjects = {"developer": Q(developer_matter=True), "municipal": Q(developer_matter=False, municipal=True),
                    "property": Q(developer_matter=False, municipal=False)}
        if key not in subjects:
            raise KeyError(key)
        return subjects[key or ""]
    if by == "escalation_level":  # R-M5-15, R-M3-01: 一般 ("none" is a level here) / 重要 / 热点 / 重大
        return complaint_levels.level_q(key or "")
    fields = {"kind": "kind", "channel": "channel", "department": "department_id",
              "building": "household__building_id", "project": "project_id"}
    if by not in fields:
        raise KeyError(by)
    name = fields[by]
    if empty:
        return Q(**{f"{name.removesuffix('_id')}__isnull": True})
    return Q(**{name: key})


def period_filter(first: dt.date, last: dt.date, tz: dt.tzinfo = SHANGHAI) -> Q:
    """Tickets received on local dates first…last (a trend bucket)."""
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return Q(received_at__gte=start, received_at__lt=end)


class ScopeError(ValueError):
    """Bad scope parameters; the message is shown to the user."""


def scope_from_params(params: Any, *, now: dt.datetime, allowed_project_ids: Iterable[int],
                      default_days: int = 30, tz: dt.tzinfo = SHANGHAI) -> Scope:
    """Rebuild a :class:`Scope` from query parameters (``Scope.params()``), limited to the projects
    the user may see. Missing dates: the last ``default_days`` days."""
    allowed = set(allowed_project_ids)
    raw = (params.get("projects") or params.get("project") or "").strip()
    try:
        wanted = {int(x) for x in raw.replace("，", ",").split(",") if x.strip()} if raw else set(allowed)
    except ValueError as exc:
        raise ScopeError("项目参数不正确") from exc
    if not wanted <= allowed:
        raise ScopeError("无权查看所选项目")
    today = now.astimezone(tz).date()
    try:
        last = dt.date.fromisoformat(params["to"]) if params.get("to") else today
        first = dt.date.fromisoformat(params["from"]) if params.get("from") else last - dt.timedelta(days=default_days - 1)
    except ValueError as exc:
        raise ScopeError("日期格式应为 YYYY-MM-DD") from exc
    if first > last:
        raise ScopeError("开始日期不能晚于结束日期")
    if (last - first).days > 3 * 366:
        raise ScopeError("统计期最长三年")

    def opt_int(name: str) -> int | None:
        v = params.get(name)
        if not v:
            return None
        try:
            return int(v)
        except ValueError as exc:
            raise ScopeError(f"参数 {name} 不正确") from exc

    channel = params.get("channel") or None
    if channel and channel not in Channel.values:
        raise ScopeError("投诉方式不正确")
    kind = params.get("kind") or None
    if kind and kind not in Kind.values:
        raise ScopeError("诉求类型不正确")
    return Scope.for_dates(sorted(wanted), first, last, now=now, tz=tz, department_id=opt_int("department"),
                           category_id=opt_int("category"), channel=channel, kind=kind,
                           developer_only=params.get("developer") == "1")


def drill_queryset(params: Any, scope: Scope) -> QuerySet[Ticket]:
    """The tickets behind a figure: KPI part, optionally one breakdown row (by/key) and one trend bucket."""
    code = params.get("kpi") or "received"
    if code not in REGISTRY:
        raise ScopeError("指标不存在")
    part = params.get("part") or ("all" if "all" in REGISTRY[code].parts(scope) else "numerator")
    try:
        qs = part_queryset(code, part, scope)
    except KeyError as exc:
        raise ScopeError("指标分项不存在") from exc
    for by_name, key_name in (("by", "key"), ("by2", "key2")):
        by = params.get(by_name)
        if by:
            try:
                qs = qs.filter(group_filter(by, params.get(key_name)))
            except (KeyError, ValueError) as exc:
                raise ScopeError("分组参数不正确") from exc
    if params.get("bucket_from") and params.get("bucket_to"):
        try:
            qs = qs.filter(period_filter(dt.date.fromisoformat(params["bucket_from"]),
                                         dt.date.fromisoformat(params["bucket_to"]), scope.tz))
        except ValueError as exc:
            raise ScopeError("日期格式应为 YYYY-MM-DD") from exc
    return qs


def building_heat(scope: Scope, *, code: str = "received", part: str = "all") -> dict[str, Any]:
    """Heat map: buildings × top-level categories, one GROUP BY query. Tickets without a dwelling
    are left out (they have no building)."""

    rows = (part_queryset(code, part, scope).filter(household__isnull=False).order_by()
            .annotate(cat=Coalesce("category__parent_id", "category_id"),
                      cat_name=Coalesce("category__parent__name", "category__name"))
            .values("household__building_id", "household__building__name", "cat", "cat_name")
            .annotate(n=Count("pk")))
    buildings: dict[int, str] = {}
    categories: dict[Any, str] = {}
    cells = []
    for r in rows:
        buildings[r["household__building_id"]] = r["household__building__name"]
        categories[r["cat"]] = r["cat_name"] or "未分类"
        cells.append((r["household__building_id"], r["cat"], r["n"]))
    b_keys = sorted(buildings, key=lambda k: buildings[k])
    c_keys = sorted(categories, key=lambda k: (k is None, categories[k]))
    return {"buildings": [{"key": k, "label": buildings[k]} for k in b_keys],
            "categories": [{"key": k, "label": categories[k]} for k in c_keys],
            "cells": [{"x": b_keys.index(b), "y": c_keys.index(c), "count": n, "building": b, "category": c}
                      for b, c, n in cells]}
