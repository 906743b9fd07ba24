"""Every write of the improvement plans (M15): keyword-only, ``acting_user`` and ``now``; refusals are
:class:`PlanError`; each action is one ``transaction.atomic()``."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from apps.core.errors import DomainError
from apps.improvement.access import can_manage
from apps.improvement.models import (
    ActionStatus,
    ImprovementPlan,
    LifecycleStage,
    PlanAction,
    PlanKind,
    PlanLine,
    PlanMeeting,
)
from apps.org.models import Company
from apps.surveys.models import ProjectSurvey, QuestionItem
from apps.tickets.models import Category
from apps.visits.models import VisitProblem

if TYPE_CHECKING:
    from apps.org.models import User


class PlanError(DomainError):
    """A refused improvement-plan action."""


def _need(user: User) -> None:
    if not can_manage(user):
        raise PlanError("只有品质部、客服经理、管理处经理或物业总经理可以编制提升计划", code="forbidden", status=403)


def _audit(obj: Any, user: User, reason: str) -> None:
    obj._change_reason = reason[:100]
    obj._history_user = user


@transaction.atomic
def create_plan(*, company: Company, year: int | None, kind: str, line: str = "", title: str = "",
                source_survey: ProjectSurvey | None = None, acting_user: User, now: dt.datetime) -> ImprovementPlan:
    """A yearly plan of one line (R-M15-01) or the customer-lifecycle plan (R-M15-02)."""
    _need(acting_user)
    if year is None or not 2000 <= year <= 2100:
        raise PlanError("请填写年度", field="year")
    if kind not in PlanKind.values:
        raise PlanError("请选择计划类别", field="kind")
    if kind == PlanKind.LINE and line not in PlanLine.values:
        raise PlanError("条线提升计划须选择条线", field="line")
    if kind == PlanKind.LIFECYCLE:
        line = ""
    if source_survey is not None and source_survey.project.company_id != company.pk:
        raise PlanError("调查不属于本公司", field="source_survey")
    if ImprovementPlan.objects.filter(company=company, year=year, kind=kind, line=line).exists():
        raise PlanError("该年度该条线已有提升计划", field="line", code="duplicate", status=409)
    title = (title or "").strip() or (f"{year}年度{PlanLine(line).label}满意度提升计划" if line
                                      else f"{year}年度客户生命周期行动计划")
    plan = ImprovementPlan(company=company, year=year, kind=kind, line=line, title=title[:100],
                           source_survey=source_survey, created_by=acting_user, created_at=now)
    _audit(plan, acting_user, "编制提升计划")
    plan.save()
    return plan


def _links(plan: ImprovementPlan, survey_items: Sequence[str], categories: Sequence[Category],
           problems: Sequence[VisitProblem]) -> list[str]:
    codes = sorted({c.strip() for c in survey_items if c and c.strip()})
    known = set(QuestionItem.objects.filter(questionnaire__company=plan.company, code__in=codes)
                .values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise PlanError("问卷中没有这些调查项目：" + "、".join(unknown), field="survey_items")
    for c in categories:
        if c.company_id not in (None, plan.company_id):
            raise PlanError("投诉类别不属于本公司", field="complaint_categories")
    for p in problems:
        if p.visit.project.company_id != plan.company_id:
            raise PlanError("走访问题不属于本公司", field="visit_problems")
    return codes


@transaction.atomic
def add_action(*, plan: ImprovementPlan, item: str, summary: str, causes: str = "", support: str = "",
               due_on: dt.date | None = None, responsible: str = "", owner: User | None = None, stage: str = "",
               strategy: str = "", action_strategy: str = "", department: str = "",
               survey_items: Sequence[str] = (), complaint_categories: Sequence[Category] = (),
               visit_problems: Sequence[VisitProblem] = (), acting_user: User, now: dt.datetime) -> PlanAction:
    """One row of the plan; a row without a completion time or responsible person is allowed but flagged."""
    _need(acting_user)
    item, summary = (item or "").strip(), (summary or "").strip()
    if not item:
        raise PlanError("请填写不满意问题分项" if plan.kind == PlanKind.LINE else "请填写提升策略/问题", field="item")
    if not summary:
        raise PlanError("请填写计划概要/行动计划", field="summary")
    if stage and stage not in LifecycleStage.values:
        raise PlanError("请选择客户生命周期阶段", field="stage")
    if plan.kind == PlanKind.LIFECYCLE and not stage:
        raise PlanError("客户生命周期行动计划须选择阶段", field="stage")
    codes = _links(plan, survey_items, complaint_categories, visit_problems)
    number = (plan.actions.aggregate(m=Max("number"))["m"] or 0) + 1
    row = PlanAction(plan=plan, number=number, item=item[:300], summary=summary, causes=(causes or "").strip(),
                     support=(support or "").strip()[:200], due_on=due_on, responsible=(responsible or "").strip()[:50],
                     owner=owner, stage=stage, strategy=(strategy or "").strip()[:200],
                     action_strategy=(action_strategy or "").strip()[:200], department=(department or "").strip()[:100],
                     survey_items=codes)
    _audit(row, acting_user, f"增加第{number}行")
    row.save()
    row.complaint_categories.set(complaint_categories)
    row.visit_problems.set(visit_problems)
    return row


@transaction.atomic
def update_action(*, action: PlanAction, status: str, progress: str = "", evidence: str = "",
                  due_on: dt.date | None = None, responsible: str | None = None, acting_user: User,
                  now: dt.datetime) -> PlanAction:
    """Progress of a row; "done" needs the evidence of completion."""
    _need(acting_user)
    row = PlanAction.objects.select_for_update().get(pk=action.pk)
    if status not in ActionStatus.values:
        raise PlanError("请选择进度", field="status")
    evidence = (evidence or "").strip() or row.evidence
    if status == ActionStatus.DONE and not evidence:
        raise PlanError("标为已完成须填写完成证据", field="evidence")
    row.status, row.evidence = status, evidence
    if progress and progress.strip():
        stamp = now.strftime("%Y-%m-%d")
        row.progress = (row.progress + "\n" if row.progress else "") + f"{stamp} {progress.strip()}"
    if due_on is not None:
        row.due_on = due_on
    if responsible is not None and responsible.strip():
        row.responsible = responsible.strip()[:50]
    _audit(row, acting_user, f"进度：{ActionStatus(status).label}")
    row.save()
    return row


@transaction.atomic
def record_meeting(*, plan: ImprovementPlan, held_on: dt.date | None, minutes: str, actions: Sequence[PlanAction],
                   acting_user: User, now: dt.datetime) -> PlanMeeting:
    """Minutes of a service-quality improvement meeting linked to the rows it worked on (R-M15-03)."""
    _need(acting_user)
    if held_on is None:
        raise PlanError("请填写会议日期", field="held_on")
    if held_on > now.date() + dt.timedelta(days=1):
        raise PlanError("会议日期不能晚于今天", field="held_on")
    minutes = (minutes or "").strip()
    if len(minutes) < 4:
        raise PlanError("请填写会议纪要", field="minutes")
    if any(a.plan_id != plan.pk for a in actions):
        raise PlanError("计划行不属于该计划", field="actions")
    m = PlanMeeting.objects.create(plan=plan, held_on=held_on, minutes=minutes, recorded_by=acting_user,
                                   recorded_at=now)
    m.actions.set(actions)
    return m
