"""Content of the fixed reports (SPEC M5): one generator per duty of :mod:`apps.reports.schedule`.

A generator turns (duty, period, project or company, now) into ``figures`` — JSON with the KPI
values, breakdown tables and the scope they were computed over (so every figure links to the
drill-down list of the tickets behind it) — and starting text for the editable ``sections``.
The draft keeps these as a snapshot; approval freezes them (R-M5-18, issue 7 item 3).

- 月度投诉统计 (R-M5-02) and 月底投诉汇总表 (R-M5-04): KPIs, by category/department/kind/channel.
- 投诉公布 (R-M5-07): counts and handling measures of public-area, common-interest, collective and
  owner-dispute matters, worded for all owners — no names, phone numbers or room numbers.
- 季度投诉分析报告 (R-M5-05): types, counts, typical cases (anonymised), comparison with the
  previous quarter, improvement measures to fill in.
- 公司投诉统计分析报告 (R-M5-03, P-04): all projects, by project, monthly trend against the
  previous period.
- 管理服务报告 (R-M5-08) and 物业管理工作简报 (R-M5-09): service figures for owners / the client.
- 地产遗留问题统计 (R-M5-06, P-05): the developer-legacy query of apps.escalation.queries.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, Q, When

from apps.escalation.queries import legacy_monthly_counts
from apps.org.models import Company, Project
from apps.reports import kpis
from apps.reports import schedule as s
from apps.reports.anonymise import anonymise
from apps.tickets.choices import EscalationLevel, Kind
from apps.visits.queries import period_statistics, summary_text

SHANGHAI = ZoneInfo("Asia/Shanghai")

# KPI sets per report
FULL = kpis.SUMMARY_CODES
PUBLIC = ("received", "closure_rate", "reply_on_time_rate", "return_visit_rate", "satisfaction_rate")


@dataclass
class Generated:
    figures: dict[str, Any]
    sections: dict[str, str] = field(default_factory=dict)


def _projects(project: Project | None, company: Company) -> list[Project]:
    if project is not None:
        return [project]
    return list(Project.objects.filter(company=company, active=True).order_by("pk"))


def scope_for(period: s.Period, projects: list[Project], now: dt.datetime, **kw: Any) -> kpis.Scope:
    tz = projects[0].tz if projects else SHANGHAI
    return kpis.Scope.for_dates([p.pk for p in projects], period.start, period.end, now=now, tz=tz, **kw)


def _kpi_rows(scope: kpis.Scope, codes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in kpis.all_kpis(scope, codes)]


def _table(title: str, scope: kpis.Scope, by: str, *, code: str = "received", part: str = "all") -> dict[str, Any]:
    return {"title": title, "by": by, "kpi": code, "part": part,
            "rows": [{"key": r["key"], "label": r["label"], "count": r["count"]}
                     for r in kpis.breakdown(scope, by, code=code, part=part)]}


def _base(scope: kpis.Scope, period: s.Period, codes: tuple[str, ...]) -> dict[str, Any]:
    return {"period": period.label, "scope": scope.params(), "kpis": _kpi_rows(scope, codes), "tables": []}


def _value(figures: dict[str, Any], code: str, key: str = "value") -> Any:
    for row in figures.get("kpis", []):
        if row["code"] == code:
            return row[key]
    return None


def _fmt(v: Any, unit: str = "") -> str:
    return "—" if v is None else f"{v:g}{unit}" if isinstance(v, (int, float)) else str(v)


def _summary_text(figures: dict[str, Any]) -> str:
    counts = _value(figures, "received", "counts") or {}
    hot = _value(figures, "hot_major", "counts") or {}
    parts = [f"{figures['period']}共受理诉求 {counts.get('all', 0)} 件，其中投诉 {counts.get(Kind.COMPLAINT, 0)} 件、"
             f"报修 {counts.get(Kind.REPAIR, 0)} 件、建议 {counts.get(Kind.SUGGESTION, 0)} 件。"]
    if _value(figures, "closure_rate") is not None:
        parts.append(f"关闭率 {_fmt(_value(figures, 'closure_rate'), '%')}，回复及时率 "
                     f"{_fmt(_value(figures, 'reply_on_time_rate'), '%')}，回访满意率 "
                     f"{_fmt(_value(figures, 'satisfaction_rate'), '%')}。")
    if hot:
        parts.append(f"热点投诉 {hot.get('hot', 0)} 件，重大投诉 {hot.get('major', 0)} 件。")
    if _value(figures, "valid_complaint_rate") is not None:
        parts.append(f"有效投诉占投诉总数 {_fmt(_value(figures, 'valid_complaint_rate'), '%')}。")
    if _value(figures, "valid_complaints_per_household") is not None:  # R-M5-13: the ≤ 1% goal's measure
        parts.append(f"有效投诉率（按户、年化）{_fmt(_value(figures, 'valid_complaints_per_household'), '%')}（目标 ≤ 1%）。")
    return "".join(parts)


def _typical_cases(scope: kpis.Scope, limit: int = 10) -> list[dict[str, Any]]:
    """Hot, major and important complaints of the period, personal data removed (R-M5-05, R-M6-01)."""
    qs = (kpis.tickets(scope).filter(kind=Kind.COMPLAINT)
          .filter(Q(escalation_level__in=(EscalationLevel.HOT, EscalationLevel.MAJOR)) | Q(important=True))
          .select_related("category", "person", "household")
          .annotate(rank=Case(When(escalation_level=EscalationLevel.MAJOR, then=0),
                              When(escalation_level=EscalationLevel.HOT, then=1), default=2))
          .order_by("rank", "received_at")[:limit])
    return [{"number": t.number, "category": str(t.category) if t.category else "未分类",
             "level": t.get_escalation_level_display(), "status": t.get_status_display(),
             "summary": _clean(t.content, t)[:200], "result": _clean(t.handling_result, t)[:200]} for t in qs]


def _clean(text: str, ticket: Any) -> str:
    """Text of one ticket with its complainant's personal data removed (R-M5-07, R-M6-01)."""
    names = [ticket.person.name] if getattr(ticket, "person", None) else []
    if ticket.household_id and ticket.household:
        names.append(ticket.household.label)
    if ticket.complainant_surname and len(ticket.complainant_surname) > 1:
        names.append(ticket.complainant_surname)
    out = anonymise(text or "", names=names)
    if ticket.phone:
        out = out.replace(ticket.phone, "[电话已隐去]")
    return out


