"""Survey pages (thin: rules in actions.py, reads in queries.py, who may see what in access.py).

- ``/surveys/``: the project surveys the user may see and the survey frequency of the year (AS-28);
- ``/surveys/campaigns/new/``: 品质部 issues a campaign; ``/surveys/policy/``: P-19/P-20 settings;
- ``/surveys/questionnaires/…``: 客服部 builds versioned questionnaires (R-M10-11);
- ``/surveys/<pk>/``: one project's survey — sample and its explanation, deadlines, rates and verdicts
  (AS-25, AS-27), charts, stage steps, letter, submission, follow-ups;
- ``/surveys/<pk>/distribute/``, ``/key/`` (fast keyboard keying), ``/import/`` (Excel with row errors);
- ``/surveys/<pk>/statistics.pdf`` (客户满意率统计表), ``/letter.pdf``, ``/results.xlsx``;
- ``/surveys/answer/<token>/``: the owner's one-time answer page (no login, self-contained).
"""
from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.core.exports import render_pdf, xlsx_response
from apps.core.flash import flash_refusal
from apps.estates.models import Household
from apps.org.access import has_cap, visible_projects
from apps.org.models import Company, Membership, Project
from apps.org.roles import ROLE_INFO, Cap
from apps.surveys import access, actions, imports, queries
from apps.surveys.forms import (
    AnswerForm,
    AssignForm,
    CampaignForm,
    DistributeForm,
    FeedbackForm,
    FollowUpForm,
    HouseholdsForm,
    ImportForm,
    ItemForm,
    KeyForm,
    LetterForm,
    PolicyForm,
    QuestionnaireForm,
    SampleForm,
    SupervisionForm,
    split_labels,
)
from apps.surveys.models import (
    OpenLetter,
    ProjectSurvey,
    QuestionItem,
    Questionnaire,
    SampledHousehold,
    SurveyPolicy,
)
from apps.workdays.queries import settings_for
from linli import clock


def refuse_into(request: HttpRequest, form: Any, exc: DomainError) -> None:
    """A refused action on a page: the message at the top of the page and beside its field."""
    flash_refusal(request, exc)
    for name, errors in exc.fields.items():
        field = name.split(".")[0]
        for e in errors:
            form.add_error(field if field in form.fields else None, e)
    if not exc.fields:
        form.add_error(None, exc.message)


def _survey(request: HttpRequest, pk: int) -> ProjectSurvey:
    try:
        return access.get_survey(request.user, pk)
    except access.SurveyNotFound:
        raise Http404 from None


def _companies(request: HttpRequest) -> list[int]:
    return sorted({p.company_id for p in visible_projects(request.user)})


def _households(survey: ProjectSurvey, labels: list[str]) -> tuple[list[Household], list[str]]:
    found = {h.label: h for h in Household.objects.filter(project=survey.project, label__in=labels)}
    return [found[x] for x in labels if x in found], [x for x in labels if x not in found]


# ---------------------------------------------------------------- index, policy, campaigns


