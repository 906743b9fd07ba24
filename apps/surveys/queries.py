"""Reads of the surveys app shared by pages, API, outputs and the dashboard.

Rates are SQL aggregates (R-M10-02, R-M10-05, AS-25, AS-27): one ``aggregate`` over the sample of a
project survey, one ``GROUP BY`` per item, line and building — never a loop over households.
Verdicts compare integers (``satisfied × 1000 ≥ target × 1000 × valid``), so 179/188 = 95.21 % passes
and 178/188 = 94.68 % fails exactly.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from apps.org.models import Project
from apps.surveys.models import (
    LINE_DEPARTMENT,
    FeedbackDepartment,
    FeedbackEntry,
    Frequency,
    ProjectSurvey,
    QuestionItem,
    SampledHousehold,
    ServiceLine,
    SurveyAnswer,
    SurveyDeadline,
    SurveyPolicy,
)


def policy_for(project: Project) -> SurveyPolicy:
    """The project's survey policy: its own row, else the company's, else the SPEC defaults (unsaved)."""
    rows = {p.project_id: p for p in SurveyPolicy.objects.filter(company_id=project.company_id)
            .filter(Q(project=None) | Q(project_id=project.pk))}
    return rows.get(project.pk) or rows.get(None) or SurveyPolicy(company_id=project.company_id)


def company_policy(company_id: int) -> SurveyPolicy:
    return (SurveyPolicy.objects.filter(company_id=company_id, project=None).first()
            or SurveyPolicy(company_id=company_id))


def pct(num: int, den: int) -> Decimal | None:
    """num/den in percent with two decimals (display only; verdicts compare integers)."""
    if not den:
        return None
    return (Decimal(num) * 100 / den).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _meets(num: int, den: int, target: Decimal) -> bool:
    return den > 0 and Decimal(num) >= Decimal(target) * den


@dataclass
class Verdict:
    key: str
    label: str
    passed: bool | None  # None: not yet measurable
    value: Decimal | None
    reason: str

    @property
    def word(self) -> str:
        return {True: "达标", False: "未达标", None: "待统计"}[self.passed]


@dataclass
class Rates:
    sampled: int = 0
    distributed: int = 0
    recovered: int = 0
    recovered_in_time: int = 0
    anonymous: int = 0
    valid: int = 0
    satisfied: int = 0
    minimum: int = 0
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def distribution_rate(self) -> Decimal | None:
        return pct(self.distributed, self.minimum)

    @property
    def recovery_rate(self) -> Decimal | None:
        return pct(self.recovered_in_time, self.distributed)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return pct(self.satisfied, self.valid)


def sample_counts(survey: ProjectSurvey) -> dict[str, int]:
    """One aggregate over the survey's sample."""
    in_time = Q(recovered_at__isnull=False) & (Q(survey__recovery_due__isnull=True)
                                               | Q(recovered_at__lte=F("survey__recovery_due")))
    return SampledHousehold.objects.filter(survey=survey).aggregate(
        sampled=Count("id"),
        distributed=Count("id", filter=Q(distributed_at__isnull=False)),
        recovered=Count("id", filter=Q(recovered_at__isnull=False)),
        recovered_in_time=Count("id", filter=in_time),
        anonymous=Count("id", filter=Q(recovered_at__isnull=False, anonymous=True)),
        valid=Count("id", filter=Q(recovered_at__isnull=False, overall_satisfied__isnull=False)),
        satisfied=Count("id", filter=Q(recovered_at__isnull=False, overall_satisfied=True)),
    )


