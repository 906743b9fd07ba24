"""Demo activities for ``make run``: this year's plan in each residential project with one
activity taken from plan to record (implementation plan and cost approved, notice 5 days ahead,
owners not yet moved in invited, record with participants and feedback) and one coming activity whose
plan is approved but whose notice is still to be published."""
from __future__ import annotations

import datetime as dt

from apps.activities import actions
from apps.org.models import Company, Membership, Project
from apps.org.roles import Role
from linli import clock


def load_demo_activities(company: Company, *, now: dt.datetime | None = None) -> int:
    """Each residential project's plan (issue 23 item 3: every project's staff see their own); returns how
    many activities were added."""
    now = now or clock.now()
    return sum(_load_project(project, now)
               for project in Project.objects.filter(company=company, kind="residential").order_by("code"))


def _load_project(project: Project, now: dt.datetime) -> int:
    staff = {m.role: m.user for m in Membership.objects.filter(project=project).select_related("user").order_by("pk")}
    supervisor, manager, pm = staff.get(Role.CS_SUPERVISOR), staff.get(Role.CS_MANAGER), staff.get(Role.PROJECT_MANAGER)
    if supervisor is None or manager is None or pm is None:
        return 0
    tz = project.tz
    today = now.astimezone(tz).date()
    held = today - dt.timedelta(days=10)
    start = dt.datetime.combine(held - dt.timedelta(days=20), dt.time(10), tzinfo=tz)
    with clock.frozen(start):
        plan = actions.draw_up_plan(project=project, period="annual", year=held.year,
                                    title=f"{held.year}年社区文化活动计划", acting_user=supervisor, now=start)
        done = actions.add_activity(plan=plan, title="邻里美食节", kind="culture", held_on=held, place="中心花园",
                                    implementation_plan="美食摊位12个；安管部维持秩序；工程部保障用电；雨天移至会所",
                                    budget="1500", acting_user=supervisor, now=start)
        actions.approve_implementation(activity=done, acting_user=manager, now=start + dt.timedelta(days=1))
        actions.approve_cost(activity=done, acting_user=manager, now=start + dt.timedelta(days=1))
    notice_at = dt.datetime.combine(held - dt.timedelta(days=5), dt.time(10), tzinfo=tz)
    with clock.frozen(notice_at):
        actions.publish_activity_notice(activity=done, text=f"{held:%m月%d日}中心花园举办邻里美食节，欢迎业主参加。",
                                        acting_user=supervisor, now=notice_at)
        actions.invite_not_moved_in(activity=done, text="诚邀您参加邻里美食节，认识未来的邻居。", acting_user=supervisor,
                                    now=notice_at)
    record_at = dt.datetime.combine(held, dt.time(20), tzinfo=tz)
    with clock.frozen(record_at):
        actions.record_activity(activity=done, summary="美食节顺利举行，12个摊位，业主参与热情高。", participants=180,
                                feedback="希望每季度举办一次；建议增加儿童游戏区。", acting_user=supervisor, now=record_at)
    with clock.frozen(now):
        coming = actions.add_activity(plan=plan, title="便民服务日（磨刀、家电维修、量血压）", kind="convenience_day",
                                      held_on=today + dt.timedelta(days=6), place="东门广场",
                                      implementation_plan="工程部家电维修；社康中心量血压；客服部现场受理",
                                      budget="300", acting_user=supervisor, now=now)
        actions.approve_implementation(activity=coming, acting_user=pm, now=now)
    return 2
