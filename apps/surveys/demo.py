"""Demo satisfaction surveys for ``make run``: one questionnaire built by the 客服部, one completed
campaign (sampled, distributed, recovered, counted, open letter approved by the 管理者代表 and posted,
submitted to 品质部, follow-ups) and one running campaign, all through the real actions.
Deterministic for a seed and a "now"."""
from __future__ import annotations

import datetime as dt
import random

from apps.org.models import Company, Membership, Project
from apps.org.roles import Role
from apps.surveys import actions, queries
from apps.surveys.models import ProjectSurvey, Questionnaire, SampledHousehold
from linli import clock

OPTIONS = [{"label": "非常满意", "satisfied": True}, {"label": "满意", "satisfied": True},
           {"label": "基本满意", "satisfied": False}, {"label": "不满意", "satisfied": False},
           {"label": "非常不满意", "satisfied": False}]
ITEMS = [
    ("cs_attitude", "cs", "attitude", "客服人员的服务态度"),
    ("cs_efficiency", "cs", "efficiency", "咨询、投诉的处理及时性"),
    ("security_attitude", "security", "attitude", "门岗、巡逻人员的礼仪与态度"),
    ("security_access", "security", "quality", "小区人员、车辆出入管理"),
    ("eng_speed", "engineering", "efficiency", "维修及时率"),
    ("eng_quality", "engineering", "quality", "维修质量"),
    ("clean_quality", "cleaning", "quality", "公共区域保洁质量"),
    ("green_quality", "greening", "quality", "园林绿化养护"),
    ("overall", "overall", "other", "总体满意度"),
    ("advice", "overall", "other", "您对物业服务的意见和建议"),
]
# how likely each item is answered "satisfied" in the demo (engineering and security are the weak lines)
LEAN = {"eng_speed": 0.70, "security_access": 0.78, "clean_quality": 0.86, "green_quality": 0.9}
ADVICE = ["希望维修人员能更快上门", "夜间外来人员进出要加强登记", "楼道保洁有时不及时", "总体不错，继续保持", ""]
# the 客服主管's classification of the demo opinions by department (R-M10-06)
ADVICE_DEPARTMENT = {"维修": "engineering", "进出": "security", "保洁": "environment"}


def _log_feedback(ps: ProjectSurvey, supervisor: object, now: dt.datetime) -> None:
    """The 客服主管 logs every opinion in the 《与客户沟通登记表》 by department before the statistics."""
    for row in list(queries.pending_feedback(ps)):
        text = queries.opinion_text(row)
        dept = next((d for word, d in ADVICE_DEPARTMENT.items() if word in text), "cs")
        actions.log_feedback(survey=ps, response=row, department=dept, acting_user=supervisor, now=now)  # type: ignore[arg-type]


def _staff(project: Project) -> dict[str, object]:
    return {m.role: m.user for m in Membership.objects.filter(project=project).select_related("user")}


def _company_user(company: Company, role: str) -> object | None:
    m = Membership.objects.filter(company=company, role=role).select_related("user").first()
    return m.user if m else None


def build_questionnaire(company: Company, user: object, now: dt.datetime) -> Questionnaire:
    q = actions.create_questionnaire(company=company, code="owner-satisfaction", title="业主满意度调查问卷",
                                     intro="为了解您对物业服务的满意程度并听取您的意见，请您抽出几分钟填写本问卷。",
                                     options=OPTIONS, acting_user=user, now=now)  # type: ignore[arg-type]
    for code, line, aspect, text in ITEMS:
        actions.add_item(questionnaire=q, code=code, line=line, aspect=aspect, text=text, free_text=code == "advice",
                         overall=code == "overall", acting_user=user, now=now)  # type: ignore[arg-type]
    return actions.publish_questionnaire(questionnaire=q, acting_user=user, now=now)  # type: ignore[arg-type]