def rates(survey: ProjectSurvey, policy: SurveyPolicy | None = None) -> Rates:
    """Distribution, recovery (within the recovery window) and satisfaction with verdicts in words."""
    policy = policy or policy_for(survey.project)
    c = sample_counts(survey)
    r = Rates(sampled=c["sampled"], distributed=c["distributed"], recovered=c["recovered"],
              recovered_in_time=c["recovered_in_time"], anonymous=c["anonymous"], valid=c["valid"],
              satisfied=c["satisfied"], minimum=survey.minimum)
    # R-M10-03 / AS-25: distributed ≥ the minimum
    if r.distributed >= r.minimum and r.distributed > 0:
        d = Verdict("distribution", "发放", True, r.distribution_rate,
                    f"已发放 {r.distributed} 份，不少于最低 {r.minimum} 份")
    else:
        d = Verdict("distribution", "发放", False if survey.distribution_done_at else None, r.distribution_rate,
                    f"已发放 {r.distributed} 份，少于最低 {r.minimum} 份"
                    + (f"（原因：{survey.below_minimum_reason}）" if survey.below_minimum_reason else ""))
    # R-M10-05 / AS-25: recovered within the window ≥ 75% of distributed
    need = percent_text(policy.recovery_rate)
    if r.distributed == 0:
        rv = Verdict("recovery", "回收", None, None, "尚未发放")
    else:
        ok = _meets(r.recovered_in_time, r.distributed, policy.recovery_rate)
        late = r.recovered - r.recovered_in_time
        rv = Verdict("recovery", "回收", ok if (ok or survey.recovery_done_at) else None, r.recovery_rate,
                     f"发放 {r.distributed} 份，按时回收 {r.recovered_in_time} 份（{r.recovery_rate}%），"
                     f"{'不低于' if ok else '低于'} {need}" + (f"；另有 {late} 份逾期回收" if late else ""))
    # R-M10-02 / AS-27: satisfied ÷ valid questionnaires ≥ 95%
    target = percent_text(policy.satisfaction_target)
    if r.valid == 0:
        s = Verdict("satisfaction", "满意率", None, None, "尚无有效问卷")
    else:
        ok = _meets(r.satisfied, r.valid, policy.satisfaction_target)
        s = Verdict("satisfaction", "满意率", ok, r.satisfaction_rate,
                    f"有效问卷 {r.valid} 份，满意 {r.satisfied} 份，满意率 {r.satisfaction_rate}%，"
                    f"{'达到' if ok else '低于'}目标 {target}")
    r.verdicts = [d, rv, s]
    return r


def percent_text(rate: Decimal) -> str:
    return f"{(Decimal(rate) * 100).normalize():f}%"


@dataclass
class GroupRate:
    key: Any
    label: str
    answered: int
    satisfied: int
    rate: Decimal | None
    passed: bool | None
    line: str = ""
    code: str = ""


def _group(rows: Sequence[Mapping[str, Any]], key: str, label: Any, target: Decimal, **extra: Any) -> list[GroupRate]:
    out = []
    for row in rows:
        n, s = row["answered"], row["satisfied"]
        out.append(GroupRate(key=row[key], label=label(row), answered=n, satisfied=s, rate=pct(s, n),
                             passed=_meets(s, n, target) if n else None,
                             **{k: row.get(v, "") for k, v in extra.items()}))
    return out


def item_rates(survey: ProjectSurvey, policy: SurveyPolicy | None = None) -> list[GroupRate]:
    """Per scored item: satisfied answers ÷ answers (one GROUP BY)."""
    policy = policy or policy_for(survey.project)
    rows = list(SurveyAnswer.objects.filter(response__survey=survey, satisfied__isnull=False)
                .values("item_id", "item__order", "item__text", "item__line", "item__code")
                .annotate(answered=Count("id"), satisfied=Count("id", filter=Q(satisfied=True)))
                .order_by("item__order"))
    return _group(rows, "item_id", lambda r: f"{r['item__order']}. {r['item__text']}", policy.satisfaction_target,
                  line="item__line", code="item__code")


def line_rates(survey: ProjectSurvey, policy: SurveyPolicy | None = None) -> list[GroupRate]:
    """Per service line (条线/部门, R-M10-06): one GROUP BY."""
    policy = policy or policy_for(survey.project)
    rows = list(SurveyAnswer.objects.filter(response__survey=survey, satisfied__isnull=False)
                .values("item__line")
                .annotate(answered=Count("id"), satisfied=Count("id", filter=Q(satisfied=True)))
                .order_by("item__line"))
    lines = dict(ServiceLine.choices)
    return _group(rows, "item__line", lambda r: str(lines.get(r["item__line"], r["item__line"])),
                  policy.satisfaction_target)


def department_rates(survey: ProjectSurvey, policy: SurveyPolicy | None = None) -> list[GroupRate]:
    """R-M10-06 (001 12.8): satisfaction per department (客服部, 安保部, 工程部, 环境管理部, 开发公司工程部) —
    the line rates (one GROUP BY) summed by the department answering for each line, with the number of
    opinions logged for it in the 《与客户沟通登记表》 (one GROUP BY) in ``line``."""
    policy = policy or policy_for(survey.project)
    answered: dict[str, int] = {}
    satisfied: dict[str, int] = {}
    for g in line_rates(survey, policy):
        dept = LINE_DEPARTMENT.get(str(g.key))
        if dept is not None:
            answered[dept] = answered.get(dept, 0) + g.answered
            satisfied[dept] = satisfied.get(dept, 0) + g.satisfied
    opinions = dict(FeedbackEntry.objects.filter(survey=survey).values("department")
                    .annotate(n=Count("id")).values_list("department", "n"))
    out = []
    for value, label in FeedbackDepartment.choices:
        n, s = answered.get(value, 0), satisfied.get(value, 0)
        out.append(GroupRate(key=value, label=str(label), answered=n, satisfied=s, rate=pct(s, n),
                             passed=_meets(s, n, policy.satisfaction_target) if n else None,
                             line=str(opinions.get(value, 0))))
    return out


