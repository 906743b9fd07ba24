"""Fixed-report generation (SPEC M5): figures equal their drill-down lists, frozen reports stay
frozen, the public bulletin carries no personal data, generation and reminders are idempotent."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from apps.estates.models import Person
from apps.reports import actions, kpis, schedule
from apps.reports.models import Report, ReportStatus
from apps.reports.tests.dataset import NOW, build
from apps.tickets import actions as tickets
from apps.tickets.tests.helpers import at, policies, receive, to_closed  # noqa: F401 - fixture
from linli.clock import frozen as clock_frozen

pytestmark = pytest.mark.django_db
NOV = schedule.month_period(2026, 11)


@pytest.fixture
def ds(cast, policies):  # noqa: F811
    return build(cast)


def _draft(cast, duty=schedule.MONTHLY_SUMMARY, period=NOV, project="yg"):
    project = cast.project if project == "yg" else project
    report, created = actions.generate_draft(duty=duty, period=period, project=project, company=cast.company,
                                             acting_user=cast.cs_manager if project else cast.quality_inspector,
                                             now=NOW)
    return report


def _drill_count(figures, **params):
    scope = kpis.scope_from_params(figures["scope"], now=NOW, allowed_project_ids=[int(x) for x in
                                                                                   figures["scope"]["projects"].split(",")])
    return kpis.drill_queryset(params, scope).count()


def _assert_figures_equal_drill_downs(figures):
    checked = 0
    for row in figures["kpis"]:
        for part, n in row["counts"].items():
            assert _drill_count(figures, kpi=row["code"], part=part) == n, (row["code"], part)
            checked += 1
    for table in figures["tables"]:
        assert sum(r["count"] for r in table["rows"]) == _drill_count(figures, kpi=table["kpi"], part=table["part"])
        for r in table["rows"]:
            key = "none" if r["key"] is None else str(r["key"])
            assert _drill_count(figures, kpi=table["kpi"], part=table["part"], by=table["by"], key=key) == r["count"]
            checked += 1
    return checked


def test_r_m5_04_monthly_summary_figures_equal_the_sum_of_their_drill_down_lists(ds, cast):
    report = _draft(cast)
    assert report.status == ReportStatus.DRAFT and report.rule_id == "R-M5-04"
    f = report.figures
    assert {r["code"]: r["value"] for r in f["kpis"]}["closure_rate"] == 50.0
    assert _assert_figures_equal_drill_downs(f) > 20
    assert "共受理诉求 6 件" in report.sections["summary"]


def test_r_m5_05_quarterly_analysis_has_types_typical_cases_and_trend(ds, cast):
    report = _draft(cast, duty=schedule.QUARTERLY_ANALYSIS, period=schedule.quarter_period(2026, 4))
    f = report.figures
    types = {r["label"]: r["count"] for r in f["tables"][0]["rows"]}
    assert types == {"工程维修": 3, "环境卫生": 2, "未分类": 1}  # T6 (October) belongs to Q4 too
    assert {c["number"] for c in f["cases"]} == {ds.t["T3"].number, ds.t["T7"].number}
    assert "上期" in report.sections["trends"]
    _assert_figures_equal_drill_downs(f)


def test_r_m5_03_company_analysis_across_projects_with_monthly_trend(ds, cast):
    receive(cast, project=cast.other_project, acting_user=cast.outsider, now=at(2026, 11, 3, 9, 0))
    report = _draft(cast, duty=schedule.COMPANY_ANALYSIS_QUARTERLY, period=schedule.quarter_period(2026, 4),
                    project=None)
    f = report.figures
    by_project = {r["label"]: r["count"] for r in f["tables"][0]["rows"]}
    assert by_project == {"阳光花园": 7, "翠湖苑": 1}
    assert [(m["label"], m["count"]) for m in f["trend"]] == [("2026-10", 1), ("2026-11", 7)]
    assert report.sections["trends"].startswith("与2026年第3季度相比")
    _assert_figures_equal_drill_downs(f)


def test_r_m5_06_legacy_statistics_reuse_the_escalation_query(cast, policies):  # noqa: F811
    receive(cast, now=at(2026, 11, 4, 9, 0), developer_matter=True, content="外墙渗水（地产遗留）")
    t = receive(cast, now=at(2026, 11, 5, 9, 0), developer_matter=True, content="地下室返潮")
    to_closed(cast, t, at(2026, 11, 5, 10, 0))
    receive(cast, now=at(2026, 11, 6, 9, 0), content="普通投诉")
    report = _draft(cast, duty=schedule.LEGACY_STATISTICS_MONTHLY)
    f = report.figures
    assert (f["legacy_total"], f["legacy_open"]) == (2, 1)
    assert _drill_count(f, kpi="received", part="all") == f["legacy_total"]
    _assert_figures_equal_drill_downs(f)


def test_r_m5_18_frozen_report_unchanged_after_data_edits_new_version_instead(ds, cast):
    report = _draft(cast)
    actions.submit_for_review(report, acting_user=cast.cs_manager, now=NOW)
    actions.approve_report(report, acting_user=cast.project_manager, now=NOW)
    before = json.dumps(report.figures, sort_keys=True)
    tickets.void_ticket(ticket=ds.t["T3"], reason="录错项目", acting_user=cast.supervisor, now=NOW)
    with pytest.raises(actions.ReportError):
        actions.refresh_figures(report, acting_user=cast.cs_manager, now=NOW)
    report.refresh_from_db()
    assert json.dumps(report.figures, sort_keys=True) == before
    v2 = actions.reissue_report(report, acting_user=cast.cs_manager, now=NOW)
    assert v2.version == 2 and v2.supersedes_id == report.pk
    received = {r["code"]: r for r in v2.figures["kpis"]}["received"]["counts"]["all"]
    assert received == 5
    report.refresh_from_db()
    assert json.dumps(report.figures, sort_keys=True) == before


def test_r_m5_07_public_bulletin_has_no_personal_data(cast, policies):  # noqa: F811
    from apps.estates.models import Building, Household

    b = Building.objects.create(project=cast.project, name="5栋")
    h = Household.objects.create(project=cast.project, building=b, room_no="1502", label="5栋2单元1502")
    person = Person.objects.create(project=cast.project, household=h, name="王建国", phone="13912345678")
    t = receive(cast, now=at(2026, 11, 9, 9, 0), person=person, household=h, phone="13912345678",
                complainant_surname="王", collective=True, people_count=6,
                content="5栋2单元1502 王建国（13912345678）反映：电梯多次困人", address="5栋2单元1502")
    tickets.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk,
                            now=at(2026, 11, 9, 10, 0))
    tickets.record_handling(ticket=t, investigation="曳引机故障", measures="更换曳引机",
                            result="已更换曳引机并回复王先生（13912345678，5栋2单元1502），王建国表示认可", done=True,
                            acting_user=cast.worker, now=at(2026, 11, 9, 11, 0))
    t.refresh_from_db()
    report = _draft(cast, duty=schedule.MONTHLY_BULLETIN)
    text = json.dumps([report.figures, report.sections], ensure_ascii=False)
    assert "曳引机" in text  # the measure is published …
    for leak in ("13912345678", "王建国", "王先生", "1502", "2单元"):
        assert leak not in text  # … without the person
    assert report.rule_id == "R-M5-07" and report.due_at == dt.datetime(2026, 11, 30, 15, 59, 59, tzinfo=dt.UTC)


def test_generate_reports_command_is_idempotent(ds, cast, capsys):
    call_command("generate_reports", "--now", "2026-11-26T09:00+08:00")
    first = set(Report.objects.values_list("pk", "duty_code", "version"))
    assert {d for _pk, d, _v in first} >= {"monthly_summary", "monthly_bulletin"}
    call_command("generate_reports", "--now", "2026-11-26T09:30+08:00")
    assert set(Report.objects.values_list("pk", "duty_code", "version")) == first
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if line.startswith(cast.company.name)][-1].startswith(f"{cast.company.name}: 新建草稿 0")
    # October's summary is late: it got its draft too, so the late list can be worked off
    assert Report.objects.filter(duty_code="monthly_summary", period_start=dt.date(2026, 10, 1)).exists()
    summary = Report.objects.get(duty_code="monthly_summary", project=cast.project, period_start=NOV.start)
    assert summary.created_by == cast.project_manager  # the 管理处经理 is responsible


def test_reminders_before_due_date_and_when_late_are_not_repeated(ds, cast):
    from apps.notify.models import Notification

    now = at(2026, 11, 28, 9, 0)  # the 28th (summary) and 30th (bulletin) are within 3 days
    actions.send_reminders(cast.company, [cast.project], now)
    due = Notification.objects.filter(kind="report_due", recipient=cast.project_manager)
    subjects = set(due.values_list("subject", flat=True))
    assert any("月底投诉汇总表" in x for x in subjects) and any("投诉公布" in x for x in subjects)
    count = Notification.objects.count()
    actions.send_reminders(cast.company, [cast.project], now + dt.timedelta(hours=2))
    assert Notification.objects.count() == count  # deduplicated
    late = at(2026, 11, 29, 9, 0)  # the summary is now late
    actions.send_reminders(cast.company, [cast.project], late)
    actions.send_reminders(cast.company, [cast.project], late + dt.timedelta(hours=1))
    assert Notification.objects.filter(kind="report_late", recipient=cast.project_manager,
                                       subject__contains="月底投诉汇总表（2026年11月）").count() == 1


def test_generate_reports_command_rejects_a_bad_moment(cast):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("generate_reports", "--now", "yesterday")
    with pytest.raises(CommandError, match="没有代码为"):
        call_command("generate_reports", "--company", "nope")


def test_celery_task_generates_and_is_scheduled_hourly(cast, settings):
    from apps.reports.tasks import generate_reports_task

    with clock_frozen(at(2026, 11, 26, 9, 0)):
        out = generate_reports_task()
        again = generate_reports_task()
    assert out.startswith(f"{cast.company.code}: +") and f"{cast.company.code}: +0" in again
    assert settings.CELERY_BEAT_SCHEDULE["hourly-generate-reports"]["task"] == "apps.reports.tasks.generate_reports"


def test_p_04_half_yearly_company_analysis_and_r_m5_08_service_report_milestones(cast, policies):  # noqa: F811
    from apps.reports.models import ReportSettings

    ReportSettings.objects.update_or_create(company=cast.company, defaults={"company_analysis_cadence": "half_yearly"})
    result = actions.generate_due(cast.company, at(2027, 1, 18, 9, 0))  # H2 2026 was due 2027-01-15
    made = {(r.duty_code, r.cadence, r.period_start) for r in result.created}
    assert ("company_analysis", "half_yearly", dt.date(2026, 7, 1)) in made
    assert ("company_analysis", "quarterly", dt.date(2026, 10, 1)) not in made
    # R-M5-08: review by the 15th, intranet by the 18th, owners' notice by the 20th — the 18th and 20th are
    # postings of the one 管理服务报告, so a single draft is made for the quarter
    assert ("service_report", "quarterly", dt.date(2026, 10, 1)) in made
    for code in ("service_report_intranet", "service_report_notice"):
        assert (code, "quarterly", dt.date(2026, 10, 1)) not in made
    company_report = next(r for r in result.created if r.duty_code == "company_analysis")
    assert company_report.project is None and company_report.created_by == cast.quality_inspector


def test_r_m5_09_work_brief_only_for_public_property_projects(cast, policies):  # noqa: F811
    from apps.org.models import ProjectKind

    result = actions.generate_due(cast.company, at(2026, 12, 1, 9, 0))
    assert not any(r.duty_code == "work_brief" for r in result.created)
    cast.project.kind = ProjectKind.PUBLIC
    cast.project.save(update_fields=["kind"])
    result = actions.generate_due(cast.company, at(2026, 12, 1, 9, 0))
    brief = next(r for r in result.created if r.duty_code == "work_brief" and r.period_start == dt.date(2026, 11, 1))
    assert brief.rule_id == "R-M5-09"
    assert brief.due_at == dt.datetime(2026, 12, 3, 15, 59, 59, tzinfo=dt.UTC)