def _answers(rng: random.Random, satisfied_overall: float) -> dict[str, object]:
    out: dict[str, object] = {}
    for code, *_ in ITEMS:
        if code == "advice":
            out[code] = rng.choice(ADVICE)
        elif code == "overall":
            out[code] = rng.choice([1, 2]) if rng.random() < satisfied_overall else rng.choice([3, 4])
        else:
            out[code] = rng.choice([1, 2]) if rng.random() < LEAN.get(code, 0.95) else rng.choice([3, 4, 5])
    return out


def _at(day: dt.date, hour: int, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)


def _field_work(ps: ProjectSurvey, rng: random.Random, *, share_recovered: float, overall: float,
                start: dt.date, butler: object, supervisor: object, complete: bool, now: dt.datetime) -> None:
    tz = ps.project.tz

    def _at(day: dt.date, hour: int, tz: dt.tzinfo) -> dt.datetime:  # never later than the demo's "now"
        return min(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz), now)

    rows = list(SampledHousehold.objects.filter(survey=ps).select_related("household").order_by("id"))
    cut = len(rows) if complete else len(rows) // 2
    actions.record_distributions(survey=ps, rows=[{"household": r.household, "channel": "paper", "signed_off": True,
                                                   "distributed_at": _at(start + dt.timedelta(days=1), 10, tz)}
                                                  for r in rows[:cut]],
                                 acting_user=butler, now=_at(start + dt.timedelta(days=1), 18, tz))  # type: ignore[arg-type]
    if complete:
        actions.complete_distribution(survey=ps, acting_user=supervisor,  # type: ignore[arg-type]
                                      now=_at(start + dt.timedelta(days=2), 17, tz))
    recovered = [r for r in rows[:cut] if rng.random() < share_recovered]
    actions.record_recoveries(survey=ps, rows=[{"household": r.household, "answers": _answers(rng, overall),
                                                "anonymous": rng.random() < 0.1,
                                                "recovered_at": _at(start + dt.timedelta(days=4 + i % 5), 15, tz)}
                                               for i, r in enumerate(recovered)], via="keyed",
                              acting_user=butler, now=_at(start + dt.timedelta(days=9), 18, tz))  # type: ignore[arg-type]