def pending_feedback(survey: ProjectSurvey) -> QuerySet[SampledHousehold]:
    """Recovered questionnaires with an opinion (a comment or a written answer) not yet logged in the
    《与客户沟通登记表》 (R-M10-06)."""
    written = SurveyAnswer.objects.filter(response=OuterRef("pk")).exclude(text="")
    logged = FeedbackEntry.objects.filter(response=OuterRef("pk"))
    return (SampledHousehold.objects.filter(survey=survey, recovered_at__isnull=False)
            .filter(~Q(comment="") | Exists(written)).exclude(Exists(logged))
            .select_related("household").order_by("household__label"))


def opinion_text(row: SampledHousehold) -> str:
    """The owner's opinions on one questionnaire: the written answers and the comment."""
    texts = [a.text for a in row.answers.all() if a.text]
    if row.comment:
        texts.append(row.comment)
    return "；".join(texts)


def feedback_register(survey: ProjectSurvey) -> QuerySet[FeedbackEntry]:
    return (FeedbackEntry.objects.filter(survey=survey).select_related("response__household", "logged_by")
            .order_by("department", "id"))


def assignee_progress(survey: ProjectSurvey) -> list[dict[str, Any]]:
    """R-M10-13: the field work per assigned staff member (one GROUP BY): sampled, distributed,
    recovered; unassigned households under an empty name."""
    rows = (SampledHousehold.objects.filter(survey=survey)
            .values("assigned_to_id", "assigned_to__display_name", "assigned_to__username")
            .annotate(sampled=Count("id"), distributed=Count("id", filter=Q(distributed_at__isnull=False)),
                      recovered=Count("id", filter=Q(recovered_at__isnull=False)))
            .order_by("assigned_to__username"))
    return [{"user_id": r["assigned_to_id"],
             "name": r["assigned_to__display_name"] or r["assigned_to__username"] or "",
             "sampled": r["sampled"], "distributed": r["distributed"], "recovered": r["recovered"]} for r in rows]


def building_rates(survey: ProjectSurvey, policy: SurveyPolicy | None = None) -> list[GroupRate]:
    """Per building: overall-satisfied questionnaires ÷ valid ones, with the sample and distribution."""
    policy = policy or policy_for(survey.project)
    rows = list(SampledHousehold.objects.filter(survey=survey)
                .values("building_id", "building__name", "building__sort_key")
                .annotate(sampled=Count("id"), distributed=Count("id", filter=Q(distributed_at__isnull=False)),
                          recovered=Count("id", filter=Q(recovered_at__isnull=False)),
                          answered=Count("id", filter=Q(overall_satisfied__isnull=False)),
                          satisfied=Count("id", filter=Q(overall_satisfied=True)))
                .order_by("building__sort_key", "building__name"))
    out = _group(rows, "building_id", lambda r: r["building__name"], policy.satisfaction_target)
    for g, row in zip(out, rows, strict=True):
        g.line = f"{row['sampled']}/{row['distributed']}/{row['recovered']}"
    return out


def comments(survey: ProjectSurvey, limit: int = 200) -> list[str]:
    texts = list(SurveyAnswer.objects.filter(response__survey=survey).exclude(text="")
                 .values_list("text", flat=True)[:limit])
    texts += list(SampledHousehold.objects.filter(survey=survey).exclude(comment="")
                  .values_list("comment", flat=True)[:limit])
    return texts


def concentrated_issues(survey: ProjectSurvey, policy: SurveyPolicy | None = None) -> list[dict[str, Any]]:
    """Suggested issues for the open letter (R-M10-07, interpretation): a scored item that at least the
    configured share of the valid questionnaires answered as not satisfied."""
    policy = policy or policy_for(survey.project)
    valid = SampledHousehold.objects.filter(survey=survey, recovered_at__isnull=False).count()
    if not valid:
        return []
    rows = (SurveyAnswer.objects.filter(response__survey=survey, satisfied=False)
            .values("item__code", "item__text", "item__line")
            .annotate(n=Count("id")).order_by("-n", "item__code"))
    lines = dict(ServiceLine.choices)
    out = []
    for row in rows:
        if Decimal(row["n"]) >= Decimal(policy.concentrated_share) * valid:
            out.append({"code": row["item__code"], "text": row["item__text"],
                        "line": str(lines.get(row["item__line"], row["item__line"])),
                        "count": row["n"], "share": str(pct(row["n"], valid))})
    return out