@login_required
def index(request: HttpRequest) -> HttpResponse:
    projects = [p for p in visible_projects(request.user).order_by("code") if access.can_view(request.user, p)]
    if not projects:
        raise PermissionDenied
    now = clock.now()
    today = clock.local(now).date()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    surveys = queries.surveys_list(ProjectSurvey.objects.filter(project__in=projects))[:200]
    return render(request, "surveys/index.html", {
        "surveys": surveys, "year": year, "compliance": queries.frequency_compliance(projects, year, today),
        "status_words": queries.STATUS_WORDS, "can_issue": access.can_issue(request.user),
        "can_build": access.can_build(request.user)})


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    """品质部 edits P-19 / P-20 and the timeline day counts (company, or one project's override)."""
    if not (access.can_issue(request.user) or has_cap(request.user, Cap.MANAGE_CONFIG)):
        raise PermissionDenied
    company = Company.objects.filter(pk__in=_companies(request)).order_by("pk").first()
    if company is None:
        raise PermissionDenied
    project = None
    pid = request.GET.get("project") or request.POST.get("project") or ""
    if pid.isdigit():
        project = Project.objects.filter(pk=int(pid), company=company).first()
    current = (SurveyPolicy.objects.filter(company=company, project=project).first()
               or (queries.policy_for(project) if project else queries.company_policy(company.pk)))
    names = list(PolicyForm.base_fields)
    form = PolicyForm(request.POST or None, initial={n: getattr(current, n) for n in names})
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_policy(company=company, project=project, values=form.cleaned_data,
                                acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            refuse_into(request, form, exc)
        else:
            messages.success(request, "满意度调查口径已保存")
            return redirect(request.get_full_path())
    roll = settings_for(project or company.projects.first()).roll_rest_days if company.projects.exists() else False
    return render(request, "surveys/policy.html", {
        "form": form, "company": company, "project": project, "roll_rest_days": roll,
        "projects": company.projects.filter(active=True).order_by("code")},
        status=400 if request.method == "POST" else 200)


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    if not access.can_issue(request.user):
        raise PermissionDenied
    companies = _companies(request)
    today = clock.local(clock.now()).date()
    form = CampaignForm(request.POST or None, company_ids=companies,
                        initial={"received_on": today, "title": f"{today.year}年{'上' if today.month <= 6 else '下'}半年业主满意度调查"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            campaign = actions.issue_campaign(company=d["questionnaire"].company, title=d["title"],
                                              questionnaire=d["questionnaire"], received_on=d["received_on"],
                                              projects=list(d["projects"]), acting_user=access.acting_user(request),
                                              now=clock.now())
        except DomainError as exc:
            refuse_into(request, form, exc)
        else:
            messages.success(request, f"已下发至 {campaign.project_surveys.count()} 个项目，并按规则抽样")
            return redirect("surveys:index")
    return render(request, "surveys/form.html", {"form": form, "title": "下发满意度调查",
                                                 "intro": "管理处须在收到问卷后3天内发放；各项目的最低发放份数按调查口径计算并随机、均匀抽样。"},
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- questionnaires


@login_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    if not (access.can_build(request.user) or access.can_issue(request.user)):
        raise PermissionDenied
    qs = Questionnaire.objects.filter(company_id__in=_companies(request)).order_by("code", "-version")
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = Company.objects.get(pk=_companies(request)[0])
            q = actions.create_questionnaire(company=company, code=form.cleaned_data["code"],
                                             title=form.cleaned_data["title"], intro=form.cleaned_data["intro"],
                                             options=form.option_rows(), acting_user=access.acting_user(request),
                                             now=clock.now())
        except DomainError as exc:
            refuse_into(request, form, exc)
        else:
            return redirect("surveys:questionnaire", pk=q.pk)
    return render(request, "surveys/questionnaires.html", {"questionnaires": qs, "form": form,
                                                           "can_build": access.can_build(request.user)},
                  status=400 if request.method == "POST" else 200)


def _questionnaire(request: HttpRequest, pk: int) -> Questionnaire:
    q = Questionnaire.objects.filter(pk=pk, company_id__in=_companies(request)).first()
    if q is None:
        raise Http404
    return q


@login_required
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not (access.can_build(request.user) or access.can_issue(request.user)):
        raise PermissionDenied
    q = _questionnaire(request, pk)
    form = ItemForm(request.POST or None)
    if request.method == "POST":
        op = request.POST.get("op", "add")
        user, now = access.acting_user(request), clock.now()
        try:
            if op == "publish":
                actions.publish_questionnaire(questionnaire=q, acting_user=user, now=now)
                messages.success(request, "问卷已发布")
                return redirect("surveys:questionnaire", pk=q.pk)
            if op == "version":
                new = actions.new_version(questionnaire=q, acting_user=user, now=now)
                messages.success(request, f"已生成第 {new.version} 版草稿")
                return redirect("surveys:questionnaire", pk=new.pk)
            if op == "remove":
                item = QuestionItem.objects.filter(questionnaire=q, pk=request.POST.get("item") or 0).first()
                if item is None:
                    raise Http404
                actions.remove_item(item=item, acting_user=user, now=now)
                return redirect("surveys:questionnaire", pk=q.pk)
            if form.is_valid():
                actions.add_item(questionnaire=q, acting_user=user, now=now, **form.cleaned_data)
                messages.success(request, "题目已加入")
                return redirect("surveys:questionnaire", pk=q.pk)
        except DomainError as exc:
            refuse_into(request, form, exc)
    return render(request, "surveys/questionnaire.html", {
        "q": q, "items": q.items.all(), "options": q.options.all(), "form": form,
        "can_build": access.can_build(request.user)}, status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- one project's survey


def _detail_context(request: HttpRequest, ps: ProjectSurvey) -> dict[str, Any]:
    pol = queries.policy_for(ps.project)
    rates = queries.rates(ps, pol)
    items = queries.item_rates(ps, pol)
    lines = queries.line_rates(ps, pol)
    buildings = queries.building_rates(ps, pol)
    prev = queries.previous_survey(ps)
    prev_lines = {g.key: g.rate for g in queries.line_rates(prev, pol)} if prev else {}
    chart = {"lines": [str(g.label) for g in lines], "current": [float(g.rate or 0) for g in lines],
             "previous": [float(prev_lines.get(g.key) or 0) for g in lines] if prev else [],
             "target": float(pol.satisfaction_target * 100),
             "buildings": [str(g.label) for g in buildings], "building_rates": [float(g.rate or 0) for g in buildings]}
    user = request.user
    letter = OpenLetter.objects.filter(survey=ps).select_related("approved_by", "publication").first()
    return {
        "ps": ps, "rates": rates, "items": items, "lines": lines, "buildings": buildings, "previous": prev,
        "deadlines": ps.deadlines.all().order_by("due_at"), "letter": letter, "now": clock.now(),
        "chart_json": json.dumps(chart, ensure_ascii=False), "policy": pol,
        "follow_ups": ps.follow_ups.select_related("department", "recorded_by"),
        "can_run": access.can_run(user, ps.project), "can_record": access.can_record(user, ps.project),
        "can_approve": access.can_approve_letter(user, ps.project),
        "sample_form": SampleForm(), "households_form": HouseholdsForm(),
        "follow_form": FollowUpForm(project=ps.project),
        "can_follow": any(has_cap(user, c, ps.project) for c in (Cap.RUN_SURVEYS, Cap.ISSUE_SURVEYS,
                                                                 Cap.CHAIR_SURVEY_MEETING)),
        # R-M10-06: by department, the 《与客户沟通登记表》 and the opinions still to log
        "departments": queries.department_rates(ps, pol), "register": queries.feedback_register(ps),
        "pending_feedback": queries.pending_feedback(ps).prefetch_related("answers")[:50],
        "feedback_form": FeedbackForm(),
        # R-M10-13: the assignment of the field work and the supervision
        "assignees": queries.assignee_progress(ps),
        "supervisions": ps.supervisions.select_related("supervisor"),
        "can_supervise": access.can_supervise(user, ps.project),
        "assign_form": AssignForm(project=ps.project, staff=survey_staff(ps.project)),
        "supervision_form": SupervisionForm(),
    }


def survey_staff(project: Project) -> list[Any]:
    """The project's staff who distribute and recover questionnaires (``Cap.RECORD_SURVEYS``)."""
    roles = [r for r, info in ROLE_INFO.items() if Cap.RECORD_SURVEYS in info.caps]
    return sorted({m.user for m in Membership.objects.filter(project=project, role__in=roles, user__is_active=True)
                   .select_related("user")}, key=lambda u: u.username)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ps = _survey(request, pk)
    return render(request, "surveys/detail.html", _detail_context(request, ps))


def _post_back(request: HttpRequest, ps: ProjectSurvey, form: Any, key: str) -> HttpResponse:
    context = _detail_context(request, ps)
    context[key] = form
    return render(request, "surveys/detail.html", context, status=400)


@login_required
@require_POST
def sample(request: HttpRequest, pk: int) -> HttpResponse:
    ps = _survey(request, pk)
    form = SampleForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.draw_sample(survey=ps, size=d["size"], reason=d["reason"], seed=d["seed"],
                                acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            refuse_into(request, form, exc)
        else:
            messages.success(request, "已重新抽样")
            return redirect("surveys:detail", pk=ps.pk)
    return _post_back(request, ps, form, "sample_form")


@login_required
@require_POST
def households(request: HttpRequest, pk: int) -> HttpResponse:
    ps = _survey(request, pk)
    form = HouseholdsForm(request.POST)
    if form.is_valid():
        found, missing = _households(ps, split_labels(form.cleaned_data["labels"]))
        if missing:
            form.add_error("labels", "房号不存在：" + "、".join(missing[:10]))
            messages.error(request, "房号不存在：" + "、".join(missing[:10]))
        else:
            fn = actions.add_to_sample if form.cleaned_data["op"] == "add" else actions.remove_from_sample
            try:
                n = fn(survey=ps, households=found, reason=form.cleaned_data["reason"],
                       acting_user=access.acting_user(request), now=clock.now())
            except DomainError as exc:
                refuse_into(request, form, exc)
            else:
                messages.success(request, f"已调整样本 {n} 户")
                return redirect("surveys:detail", pk=ps.pk)
    return _post_back(request, ps, form, "households_form")


STEP_ACTIONS = {"distribution": actions.complete_distribution, "recovery": actions.complete_recovery,
                "statistics": actions.complete_statistics, "submit": actions.submit_to_quality}
STEP_WORDS = {"distribution": "已确认发放完成", "recovery": "已确认回收完成", "statistics": "统计分析已完成",
              "submit": "已报品质部，本次调查结束"}


@login_required
@require_POST
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    ps = _survey(request, pk)
    fn = STEP_ACTIONS.get(name)
    if fn is None:
        raise Http404
    try:
        fn(survey=ps, acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
        return render(request, "surveys/detail.html", _detail_context(request, ps), status=409)
    messages.success(request, STEP_WORDS[name])
    return redirect("surveys:detail", pk=ps.pk)


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    ps = _survey(request, pk)
    form = FollowUpForm(request.POST, project=ps.project)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.record_follow_up(survey=ps, kind=d["kind"], department=d["department"], held_on=d["held_on"],
                                     summary=d["summary"], satisfied=d["satisfied"],
                                     acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            refuse_into(request, form, exc)
        else:
            messages.success(request, "已记录")
            return redirect("surveys:detail", pk=ps.pk)
    return _post_back(request, ps, form, "follow_form")


@login_required
@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """《与客户沟通登记表》 (R-M10-06): the 客服主管 logs an opinion under its department."""
    ps = _survey(request, pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        response = None
        label = d["household"].strip()
        if label:
            response = (SampledHousehold.objects.filter(survey=ps, household__label=label)
                        .select_related("household").first())
            if response is None:
                message = gettext("%(label)s 不在本次调查的样本中") % {"label": label}
                form.add_error("household", message)
                messages.error(request, message)
                return _post_back(request, ps, form, "feedback_form")
        try:
            actions.log_feedback(survey=ps, response=response, department=d["department"], opinion=d["opinion"],
                                 acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            refuse_into(request, form, exc)
        else:
            messages.success(request, gettext("已登记到与客户沟通登记表"))
            return redirect("surveys:detail", pk=ps.pk)
    return _post_back(request, ps, form, "feedback_form")


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M10-13: the 客服部 assigns the field work by building or house."""
    ps = _survey(request, pk)
    form = AssignForm(request.POST, project=ps.project, staff=survey_staff(ps.project))
    if form.is_valid():
        d = form.cleaned_data
        found, missing = _households(ps, split_labels(d["labels"]))
        if missing:
            message = gettext("房号不存在：%(labels)s") % {"labels": "、".join(missing[:10])}
            form.add_error("labels", message)
            messages.error(request, message)
            return _post_back(request, ps, form, "assign_form")
        try:
            n = actions.assign_field_work(survey=ps, assignee=d["assignee"], buildings=list(d["buildings"]),
                                          households=found, acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            refuse_into(request, form, exc)
        else:
            messages.success(request, gettext("已分配 %(n)s 户") % {"n": n})
            return redirect("surveys:detail", pk=ps.pk)
    return _post_back(request, ps, form, "assign_form")


@login_required
@require_POST
def supervision(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M10-13: the 物业综合管理部 or the 客服部经理 records the supervision and guidance."""
    ps = _survey(request, pk)
    form = SupervisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.record_supervision(survey=ps, held_on=d["held_on"], findings=d["findings"],
                                       guidance=d["guidance"], acting_user=access.acting_user(request),
                                       now=clock.now())
        except DomainError as exc:
            refuse_into(request, form, exc)
        else:
            messages.success(request, gettext("督导记录已保存"))
            return redirect("surveys:detail", pk=ps.pk)
    return _post_back(request, ps, form, "supervision_form")


# ---------------------------------------------------------------- field work


@login_required
def distribute(request: HttpRequest, pk: int) -> HttpResponse:
    ps = _survey(request, pk)
    if not access.can_record(request.user, ps.project):
        raise PermissionDenied
    form = DistributeForm(request.POST or None, initial={"channel": "paper"})
    with timezone.override(ps.project.tz):
        valid = request.method == "POST" and form.is_valid()
    if valid:
        d = form.cleaned_data
        labels = split_labels(d["labels"])
        if labels:
            found, missing = _households(ps, labels)
        else:
            found = [r.household for r in SampledHousehold.objects.filter(survey=ps, distributed_at=None)
                     .select_related("household")]
            missing = []
        if missing:
            form.add_error("labels", "房号不存在：" + "、".join(missing[:10]))
            messages.error(request, "房号不存在：" + "、".join(missing[:10]))
        elif not found:
            form.add_error("labels", "没有未发放的样本户")
            messages.error(request, "没有未发放的样本户")
        else:
            try:
                results = actions.record_distributions(
                    survey=ps, rows=[{"household": h, "channel": d["channel"], "signed_off": d["signed_off"],
                                      "distributed_at": d["distributed_at"]} for h in found],
                    acting_user=access.acting_user(request), now=clock.now())
            except DomainError as exc:
                _row_errors(request, form, exc, [h.label for h in found])
            else:
                changed = sum(1 for r in results if r.changed)
                messages.success(request, f"已登记发放 {changed} 户" + (f"（{len(results) - changed} 户此前已登记，未改动）"
                                                                  if changed < len(results) else ""))
                return redirect("surveys:detail", pk=ps.pk)
    pending = SampledHousehold.objects.filter(survey=ps, distributed_at=None).select_related("household")[:500]
    return render(request, "surveys/distribute.html", {"ps": ps, "form": form, "pending": pending},
                  status=400 if request.method == "POST" else 200)


def _row_errors(request: HttpRequest, form: Any, exc: DomainError, labels: list[str]) -> None:
    flash_refusal(request, exc)
    for name, errors in exc.fields.items():
        if name.startswith("rows."):
            i = int(name.split(".")[1])
            form.add_error(None, f"{labels[i] if i < len(labels) else ''}：{'；'.join(errors)}")
        else:
            form.add_error(None, "；".join(errors))


@login_required
def key(request: HttpRequest, pk: int) -> HttpResponse:
    """Fast keying of paper answers: one screen per questionnaire, keyboard only — house number, one
    digit per item (the next field follows by itself), Enter saves and the next household starts."""
    ps = _survey(request, pk)
    if not access.can_record(request.user, ps.project):
        raise PermissionDenied
    q = ps.campaign.questionnaire
    items = list(q.items.all().order_by("order"))
    options = list(q.options.all())
    form = KeyForm(request.POST or None, items=items, keys=[o.key for o in options])
    if request.method == "POST" and form.is_valid():
        label = form.cleaned_data["household"].strip()
        household = Household.objects.filter(project=ps.project, label=label).first()
        if household is None:
            form.add_error("household", f"房号不存在：{label}")
            messages.error(request, f"房号不存在：{label}")
        else:
            try:
                result = actions.record_recovery(survey=ps, household=household, answers=form.answers(),
                                                 anonymous=form.cleaned_data["anonymous"],
                                                 comment=form.cleaned_data["comment"],
                                                 acting_user=access.acting_user(request), now=clock.now())
            except DomainError as exc:
                for name, errors in exc.fields.items():
                    field = "household" if name == "household" else (
                        f"q_{name.split('.', 1)[1]}" if name.startswith("answers.") else None)
                    for e in errors:
                        form.add_error(field if field in form.fields else None, e)
                flash_refusal(request, exc)
            else:
                messages.success(request, f"{result.household} 已录入" if result.changed else
                                 f"{result.household} 此前已录入相同答案")
                return redirect("surveys:key", pk=ps.pk)
    counts = queries.sample_counts(ps)
    return render(request, "surveys/key.html", {"ps": ps, "form": form, "items": items, "options": options,
                                                "counts": counts},
                  status=400 if request.method == "POST" else 200)


@login_required
def import_answers(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """Excel import of recovered questionnaires, all rows or none, with the errors by row."""
    ps = _survey(request, pk)
    if not access.can_record(request.user, ps.project):
        raise PermissionDenied
    if request.GET.get("template"):
        headers, rows = imports.template(ps)
        return xlsx_response("调查答卷导入模板.xlsx", headers, rows, sheet="答卷")
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[imports.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            parsed, row_errors = imports.parse(ps, form.cleaned_data["file"])
            if not row_errors:
                results = actions.record_recoveries(survey=ps, rows=[p.as_row() for p in parsed],
                                                    acting_user=access.acting_user(request), now=clock.now())
        except imports.ImportRefused as exc:
            refuse_into(request, form, exc)
        except DomainError as exc:
            row_errors = imports.map_errors(exc, parsed)
            flash_refusal(request, exc)
        else:
            if not row_errors:
                changed = sum(1 for r in results if r.changed)
                messages.success(request, f"已导入 {changed} 份答卷" + (f"，{len(results) - changed} 份此前已录入相同答案"
                                                                  if changed < len(results) else ""))
                return redirect("surveys:detail", pk=ps.pk)
            messages.error(request, f"有 {len(row_errors)} 处错误，全部未导入，请修改后重新上传")
    return render(request, "surveys/import.html", {"ps": ps, "form": form, "row_errors": row_errors},
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- open letter (R-M10-07)


@login_required
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    ps = _survey(request, pk)
    existing = OpenLetter.objects.filter(survey=ps).select_related("approved_by", "publication").first()
    suggested = queries.concentrated_issues(ps)
    initial = ({"title": existing.title, "body": existing.body,
                "issues": "\n".join(i["text"] for i in existing.issues)} if existing else
               {"title": f"{ps.project.name}致全体业主的公开信",
                "issues": "\n".join(f"{i['line']}：{i['text']}（{i['share']}%的问卷不满意）" for i in suggested),
                "body": "尊敬的各位业主：\n感谢您参与本次业主满意度调查。针对调查中大家意见比较集中的问题，我们的整改措施如下：\n"})
    form = LetterForm(request.POST or None, initial=initial)
    if request.method == "POST":
        op = request.POST.get("op", "draft")
        user, now = access.acting_user(request), clock.now()
        try:
            if op == "approve" and existing is not None:
                actions.approve_letter(letter=existing, acting_user=user, now=now)
                messages.success(request, "公开信已审批")
                return redirect("surveys:letter", pk=ps.pk)
            if op == "post" and existing is not None:
                actions.post_letter(letter=existing, acting_user=user, now=now,
                                    notify_owners=bool(request.POST.get("notify_owners")))
                messages.success(request, "公开信已发布到业主公告栏")
                return redirect("surveys:letter", pk=ps.pk)
            if op == "draft" and form.is_valid():
                actions.draft_letter(survey=ps, title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                                     issues=split_lines(form.cleaned_data["issues"]), acting_user=user, now=now)
                messages.success(request, "公开信已保存，待管理者代表审批")
                return redirect("surveys:letter", pk=ps.pk)
            if op not in ("draft", "approve", "post") or existing is None and op != "draft":
                raise Http404
        except DomainError as exc:
            refuse_into(request, form, exc)
    return render(request, "surveys/letter.html", {
        "ps": ps, "letter": existing, "form": form, "suggested": suggested,
        "can_run": access.can_run(request.user, ps.project),
        "can_approve": access.can_approve_letter(request.user, ps.project)},
        status=400 if request.method == "POST" else 200)


def split_lines(text: str) -> list[str]:
    return [x.strip() for x in (text or "").splitlines() if x.strip()]


# ---------------------------------------------------------------- outputs


@login_required
def statistics_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """《客户满意率统计表》 (R-M10-06) as PDF (``?format=html`` for the print view)."""
    ps = _survey(request, pk)
    context = {**_detail_context(request, ps), "pdf": True, "form_title": "客户满意率统计表"}
    html = render_to_string("surveys/statistics_print.html", context, request=request)
    if request.GET.get("format") == "html":
        return HttpResponse(html)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statistics-{ps.pk}.pdf"'
    return response


@login_required
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    ps = _survey(request, pk)
    existing = OpenLetter.objects.filter(survey=ps).select_related("approved_by").first()
    if existing is None:
        raise Http404
    html = render_to_string("surveys/letter_print.html", {"ps": ps, "letter": existing, "pdf": True})
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="open-letter-{ps.pk}.pdf"'
    return response


@login_required
def results_xlsx(request: HttpRequest, pk: int) -> FileResponse:
    """Results as Excel: one row per questionnaire with its answers (households by room number only)."""
    ps = _survey(request, pk)
    headers, rows = imports.results(ps)
    return xlsx_response("满意度调查结果.xlsx", headers, rows, sheet="调查结果", title=f"{ps.campaign.title} · {ps.project.name}")


# ---------------------------------------------------------------- the owner's one-time link (no login)


def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The household's one-time answer page: no login, expiring, single use (issue 19 reuses
    :func:`apps.surveys.actions.answer_online` and :func:`apps.surveys.queries.surveys_for_household`)."""
    now = clock.now()
    try:
        link = actions.link_for(token, now=now)
    except actions.LinkError as exc:
        return render(request, "surveys/answer.html", {"refused": exc.message}, status=exc.status)
    ps = link.response.survey
    q = ps.campaign.questionnaire
    items = list(q.items.all().order_by("order"))
    form = AnswerForm(request.POST or None, items=items, options=list(q.options.all()))
    if request.method == "POST" and form.is_valid():
        try:
            actions.answer_by_link(token=token, answers=form.answers(), comment=form.cleaned_data["comment"],
                                   anonymous=bool(request.POST.get("anonymous")), now=now)
        except DomainError as exc:
            refuse_into(request, form, exc)
        else:
            return render(request, "surveys/answer.html", {"done": True, "project": ps.project})
    return render(request, "surveys/answer.html", {"form": form, "q": q, "project": ps.project,
                                                   "household": link.response.household.label,
                                                   "expires": link.expires_at},
                  status=400 if request.method == "POST" else 200)