def load_demo_surveys(company: Company, *, seed: int = 2026, now: dt.datetime | None = None) -> dict[str, object]:
    """The demo campaigns; returns the completed campaign's survey of the first project (for plans)."""
    now = now or clock.now()
    rng = random.Random(seed + 18)
    projects = list(Project.objects.filter(company=company, kind="residential", active=True).order_by("code"))
    if not projects:
        return {}
    staffed = [(p, _staff(p)) for p in projects]
    staffed = [(p, s) for p, s in staffed if s.get(Role.CS_SUPERVISOR) and s.get(Role.CS_MANAGER)]
    if not staffed:
        return {}
    projects = [p for p, _s in staffed]
    staff = staffed[0][1]
    supervisor, manager = staff.get(Role.CS_SUPERVISOR), staff.get(Role.CS_MANAGER)
    quality = _company_user(company, Role.QUALITY)
    rep, gm = _company_user(company, Role.MANAGEMENT_REP), _company_user(company, Role.GENERAL_MANAGER)
    if not (supervisor and manager and quality and rep):
        return {}
    today = clock.local(now).date()
    done_on = today - dt.timedelta(days=75)
    q = build_questionnaire(company, supervisor, clock.local(now) - dt.timedelta(days=90))
    campaign = actions.issue_campaign(company=company, title=f"{done_on.year}年{done_on.month}月业主满意度调查",
                                      questionnaire=q, received_on=done_on, projects=projects, acting_user=quality,  # type: ignore[arg-type]
                                      now=_at(done_on, 9, projects[0].tz))
    completed = None
    for ps in campaign.project_surveys.select_related("project", "campaign__questionnaire").order_by("project__code"):
        s = _staff(ps.project)
        butler = s.get(Role.BUTLER) or s.get(Role.BUILDING_STEWARD) or s.get(Role.CS_SUPERVISOR)
        sup = s.get(Role.CS_SUPERVISOR)
        if butler is None or sup is None:
            continue
        _field_work(ps, rng, share_recovered=0.85, overall=0.93 if ps.project_id == projects[0].pk else 0.97,
                    start=done_on, butler=butler, supervisor=sup, complete=True, now=now)
        tz = ps.project.tz
        actions.complete_recovery(survey=ps, acting_user=sup, now=_at(done_on + dt.timedelta(days=12), 17, tz))  # type: ignore[arg-type]
        _log_feedback(ps, sup, _at(done_on + dt.timedelta(days=13), 15, tz))
        actions.complete_statistics(survey=ps, acting_user=sup, now=_at(done_on + dt.timedelta(days=14), 11, tz))  # type: ignore[arg-type]
        if ps.project_id == projects[0].pk:
            completed = ps
    if completed is not None:
        tz = completed.project.tz
        issues = queries.concentrated_issues(completed)
        letter = actions.draft_letter(
            survey=completed, title=f"{completed.project.name}致全体业主的公开信",
            body=("尊敬的各位业主：\n感谢您在本次满意度调查中提出的宝贵意见。针对大家意见比较集中的问题，管理处已制定整改措施："
                  "工程部增加万能工和弱电工，维修在约定时间内上门；安管部会同客服管家逐户识别住户，加强外来人员登记。"
                  "我们将在下次调查中向您汇报改进效果。"),
            issues=[{"text": f"{i['line']}：{i['text']}", "code": i["code"]} for i in issues] or ["维修及时率"],
            acting_user=supervisor, now=_at(done_on + dt.timedelta(days=15), 10, tz))  # type: ignore[arg-type]
        actions.approve_letter(letter=letter, acting_user=rep, now=_at(done_on + dt.timedelta(days=16), 10, tz))  # type: ignore[arg-type]
        actions.post_letter(letter=letter, acting_user=manager, now=_at(done_on + dt.timedelta(days=17), 9, tz))  # type: ignore[arg-type]
        actions.submit_to_quality(survey=completed, acting_user=supervisor,  # type: ignore[arg-type]
                                  now=_at(done_on + dt.timedelta(days=19), 16, tz))
        if gm is not None:
            actions.record_follow_up(survey=completed, kind="gm_meeting", held_on=done_on + dt.timedelta(days=20),
                                     summary="物业总经理召集各部门经理召开满意度调查专题会议，分发各部门的调查汇总，形成初步整改计划。",
                                     acting_user=gm, now=_at(done_on + dt.timedelta(days=20), 16, tz))  # type: ignore[arg-type]
        eng = completed.project.departments.filter(kind="engineering").first()
        if eng is not None:
            actions.record_follow_up(survey=completed, kind="rectification", department=eng,
                                     held_on=done_on + dt.timedelta(days=25),
                                     summary="工程部整改报告：新招万能工1名，维修派工单在约定时间内到场。",
                                     acting_user=supervisor, now=_at(done_on + dt.timedelta(days=25), 16, tz))  # type: ignore[arg-type]
        actions.record_follow_up(survey=completed, kind="verification", held_on=done_on + dt.timedelta(days=40),
                                 summary="品质部月度检查：电话回访10户，公开信所列问题已处理，业主对结果满意。", satisfied=True,
                                 acting_user=quality, now=_at(done_on + dt.timedelta(days=40), 16, tz))  # type: ignore[arg-type]
    running_on = today - dt.timedelta(days=2)
    running = actions.issue_campaign(company=company, title=f"{running_on.year}年{running_on.month}月业主满意度调查",
                                     questionnaire=q, received_on=running_on, projects=projects[:1], acting_user=quality,  # type: ignore[arg-type]
                                     now=_at(running_on, 9, projects[0].tz))
    ps = running.project_surveys.get()
    butler = staff.get(Role.BUTLER) or supervisor
    _field_work(ps, rng, share_recovered=0.3, overall=0.95, start=running_on, butler=butler, supervisor=supervisor,
                complete=False, now=now)
    return {"completed": completed, "running": ps}