def deadlines(survey: ProjectSurvey) -> list[SurveyDeadline]:
    return list(survey.deadlines.all().order_by("due_at"))


# ---------------------------------------------------------------- frequency (R-M10-01, P-19, AS-28)


@dataclass
class Compliance:
    project: Project
    year: int
    h1: int
    h2: int
    h1_status: str  # "ok", "fail", "pending", "na"
    h2_status: str
    year_status: str
    reason: str


STATUS_WORDS = {"ok": gettext_lazy("合规"), "fail": gettext_lazy("不合规"), "pending": gettext_lazy("进行中"),
                "na": gettext_lazy("不要求")}


def frequency_compliance(projects: list[Project], year: int, today: dt.date, *,
                         received: list[tuple[int, dt.date]] | None = None,
                         policies: dict[tuple[int, int | None], SurveyPolicy] | None = None) -> list[Compliance]:
    """Surveys received per half-year per project, judged by each project's P-19. ``received`` (project
    id, received date) and ``policies`` may be passed by a caller that already read them."""
    h1_end, h2_end = dt.date(year, 6, 30), dt.date(year, 12, 31)
    if received is None:
        received = list(ProjectSurvey.objects.filter(project__in=projects, received_on__year=year)
                        .values_list("project_id", "received_on"))
    if policies is None:
        policies = _policies(projects)
    counts: dict[int, list[int]] = {}
    for project_id, day in received:
        if day.year == year:
            counts.setdefault(project_id, [0, 0])[0 if day <= h1_end else 1] += 1
    out = []
    for project in projects:
        pol = policies.get((project.company_id, project.pk)) or policies.get((project.company_id, None))
        freq = pol.frequency if pol else Frequency.TWICE_EACH_HALF
        h1, h2 = counts.get(project.pk, [0, 0])
        total = h1 + h2

        def half(n: int, end: dt.date) -> str:
            return "ok" if n >= 1 else ("fail" if today > end else "pending")

        if freq == Frequency.TWICE_EACH_HALF:
            s1, s2 = half(h1, h1_end), half(h2, h2_end)
            ys = "ok" if s1 == s2 == "ok" else ("fail" if "fail" in (s1, s2) else "pending")
            need = gettext("每年不少于2次且每半年至少1次")
        else:
            s1 = s2 = "na"
            least = 2 if freq == Frequency.TWICE_A_YEAR else 1
            ys = "ok" if total >= least else ("fail" if today > h2_end else "pending")
            need = gettext("每年至少%(n)s次") % {"n": least}
        reason = gettext("%(year)s年上半年 %(h1)s 次、下半年 %(h2)s 次；要求%(need)s → %(status)s") % {
            "year": year, "h1": h1, "h2": h2, "need": need, "status": STATUS_WORDS[ys]}
        out.append(Compliance(project, year, h1, h2, s1, s2, ys, reason))
    return out


def _policies(projects: list[Project]) -> dict[tuple[int, int | None], SurveyPolicy]:
    return {(p.company_id, p.project_id): p
            for p in SurveyPolicy.objects.filter(company_id__in={x.company_id for x in projects})}


def surveys_list(qs: QuerySet[ProjectSurvey]) -> QuerySet[ProjectSurvey]:
    return (qs.select_related("campaign", "project", "letter")
            .annotate(n_sampled=Count("sample", distinct=True),
                      n_distributed=Count("sample", filter=Q(sample__distributed_at__isnull=False), distinct=True),
                      n_recovered=Count("sample", filter=Q(sample__recovered_at__isnull=False), distinct=True))
            .order_by("-received_on", "project__code"))


def previous_survey(survey: ProjectSurvey) -> ProjectSurvey | None:
    """The project's previous survey (trend charts compare with it)."""
    return (ProjectSurvey.objects.filter(project_id=survey.project_id, received_on__lt=survey.received_on)
            .order_by("-received_on", "-id").first())