def _compare(cur: dict[str, Any], prev: dict[str, Any]) -> str:
    lines = []
    for row in cur["kpis"]:
        before = _value(prev, row["code"])
        if row["value"] is None or before is None:
            continue
        delta = row["value"] - before
        trend = "持平" if abs(delta) < 1e-9 else ("上升" if delta > 0 else "下降")
        lines.append(f"{row['label']}：{_fmt(row['value'], row['unit'] if row['unit'] != '件' else ' 件')}"
                     f"（上期 {_fmt(before)}，{trend}）")
    return "；".join(lines) + ("。" if lines else "")


# ------------------------------------------------------------------ generators per duty


def _monthly_summary(period: s.Period, projects: list[Project], now: dt.datetime) -> Generated:
    scope = scope_for(period, projects, now)
    f = _base(scope, period, FULL)
    f["tables"] = [_table("按类别", scope, "category"), _table("按责任部门", scope, "department"),
                   _table("按诉求类型", scope, "kind"), _table("按投诉方式", scope, "channel"),
                   _table("按楼栋", scope, "building"), _table("按投诉主体", scope, "subject"),
                   _table("按投诉级别", scope, "escalation_level"),  # R-M5-15
                   _table("未结工单（当前超时）", scope, "category", code="overdue_now")]
    f["reply_by_channel"] = kpis.rate_by(scope, "reply_on_time_rate", "channel")
    return Generated(f, {"summary": _summary_text(f)})


def _monthly_analysis(period: s.Period, projects: list[Project], now: dt.datetime) -> Generated:
    """R-M5-01 / R-M5-02: the project's monthly complaint analysis for 品质管理部 (备案): the monthly
    figures, the typical cases, the trend against the previous month, and the causes, lessons and
    corrective measures the 管理处 writes before submitting (see actions.REQUIRED_SECTIONS)."""
    out = _monthly_summary(period, projects, now)
    scope = scope_for(period, projects, now)
    out.figures["cases"] = _typical_cases(scope)
    prev_period = s.previous_period(period)
    prev = _base(scope_for(prev_period, projects, now), prev_period, FULL)
    out.sections.update({"trends": f"与{prev_period.label}相比：" + _compare(out.figures, prev),
                         "causes": "", "lessons": "", "measures": ""})
    return out


