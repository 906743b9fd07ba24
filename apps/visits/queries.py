"""Reads of the visits app shared by the pages, the API and the reports: the one filter used by the
archive page, its export, the API list and the drill-down links; the list querysets (each with what
its rows show, so a list runs the same number of queries whatever its length); and the year-end
statistics (R-M5-12) computed through that same filter so that every figure equals the list behind
it. Who may see what is in :mod:`apps.visits.access`."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from apps.estates.models import Household
from apps.org.models import Department, DepartmentKind, Membership, Project, User
from apps.org.roles import Role
from apps.visits.models import UNSOLVED_STATUSES, ProblemStatus, Visit, VisitCategory, VisitMethod, VisitProblem


def cs_department(project: Project) -> Department | None:
    """The project's 客服部 (R-M6-06), where its visit records are filed."""
    return (Department.objects.filter(project=project, kind=DepartmentKind.CUSTOMER_SERVICE)
            .order_by("pk").first())


def department_heads(department: Department) -> list[User]:
    """The active heads of ``department``: told of an open visit problem assigned to it (R-M9-04)."""
    rows = Membership.objects.filter(department=department, role=Role.DEPT_HEAD).select_related("user")
    return [m.user for m in rows if m.user.is_active]


def staff_of(projects: Any, *, active_only: bool = False) -> QuerySet[User]:
    """The staff of ``projects`` (the visitor filter and choice), not a scan of every visit."""
    users = User.objects.filter(memberships__project__in=projects)
    if active_only:
        users = users.filter(is_active=True)
    return users.distinct().order_by("username")


def household_in(projects: Any, household_id: int) -> Household | None:
    return Household.objects.filter(pk=household_id, project__in=projects).first()


# ------------------------------------------------------------------ list querysets


