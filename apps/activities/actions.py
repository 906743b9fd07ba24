"""Every write of the activities app (SPEC M12). Keyword-only, ``acting_user`` and ``now`` passed in,
:class:`ActivityError` with a Chinese message, the field and the HTTP status; one transaction each.

- the notice of an activity is refused before its implementation plan is approved; published fewer
  than 3 calendar days before the activity it still goes out but is recorded as a nonconformity
  (R-M12-02/-03, AS-31, T-07);
- the cost is approved only by someone whose role's limit covers the budget (R-M12-05);
- owners' SMS go through ``apps.notify`` (quiet hours respected), notice-board items through
  ``apps.portal.actions.publish_notice``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from apps.activities.models import (
    Activity,
    ActivityCostLimit,
    ActivityKind,
    ActivityPhoto,
    ActivityPlan,
    ActivityStatus,
    BoardItemKind,
    PlanPeriod,
)
from apps.core import files
from apps.core.errors import DomainError
from apps.estates.models import OccupancyStatus, Person, PersonKind
from apps.notify import actions as notify_actions
from apps.notify import notices
from apps.notify.models import NoticeKind, OwnerNotice
from apps.notify.queries import NotifyError
from apps.org.access import can_see_project, has_cap, roles_in
from apps.org.models import Project, User
from apps.org.roles import Cap, Role
from apps.portal import actions as portal_actions
from apps.portal.models import Publication, PublicationKind

MIN_NOTICE_DAYS = 3  # R-M12-03: at least three calendar days before the activity
# R-M12-05: the seed leaves the limits to the company; these are the defaults until it sets its own.
DEFAULT_COST_LIMITS: dict[str, Decimal] = {Role.CS_MANAGER: Decimal(2000), Role.PROJECT_MANAGER: Decimal(10000),
                                           Role.GENERAL_MANAGER: Decimal(50000)}


class ActivityError(DomainError):
    """A refused activities action."""


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ActivityError:
    return ActivityError(message, field=field, code=code)


def _require(user: User, project: Project, cap: str, message: str) -> None:
    if not can_see_project(user, project):
        raise ActivityError("项目不存在", field="project", code="not_found", status=404)
    if not has_cap(user, cap, project):
        raise ActivityError(message, code="forbidden", status=403)


def _save(obj: Any, fields: Sequence[str] | None, *, acting_user: User, reason: str) -> None:
    obj._change_reason = reason[:100]
    obj._history_user = acting_user
    obj.save(update_fields=list(fields) if fields is not None else None)


@transaction.atomic
def draw_up_plan(*, project: Project, period: str, year: int, title: str, acting_user: User, now: dt.datetime,
                 quarter: int | None = None) -> ActivityPlan:
    """编制年度/季度社区活动计划 (R-M12-01)."""
    _require(acting_user, project, Cap.PLAN_ACTIVITIES, "没有编制社区活动计划的权限")
    if period not in PlanPeriod.values:
        raise _refuse("请选择计划周期", "period")
    if not 2000 <= int(year or 0) <= 2100:
        raise _refuse("年度不正确", "year")
    if period == PlanPeriod.QUARTERLY and quarter not in (1, 2, 3, 4):
        raise _refuse("季度计划须选择季度（1–4）", "quarter")
    if period == PlanPeriod.ANNUAL:
        quarter = None
    title = (title or "").strip()
    if not title:
        raise _refuse("请填写计划名称", "title")
    if ActivityPlan.objects.filter(project=project, year=year, period=period, quarter=quarter).exists():
        raise ActivityError("该期间的活动计划已存在", field="year", code="exists", status=409)
    return ActivityPlan.objects.create(project=project, period=period, year=year, quarter=quarter, title=title[:100],
                                       drawn_by=acting_user, drawn_at=now)


def _money(value: Any, field: str) -> Decimal:
    try:
        d = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise _refuse("金额须为数字", field) from None
    if not d.is_finite() or d < 0 or d > Decimal("99999999"):
        raise _refuse("金额不正确", field)
    return d.quantize(Decimal("0.01"))


@transaction.atomic
def add_activity(*, plan: ActivityPlan, title: str, held_on: dt.date, implementation_plan: str, acting_user: User,
                 now: dt.datetime, kind: str = ActivityKind.CULTURE, place: str = "", budget: Any = 0,
                 responsible: User | None = None) -> Activity:
    """计划中的一项活动及其实施方案 (R-M12-01/-02)."""
    project = plan.project
    _require(acting_user, project, Cap.PLAN_ACTIVITIES, "没有安排社区活动的权限")
    title, implementation_plan = (title or "").strip(), (implementation_plan or "").strip()
    if not title:
        raise _refuse("请填写活动名称", "title")
    if kind not in ActivityKind.values:
        raise _refuse("请选择活动类别", "kind")
    if held_on is None:
        raise _refuse("请填写活动日期", "held_on")
    if held_on < now.astimezone(project.tz).date():
        raise _refuse("活动日期不能早于今天", "held_on")
    if len(implementation_plan) < 4:
        raise _refuse("请填写活动实施方案", "implementation_plan")
    responsible = responsible or acting_user
    if not can_see_project(responsible, project):
        raise _refuse("负责人不是本项目员工", "responsible")
    activity = Activity(plan=plan, project=project, title=title[:100], kind=kind, held_on=held_on,
                        place=(place or "").strip()[:100], implementation_plan=implementation_plan,
                        budget=_money(budget, "budget"), responsible=responsible)
    _save(activity, None, acting_user=acting_user, reason="安排活动")
    return activity


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("project").get(pk=activity.pk)


@transaction.atomic
def approve_implementation(*, activity: Activity, acting_user: User, now: dt.datetime) -> Activity:
    """批准实施方案 (R-M12-02): 客服经理、管理处经理或物业总经理."""
    _require(acting_user, activity.project, Cap.APPROVE_ACTIVITIES, "只有客服经理、管理处经理或物业总经理可以批准实施方案")
    activity = _lock(activity)
    if activity.plan_approved_at is not None:
        raise ActivityError("实施方案已批准", code="already_approved", status=409)
    activity.plan_approved_by, activity.plan_approved_at = acting_user, now
    activity.status = ActivityStatus.APPROVED
    _save(activity, ["plan_approved_by", "plan_approved_at", "status"], acting_user=acting_user, reason="批准实施方案")
    return activity


def cost_limit(user: User, project: Project) -> Decimal:
    """The most ``user`` may approve in ``project``: the highest limit among their roles (R-M12-05)."""
    roles = roles_in(user, project)
    limits = {r.role: r.limit for r in ActivityCostLimit.objects.filter(company_id=project.company_id)}
    values = [limits.get(r, DEFAULT_COST_LIMITS.get(r)) for r in roles]
    return max((v for v in values if v is not None), default=Decimal(0))


@transaction.atomic
def approve_cost(*, activity: Activity, acting_user: User, now: dt.datetime) -> Activity:
    """费用审批 (R-M12-05): refused when the budget is above the approver's limit."""
    _require(acting_user, activity.project, Cap.APPROVE_ACTIVITIES, "没有审批活动费用的权限")
    activity = _lock(activity)
    if activity.cost_approved_at is not None:
        raise ActivityError("费用已审批", code="already_approved", status=409)
    limit = cost_limit(acting_user, activity.project)
    if activity.budget > limit:
        raise ActivityError(f"费用预算 {activity.budget} 元超出您的审批权限（{limit} 元），请报上级审批",
                            field="budget", code="above_limit", status=403)
    activity.cost_approved_by, activity.cost_approved_at = acting_user, now
    _save(activity, ["cost_approved_by", "cost_approved_at"], acting_user=acting_user, reason="费用审批")
    return activity


