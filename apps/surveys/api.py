"""REST endpoints of the surveys app, mounted at /api/v1/surveys. Thin: reads from queries, who may see
what from access, writes through actions. Every refusal answers ``{"error": {code, message, fields}}``:

- 403 ``forbidden`` — the role may not (only 品质部 issues, only 客服部 主管/经理 sample …);
- 404 ``not_found`` — the survey, project or household is missing or not visible;
- 409 ``already_distributed`` / ``already_answered`` / ``not_distributed`` / ``recovery_closed`` /
  ``closed`` / ``approval_required`` / ``posted`` / ``feedback_unlogged`` (statistics while an opinion is not
  in the 与客户沟通登记表) / ``not_recovered`` / ``duplicate`` … — the state does not allow it;
- 422 ``invalid`` / ``below_minimum`` / ``not_sampled`` / ``invalid_rows`` (bulk: ``fields`` names
  ``rows.N``; nothing of the batch is written) — the input is wrong.

Distribution and recovery are idempotent: the same record again answers ``changed: false``; POSTs
also take an ``Idempotency-Key`` header (apps.api.idempotency)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LinliPagination
from apps.core.validation import SaneDate
from apps.estates.models import Building, Household
from apps.org.access import visible_projects
from apps.org.models import Department, User
from apps.surveys import access, actions, queries
from apps.surveys.models import OpenLetter, ProjectSurvey, Questionnaire, SampledHousehold
from linli import clock

router = Router(tags=["surveys"])


class DeadlineOut(Schema):
    stage: str
    stage_label: str
    due_at: dt.datetime
    rule: str
    met_at: dt.datetime | None
    overdue: bool


class VerdictOut(Schema):
    key: str
    label: str
    passed: bool | None
    verdict: str
    value: Decimal | None
    reason: str


class SurveyOut(Schema):
    id: int
    campaign_id: int
    campaign: str
    project_id: int
    project: str
    received_on: dt.date
    households: int
    age_years: int | None
    rate: Decimal
    minimum: int
    explanation: str
    seed: int | None
    sampled: int
    below_minimum_reason: str
    distribution_done_at: dt.datetime | None
    recovery_done_at: dt.datetime | None
    statistics_done_at: dt.datetime | None
    submitted_at: dt.datetime | None
    closed: bool
    deadlines: list[DeadlineOut]


class CampaignIn(Schema):
    title: str
    questionnaire_id: int
    received_on: SaneDate
    project_ids: list[int]


class CampaignOut(Schema):
    id: int
    title: str
    received_on: dt.date
    questionnaire: str
    surveys: list[SurveyOut]


class SampleIn(Schema):
    size: int | None = None
    reason: str = ""
    seed: int | None = None


class SampleRowOut(Schema):
    household_id: int
    household: str
    building: str
    added_by_hand: bool
    distributed_at: dt.datetime | None
    channel: str
    recovered_at: dt.datetime | None
    anonymous: bool


class HouseholdsIn(Schema):
    household_ids: list[int]
    reason: str = ""


class DistributionIn(Schema):
    household_id: int
    channel: Literal["paper", "sms", "portal"] = "paper"
    signed_off: bool = False
    distributed_at: dt.datetime | None = None


class RecoveryIn(Schema):
    household_id: int
    answers: dict[str, str | int]
    anonymous: bool = False
    comment: str = ""
    recovered_at: dt.datetime | None = None


class BulkDistributionIn(Schema):
    rows: list[DistributionIn]


class BulkRecoveryIn(Schema):
    rows: list[RecoveryIn]


class SurveyRowOut(Schema):
    household: str
    changed: bool


class BulkOut(Schema):
    changed: int
    unchanged: int
    rows: list[SurveyRowOut]


class GroupOut(Schema):
    key: str
    label: str
    answered: int
    satisfied: int
    rate: Decimal | None
    passed: bool | None


class RatesOut(Schema):
    sampled: int
    minimum: int
    distributed: int
    recovered: int
    recovered_in_time: int
    anonymous: int
    valid: int
    satisfied: int
    distribution_rate: Decimal | None
    recovery_rate: Decimal | None
    satisfaction_rate: Decimal | None
    verdicts: list[VerdictOut]
    lines: list[GroupOut]
    items: list[GroupOut]
    buildings: list[GroupOut]


class LetterIn(Schema):
    title: str
    body: str
    issues: list[str]


class LetterOut(Schema):
    id: int
    title: str
    body: str
    issues: list[dict[str, Any]]
    approved_by: str | None
    approved_at: dt.datetime | None
    posted_at: dt.datetime | None
    publication_id: int | None


class SurveyFollowUpIn(Schema):
    kind: Literal["gm_meeting", "dept_meeting", "rectification", "return_visit", "explanation", "verification",
                  "spot_check"]
    held_on: SaneDate
    summary: str
    department_id: int | None = None
    satisfied: bool | None = None


class ComplianceOut(Schema):
    project_id: int
    project: str
    year: int
    first_half: int
    second_half: int
    first_half_status: str
    second_half_status: str
    year_status: str
    reason: str


def _survey(request: HttpRequest, survey_id: int) -> ProjectSurvey:
    try:
        return access.get_survey(request.user, survey_id)
    except access.SurveyNotFound:
        raise ApiError(404, "not_found", "调查不存在或无权查看") from None


def _deadlines(ps: ProjectSurvey) -> list[dict[str, Any]]:
    now = clock.now()
    return [{"stage": d.stage, "stage_label": d.get_stage_display(), "due_at": d.due_at, "rule": d.rule,
             "met_at": d.met_at, "overdue": (d.met_at or now) > d.due_at} for d in queries.deadlines(ps)]


def _out(ps: ProjectSurvey) -> dict[str, Any]:
    return {"id": ps.pk, "campaign_id": ps.campaign_id, "campaign": ps.campaign.title, "project_id": ps.project_id,
            "project": ps.project.name, "received_on": ps.received_on, "households": ps.households,
            "age_years": ps.age_years, "rate": ps.rate, "minimum": ps.minimum, "explanation": ps.explanation,
            "seed": ps.seed, "sampled": SampledHousehold.objects.filter(survey=ps).count(),
            "below_minimum_reason": ps.below_minimum_reason, "distribution_done_at": ps.distribution_done_at,
            "recovery_done_at": ps.recovery_done_at, "statistics_done_at": ps.statistics_done_at,
            "submitted_at": ps.submitted_at, "closed": ps.closed, "deadlines": _deadlines(ps)}


@router.post("/campaigns", response={201: CampaignOut, **ERRORS},
             summary="品质部下发满意度调查（各项目最低份数、抽样、发放时限）")
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Any:
    projects = list(visible_projects(request.user).filter(pk__in=payload.project_ids))
    if len(projects) != len(set(payload.project_ids)):
        raise ApiError(404, "not_found", "项目不存在或无权查看", {"project_ids": ["项目不存在或无权查看"]})
    q = Questionnaire.objects.filter(pk=payload.questionnaire_id,
                                     company_id__in={p.company_id for p in visible_projects(request.user)}).first()
    if q is None:
        raise ApiError(422, "invalid", "问卷不存在", {"questionnaire_id": ["问卷不存在"]})
    campaign = actions.issue_campaign(company=q.company, title=payload.title, questionnaire=q,
                                      received_on=payload.received_on, projects=projects,
                                      acting_user=access.acting_user(request), now=clock.now())
    surveys = campaign.project_surveys.select_related("campaign", "project").order_by("project__code")
    return Status(201, {"id": campaign.pk, "title": campaign.title, "received_on": campaign.received_on,
                        "questionnaire": str(q), "surveys": [_out(ps) for ps in surveys]})


@router.get("/compliance", response={200: list[ComplianceOut], **ERRORS},
            summary="调查频次合规（每半年/全年，按调查频次口径）")
def compliance(request: HttpRequest, year: int = Query(..., ge=2000, le=2100)) -> Any:
    projects = [p for p in visible_projects(request.user).order_by("code") if access.can_view(request.user, p)]
    today = clock.local(clock.now()).date()
    return [{"project_id": c.project.pk, "project": c.project.name, "year": c.year, "first_half": c.h1,
             "second_half": c.h2, "first_half_status": c.h1_status, "second_half_status": c.h2_status,
             "year_status": c.year_status, "reason": c.reason}
            for c in queries.frequency_compliance(projects, year, today)]


@router.get("/{survey_id}", response={200: SurveyOut, **ERRORS}, summary="项目调查：最低份数及说明、抽样种子、各环节时限")
def survey_detail(request: HttpRequest, survey_id: int) -> Any:
    return _out(_survey(request, survey_id))


@router.get("/{survey_id}/deadlines", response={200: list[DeadlineOut], **ERRORS}, summary="各环节时限")
def survey_deadlines(request: HttpRequest, survey_id: int) -> Any:
    return _deadlines(_survey(request, survey_id))


@router.get("/{survey_id}/sample", response={200: list[SampleRowOut], **ERRORS}, summary="样本户（分页）")
@paginate(LinliPagination)
def sample_list(request: HttpRequest, survey_id: int) -> Any:
    ps = _survey(request, survey_id)
    return [{"household_id": r.household_id, "household": r.household.label, "building": r.building.name,
             "added_by_hand": r.added_by_hand, "distributed_at": r.distributed_at, "channel": r.channel,
             "recovered_at": r.recovered_at, "anonymous": r.anonymous}
            for r in SampledHousehold.objects.filter(survey=ps).select_related("household", "building")
            .order_by("building__sort_key", "household__label")]


@router.post("/{survey_id}/sample", response={200: SurveyOut, **ERRORS},
             summary="（重新）抽样：默认最低份数；少于最低份数须填写原因")
def sample_draw(request: HttpRequest, survey_id: int, payload: SampleIn) -> Any:
    ps = _survey(request, survey_id)
    actions.draw_sample(survey=ps, size=payload.size, reason=payload.reason, seed=payload.seed,
                        acting_user=access.acting_user(request), now=clock.now())
    return _out(_survey(request, survey_id))


def _households(ps: ProjectSurvey, ids: list[int], field: str = "household_ids") -> list[Household]:
    found = {h.pk: h for h in Household.objects.filter(project=ps.project, pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        message = "房屋不存在或不属于本项目：" + "、".join(str(i) for i in missing[:10])
        raise ApiError(422, "invalid", message, {field: [message]})
    return [found[i] for i in ids]


@router.post("/{survey_id}/sample/add", response={200: SurveyOut, **ERRORS}, summary="手工加入样本户")
def sample_add(request: HttpRequest, survey_id: int, payload: HouseholdsIn) -> Any:
    ps = _survey(request, survey_id)
    actions.add_to_sample(survey=ps, households=_households(ps, payload.household_ids), reason=payload.reason,
                          acting_user=access.acting_user(request), now=clock.now())
    return _out(_survey(request, survey_id))


@router.post("/{survey_id}/sample/remove", response={200: SurveyOut, **ERRORS},
             summary="移出样本户（低于最低份数须填写原因）")
def sample_remove(request: HttpRequest, survey_id: int, payload: HouseholdsIn) -> Any:
    ps = _survey(request, survey_id)
    actions.remove_from_sample(survey=ps, households=_households(ps, payload.household_ids), reason=payload.reason,
                               acting_user=access.acting_user(request), now=clock.now())
    return _out(_survey(request, survey_id))


def _household(ps: ProjectSurvey, pk: int, field: str = "household_id") -> Household:
    return _households(ps, [pk], field)[0]


def _bulk_out(results: list[actions.RowResult]) -> dict[str, Any]:
    changed = sum(1 for r in results if r.changed)
    return {"changed": changed, "unchanged": len(results) - changed,
            "rows": [{"household": r.household, "changed": r.changed} for r in results]}


@router.post("/{survey_id}/distributions", response={200: SurveyRowOut, **ERRORS},
             summary="登记发放（幂等：重复登记相同内容不改变）")
def distribution(request: HttpRequest, survey_id: int, payload: DistributionIn) -> Any:
    ps = _survey(request, survey_id)
    r = actions.record_distribution(survey=ps, household=_household(ps, payload.household_id),
                                    channel=payload.channel, signed_off=payload.signed_off,
                                    distributed_at=payload.distributed_at, acting_user=access.acting_user(request),
                                    now=clock.now())
    return {"household": r.household, "changed": r.changed}


@router.post("/{survey_id}/distributions/bulk", response={200: BulkOut, **ERRORS},
             summary="批量登记发放（全部成功或全部不保存；错误按 rows.N 列出）")
def distribution_bulk(request: HttpRequest, survey_id: int, payload: BulkDistributionIn) -> Any:
    ps = _survey(request, survey_id)
    homes = {h.pk: h for h in Household.objects.filter(project=ps.project,
                                                        pk__in=[r.household_id for r in payload.rows])}
    rows = [{"household": homes.get(r.household_id), "channel": r.channel, "signed_off": r.signed_off,
             "distributed_at": r.distributed_at} for r in payload.rows]
    return _bulk_out(actions.record_distributions(survey=ps, rows=rows, acting_user=access.acting_user(request),
                                                  now=clock.now()))


@router.post("/{survey_id}/recoveries", response={200: SurveyRowOut, **ERRORS},
             summary="登记回收与答案（answers：题目代码 → 选项数字或文字；幂等）")
def recovery(request: HttpRequest, survey_id: int, payload: RecoveryIn) -> Any:
    ps = _survey(request, survey_id)
    r = actions.record_recovery(survey=ps, household=_household(ps, payload.household_id), answers=payload.answers,
                                anonymous=payload.anonymous, comment=payload.comment,
                                recovered_at=payload.recovered_at, via="api",
                                acting_user=access.acting_user(request), now=clock.now())
    return {"household": r.household, "changed": r.changed}


@router.post("/{survey_id}/recoveries/bulk", response={200: BulkOut, **ERRORS},
             summary="批量登记回收（全部成功或全部不保存；错误按 rows.N 列出）")
def recovery_bulk(request: HttpRequest, survey_id: int, payload: BulkRecoveryIn) -> Any:
    ps = _survey(request, survey_id)
    homes = {h.pk: h for h in Household.objects.filter(project=ps.project,
                                                        pk__in=[r.household_id for r in payload.rows])}
    rows = [{"household": homes.get(r.household_id), "answers": r.answers, "anonymous": r.anonymous,
             "comment": r.comment, "recovered_at": r.recovered_at} for r in payload.rows]
    return _bulk_out(actions.record_recoveries(survey=ps, rows=rows, via="api",
                                               acting_user=access.acting_user(request), now=clock.now()))


def _groups(groups: list[queries.GroupRate]) -> list[dict[str, Any]]:
    return [{"key": str(g.code or g.key), "label": str(g.label), "answered": g.answered, "satisfied": g.satisfied,
             "rate": g.rate, "passed": g.passed} for g in groups]


@router.get("/{survey_id}/rates", response={200: RatesOut, **ERRORS},
            summary="发放率、按时回收率、满意率及结论（按条线、题目、楼栋）")
def rates(request: HttpRequest, survey_id: int) -> Any:
    ps = _survey(request, survey_id)
    policy = queries.policy_for(ps.project)
    r = queries.rates(ps, policy)
    return {"sampled": r.sampled, "minimum": r.minimum, "distributed": r.distributed, "recovered": r.recovered,
            "recovered_in_time": r.recovered_in_time, "anonymous": r.anonymous, "valid": r.valid,
            "satisfied": r.satisfied, "distribution_rate": r.distribution_rate, "recovery_rate": r.recovery_rate,
            "satisfaction_rate": r.satisfaction_rate,
            "verdicts": [{"key": v.key, "label": v.label, "passed": v.passed, "verdict": v.word, "value": v.value,
                          "reason": v.reason} for v in r.verdicts],
            "lines": _groups(queries.line_rates(ps, policy)), "items": _groups(queries.item_rates(ps, policy)),
            "buildings": _groups(queries.building_rates(ps, policy))}


StepName = Literal["distribution", "recovery", "statistics", "submit"]
STEPS = {"distribution": actions.complete_distribution, "recovery": actions.complete_recovery,
         "statistics": actions.complete_statistics, "submit": actions.submit_to_quality}


@router.post("/{survey_id}/steps/{name}", response={200: SurveyOut, **ERRORS},
             summary="确认环节完成：发放、回收、统计分析、报品质部")
def step(request: HttpRequest, survey_id: int, name: StepName) -> Any:
    ps = _survey(request, survey_id)
    STEPS[name](survey=ps, acting_user=access.acting_user(request), now=clock.now())
    return _out(_survey(request, survey_id))


def _letter_out(letter: OpenLetter) -> dict[str, Any]:
    return {"id": letter.pk, "title": letter.title, "body": letter.body, "issues": letter.issues,
            "approved_by": str(letter.approved_by) if letter.approved_by else None,
            "approved_at": letter.approved_at, "posted_at": letter.posted_at,
            "publication_id": letter.publication_id}


def _letter(ps: ProjectSurvey) -> OpenLetter:
    letter = OpenLetter.objects.filter(survey=ps).select_related("approved_by").first()
    if letter is None:
        raise ApiError(404, "not_found", "尚未起草公开信")
    return letter


@router.get("/{survey_id}/letter", response={200: LetterOut, **ERRORS}, summary="公开信")
def letter_get(request: HttpRequest, survey_id: int) -> Any:
    return _letter_out(_letter(_survey(request, survey_id)))


@router.post("/{survey_id}/letter", response={200: LetterOut, **ERRORS}, summary="起草/修改公开信（修改后须重新审批）")
def letter_draft(request: HttpRequest, survey_id: int, payload: LetterIn) -> Any:
    ps = _survey(request, survey_id)
    return _letter_out(actions.draft_letter(survey=ps, title=payload.title, body=payload.body, issues=payload.issues,
                                            acting_user=access.acting_user(request), now=clock.now()))


@router.post("/{survey_id}/letter/approve", response={200: LetterOut, **ERRORS}, summary="管理者代表审批公开信")
def letter_approve(request: HttpRequest, survey_id: int) -> Any:
    ps = _survey(request, survey_id)
    return _letter_out(actions.approve_letter(letter=_letter(ps), acting_user=access.acting_user(request),
                                              now=clock.now()))


@router.post("/{survey_id}/letter/post", response={200: LetterOut, **ERRORS},
             summary="发布公开信到业主公告栏（未经管理者代表审批的拒绝：409 approval_required）")
def letter_post(request: HttpRequest, survey_id: int) -> Any:
    ps = _survey(request, survey_id)
    return _letter_out(actions.post_letter(letter=_letter(ps), acting_user=access.acting_user(request),
                                           now=clock.now()))


@router.post("/{survey_id}/follow-ups", response={201: dict[str, int], **ERRORS},
             summary="后续跟进：总经理专题会议、部门会议与整改报告、回访、品质部验证与抽查")
def follow_up(request: HttpRequest, survey_id: int, payload: SurveyFollowUpIn) -> Any:
    ps = _survey(request, survey_id)
    department = None
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id, project=ps.project).first()
        if department is None:
            raise ApiError(422, "invalid", "部门不属于本项目", {"department_id": ["部门不属于本项目"]})
    fu = actions.record_follow_up(survey=ps, kind=payload.kind, held_on=payload.held_on, summary=payload.summary,
                                  department=department, satisfied=payload.satisfied,
                                  acting_user=access.acting_user(request), now=clock.now())
    return Status(201, {"id": fu.pk})




# ---------------------------------------------------------------- statistics by department (R-M10-06)


class SurveyFeedbackIn(Schema):
    household_id: int | None = None
    department: Literal["cs", "security", "engineering", "environment", "developer"]
    opinion: str = Field("", max_length=2000)


class SurveyFeedbackOut(Schema):
    id: int
    department: str
    department_label: str
    household: str | None
    anonymous: bool
    opinion: str
    logged_by: str
    logged_at: dt.datetime


class SurveyPendingOut(Schema):
    household_id: int
    household: str
    opinion: str


class SurveyStatisticsOut(Schema):
    departments: list[GroupOut]
    opinions: dict[str, int]
    register_entries: list[SurveyFeedbackOut]
    pending: list[SurveyPendingOut]
    statistics_done_at: dt.datetime | None
    summary_sent_at: dt.datetime | None


def _feedback_out(f: Any) -> dict[str, Any]:
    return {"id": f.pk, "department": f.department, "department_label": str(f.get_department_display()),
            "household": f.response.household.label if f.response else None,
            "anonymous": bool(f.response and f.response.anonymous), "opinion": f.opinion,
            "logged_by": str(f.logged_by), "logged_at": f.logged_at}


@router.get("/{survey_id}/statistics", response={200: SurveyStatisticsOut, **ERRORS},
            summary="按部门统计：满意率、与客户沟通登记表、尚未登记的业主意见、统计汇总报总经理时间")
def statistics(request: HttpRequest, survey_id: int) -> Any:
    ps = _survey(request, survey_id)
    departments = queries.department_rates(ps)
    pending = queries.pending_feedback(ps).prefetch_related("answers")[:200]
    return {"departments": _groups(departments), "opinions": {str(g.key): int(g.line) for g in departments},
            "register_entries": [_feedback_out(f) for f in queries.feedback_register(ps)],
            "pending": [{"household_id": r.household_id, "household": r.household.label,
                         "opinion": queries.opinion_text(r)} for r in pending],
            "statistics_done_at": ps.statistics_done_at, "summary_sent_at": ps.summary_sent_at}


@router.post("/{survey_id}/feedback", response={201: SurveyFeedbackOut, **ERRORS},
             summary="登记与客户沟通登记表（按部门归口；留空意见=取问卷上的意见）")
def feedback(request: HttpRequest, survey_id: int, payload: SurveyFeedbackIn) -> Any:
    ps = _survey(request, survey_id)
    response = None
    if payload.household_id is not None:
        response = (SampledHousehold.objects.filter(survey=ps, household_id=payload.household_id)
                    .select_related("household").first())
        if response is None:
            raise ApiError(422, "not_sampled", "该住户不在本次调查的样本中", {"household_id": ["该住户不在本次调查的样本中"]})
    f = actions.log_feedback(survey=ps, response=response, department=payload.department, opinion=payload.opinion,
                             acting_user=access.acting_user(request), now=clock.now())
    return Status(201, _feedback_out(f))


# ---------------------------------------------------------------- assignment and supervision (R-M10-13)


class SurveyAssignIn(Schema):
    assignee_id: int
    building_ids: list[int] = Field([], max_length=500)
    household_ids: list[int] = Field([], max_length=2000)


class SurveyAssigneeOut(Schema):
    user_id: int | None
    name: str
    sampled: int
    distributed: int
    recovered: int


class SurveySupervisionIn(Schema):
    held_on: SaneDate
    findings: str = Field(..., max_length=5000)
    guidance: str = Field(..., max_length=5000)


class SurveySupervisionOut(Schema):
    id: int
    held_on: dt.date
    findings: str
    guidance: str
    supervisor: str
    recorded_at: dt.datetime


@router.get("/{survey_id}/assignments", response={200: list[SurveyAssigneeOut], **ERRORS},
            summary="调查任务分配及各负责人的发放、回收进度")
def assignments(request: HttpRequest, survey_id: int) -> Any:
    return queries.assignee_progress(_survey(request, survey_id))


@router.post("/{survey_id}/assignments", response={200: list[SurveyAssigneeOut], **ERRORS},
             summary="客服部分配调查任务（按楼栋或住户指定发放回收负责人）")
def assign(request: HttpRequest, survey_id: int, payload: SurveyAssignIn) -> Any:
    ps = _survey(request, survey_id)
    assignee = User.objects.filter(pk=payload.assignee_id, is_active=True).first()
    buildings = list(Building.objects.filter(project=ps.project, pk__in=payload.building_ids))
    if len(buildings) != len(set(payload.building_ids)):
        raise ApiError(422, "invalid", "楼栋不存在或不属于本项目", {"building_ids": ["楼栋不存在或不属于本项目"]})
    households = _households(ps, payload.household_ids) if payload.household_ids else []
    actions.assign_field_work(survey=ps, assignee=assignee, buildings=buildings, households=households,
                              acting_user=access.acting_user(request), now=clock.now())
    return queries.assignee_progress(ps)


def _supervision_out(v: Any) -> dict[str, Any]:
    return {"id": v.pk, "held_on": v.held_on, "findings": v.findings, "guidance": v.guidance,
            "supervisor": str(v.supervisor), "recorded_at": v.recorded_at}


@router.get("/{survey_id}/supervisions", response={200: list[SurveySupervisionOut], **ERRORS},
            summary="调查督导记录")
def supervisions(request: HttpRequest, survey_id: int) -> Any:
    ps = _survey(request, survey_id)
    return [_supervision_out(v) for v in ps.supervisions.select_related("supervisor")]


@router.post("/{survey_id}/supervisions", response={201: SurveySupervisionOut, **ERRORS},
             summary="物业综合管理部、客服部经理记录调查督导（检查情况与指导意见）")
def supervision_add(request: HttpRequest, survey_id: int, payload: SurveySupervisionIn) -> Any:
    ps = _survey(request, survey_id)
    v = actions.record_supervision(survey=ps, held_on=payload.held_on, findings=payload.findings,
                                   guidance=payload.guidance, acting_user=access.acting_user(request),
                                   now=clock.now())
    return Status(201, _supervision_out(v))