def archive_visits(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    """The rows of the visit archive page and its Excel export, newest first, with their problem counts."""
    return (visits.select_related("project", "household", "person", "visitor", "filed_department", "recorded_by")
            .annotate(n_problems=Count("problems"),
                      n_open=Count("problems", filter=Q(problems__status=ProblemStatus.OPEN)),
                      n_cannot=Count("problems", filter=Q(problems__status=ProblemStatus.CANNOT_SOLVE)))
            .order_by("-visited_at", "-pk"))


def archive_problems(problems: QuerySet[VisitProblem]) -> QuerySet[VisitProblem]:
    """The rows of the problem list page, newest visit first."""
    return (problems.select_related("visit__project", "visit__household", "category__parent", "department",
                                    "ticket")
            .order_by("-visit__visited_at", "pk"))


PROBLEM_PREFETCH = ("problems__category__parent", "problems__department", "problems__ticket")


def api_visits(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    """The rows of the API list: each visit with its problems (no query per visit or problem)."""
    return (visits.select_related("household", "visitor", "filed_department")
            .prefetch_related(*PROBLEM_PREFETCH)
            .order_by("-visited_at", "-pk"))


def visit_problems(visit: Visit) -> QuerySet[VisitProblem]:
    """The problems shown on a visit's page."""
    return (visit.problems.select_related("category__parent", "department", "ticket", "resolved_by")
            .prefetch_related("follow_ups__by"))


def visit_history(visit: Visit, limit: int = 50) -> Any:
    """The latest changes of ``visit`` (simple-history rows, newest first)."""
    return visit.history.select_related("history_user").order_by("-history_date")[:limit]


# ------------------------------------------------------------------ one filter for list, export, drill-down


@dataclass
class VisitQuery:
    """Cleaned filter parameters (from the query string). Unknown or malformed values are reported in
    ``errors`` and ignored, never silently widened into something else."""

    project: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    category: str = ""
    method: str = ""
    visitor: int | None = None
    problem_status: str = ""
    problem_category: str = ""  # a Category id, or "none" for 未分类
    household: str = ""
    household_id: int | None = None
    include_voided: bool = False
    errors: list[str] | None = None


def _int(raw: str, label: str, errors: list[str]) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        errors.append(f"{label}不正确")
        return None


def _date(raw: str, label: str, errors: list[str]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{label}应为 YYYY-MM-DD")
        return None


def parse_query(params: Any) -> VisitQuery:
    """Parse the archive filters: project, year/month or date_from/date_to, category, method, visitor,
    problem_status, problem_category, household (search in the room label), include_voided."""
    errors: list[str] = []
    q = VisitQuery(errors=errors)
    q.project = _int(params.get("project", ""), "项目", errors)
    year = _int(params.get("year", ""), "年份", errors)
    month = _int(params.get("month", ""), "月份", errors)
    if month is not None and not 1 <= month <= 12:
        errors.append("月份应为 1–12")
        month = None
    if year is not None and not 2000 <= year <= 2100:
        errors.append("年份不正确")
        year = None
    if year is not None:
        if month is not None:
            q.date_from = dt.date(year, month, 1)
            q.date_to = (q.date_from.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        else:
            q.date_from, q.date_to = dt.date(year, 1, 1), dt.date(year, 12, 31)
    elif month is not None:
        errors.append("按月筛选须同时选择年份")
    q.date_from = _date(params.get("date_from", ""), "开始日期", errors) or q.date_from
    q.date_to = _date(params.get("date_to", ""), "结束日期", errors) or q.date_to
    category = params.get("category", "")
    if category and category not in VisitCategory.values:
        errors.append("走访类别不正确")
    else:
        q.category = category
    method = params.get("method", "")
    if method and method not in VisitMethod.values:
        errors.append("走访方式不正确")
    else:
        q.method = method
    q.visitor = _int(params.get("visitor", ""), "走访人", errors)
    status = params.get("problem_status", "") or params.get("status", "")
    if status and status not in ProblemStatus.values and status != "unsolved":
        errors.append("问题状态不正确")
    else:
        q.problem_status = status
    pcat = params.get("problem_category", "")
    if pcat and pcat != "none" and not pcat.isdigit():
        errors.append("问题分类不正确")
    else:
        q.problem_category = pcat
    q.household = (params.get("household", "") or "").strip()[:50]
    q.household_id = _int(params.get("hh", ""), "房屋", errors)
    q.include_voided = params.get("include_voided", "") in ("1", "on", "true")
    return q


def _problem_q(q: VisitQuery, prefix: str = "") -> Q:
    cond = Q()
    if q.problem_status == "unsolved":
        cond &= Q(**{f"{prefix}status__in": UNSOLVED_STATUSES})
    elif q.problem_status:
        cond &= Q(**{f"{prefix}status": q.problem_status})
    if q.problem_category == "none":
        cond &= Q(**{f"{prefix}category__isnull": True})
    elif q.problem_category:
        cond &= Q(**{f"{prefix}category_id": int(q.problem_category)})
    return cond


def _visit_q(q: VisitQuery, prefix: str = "") -> Q:
    """The visit conditions of ``q``; ``prefix`` applies them through a relation (``"visit__"``)."""
    conds: dict[str, Any] = {}
    if not q.include_voided:
        conds["voided_at__isnull"] = True
    if q.project is not None:
        conds["project_id"] = q.project
    if q.date_from is not None:
        conds["visited_on__gte"] = q.date_from
    if q.date_to is not None:
        conds["visited_on__lte"] = q.date_to
    if q.category:
        conds["category"] = q.category
    if q.method:
        conds["method"] = q.method
    if q.visitor is not None:
        conds["visitor_id"] = q.visitor
    if q.household:
        conds["household__label__icontains"] = q.household
    if q.household_id is not None:
        conds["household_id"] = q.household_id
    return Q(**{prefix + k: v for k, v in conds.items()})


def filter_visits(qs: QuerySet[Visit], q: VisitQuery) -> QuerySet[Visit]:
    """Apply ``q`` to visits; a problem filter keeps the visits having at least one such problem."""
    qs = qs.filter(_visit_q(q))
    if q.problem_status or q.problem_category:
        qs = qs.filter(pk__in=VisitProblem.objects.filter(_problem_q(q)).values("visit_id"))
    return qs


def filter_problems(qs: QuerySet[VisitProblem], q: VisitQuery) -> QuerySet[VisitProblem]:
    """Apply ``q`` to problems (the visit filters apply to the problem's visit)."""
    return qs.filter(_visit_q(q, "visit__") & _problem_q(q))


def list_href(path: str, **params: Any) -> str:
    """A drill-down link: ``path`` with the non-empty parameters (dates as ISO)."""
    clean = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(clean)}" if clean else path


VISIT_LIST = "/visits/"
PROBLEM_LIST = "/visits/problems/"


# ------------------------------------------------------------------ year-end statistics (R-M5-12)


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    d = start.replace(day=1)
    while d <= end:
        nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((max(d, start), min(nxt - dt.timedelta(days=1), end)))
        d = nxt
    return out


def period_statistics(project: Project, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The figures of the 年度走访统计 (R-M5-12) of ``project`` for visits dated ``start``–``end``
    (local dates, inclusive): visits by category, method and month; problems by category and status;
    the problems not yet solved or that cannot be solved. Every count carries ``href``: the archive
    list with the same filter, so the figure equals the list behind it. Voided visits do not count."""
    base = VisitQuery(project=project.pk, date_from=start, date_to=end, errors=[])
    visits = filter_visits(Visit.objects.all(), base)
    problems = filter_problems(VisitProblem.objects.all(), base)
    scope = {"project": project.pk, "date_from": start, "date_to": end}

    def visit_rows(field: str, choices: Any) -> list[dict[str, Any]]:
        counts = dict(visits.values_list(field).annotate(n=Count("pk")).order_by())
        return [{"key": value, "label": str(label), "count": counts.get(value, 0),
                 "href": list_href(VISIT_LIST, **scope, **{field: value})} for value, label in choices]

    month_counts = {(m.year, m.month): n for m, n in (visits.annotate(m=TruncMonth("visited_on")).values_list("m")
                                                      .annotate(n=Count("pk")).order_by())}
    by_month = [{"key": f"{a:%Y-%m}", "label": f"{a.year}年{a.month}月",
                 "count": month_counts.get((a.year, a.month), 0),
                 "href": list_href(VISIT_LIST, project=project.pk, date_from=a, date_to=b)}
                for a, b in _months(start, end)]
    status_counts = dict(problems.values_list("status").annotate(n=Count("pk")).order_by())
    by_status = [{"key": value, "label": str(label), "count": status_counts.get(value, 0),
                  "href": list_href(PROBLEM_LIST, **scope, status=value)} for value, label in ProblemStatus.choices]
    cat_rows = (problems.values("category_id", "category__name", "category__parent__name")
                .annotate(n=Count("pk")).order_by("category__sort", "category_id"))
    by_category = []
    for r in cat_rows:
        name = r["category__name"] or "未分类"
        if r["category__parent__name"]:
            name = f"{r['category__parent__name']}/{name}"
        by_category.append({"key": r["category_id"] or "none", "label": name, "count": r["n"],
                            "href": list_href(PROBLEM_LIST, **scope, problem_category=r["category_id"] or "none")})
    unsolved = (problems.filter(status__in=UNSOLVED_STATUSES)
                .select_related("visit__household", "category__parent", "department", "ticket")
                .order_by("category__sort", "category_id", "visit__visited_on", "pk"))
    open_rows = [{"id": p.pk, "visit": p.visit_id, "day": p.visit.visited_on.isoformat(),
                  "household": p.visit.household.label, "category": str(p.category) if p.category else "未分类",
                  "description": p.description[:300], "status": p.get_status_display(), "status_key": p.status,
                  "department": p.department.name if p.department else "",
                  "reason": p.cannot_reason[:300], "ticket": p.ticket.number if p.ticket else ""}
                 for p in unsolved]
    total = visits.count()
    return {
        "visit_total": total,
        "visit_total_href": list_href(VISIT_LIST, **scope),
        "households_visited": visits.values("household_id").distinct().count(),
        "problem_total": problems.count(),
        "problem_total_href": list_href(PROBLEM_LIST, **scope),
        "unsolved_total": len(open_rows),
        "unsolved_href": list_href(PROBLEM_LIST, **scope, status="unsolved"),
        "visit_tables": [
            {"title": "走访按类别", "unit": "次", "rows": visit_rows("category", VisitCategory.choices)},
            {"title": "走访按方式", "unit": "次", "rows": visit_rows("method", VisitMethod.choices)},
            {"title": "走访按月份", "unit": "次", "rows": by_month},
            {"title": "问题按分类", "unit": "个", "rows": by_category},
            {"title": "问题按处理状态", "unit": "个", "rows": by_status},
        ],
        "open_problems": open_rows,
    }


def summary_text(label: str, figures: dict[str, Any]) -> str:
    """Starting text of the year-end summary for the 物业总经理 (R-M5-12)."""
    status = {r["key"]: r["count"] for r in figures["visit_tables"][4]["rows"]}
    cats = [r for r in figures["visit_tables"][3]["rows"] if r["count"]]
    top = "、".join(f"{r['label']}（{r['count']}）" for r in sorted(cats, key=lambda r: -r["count"])[:5])
    return (f"{label}客服部共走访/回访 {figures['visit_total']} 次，涉及 {figures['households_visited']} 户；"
            f"业主提出问题 {figures['problem_total']} 个，其中当场解决 {status.get(ProblemStatus.ON_SPOT, 0)} 个、"
            f"已解决 {status.get(ProblemStatus.SOLVED, 0)} 个、尚未解决 {status.get(ProblemStatus.OPEN, 0)} 个、"
            f"无法解决 {status.get(ProblemStatus.CANNOT_SOLVE, 0)} 个。"
            + (f"问题主要集中在：{top}。" if top else ""))


def approvers_of(project: Project) -> list[User]:
    """The 物业总经理 of the project's company: they approve monthly visit plans (R-M9-10)."""
    rows = (Membership.objects.filter(role=Role.GENERAL_MANAGER, company_id=project.company_id)
            .filter(Q(project=None) | Q(project=project)).select_related("user"))
    return [m.user for m in rows if m.user.is_active]