PUBLIC_WORDS = ("公共", "共用", "共有", "纠纷", "邻里", "环境", "绿化", "保洁", "电梯", "停车", "消防", "安全", "噪音")


def public_matters(scope: kpis.Scope) -> Q:
    """R-M5-07 items: common (collective or several people), public-area / common-interest matters
    (no single dwelling, or a category whose name says public area, environment, lifts, parking …)
    and owner disputes."""
    q = Q(collective=True) | Q(people_count__gt=1) | Q(household__isnull=True)
    for word in PUBLIC_WORDS:
        q |= Q(category__name__contains=word) | Q(category__parent__name__contains=word)
    return Q(kind__in=(Kind.COMPLAINT, Kind.SUGGESTION)) & q


def _bulletin(period: s.Period, projects: list[Project], now: dt.datetime) -> Generated:
    """投诉公布: aggregated counts and anonymised measures only — fit to post for all owners."""
    scope = scope_for(period, projects, now)
    f: dict[str, Any] = {"period": period.label, "scope": scope.params(), "kpis": _kpi_rows(scope, PUBLIC),
                         "tables": []}
    public = kpis.tickets(scope).filter(public_matters(scope)).select_related("category", "person", "household")
    groups: dict[str, dict[str, Any]] = {}
    for t in public.order_by("received_at")[:500]:
        name = str(t.category) if t.category else "其他"
        g = groups.setdefault(name, {"category": name, "count": 0, "closed": 0, "measures": []})
        g["count"] += 1
        g["closed"] += 1 if t.closed_at else 0
        measure = _clean(t.handling_result, t).strip()
        if measure and measure not in g["measures"] and len(g["measures"]) < 5:
            g["measures"].append(measure[:120])
    f["items"] = list(groups.values())
    f["tables"] = [_table("按类别", scope, "category")]
    lines = [f"{g['category']}：{g['count']} 件，已处理完毕 {g['closed']} 件。" +
             ("处理措施：" + "；".join(g["measures"]) + "。" if g["measures"] else "") for g in f["items"]]
    summary = (f"{period.label}，管理处共收到业主投诉与建议 "
               f"{(_value(f, 'received', 'counts') or {}).get('all', 0)} 件。公共部位、公共利益、共性问题及业户纠纷"
               f"的处理情况如下：\n" + ("\n".join(lines) if lines else "本月无此类事项。") +
               "\n感谢各位业主的理解与支持，如有意见请联系管理处。")
    return Generated(f, {"summary": summary, "measures": "\n".join(lines)})


def _quarterly_analysis(period: s.Period, projects: list[Project], now: dt.datetime) -> Generated:
    scope = scope_for(period, projects, now)
    f = _base(scope, period, FULL)
    f["tables"] = [_table("投诉类型", scope, "category", code="valid_complaint_rate", part="denominator"),
                   _table("按责任部门", scope, "department", code="valid_complaint_rate", part="denominator"),
                   _table("按楼栋", scope, "building", code="valid_complaint_rate", part="denominator")]
    f["cases"] = _typical_cases(scope)
    prev = _base(scope_for(s.previous_period(period), projects, now), s.previous_period(period), FULL)
    return Generated(f, {"summary": _summary_text(f), "trends": _compare(f, prev),
                         "measures": "", "causes": ""})


def _company_analysis(period: s.Period, projects: list[Project], now: dt.datetime) -> Generated:
    scope = scope_for(period, projects, now)
    f = _base(scope, period, FULL)
    f["tables"] = [_table("按项目", scope, "project"), _table("按类别", scope, "category"),
                   _table("按投诉主体", scope, "subject"), _table("按投诉级别", scope, "escalation_level"),  # R-M5-15
                   _table("按项目（有效投诉）", scope, "project", code="valid_complaint_rate", part="numerator"),
                   _table("按项目（热点/重大）", scope, "project", code="hot_major")]
    f["trend"] = [{"label": r["label"], "from": r["from"].isoformat(), "to": r["to"].isoformat(), "count": r["count"]}
                  for r in kpis.trend(scope, unit="month")]
    f["cases"] = _typical_cases(scope)
    prev_period = s.previous_period(period)
    prev = _base(scope_for(prev_period, projects, now), prev_period, FULL)
    return Generated(f, {"summary": _summary_text(f), "trends": f"与{prev_period.label}相比：" + _compare(f, prev),
                         "lessons": "", "measures": ""})