@transaction.atomic
def publish_activity_notice(*, activity: Activity, text: str, acting_user: User, now: dt.datetime,
                            post_to_board: bool = False) -> Activity:
    """发布活动通知 (R-M12-02/-03, AS-31): refused before the implementation plan is approved; fewer than
    3 calendar days ahead it is published and recorded as a nonconformity. The SMS goes to every owner
    through ``apps.notify`` (quiet hours respected); optionally also posted to the notice board."""
    _require(acting_user, activity.project, Cap.PLAN_ACTIVITIES, "没有发布活动通知的权限")
    activity = _lock(activity)
    project = activity.project
    if activity.plan_approved_at is None:
        raise ActivityError("活动实施方案尚未批准，不能发布活动通知", code="not_approved", status=409)
    if activity.notice_published_at is not None:
        raise ActivityError("活动通知已发布", code="already_published", status=409)
    text = (text or "").strip()
    if len(text) < 4:
        raise _refuse("请填写活动通知内容", "text")
    today = now.astimezone(project.tz).date()
    if activity.held_on < today:
        raise _refuse("活动日期已过，不能再发布通知", "text", code="date_past")
    ahead = (activity.held_on - today).days
    approved_on = activity.plan_approved_at.astimezone(project.tz).date()
    try:
        notices.send_owner_notice(project=project, kind=NoticeKind.ACTIVITY, body=text, acting_user=acting_user,
                                  now=now, event_date=activity.held_on, approval_ref=f"活动实施方案 #{activity.pk}",
                                  approved_on=approved_on)
    except NotifyError as exc:
        raise ActivityError(exc.message, field="text" if exc.field == "body" else None, code=exc.code,
                            status=exc.status) from None
    if post_to_board:
        portal_actions.publish_notice(project=project, kind=PublicationKind.NOTICE, title=f"活动通知：{activity.title}",
                                      body=text, acting_user=acting_user, now=now)
    activity.notice_text, activity.notice_published_at, activity.notice_days_ahead = text, now, ahead
    activity.notice_late = ahead < MIN_NOTICE_DAYS
    activity.status = ActivityStatus.ANNOUNCED
    _save(activity, ["notice_text", "notice_published_at", "notice_days_ahead", "notice_late", "status"],
          acting_user=acting_user, reason="发布活动通知（不足3天，记为不合格）" if activity.notice_late else "发布活动通知")
    return activity


