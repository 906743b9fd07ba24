"""Every write of the surveys app (M10). Keyword-only, ``acting_user`` and ``now`` passed in; a refusal
is a :class:`SurveyError` (Chinese message, field, code, HTTP status); each action is one
``transaction.atomic()`` (a savepoint in the caller's transaction), so nothing is half-written.

Policy and campaigns: ``save_policy``, ``create_questionnaire``, ``add_item``, ``remove_item``,
``publish_questionnaire``, ``new_version``, ``issue_campaign``.
Sample: ``draw_sample``, ``add_to_sample``, ``remove_from_sample``.
Field work: ``record_distribution`` / ``record_distributions``, ``record_recovery`` /
``record_recoveries``, ``issue_link``, ``answer_by_link``, ``answer_online`` (the owners' account).
Timeline: ``complete_distribution``, ``complete_recovery``, ``complete_statistics`` (refused while an
opinion is not logged; sends the summary by department to the 物业总经理), ``draft_letter``,
``approve_letter``, ``post_letter``, ``submit_to_quality``, ``record_follow_up``.
Statistics and supervision: ``log_feedback`` (与客户沟通登记表, R-M10-06), ``assign_field_work`` and
``record_supervision`` (R-M10-13).

Reactions, all (a) explicit calls in the same transaction: posting the letter calls
``apps.portal.actions.publish_notice`` (the board keeps the approval, R-M10-07); an SMS link calls
``apps.notify.actions.notify_owner``. Deadline warnings and breaches are the sweep's
(:mod:`apps.surveys.sweep`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from apps.core.errors import DomainError
from apps.estates.models import Building, Household, Person, PersonKind
from apps.notify.actions import notify_owner, notify_staff
from apps.notify.channels import absolute_link
from apps.notify.queries import NotifyError
from apps.org.access import can_see_project, has_cap
from apps.org.models import Company, Department, Membership, Project
from apps.org.roles import Cap, Role
from apps.portal.actions import PortalError, publish_notice
from apps.portal.models import PublicationKind
from apps.surveys import access, queries, sampling
from apps.surveys.models import (
    AnsweredVia,
    AnswerLink,
    Aspect,
    Channel,
    FeedbackDepartment,
    FeedbackEntry,
    FollowUp,
    FollowUpKind,
    Frequency,
    OpenLetter,
    ProjectSurvey,
    QuestionItem,
    Questionnaire,
    QuestionnaireStatus,
    SampledHousehold,
    ScaleOption,
    Scope,
    ServiceLine,
    Stage,
    SurveyAnswer,
    SurveyCampaign,
    SurveyDeadline,
    SurveyPolicy,
    SurveySupervision,
)
from apps.surveys.queries import policy_for
from apps.workdays import policies as wpol
from apps.workdays.models import DataVersion
from apps.workdays.queries import calendar_for, compute, settings_for
from linli import clock

if TYPE_CHECKING:
    from apps.org.models import User

LINK_DAYS_MIN = 1
MAX_BULK = 2000


class SurveyError(DomainError):
    """A refused survey action."""


def _refuse(message: str, field: str | None = None, code: str = "invalid", status: int = 422) -> SurveyError:
    return SurveyError(message, field=field, code=code, status=status)


def _audit(obj: Any, acting_user: User | None, reason: str) -> None:
    obj._change_reason = reason[:100]
    obj._history_user = acting_user


def _save(obj: Any, fields: Sequence[str] | None, *, acting_user: User | None, reason: str) -> None:
    _audit(obj, acting_user, reason)
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=list(fields))


def _need(user: User, cap: str, project: Project | None, message: str) -> None:
    if project is not None and not can_see_project(user, project):
        raise _refuse("项目不存在", "project", "not_found", 404)
    if not has_cap(user, cap, project):
        raise _refuse(message, code="forbidden", status=403)


def _local_day(moment: dt.datetime, project: Project) -> dt.date:
    return moment.astimezone(project.tz).date()


def _lock(survey: ProjectSurvey) -> ProjectSurvey:
    return ProjectSurvey.objects.select_for_update(of=("self",)).select_related(
        "campaign__questionnaire", "project__company").get(pk=survey.pk)


def _open(survey: ProjectSurvey) -> None:
    if survey.closed_at is not None:
        raise _refuse("本次调查已结束（已报品质部），不能再修改", code="closed", status=409)


# ---------------------------------------------------------------- policy (P-19, P-20)

RATE_FIELDS = ("rate_young", "rate_old", "recovery_rate", "satisfaction_target", "concentrated_share")
DAY_FIELDS = ("distribution_days", "recovery_days", "statistics_days", "letter_days", "submission_days")


@transaction.atomic
def save_policy(*, company: Company, project: Project | None, values: Mapping[str, Any], acting_user: User,
                now: dt.datetime) -> SurveyPolicy:
    """品质部 sets the survey policy of the company (or overrides one project's)."""
    if not has_cap(acting_user, Cap.ISSUE_SURVEYS) and not has_cap(acting_user, Cap.MANAGE_CONFIG):
        raise _refuse("只有品质部可以设置满意度调查口径", code="forbidden", status=403)
    if project is not None and project.company_id != company.pk:
        raise _refuse("项目不属于该公司", "project")
    row = SurveyPolicy.objects.filter(company=company, project=project).first() or SurveyPolicy(
        company=company, project=project)
    if "frequency" in values:
        if values["frequency"] not in Frequency.values:
            raise _refuse("请选择调查频次", "frequency")
        row.frequency = values["frequency"]
    if "scope" in values:
        if values["scope"] not in Scope.values:
            raise _refuse("请选择发放范围", "scope")
        row.scope = values["scope"]
    for name in RATE_FIELDS:
        if name in values:
            try:
                value = Decimal(str(values[name]))
            except (InvalidOperation, ValueError):
                raise _refuse("请填写 0 到 1 之间的比例（如 0.3 表示 30%）", name) from None
            if not (Decimal("0") < value <= Decimal("1")):
                raise _refuse("比例须大于 0 且不超过 1（如 0.3 表示 30%）", name)
            setattr(row, name, value.quantize(Decimal("0.001")))
    if "old_years" in values:
        try:
            years = int(values["old_years"])
        except (TypeError, ValueError):
            raise _refuse("请填写整数年数", "old_years") from None
        if not 1 <= years <= 50:
            raise _refuse("年限须在 1 到 50 年之间", "old_years")
        row.old_years = years
    for name in DAY_FIELDS:
        if name in values:
            try:
                days = int(values[name])
            except (TypeError, ValueError):
                raise _refuse("请填写整数天数", name) from None
            if not 1 <= days <= 90:
                raise _refuse("天数须在 1 到 90 之间", name)
            setattr(row, name, days)
    if row.rate_old > row.rate_young:
        raise _refuse("老项目的发放比例不应高于新项目", "rate_old")
    _save(row, None, acting_user=acting_user, reason="设置满意度调查口径")
    return row


# ---------------------------------------------------------------- questionnaires (R-M10-02, R-M10-11)


def _parse_options(options: Sequence[Mapping[str, Any]]) -> list[tuple[str, bool]]:
    parsed = []
    for i, o in enumerate(options):
        label = str(o.get("label") or "").strip()
        if not label:
            raise _refuse(f"第{i + 1}个选项没有文字", f"options.{i}.label")
        parsed.append((label[:30], bool(o.get("satisfied"))))
    if not 2 <= len(parsed) <= 9:
        raise _refuse("答案选项须有 2 到 9 个（按键 1–9）", "options")
    if len({label for label, _ in parsed}) != len(parsed):
        raise _refuse("答案选项不能重复", "options")
    if not any(s for _, s in parsed) or all(s for _, s in parsed):
        raise _refuse("须至少有一个“计为满意”的选项和一个不计为满意的选项（满意率口径）", "options")
    return parsed


@transaction.atomic
def create_questionnaire(*, company: Company, code: str, title: str, intro: str = "",
                         options: Sequence[Mapping[str, Any]], acting_user: User, now: dt.datetime) -> Questionnaire:
    """A new draft questionnaire (version 1, or the next version of ``code``) with its answer scale."""
    if not has_cap(acting_user, Cap.BUILD_QUESTIONNAIRES):
        raise _refuse("只有客服部主管/经理可以编制问卷", code="forbidden", status=403)
    code, title = (code or "").strip().lower(), (title or "").strip()
    if not code or not all(ch.isalnum() or ch in "-_" for ch in code) or not code.isascii():
        raise _refuse("问卷代码只能由字母、数字、- 和 _ 组成", "code")
    if not title:
        raise _refuse("请填写问卷标题", "title")
    parsed = _parse_options(options)
    version = (Questionnaire.objects.filter(company=company, code=code).aggregate(m=Max("version"))["m"] or 0) + 1
    q = Questionnaire(company=company, code=code[:40], title=title[:100], version=version, intro=(intro or "").strip(),
                      created_by=acting_user, created_at=now)
    _save(q, None, acting_user=acting_user, reason="编制问卷")
    ScaleOption.objects.bulk_create([ScaleOption(questionnaire=q, key=i + 1, label=label, satisfied=s)
                                     for i, (label, s) in enumerate(parsed)])
    return q


def _draft(q: Questionnaire, acting_user: User) -> Questionnaire:
    if not has_cap(acting_user, Cap.BUILD_QUESTIONNAIRES):
        raise _refuse("只有客服部主管/经理可以编制问卷", code="forbidden", status=403)
    q = Questionnaire.objects.select_for_update().get(pk=q.pk)
    if q.status != QuestionnaireStatus.DRAFT:
        raise _refuse("已发布的问卷不能修改，请生成新版本", code="published", status=409)
    return q


@transaction.atomic
def add_item(*, questionnaire: Questionnaire, code: str, line: str, aspect: str, text: str,
             free_text: bool = False, overall: bool = False, acting_user: User, now: dt.datetime) -> QuestionItem:
    q = _draft(questionnaire, acting_user)
    code, text = (code or "").strip().lower(), (text or "").strip()
    if not code or not code.isascii() or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise _refuse("项目代码只能由字母、数字、- 和 _ 组成（跨版本保持不变，用于趋势对比）", "code")
    if line not in ServiceLine.values:
        raise _refuse("请选择条线/部门", "line")
    if aspect not in Aspect.values:
        raise _refuse("请选择方面", "aspect")
    if not text:
        raise _refuse("请填写题目", "text")
    if overall and free_text:
        raise _refuse("总体满意度题须是打分题", "overall")
    if q.items.filter(code=code).exists():
        raise _refuse("本问卷已有该项目代码", "code", "duplicate", 409)
    if overall and q.items.filter(overall=True).exists():
        raise _refuse("每份问卷只有一道总体满意度题", "overall", "duplicate", 409)
    order = (q.items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = QuestionItem.objects.create(questionnaire=q, order=order, code=code[:40], line=line, aspect=aspect,
                                       text=text[:200], free_text=free_text, overall=overall)
    return item


@transaction.atomic
def remove_item(*, item: QuestionItem, acting_user: User, now: dt.datetime) -> None:
    _draft(item.questionnaire, acting_user)
    item.delete()


@transaction.atomic
def publish_questionnaire(*, questionnaire: Questionnaire, acting_user: User, now: dt.datetime) -> Questionnaire:
    """Publish a draft: it must cover attitude, quality and efficiency (R-M10-11), have one overall
    item and a scale with satisfied and not-satisfied options (R-M10-02)."""
    q = _draft(questionnaire, acting_user)
    items = list(q.items.all())
    scored = [i for i in items if not i.free_text]
    missing = [str(label) for value, label in Aspect.choices if value != Aspect.OTHER
               and not any(i.aspect == value for i in scored)]
    if missing:
        raise _refuse("问卷须包含服务态度、服务质量和服务效率的打分题，缺少：" + "、".join(missing), "items",
                      "aspects_missing")
    if sum(1 for i in scored if i.overall) != 1:
        raise _refuse("问卷须有一道“总体满意度”打分题（用于计算满意率）", "items", "overall_missing")
    _parse_options([{"label": o.label, "satisfied": o.satisfied} for o in q.options.all()])
    q.status, q.published_at = QuestionnaireStatus.PUBLISHED, now
    _save(q, ["status", "published_at"], acting_user=acting_user, reason="发布问卷")
    return q


@transaction.atomic
def new_version(*, questionnaire: Questionnaire, acting_user: User, now: dt.datetime) -> Questionnaire:
    """A draft copy of a questionnaire as the next version (item codes kept, for trends)."""
    q = create_questionnaire(company=questionnaire.company, code=questionnaire.code, title=questionnaire.title,
                             intro=questionnaire.intro,
                             options=[{"label": o.label, "satisfied": o.satisfied} for o in questionnaire.options.all()],
                             acting_user=acting_user, now=now)
    QuestionItem.objects.bulk_create([QuestionItem(questionnaire=q, order=i.order, code=i.code, line=i.line,
                                                   aspect=i.aspect, text=i.text, free_text=i.free_text,
                                                   overall=i.overall) for i in questionnaire.items.all()])
    return q


# ---------------------------------------------------------------- deadlines (R-M10-04 … R-M10-08, P-28)

STAGE_RULES = {
    Stage.DISTRIBUTE: ("distribution_days", "收到问卷后{n}天内发放"),
    Stage.RECOVER: ("recovery_days", "发放后{n}天内回收"),
    Stage.STATISTICS: ("statistics_days", "回收后{n}天内统计分析"),
    Stage.LETTER: ("letter_days", "回收后{n}天内发布公开信"),
    Stage.SUBMIT: ("submission_days", "公开信发布后{n}天内报品质部"),
}


def _deadline_row(survey: ProjectSurvey, stage: str, start: dt.datetime, policy: SurveyPolicy, *,
                  version: int | None = None) -> SurveyDeadline:
    """The stage's deadline (unsaved): the policy's day count on the project's calendar (P-28)."""
    attr, rule = STAGE_RULES[Stage(stage)]
    days = int(getattr(policy, attr))
    if version is None:
        due, _provisional = compute(survey.project, clock=wpol.CALENDAR_DAYS, amount=days, start=start)
    else:  # many projects at once (a campaign): the calendar's version read once
        due, _provisional = wpol.evaluate(wpol.CALENDAR_DAYS, days, start, calendar_for(survey.project, version=version),
                                          settings_for(survey.project, version=version))
    assert due is not None  # a calendar-day limit always has a due moment
    warn = start + (due - start) * 3 / 4
    return SurveyDeadline(survey=survey, stage=stage, start_at=start, due_at=due, warn_at=warn,
                          rule=rule.format(n=days))


def _open_deadline(survey: ProjectSurvey, stage: str, start: dt.datetime, policy: SurveyPolicy) -> SurveyDeadline:
    row = _deadline_row(survey, stage, start, policy)
    d, _ = SurveyDeadline.objects.update_or_create(
        survey=survey, stage=stage,
        defaults={"start_at": row.start_at, "due_at": row.due_at, "warn_at": row.warn_at, "rule": row.rule,
                  "met_at": None, "warned_at": None, "breach_notified_at": None})
    return d


def _meet(survey: ProjectSurvey, stage: str, now: dt.datetime) -> None:
    SurveyDeadline.objects.filter(survey=survey, stage=stage, met_at=None).update(met_at=now)


# ---------------------------------------------------------------- campaigns and sampling (R-M10-03, P-20)


def _households(project: Project) -> list[tuple[int, int]]:
    return list(Household.objects.filter(project=project).values_list("id", "building_id"))


def _minimum(project: Project, households: int, received_on: dt.date, policy: SurveyPolicy) -> sampling.Minimum:
    return sampling.compute_minimum(
        households=households, delivered=project.handover_date, taken_over=project.takeover_date,
        received_on=received_on, all_owners=policy.scope == Scope.ALL, rate_young=policy.rate_young,
        rate_old=policy.rate_old, old_years=policy.old_years)


@transaction.atomic
def issue_campaign(*, company: Company, title: str, questionnaire: Questionnaire | None, received_on: dt.date | None,
                   projects: Sequence[Project], acting_user: User, now: dt.datetime,
                   sample: bool = True) -> SurveyCampaign:
    """品质部 issues a campaign to the chosen projects (R-M10-04): per project the minimum (P-20) and the
    distribution deadline (3 days, P-28); with ``sample`` the stratified sample is drawn at once."""
    if not has_cap(acting_user, Cap.ISSUE_SURVEYS):
        raise _refuse("只有品质部可以下发满意度调查", code="forbidden", status=403)
    title = (title or "").strip()
    if not title:
        raise _refuse("请填写调查名称", "title")
    if questionnaire is None or questionnaire.company_id != company.pk:
        raise _refuse("请选择问卷", "questionnaire")
    if questionnaire.status != QuestionnaireStatus.PUBLISHED:
        raise _refuse("只能使用已发布的问卷版本", "questionnaire", "not_published")
    if received_on is None:
        raise _refuse("请填写管理处收到日期", "received_on")
    today = now.astimezone(clock.SHANGHAI).date()
    if received_on > today + dt.timedelta(days=31):
        raise _refuse("收到日期不能晚于一个月之后", "received_on")
    chosen = list({p.pk: p for p in projects}.values())
    if not chosen:
        raise _refuse("请至少选择一个项目", "projects")
    for p in chosen:
        if p.company_id != company.pk or not p.active:
            raise _refuse(f"项目 {p.name} 不属于本公司或已不在管", "projects")
    campaign = SurveyCampaign(company=company, title=title[:100], questionnaire=questionnaire,
                              received_on=received_on, issued_by=acting_user, issued_at=now)
    _save(campaign, None, acting_user=acting_user, reason="下发满意度调查")
    homes_of: dict[int, list[tuple[int, int]]] = {p.pk: [] for p in chosen}
    for project_id, hh, building in (Household.objects.filter(project__in=chosen)
                                     .values_list("project_id", "id", "building_id").iterator(chunk_size=20_000)):
        homes_of[project_id].append((hh, building))  # one query for every project (bench: 300,000 households)
    policies = {(p.company_id, p.project_id): p for p in SurveyPolicy.objects.filter(company=company)}
    version = DataVersion.current()
    # Set-based (bench: 300 projects / 300,000 households < 10 s): the project surveys with their history
    # in one bulk insert, the distribution deadlines in one, the sample rows of every project in a few
    # multi-row INSERTs — no statement per project or per household.
    planned: list[tuple[ProjectSurvey, SurveyPolicy, list[tuple[int, int]]]] = []
    for project in chosen:
        policy = policies.get((company.pk, project.pk)) or policies.get((company.pk, None)) or SurveyPolicy(
            company=company)
        ps, picked = _plan_project_survey(campaign, project, homes_of[project.pk], policy=policy,
                                          acting_user=acting_user, now=now, sample=sample)
        planned.append((ps, policy, picked))
    bulk_create_with_history([ps for ps, _, _ in planned], ProjectSurvey, batch_size=500, default_user=acting_user,
                             default_date=now, default_change_reason="下发至项目" + ("并抽样" if sample else ""))
    if any(ps.pk is None for ps, _, _ in planned):  # a database that does not return ids from a bulk insert
        ids = dict(ProjectSurvey.objects.filter(campaign=campaign).values_list("project_id", "id"))
        for ps, _, _ in planned:
            ps.pk = ids[ps.project_id]
    deadlines = []
    for ps, policy, _picked in planned:
        start = dt.datetime.combine(campaign.received_on, dt.time(12, 0), tzinfo=ps.project.tz)
        deadlines.append(_deadline_row(ps, Stage.DISTRIBUTE, start, policy, version=version))
    SurveyDeadline.objects.bulk_create(deadlines, batch_size=1000)
    _insert_rows([(ps.pk, hh, b) for ps, _, picked in planned for hh, b in picked])
    return campaign


def _plan_project_survey(campaign: SurveyCampaign, project: Project, homes: list[tuple[int, int]], *,
                         policy: SurveyPolicy, acting_user: User, now: dt.datetime,
                         sample: bool) -> tuple[ProjectSurvey, list[tuple[int, int]]]:
    """One project's survey (unsaved): the minimum with its explanation and, when sampling, the seed and
    the drawn (household, building) pairs."""
    m = _minimum(project, len(homes), campaign.received_on, policy)
    ps = ProjectSurvey(campaign=campaign, project=project, received_on=campaign.received_on, scope=policy.scope,
                       households=m.households, age_years=m.age, age_from=m.age_from, rate=m.rate, minimum=m.minimum,
                       explanation=m.explanation[:300])
    picked: list[tuple[int, int]] = []
    if sample:
        seed = secrets.randbelow(2**62)
        picked = homes if m.minimum >= len(homes) else sampling.draw(homes, m.minimum, seed)
        ps.seed, ps.sampled_at, ps.sampled_by = seed, now, acting_user
    return ps, picked


def _draw(ps: ProjectSurvey, homes: list[tuple[int, int]], size: int, seed: int, *, acting_user: User,
          now: dt.datetime) -> int:
    SampledHousehold.objects.filter(survey=ps).delete()
    picked = homes if size >= len(homes) else sampling.draw(homes, size, seed)
    _insert_rows([(ps.pk, hh, b) for hh, b in picked])
    ps.seed, ps.sampled_at, ps.sampled_by = seed, now, acting_user
    _save(ps, ["seed", "sampled_at", "sampled_by", "below_minimum_reason", "households", "minimum", "rate",
               "explanation", "age_years", "age_from"], acting_user=acting_user, reason=f"抽样 {len(picked)} 户")
    return len(picked)


def _insert_rows(rows: Sequence[tuple[int, int, int]]) -> None:
    """Sample rows ``(survey id, household id, building id)`` as multi-row INSERTs (a documented bulk
    write, no model instances): as many rows per statement as the database takes parameters (SQLite
    999 → 333 rows, PostgreSQL 6,000 rows), so a campaign of 90,000 rows is 15 statements on PostgreSQL.
    The constant columns are literals; a fresh sample row is neither distributed nor recovered."""
    if not rows:
        return
    meta = SampledHousehold._meta
    q = connection.ops.quote_name
    cols = ["survey_id", "household_id", "building_id", "added_by_hand", "added_reason", "channel", "signed_off",
            "anonymous", "answered_via", "comment"]
    one = "(%s, %s, %s, FALSE, '', '', FALSE, FALSE, '', '')"
    per = min(6000, (connection.features.max_query_params or 18000) // 3)
    head = f"INSERT INTO {q(meta.db_table)} ({', '.join(q(c) for c in cols)}) VALUES "
    with connection.cursor() as cur:
        for start in range(0, len(rows), per):
            chunk = rows[start:start + per]
            cur.execute(head + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])


def _distributed_any(ps: ProjectSurvey) -> bool:
    return SampledHousehold.objects.filter(survey=ps, distributed_at__isnull=False).exists()


@transaction.atomic
def draw_sample(*, survey: ProjectSurvey, size: int | None = None, reason: str = "", seed: int | None = None,
                acting_user: User, now: dt.datetime) -> ProjectSurvey:
    """(Re)draw the stratified sample (R-M10-03): ``size`` defaults to the minimum; fewer needs a
    recorded reason. Refused once a questionnaire has been distributed."""
    ps = _lock(survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部主管/经理可以抽样")
    _open(ps)
    if _distributed_any(ps):
        raise _refuse("已开始发放，不能重新抽样；请改为手工加入或移出住户", code="already_distributed", status=409)
    policy = policy_for(ps.project)
    homes = _households(ps.project)
    m = _minimum(ps.project, len(homes), ps.received_on, policy)
    ps.households, ps.age_years, ps.age_from, ps.rate, ps.minimum = m.households, m.age, m.age_from, m.rate, m.minimum
    ps.explanation = m.explanation[:300]
    size = m.minimum if size is None else size
    if size < 1:
        raise _refuse("抽样份数须大于 0", "size")
    if size > len(homes):
        raise _refuse(f"抽样份数不能多于项目户数（{len(homes)} 户）", "size")
    reason = (reason or "").strip()
    if size < m.minimum and not reason:
        raise _refuse(f"抽样 {size} 户少于最低 {m.minimum} 户（{m.explanation}），须填写原因", "reason",
                      "below_minimum")
    ps.below_minimum_reason = reason[:300] if size < m.minimum else ""
    _draw(ps, homes, size, seed if seed is not None else secrets.randbelow(2**62), acting_user=acting_user, now=now)
    return ps


@transaction.atomic
def add_to_sample(*, survey: ProjectSurvey, households: Sequence[Household], reason: str = "",
                  acting_user: User, now: dt.datetime) -> int:
    """Add households to the sample by hand (kept apart from the random draw, with the reason)."""
    ps = _lock(survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部主管/经理可以调整样本")
    _open(ps)
    if not households:
        raise _refuse("请选择要加入的住户", "households")
    for h in households:
        if h.project_id != ps.project_id:
            raise _refuse(f"{h.label} 不属于本项目", "households")
    existing = set(SampledHousehold.objects.filter(survey=ps, household__in=households)
                   .values_list("household__label", flat=True))
    if existing:
        raise _refuse("已在样本中：" + "、".join(sorted(existing)[:10]), "households", "already_sampled", 409)
    SampledHousehold.objects.bulk_create([SampledHousehold(survey=ps, household=h, building_id=h.building_id,
                                                           added_by_hand=True, added_reason=(reason or "")[:200])
                                          for h in households])
    return len(households)


@transaction.atomic
def remove_from_sample(*, survey: ProjectSurvey, households: Sequence[Household], reason: str = "",
                       acting_user: User, now: dt.datetime) -> int:
    """Take households out of the sample; never below the minimum without a recorded reason."""
    ps = _lock(survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部主管/经理可以调整样本")
    _open(ps)
    rows = list(SampledHousehold.objects.filter(survey=ps, household__in=households).select_related("household"))
    if not rows or len(rows) != len({h.pk for h in households}):
        raise _refuse("所选住户不在样本中", "households", "not_sampled")
    sent = [r.household.label for r in rows if r.distributed_at is not None]
    if sent:
        raise _refuse("已发放的问卷不能移出样本：" + "、".join(sent[:10]), "households", "already_distributed", 409)
    left = SampledHousehold.objects.filter(survey=ps).count() - len(rows)
    reason = (reason or "").strip()
    if left < ps.minimum:
        if not reason:
            raise _refuse(f"移出后样本 {left} 户少于最低 {ps.minimum} 户，须填写原因", "reason", "below_minimum")
        ps.below_minimum_reason = reason[:300]
    SampledHousehold.objects.filter(pk__in=[r.pk for r in rows]).delete()
    _save(ps, ["below_minimum_reason"], acting_user=acting_user, reason=f"移出 {len(rows)} 户 {reason}")
    return len(rows)


# ---------------------------------------------------------------- distribution (R-M10-04)


@dataclass
class RowResult:
    household: str
    changed: bool
    token: str = ""


def _sampled(ps: ProjectSurvey, household: Household | None) -> SampledHousehold:
    if household is None:
        raise _refuse("请选择住户", "household")
    row = (SampledHousehold.objects.select_for_update(of=("self",)).select_related("household")
           .filter(survey=ps, household=household).first())
    if row is None:
        raise _refuse(f"{household.label} 不在本次调查的样本中", "household", "not_sampled")
    return row


def _moment(value: dt.datetime | None, now: dt.datetime, field: str, label: str) -> dt.datetime:
    if value is None:
        return now
    if value.tzinfo is None:
        raise _refuse(f"{label}须带时区", field)
    if value > now + dt.timedelta(minutes=5):
        raise _refuse(f"{label}不能晚于当前时间", field)
    return value


def _distribute_one(ps: ProjectSurvey, household: Household | None, *, channel: str, signed_off: bool,
                    distributed_at: dt.datetime | None, acting_user: User, now: dt.datetime) -> RowResult:
    if channel not in Channel.values:
        raise _refuse("请选择发放方式（纸质问卷、短信链接、业主账户）", "channel")
    row = _sampled(ps, household)
    when = _moment(distributed_at, now, "distributed_at", "发放时间")
    if _local_day(when, ps.project) < ps.received_on:
        raise _refuse("发放时间不能早于管理处收到问卷的日期", "distributed_at")
    if row.distributed_at is not None:
        if row.channel == channel:
            return RowResult(row.household.label, False)  # the same record again: nothing changes
        raise _refuse(f"{row.household.label} 已于 {row.distributed_at.astimezone(ps.project.tz):%Y-%m-%d %H:%M} "
                      f"以“{row.get_channel_display()}”发放", "household", "already_distributed", 409)
    row.distributed_at, row.distributed_by, row.channel = when, acting_user, channel
    row.signed_off = bool(signed_off) and channel == Channel.PAPER
    row.save(update_fields=["distributed_at", "distributed_by", "channel", "signed_off"])
    token = ""
    if channel in (Channel.SMS, Channel.PORTAL):
        token = _new_link(row, now=now)
        if channel == Channel.SMS:
            _send_link(row, token, now=now)
    return RowResult(row.household.label, True, token)


def _begin_field_work(survey: ProjectSurvey, acting_user: User) -> ProjectSurvey:
    ps = _lock(survey)
    _need(acting_user, Cap.RECORD_SURVEYS, ps.project, "只有本项目客服人员（客服专员/管家、楼宇员、主管、经理）可以发放和回收问卷")
    _open(ps)
    return ps


@transaction.atomic
def record_distribution(*, survey: ProjectSurvey, household: Household | None, channel: str,
                        signed_off: bool = False, distributed_at: dt.datetime | None = None, acting_user: User,
                        now: dt.datetime) -> RowResult:
    """Record that a sampled household got its questionnaire (when, by whom, how, sign-off). Recording
    the same again changes nothing (idempotent); a different channel for a distributed one is refused."""
    ps = _begin_field_work(survey, acting_user)
    return _distribute_one(ps, household, channel=channel, signed_off=signed_off, distributed_at=distributed_at,
                           acting_user=acting_user, now=now)


def _bulk(rows: Sequence[Any], one: Any) -> list[RowResult]:
    if not rows:
        raise _refuse("没有要记录的住户", "rows")
    if len(rows) > MAX_BULK:
        raise _refuse(f"一次最多记录 {MAX_BULK} 户", "rows")
    results, errors = [], {}
    for i, raw in enumerate(rows):
        try:
            with transaction.atomic():
                results.append(one(raw))
        except SurveyError as exc:
            errors[f"rows.{i}"] = [exc.message]
    if errors:
        first = next(iter(errors.items()))
        raise SurveyError(f"有 {len(errors)} 行不能记录，全部未保存（第{int(first[0].split('.')[1]) + 1}行：{first[1][0]}）",
                          code="invalid_rows", fields=errors)
    return results


@transaction.atomic
def record_distributions(*, survey: ProjectSurvey, rows: Sequence[Mapping[str, Any]], acting_user: User,
                         now: dt.datetime) -> list[RowResult]:
    """Several distributions, all or nothing; each row as :func:`record_distribution` (idempotent)."""
    ps = _begin_field_work(survey, acting_user)
    return _bulk(rows, lambda r: _distribute_one(
        ps, r.get("household"), channel=r.get("channel") or Channel.PAPER, signed_off=bool(r.get("signed_off")),
        distributed_at=r.get("distributed_at"), acting_user=acting_user, now=now))


# ---------------------------------------------------------------- recovery and answers (R-M10-05)


def _clean_answers(ps: ProjectSurvey, answers: Mapping[Any, Any]) -> dict[int, tuple[ScaleOption | None, str]]:
    """``{item id or code: option key (1–9) or text}`` → checked answers."""
    q = ps.campaign.questionnaire
    items = {i.pk: i for i in q.items.all()}
    by_code = {i.code: i for i in items.values()}
    options = {o.key: o for o in q.options.all()}
    out: dict[int, tuple[ScaleOption | None, str]] = {}
    for key, value in answers.items():
        item = items.get(key) if isinstance(key, int) else by_code.get(str(key)) or (
            items.get(int(key)) if str(key).isdigit() else None)
        if item is None:
            raise _refuse(f"问卷中没有题目“{key}”", f"answers.{key}")
        if value is None or str(value).strip() == "":
            continue
        if item.free_text:
            out[item.pk] = (None, str(value).strip()[:2000])
            continue
        try:
            option = options[int(str(value).strip())]
        except (KeyError, ValueError):
            raise _refuse(f"第{item.order}题的答案“{value}”不是有效选项（{'、'.join(str(k) for k in options)}）",
                          f"answers.{item.code}") from None
        out[item.pk] = (option, "")
    return out


def _same_answers(row: SampledHousehold, cleaned: dict[int, tuple[ScaleOption | None, str]]) -> bool:
    stored = {a.item_id: (a.option_id, a.text) for a in row.answers.all()}
    return stored == {k: (o.pk if o else None, t) for k, (o, t) in cleaned.items()}


def _recover_one(ps: ProjectSurvey, row: SampledHousehold, *, answers: Mapping[Any, Any], anonymous: bool,
                 comment: str, recovered_at: dt.datetime | None, via: str, acting_user: User | None,
                 now: dt.datetime) -> RowResult:
    if ps.recovery_done_at is not None:
        raise _refuse("本项目的回收已完成，不能再录入答卷", code="recovery_closed", status=409)
    if row.distributed_at is None:
        raise _refuse(f"{row.household.label} 尚未发放问卷，不能回收（请先登记发放）", "household", "not_distributed", 409)
    cleaned = _clean_answers(ps, answers)
    if row.recovered_at is not None:
        if _same_answers(row, cleaned):
            return RowResult(row.household.label, False)
        raise _refuse(f"{row.household.label} 的问卷已于 {row.recovered_at.astimezone(ps.project.tz):%Y-%m-%d %H:%M} "
                      "回收，同一份问卷不能再次作答", "household", "already_answered", 409)
    if not cleaned:
        raise _refuse("请至少填写一道题的答案", "answers")
    when = _moment(recovered_at, now, "recovered_at", "回收时间")
    if when < row.distributed_at:
        raise _refuse("回收时间不能早于发放时间", "recovered_at", "before_distribution")
    overall = next((o.satisfied for k, (o, _t) in cleaned.items()
                    if o is not None and k in {i.pk for i in ps.campaign.questionnaire.items.all() if i.overall}), None)
    SurveyAnswer.objects.bulk_create([SurveyAnswer(response=row, item_id=k, option=o,
                                                   satisfied=o.satisfied if o else None, text=t)
                                      for k, (o, t) in cleaned.items()])
    row.recovered_at, row.recovered_by, row.anonymous = when, acting_user, bool(anonymous)
    row.answered_via, row.overall_satisfied, row.comment = via, overall, (comment or "").strip()[:2000]
    row.save(update_fields=["recovered_at", "recovered_by", "anonymous", "answered_via", "overall_satisfied",
                            "comment"])
    AnswerLink.objects.filter(response=row, used_at=None).update(used_at=now)
    return RowResult(row.household.label, True)


@transaction.atomic
def record_recovery(*, survey: ProjectSurvey, household: Household | None, answers: Mapping[Any, Any],
                    anonymous: bool = False, comment: str = "", recovered_at: dt.datetime | None = None,
                    via: str = AnsweredVia.KEYED, acting_user: User, now: dt.datetime) -> RowResult:
    """Record a recovered questionnaire with its answers (R-M10-05): signed, or anonymous (flagged).
    Refused before distribution, after recovery closed, for a household not sampled, and for a second
    different answer; the same answers again change nothing."""
    ps = _begin_field_work(survey, acting_user)
    row = _sampled(ps, household)
    return _recover_one(ps, row, answers=answers, anonymous=anonymous, comment=comment, recovered_at=recovered_at,
                        via=via, acting_user=acting_user, now=now)


@transaction.atomic
def record_recoveries(*, survey: ProjectSurvey, rows: Sequence[Mapping[str, Any]], via: str = AnsweredVia.IMPORT,
                      acting_user: User, now: dt.datetime) -> list[RowResult]:
    """Several recoveries (Excel import, bulk API), all or nothing, with the row errors."""
    ps = _begin_field_work(survey, acting_user)

    def one(raw: Mapping[str, Any]) -> RowResult:
        row = _sampled(ps, raw.get("household"))
        return _recover_one(ps, row, answers=raw.get("answers") or {}, anonymous=bool(raw.get("anonymous")),
                            comment=raw.get("comment") or "", recovered_at=raw.get("recovered_at"), via=via,
                            acting_user=acting_user, now=now)

    return _bulk(rows, one)


# ---------------------------------------------------------------- one-time links


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_link(row: SampledHousehold, *, now: dt.datetime) -> str:
    ps = row.survey
    policy = policy_for(ps.project)
    AnswerLink.objects.filter(response=row, used_at=None, revoked_at=None).update(revoked_at=now)
    expires = now + dt.timedelta(days=int(policy.recovery_days) + 1)
    if ps.recovery_due is not None:
        expires = min(expires, ps.recovery_due)
    token = secrets.token_urlsafe(24)
    AnswerLink.objects.create(response=row, token_hash=token_hash(token), created_at=now, expires_at=expires)
    return token


def _send_link(row: SampledHousehold, token: str, *, now: dt.datetime) -> None:
    person = (Person.objects.filter(household_id=row.household_id, active=True, kind=PersonKind.OWNER)
              .exclude(phone="").order_by("id").first())
    if person is None:
        raise _refuse(f"{row.household.label} 没有登记业主手机号码，请改用纸质问卷", "channel", "no_phone")
    url = absolute_link(reverse("surveys:answer", args=[token]))
    try:
        notify_owner(person, project=row.survey.project, kind="survey_link",
                     body=f"【{row.survey.project.name}】邀请您参加业主满意度调查，请点击填写（一次有效）：{url}",
                     now=now, dedupe_key=f"survey-link:{row.pk}:{token_hash(token)[:12]}")
    except NotifyError as exc:
        raise _refuse(exc.message, "channel", exc.code) from exc


@transaction.atomic
def issue_link(*, response: SampledHousehold, acting_user: User | None, now: dt.datetime) -> str:
    """A new one-time link for a distributed, unanswered questionnaire (older unused links stop working)."""
    row = SampledHousehold.objects.select_for_update(of=("self",)).select_related("survey__project", "household").get(
        pk=response.pk)
    if acting_user is not None:
        _need(acting_user, Cap.RECORD_SURVEYS, row.survey.project, "只有本项目客服人员可以生成作答链接")
    _open(row.survey)
    if row.distributed_at is None:
        raise _refuse("尚未发放问卷，不能生成作答链接", "household", "not_distributed", 409)
    if row.recovered_at is not None:
        raise _refuse("该户问卷已回收", "household", "already_answered", 409)
    return _new_link(row, now=now)


class LinkError(SurveyError):
    """A refused one-time link (unknown, expired, used)."""


def link_for(token: str, *, now: dt.datetime) -> AnswerLink:
    """The link behind ``token`` if it may still be answered, else :class:`LinkError`."""
    link = (AnswerLink.objects.select_related("response__survey__campaign__questionnaire", "response__survey__project",
                                              "response__household")
            .filter(token_hash=token_hash(token or "")).first())
    if link is None or link.revoked_at is not None:
        raise LinkError("链接无效或已作废，请联系物业服务中心", code="invalid_link", status=404)
    if link.used_at is not None or link.response.recovered_at is not None:
        raise LinkError("该问卷已经提交过，链接只能使用一次。感谢您的参与！", code="link_used", status=409)
    if link.expires_at <= now or link.response.survey.recovery_done_at is not None \
            or link.response.survey.closed_at is not None:
        raise LinkError("链接已过期，本次调查已截止回收", code="link_expired", status=410)
    return link


@transaction.atomic
def answer_by_link(*, token: str, answers: Mapping[Any, Any], comment: str = "", anonymous: bool = False,
                   now: dt.datetime) -> SampledHousehold:
    """The owner answers through the one-time link (no login): used once, before it expires."""
    link = link_for(token, now=now)
    AnswerLink.objects.select_for_update().get(pk=link.pk)
    return answer_online(response=link.response, answers=answers, comment=comment, anonymous=anonymous, now=now)


@transaction.atomic
def answer_online(*, response: SampledHousehold, answers: Mapping[Any, Any], comment: str = "",
                  anonymous: bool = False, now: dt.datetime) -> SampledHousehold:
    """An owner's own answer (one-time link, or the owners' account of issue 19 after it checked the
    owner belongs to the household). Same refusals as staff recovery."""
    row = SampledHousehold.objects.select_for_update(of=("self",)).select_related(
        "survey__campaign__questionnaire", "survey__project", "household").get(pk=response.pk)
    ps = row.survey
    _open(ps)
    _recover_one(ps, row, answers=answers, anonymous=anonymous, comment=comment, recovered_at=now,
                 via=AnsweredVia.ONLINE, acting_user=None, now=now)
    AnswerLink.objects.filter(response=row, used_at=None).update(used_at=now)
    return row


# ---------------------------------------------------------------- stages (R-M10-04 … R-M10-06)


@transaction.atomic
def complete_distribution(*, survey: ProjectSurvey, acting_user: User, now: dt.datetime) -> ProjectSurvey:
    """发放完成: the recovery window (10 days, P-28) starts."""
    ps = _lock(survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部主管/经理可以确认发放完成")
    _open(ps)
    if ps.distribution_done_at is not None:
        raise _refuse("发放已确认完成", code="already_done", status=409)
    if not _distributed_any(ps):
        raise _refuse("尚未登记任何发放", code="nothing_distributed", status=409)
    ps.distribution_done_at = now
    _meet(ps, Stage.DISTRIBUTE, now)
    d = _open_deadline(ps, Stage.RECOVER, now, policy_for(ps.project))
    ps.recovery_due = d.due_at
    _save(ps, ["distribution_done_at", "recovery_due"], acting_user=acting_user, reason="发放完成")
    AnswerLink.objects.filter(response__survey=ps, used_at=None, revoked_at=None,
                              expires_at__gt=d.due_at).update(expires_at=d.due_at)
    return ps


@transaction.atomic
def complete_recovery(*, survey: ProjectSurvey, acting_user: User, now: dt.datetime) -> ProjectSurvey:
    """回收完成: statistics (3 days) and the open letter (14 days) fall due."""
    ps = _lock(survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部主管/经理可以确认回收完成")
    _open(ps)
    if ps.distribution_done_at is None:
        raise _refuse("请先确认发放完成", code="distribution_open", status=409)
    if ps.recovery_done_at is not None:
        raise _refuse("回收已确认完成", code="already_done", status=409)
    ps.recovery_done_at = now
    _meet(ps, Stage.RECOVER, now)
    policy = policy_for(ps.project)
    _open_deadline(ps, Stage.STATISTICS, now, policy)
    _open_deadline(ps, Stage.LETTER, now, policy)
    _save(ps, ["recovery_done_at"], acting_user=acting_user, reason="回收完成")
    AnswerLink.objects.filter(response__survey=ps, used_at=None, revoked_at=None).update(revoked_at=now)
    return ps


@transaction.atomic
def complete_statistics(*, survey: ProjectSurvey, acting_user: User, now: dt.datetime) -> ProjectSurvey:
    """统计分析完成 (R-M10-06): the 客户满意率统计表 is final."""
    ps = _lock(survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部主管/经理可以确认统计完成")
    _open(ps)
    if ps.recovery_done_at is None:
        raise _refuse("请先确认回收完成", code="recovery_open", status=409)
    if ps.statistics_done_at is not None:
        raise _refuse("统计已确认完成", code="already_done", status=409)
    pending = queries.pending_feedback(ps).count()
    if pending:
        raise _refuse(f"尚有 {pending} 份问卷的业主意见未登记到《与客户沟通登记表》并归口部门，请先登记",
                      code="feedback_unlogged", status=409)
    ps.statistics_done_at, ps.statistics_by = now, acting_user
    _meet(ps, Stage.STATISTICS, now)
    if _send_summary(ps, now):
        ps.summary_sent_at = now
    _save(ps, ["statistics_done_at", "statistics_by", "summary_sent_at"], acting_user=acting_user,
          reason="统计分析完成")
    return ps


def _send_summary(ps: ProjectSurvey, now: dt.datetime) -> bool:
    """The statistics summary by department goes to the 物业总经理 (R-M10-06); False when the company has none."""
    gms = [m.user for m in Membership.objects.filter(company_id=ps.project.company_id, role=Role.GENERAL_MANAGER)
           .filter(Q(project=None) | Q(project=ps.project)).select_related("user") if m.user.is_active]
    if not gms:
        return False
    policy = policy_for(ps.project)
    r = queries.rates(ps, policy)
    lines = [f"{v.label}：{v.reason}" for v in r.verdicts]
    for g in queries.department_rates(ps, policy):
        if g.answered or g.line != "0":
            lines.append(f"{g.label}：满意率 {g.rate if g.rate is not None else '—'}%（{g.satisfied}/{g.answered}），"
                         f"业主意见 {g.line} 条")
    notify_staff(gms, kind="survey_summary", subject=f"{ps.campaign.title}·{ps.project.name} 满意度调查统计汇总",
                 body="\n".join(lines), link=reverse("surveys:detail", args=[ps.pk]), project=ps.project,
                 dedupe_key=f"survey-summary:{ps.pk}", now=now)
    return True


# ---------------------------------------------------------------- 与客户沟通登记表 (R-M10-06)


@transaction.atomic
def log_feedback(*, survey: ProjectSurvey, response: SampledHousehold | None, department: str, opinion: str = "",
                 acting_user: User, now: dt.datetime) -> FeedbackEntry:
    """Log an owner's opinion in the 《与客户沟通登记表》, classified by department (the 客服主管, R-M10-06).
    From a recovered questionnaire the opinion defaults to its written answers and comment; one line per
    questionnaire and department."""
    ps = _lock(survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部主管/经理可以登记与客户沟通登记表")
    _open(ps)
    if department not in FeedbackDepartment.values:
        raise _refuse("请选择归口部门", "department")
    if response is not None:
        if response.survey_id != ps.pk:
            raise _refuse("该问卷不属于本次调查", "household", "not_sampled")
        if response.recovered_at is None:
            raise _refuse(f"{response.household.label} 的问卷尚未回收", "household", "not_recovered", 409)
        if FeedbackEntry.objects.filter(response=response, department=department).exists():
            raise _refuse(f"{response.household.label} 的意见已登记到{FeedbackDepartment(department).label}",
                          "department", "duplicate", 409)
    opinion = (opinion or "").strip() or (queries.opinion_text(response) if response is not None else "")
    if not opinion:
        raise _refuse("请填写业主意见", "opinion")
    return FeedbackEntry.objects.create(survey=ps, response=response, department=department, opinion=opinion[:2000],
                                        logged_by=acting_user, logged_at=now)


# ---------------------------------------------------------------- supervision and assignment (R-M10-13)


@transaction.atomic
def assign_field_work(*, survey: ProjectSurvey, assignee: User | None, buildings: Sequence[Building] = (),
                      households: Sequence[Household] = (), acting_user: User, now: dt.datetime) -> int:
    """The 客服部 assigns the distribution and recovery of sampled households (by building or house) to
    one of the project's survey staff (R-M10-13). Returns the number of questionnaires assigned."""
    ps = _lock(survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部主管/经理可以分配调查任务")
    _open(ps)
    if assignee is None or not has_cap(assignee, Cap.RECORD_SURVEYS, ps.project):
        raise _refuse("请选择本项目负责发放回收问卷的客服人员", "assignee")
    if not buildings and not households:
        raise _refuse("请选择楼栋或住户", "buildings")
    if any(b.project_id != ps.project_id for b in buildings) or any(h.project_id != ps.project_id for h in households):
        raise _refuse("楼栋或住户不属于本项目", "buildings")
    rows = SampledHousehold.objects.filter(survey=ps).filter(Q(building__in=list(buildings))
                                                             | Q(household__in=list(households)))
    sampled = set(rows.values_list("household_id", flat=True))
    missing = [h.label for h in households if h.pk not in sampled]
    if missing:
        raise _refuse("不在样本中：" + "、".join(missing[:10]), "households", "not_sampled")
    n = rows.update(assigned_to=assignee)
    if not n:
        raise _refuse("所选楼栋没有样本户", "buildings", "not_sampled")
    return n


@transaction.atomic
def record_supervision(*, survey: ProjectSurvey, held_on: dt.date | None, findings: str, guidance: str,
                       acting_user: User, now: dt.datetime) -> SurveySupervision:
    """督导记录 (R-M10-13): the 物业综合管理部 or the 客服部经理 supervises and guides the survey work."""
    ps = ProjectSurvey.objects.select_related("project").get(pk=survey.pk)
    if not can_see_project(acting_user, ps.project):
        raise _refuse("项目不存在", "project", "not_found", 404)
    if not access.can_supervise(acting_user, ps.project):
        raise _refuse("调查工作由物业综合管理部和客服部经理督导", code="forbidden", status=403)
    if held_on is None:
        raise _refuse("请填写督导日期", "held_on")
    if held_on > _local_day(now, ps.project):
        raise _refuse("督导日期不能晚于今天", "held_on")
    if held_on < ps.received_on:
        raise _refuse("督导日期不能早于调查收到日期", "held_on")
    findings, guidance = (findings or "").strip(), (guidance or "").strip()
    if len(findings) < 4:
        raise _refuse("请填写检查情况", "findings")
    if len(guidance) < 2:
        raise _refuse("请填写指导意见", "guidance")
    row = SurveySupervision(survey=ps, held_on=held_on, findings=findings, guidance=guidance,
                            supervisor=acting_user, recorded_at=now)
    _save(row, None, acting_user=acting_user, reason="调查督导")
    return row


# ---------------------------------------------------------------- open letter and submission (R-M10-07, R-M10-08)


def _clean_issues(issues: Iterable[Any]) -> list[dict[str, Any]]:
    out = []
    for raw in issues or []:
        if isinstance(raw, Mapping):
            text = str(raw.get("text") or "").strip()
            entry = {k: raw[k] for k in ("code", "line", "count", "share") if k in raw}
        else:
            text, entry = str(raw).strip(), {}
        if text:
            out.append({**entry, "text": text[:300]})
    return out[:50]


@transaction.atomic
def draft_letter(*, survey: ProjectSurvey, title: str, body: str, issues: Iterable[Any], acting_user: User,
                 now: dt.datetime) -> OpenLetter:
    """Draft (or redraft) the open letter; a change after approval needs approval again."""
    ps = _lock(survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部主管/经理可以起草公开信")
    _open(ps)
    if ps.recovery_done_at is None:
        raise _refuse("回收完成后才能起草公开信", code="recovery_open", status=409)
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise _refuse("请填写公开信标题", "title")
    if len(body) < 20:
        raise _refuse("请填写公开信正文（至少20字）", "body")
    cleaned = _clean_issues(issues)
    if not cleaned:
        raise _refuse("请至少列出一个业主意见集中或突出的问题", "issues")
    letter = OpenLetter.objects.select_for_update().filter(survey=ps).first()
    if letter is not None and letter.posted_at is not None:
        raise _refuse("公开信已发布，不能修改", code="posted", status=409)
    if letter is None:
        letter = OpenLetter(survey=ps, drafted_by=acting_user, drafted_at=now)
    changed = (letter.title, letter.body, letter.issues) != (title[:200], body, cleaned)
    letter.title, letter.body, letter.issues = title[:200], body, cleaned
    letter.drafted_by, letter.drafted_at = acting_user, now
    if changed:
        letter.approved_by, letter.approved_at = None, None
    _save(letter, None, acting_user=acting_user, reason="起草公开信")
    return letter


@transaction.atomic
def approve_letter(*, letter: OpenLetter, acting_user: User, now: dt.datetime) -> OpenLetter:
    """The 管理者代表 reviews and approves the letter (R-M10-07)."""
    letter = OpenLetter.objects.select_for_update().select_related("survey__project").get(pk=letter.pk)
    _need(acting_user, Cap.APPROVE_OPEN_LETTER, letter.survey.project, "公开信须由管理者代表审批")
    if letter.posted_at is not None:
        raise _refuse("公开信已发布", code="posted", status=409)
    if letter.approved_at is not None:
        raise _refuse("公开信已审批", code="already_approved", status=409)
    letter.approved_by, letter.approved_at = acting_user, now
    _save(letter, ["approved_by", "approved_at"], acting_user=acting_user, reason="管理者代表审批公开信")
    return letter


@transaction.atomic
def post_letter(*, letter: OpenLetter, acting_user: User, now: dt.datetime, notify_owners: bool = False) -> OpenLetter:
    """Post the approved letter to the project's notice board (AS-26: refused unapproved); the
    submission to 品质部 falls due (5 days)."""
    letter = OpenLetter.objects.select_for_update().select_related("survey__project__company").get(pk=letter.pk)
    ps = _lock(letter.survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部经理/管理处经理可以发布公开信")
    _open(ps)
    if letter.posted_at is not None:
        raise _refuse("公开信已发布", code="posted", status=409)
    if letter.approved_by is None or letter.approved_at is None:
        raise _refuse("公开信须经管理者代表审批后才能发布", code="approval_required", status=409)
    try:
        pub = publish_notice(project=ps.project, kind=PublicationKind.OPEN_LETTER, title=letter.title,
                             body=letter.body + "\n\n" + "\n".join(f"{i + 1}. {x['text']}" for i, x in
                                                                   enumerate(letter.issues)),
                             acting_user=acting_user, now=now, approved_by=letter.approved_by,
                             notify_owners=notify_owners)
    except PortalError as exc:
        raise SurveyError(exc.message, field=exc.field, code=exc.code, status=exc.status) from exc
    letter.publication, letter.posted_at, letter.posted_by = pub, now, acting_user
    _save(letter, ["publication", "posted_at", "posted_by"], acting_user=acting_user, reason="发布公开信")
    _meet(ps, Stage.LETTER, now)
    _open_deadline(ps, Stage.SUBMIT, now, policy_for(ps.project))
    return letter


@transaction.atomic
def submit_to_quality(*, survey: ProjectSurvey, acting_user: User, now: dt.datetime) -> ProjectSurvey:
    """报品质部 (R-M10-08): the rate table and the letter; the project's survey is then closed."""
    ps = _lock(survey)
    _need(acting_user, Cap.RUN_SURVEYS, ps.project, "只有客服部主管/经理可以报送品质部")
    _open(ps)
    letter = OpenLetter.objects.filter(survey=ps).first()
    if ps.statistics_done_at is None:
        raise _refuse("请先完成统计分析（客户满意率统计表）", code="statistics_open", status=409)
    if letter is None or letter.posted_at is None:
        raise _refuse("公开信发布后才能报送品质部", code="letter_not_posted", status=409)
    ps.submitted_at, ps.submitted_by, ps.closed_at = now, acting_user, now
    _meet(ps, Stage.SUBMIT, now)
    _save(ps, ["submitted_at", "submitted_by", "closed_at"], acting_user=acting_user, reason="报品质部")
    return ps


# ---------------------------------------------------------------- follow-up (R-M10-09, R-M10-10)

FOLLOW_UP_CAPS = {
    FollowUpKind.GM_MEETING: (Cap.CHAIR_SURVEY_MEETING, "总经理专题会议由物业总经理记录"),
    FollowUpKind.VERIFICATION: (Cap.ISSUE_SURVEYS, "验证由品质部记录"),
    FollowUpKind.SPOT_CHECK: (Cap.ISSUE_SURVEYS, "抽查由品质部记录"),
}


@transaction.atomic
def record_follow_up(*, survey: ProjectSurvey, kind: str, held_on: dt.date | None, summary: str,
                     department: Department | None = None, satisfied: bool | None = None, acting_user: User,
                     now: dt.datetime) -> FollowUp:
    ps = ProjectSurvey.objects.select_related("project").get(pk=survey.pk)
    if kind not in FollowUpKind.values:
        raise _refuse("请选择跟进类别", "kind")
    cap, message = FOLLOW_UP_CAPS.get(FollowUpKind(kind), (Cap.RUN_SURVEYS, "只有客服部主管/经理可以记录"))
    _need(acting_user, cap, ps.project, message)
    if ps.recovery_done_at is None:
        raise _refuse("回收完成后才能记录后续跟进", code="recovery_open", status=409)
    if held_on is None:
        raise _refuse("请填写日期", "held_on")
    if held_on > _local_day(now, ps.project):
        raise _refuse("日期不能晚于今天", "held_on")
    if held_on < ps.received_on:
        raise _refuse("日期不能早于调查收到日期", "held_on")
    summary = (summary or "").strip()
    if len(summary) < 4:
        raise _refuse("请填写内容/结论", "summary")
    if department is not None and department.project_id not in (None, ps.project_id):
        raise _refuse("部门不属于本项目", "department")
    if kind in (FollowUpKind.DEPT_MEETING, FollowUpKind.RECTIFICATION) and department is None:
        raise _refuse("请选择部门", "department")
    fu = FollowUp(survey=ps, kind=kind, department=department, held_on=held_on, summary=summary,
                  satisfied=satisfied, recorded_by=acting_user, recorded_at=now)
    _save(fu, None, acting_user=acting_user, reason=str(FollowUpKind(kind).label))
    return fu


def require_view(user: User, survey: ProjectSurvey) -> None:
    if not access.can_view(user, survey.project):
        raise _refuse("没有查看权限", code="forbidden", status=403)