def _service_report(period: s.Period, projects: list[Project], now: dt.datetime) -> Generated:
    scope = scope_for(period, projects, now)
    f = _base(scope, period, PUBLIC + ("hot_major",))
    f["tables"] = [_table("按类别", scope, "category"), _table("按诉求类型", scope, "kind")]
    return Generated(f, {"summary": _summary_text(f)})


def _work_brief(period: s.Period, projects: list[Project], now: dt.datetime) -> Generated:
    scope = scope_for(period, projects, now)
    f = _base(scope, period, FULL)
    f["tables"] = [_table("按类别", scope, "category"), _table("按责任部门", scope, "department")]
    f["cases"] = _typical_cases(scope, limit=5)
    return Generated(f, {"summary": _summary_text(f)})


def _legacy(period: s.Period, projects: list[Project], now: dt.datetime) -> Generated:
    """R-M5-06: counted with apps.escalation.queries.legacy_monthly_counts, month by month."""
    months = []
    d = period.start
    while d <= period.end:
        months.append(d)
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    per_project: dict[int, dict[str, Any]] = {}
    for month in months:
        for row in legacy_monthly_counts(projects, month):
            p = per_project.setdefault(row["project"].pk, {"project": row["project"].name, "count": 0, "open": 0})
            p["count"] += row["count"]
            p["open"] += row["open"]
    scope = scope_for(period, projects, now, developer_only=True, kind=Kind.COMPLAINT)
    f = _base(scope, period, ("received", "closure_rate", "overdue_now"))
    f["legacy"] = list(per_project.values())
    f["legacy_total"] = sum(p["count"] for p in per_project.values())
    f["legacy_open"] = sum(p["open"] for p in per_project.values())
    f["tables"] = [_table("按类别", scope, "category"), _table("按楼栋", scope, "building")]
    text = (f"{period.label}地产遗留问题投诉 {f['legacy_total']} 件，尚未关闭 {f['legacy_open']} 件。"
            "已按制度转地产客户服务中心跟进。")
    return Generated(f, {"summary": text})


def _visit_statistics(period: s.Period, projects: list[Project], now: dt.datetime) -> Generated:
    """年度走访统计 (R-M5-12): the CS department's count of the year's visit records by category,
    method and month, the problems by category and status, and the list of problems not yet solved
    or that cannot be solved, for the 物业总经理 (internal: room numbers, no phone numbers). The
    queries live in apps.visits.queries; every count links to the visit or problem list behind it."""
    if len(projects) != 1:
        raise ValueError("年度走访统计按项目生成")
    f: dict[str, Any] = {"period": period.label, "kpis": [], "tables": [],
                         **period_statistics(projects[0], period.start, period.end)}
    return Generated(f, {"summary": summary_text(period.label, f), "measures": ""})


GENERATORS = {
    "visit_statistics": _visit_statistics,
    "monthly_statistics": _monthly_analysis,
    "monthly_summary": _monthly_summary,
    "monthly_bulletin": _bulletin,
    "quarterly_analysis": _quarterly_analysis,
    "company_analysis": _company_analysis,
    "service_report": _service_report,
    "service_report_intranet": _service_report,
    "service_report_notice": _service_report,
    "work_brief": _work_brief,
    "legacy_statistics": _legacy,
}


def generate(duty: s.Duty, period: s.Period, *, project: Project | None, company: Company,
             now: dt.datetime) -> Generated:
    """The figures and starting sections of ``duty`` over ``period`` for ``project`` (or the company)."""
    gen = GENERATORS[duty.code]
    out = gen(period, _projects(project, company), now)
    out.figures["generated_at"] = now.isoformat()
    out.figures["duty"] = duty.code
    return out