@transaction.atomic
def invite_not_moved_in(*, activity: Activity, text: str, acting_user: User, now: dt.datetime) -> int:
    """邀请未入住业主 (R-M12-06, R-M9-17): an SMS to each owner of a household not yet moved in (quiet
    hours respected); returns how many were queued."""
    _require(acting_user, activity.project, Cap.PLAN_ACTIVITIES, "没有邀请业主的权限")
    activity = _lock(activity)
    if activity.plan_approved_at is None:
        raise ActivityError("活动实施方案尚未批准，不能邀请业主", code="not_approved", status=409)
    text = (text or "").strip()
    if len(text) < 4:
        raise _refuse("请填写邀请内容", "text")
    owners = Person.objects.filter(project=activity.project, kind=PersonKind.OWNER, active=True,
                                   household__status=OccupancyStatus.NOT_MOVED_IN).exclude(phone="").order_by("pk")
    sent = 0
    for person in owners:
        notify_actions.notify_owner(person, project=activity.project, kind="activity_invitation", body=text, now=now,
                                    dedupe_key=f"activity-invite:{activity.pk}:{person.pk}")
        sent += 1
    activity.invited_not_moved_in = sent
    _save(activity, ["invited_not_moved_in"], acting_user=acting_user, reason="邀请未入住业主")
    return sent