def item_rate_by_code(surveys: list[ProjectSurvey], codes: list[str]) -> dict[tuple[int, str], GroupRate]:
    """Satisfaction per (survey, item code) for several surveys — one GROUP BY (improvement plans)."""
    rows = (SurveyAnswer.objects.filter(response__survey__in=surveys, item__code__in=codes, satisfied__isnull=False)
            .values("response__survey_id", "item__code")
            .annotate(answered=Count("id"), satisfied=Count("id", filter=Q(satisfied=True))))
    return {(r["response__survey_id"], r["item__code"]): GroupRate(
        key=r["item__code"], label=r["item__code"], answered=r["answered"], satisfied=r["satisfied"],
        rate=pct(r["satisfied"], r["answered"]), passed=None) for r in rows}


def scored_items(survey: ProjectSurvey) -> list[QuestionItem]:
    return list(survey.campaign.questionnaire.items.all().order_by("order"))


def surveys_for_household(household_id: int) -> QuerySet[SampledHousehold]:
    """The questionnaires a household was sampled for (the owners' account, issue 19): newest first,
    with what the owner needs to know (the campaign, whether it was answered, whether it is open)."""
    return (SampledHousehold.objects.filter(household_id=household_id)
            .select_related("survey__campaign__questionnaire", "survey__project")
            .order_by("-survey__received_on", "-id"))


# ---------------------------------------------------------------- dashboard (AS-27, AS-28)


@dataclass
class DashboardFlags:
    below_target: list[tuple[ProjectSurvey, Decimal | None, str]]
    non_compliant: list[Compliance]
    overdue: list[SurveyDeadline]


def dashboard_flags(projects: list[Project], now: dt.datetime, tz: dt.tzinfo) -> DashboardFlags:
    """What the home page flags: the latest survey of each project below the satisfaction target
    (AS-27), projects not meeting the survey frequency this year (AS-28), overdue survey stages.
    At most four queries whatever the number of projects (two when there is no survey yet)."""
    today = now.astimezone(tz).date()
    policies = _policies(projects)
    surveys = list(ProjectSurvey.objects.filter(project__in=projects).select_related("campaign", "project")
                   .order_by("project_id", "-received_on", "-id"))
    latest: dict[int, ProjectSurvey] = {}
    for ps in surveys:
        latest.setdefault(ps.project_id, ps)
    compliance = [c for c in frequency_compliance(projects, today.year, today,
                                                  received=[(ps.project_id, ps.received_on) for ps in surveys],
                                                  policies=policies)
                  if "fail" in (c.h1_status, c.h2_status, c.year_status)]
    if not surveys:
        return DashboardFlags([], compliance, [])
    sums = {row["survey_id"]: row for row in SampledHousehold.objects.filter(survey__in=list(latest.values()))
            .values("survey_id").annotate(valid=Count("id", filter=Q(overall_satisfied__isnull=False)),
                                          satisfied=Count("id", filter=Q(overall_satisfied=True)))}
    below = []
    for ps in latest.values():
        row = sums.get(ps.pk)
        if not row or not row["valid"]:
            continue
        pol = (policies.get((ps.project.company_id, ps.project_id)) or policies.get((ps.project.company_id, None))
               or SurveyPolicy())
        if not _meets(row["satisfied"], row["valid"], pol.satisfaction_target):
            rate = pct(row["satisfied"], row["valid"])
            below.append((ps, rate, f"满意率 {rate}%，低于目标 {percent_text(pol.satisfaction_target)}"))
    overdue = list(SurveyDeadline.objects.filter(survey__project__in=projects, met_at=None, due_at__lte=now,
                                                 survey__closed_at=None)
                   .select_related("survey__project", "survey__campaign").order_by("due_at")[:10])
    return DashboardFlags(below, compliance, overdue)


def campaign_counts(campaign_id: int) -> dict[int, dict[str, Any]]:
    """Distribution, recovery and satisfaction counts of every project of a campaign in one GROUP BY
    (the company view of a campaign; no per-project or per-household query)."""
    in_time = Q(recovered_at__isnull=False) & (Q(survey__recovery_due__isnull=True)
                                               | Q(recovered_at__lte=F("survey__recovery_due")))
    rows = (SampledHousehold.objects.filter(survey__campaign_id=campaign_id).values("survey__project_id")
            .annotate(sampled=Count("id"), distributed=Count("id", filter=Q(distributed_at__isnull=False)),
                      recovered_in_time=Count("id", filter=in_time),
                      valid=Count("id", filter=Q(recovered_at__isnull=False, overall_satisfied__isnull=False)),
                      satisfied=Count("id", filter=Q(recovered_at__isnull=False, overall_satisfied=True))))
    return {r["survey__project_id"]: {k: v for k, v in r.items() if k != "survey__project_id"} for r in rows}