@transaction.atomic
def record_activity(*, activity: Activity, summary: str, participants: int | None, acting_user: User,
                    now: dt.datetime, participant_notes: str = "", feedback: str = "",
                    photos: Sequence[Any] = ()) -> Activity:
    """活动记录 (R-M12-04): on or after the day, with photos, participants and owners' feedback."""
    _require(acting_user, activity.project, Cap.PLAN_ACTIVITIES, "没有记录活动的权限")
    activity = _lock(activity)
    if activity.plan_approved_at is None:
        raise ActivityError("活动实施方案尚未批准", code="not_approved", status=409)
    if activity.held_on > now.astimezone(activity.project.tz).date():
        raise _refuse("活动尚未举行，不能记录", "summary", code="not_yet_held")
    summary = (summary or "").strip()
    if len(summary) < 4:
        raise _refuse("请填写活动记录", "summary")
    if participants is None or participants < 0:
        raise _refuse("请填写参加人数", "participants")
    files.check_count(photos, field="photos")
    for photo in photos:
        files.check_upload(photo, allowed=files.IMAGES, field="photos")
    for photo in photos:
        ActivityPhoto.objects.create(activity=activity, file=photo, uploaded_at=now)
    activity.summary, activity.participants = summary, participants
    activity.participant_notes, activity.feedback = (participant_notes or "").strip(), (feedback or "").strip()
    activity.recorded_at, activity.status = now, ActivityStatus.RECORDED
    _save(activity, ["summary", "participants", "participant_notes", "feedback", "recorded_at", "status"],
          acting_user=acting_user, reason="活动记录")
    return activity


@transaction.atomic
def send_greeting(*, project: Project, kind: str, text: str, acting_user: User, now: dt.datetime) -> OwnerNotice:
    """节日问候 / 天气提示 (R-M12-09, R-M9-18): one SMS per owner through ``apps.notify`` (quiet hours)."""
    _require(acting_user, project, Cap.PLAN_ACTIVITIES, "没有发送问候短信的权限")
    if kind not in (NoticeKind.FESTIVAL, NoticeKind.WEATHER):
        raise _refuse("问候类别只能是节日问候或天气提示", "kind")
    try:
        return notices.send_owner_notice(project=project, kind=kind, body=text, acting_user=acting_user, now=now)
    except NotifyError as exc:
        raise ActivityError(exc.message, field="text" if exc.field == "body" else exc.field, code=exc.code,
                            status=exc.status) from None


@transaction.atomic
def post_board_item(*, project: Project, kind: str, title: str, body: str, acting_user: User,
                    now: dt.datetime) -> Publication:
    """公告栏 (R-M12-10 … R-M12-14): estate-plan changes with their reason, the management team's photos
    and contacts, adopted suggestions, rules promotion, activity photos — posted through the portal."""
    _require(acting_user, project, Cap.PLAN_ACTIVITIES, "没有张贴公告的权限")
    if kind not in BoardItemKind.values:
        raise _refuse("请选择公告类别", "kind")
    body = (body or "").strip()
    if kind == BoardItemKind.ESTATE_PLAN_CHANGE and "原因" not in body:
        raise _refuse("小区规划变更须在公告中说明原因", "body", code="reason_required")
    label = BoardItemKind(kind).label
    return portal_actions.publish_notice(project=project, kind=PublicationKind.NOTICE,
                                         title=f"{label}：{(title or '').strip()}" if title else "", body=body,
                                         acting_user=acting_user, now=now,
                                         staff_contacts=kind == BoardItemKind.MANAGEMENT_TEAM)


@transaction.atomic
def save_cost_limit(*, project: Project, role: str, limit: Any, acting_user: User, now: dt.datetime
                    ) -> ActivityCostLimit:
    """Set a role's approval limit for the company (管理处经理/系统管理员: ``Cap.MANAGE_CONFIG``)."""
    _require(acting_user, project, Cap.MANAGE_CONFIG, "只有管理处经理或系统管理员可以修改审批权限")
    if role not in Role.values:
        raise _refuse("岗位不正确", "role")
    amount = _money(limit, "limit")
    row, _ = ActivityCostLimit.objects.update_or_create(company_id=project.company_id, role=role,
                                                        defaults={"limit": amount})
    return row
