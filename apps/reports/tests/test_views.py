"""Report and case-library pages: permissions, lifecycle through the web, search (R-M6-01)."""
import datetime as dt

from django.urls import reverse

from apps.reports import actions, schedule
from apps.reports.models import CaseLibraryEntry, ReportStatus
from linli import clock

NOW = dt.datetime(2026, 11, 29, 1, 0, tzinfo=dt.UTC)


def test_report_list_shows_late_summary(client, cast):
    client.force_login(cast.supervisor)
    with clock.frozen(NOW):
        r = client.get(reverse("reports:list"))
    assert r.status_code == 200
    assert "月底投诉汇总表" in r.content.decode() and "已逾期" in r.content.decode()


def test_report_list_hidden_from_roles_without_reports(client, cast):
    client.force_login(cast.worker)
    assert client.get(reverse("reports:list")).status_code == 404


def test_submit_and_approve_through_pages(client, cast):
    report = actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                                  project=cast.project, figures={"投诉": 3}, acting_user=cast.supervisor, now=NOW)
    client.force_login(cast.supervisor)
    client.post(reverse("reports:detail", args=[report.pk]), {"summary": "本月投诉 3 宗"})
    client.post(reverse("reports:submit", args=[report.pk]))
    client.force_login(cast.cs_manager)
    client.post(reverse("reports:approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.sections["summary"] == "本月投诉 3 宗"
    # the frozen report ignores further edits
    client.post(reverse("reports:detail", args=[report.pk]), {"summary": "改"})
    report.refresh_from_db()
    assert report.sections["summary"] == "本月投诉 3 宗"


def test_outsider_gets_404_for_another_projects_report(client, cast):
    report = actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                                  project=cast.project, figures={}, acting_user=cast.supervisor, now=NOW)
    client.force_login(cast.outsider)
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404


def test_r_m6_01_case_library_shared_across_projects_and_searchable(client, cast):
    client.force_login(cast.supervisor)
    r = client.post(reverse("reports:case_create"), {
        "kind": "hot", "title": "地库积水", "background": "暴雨后地库入口积水，业主李明13900001111投诉。",
        "handling": "加装截水沟。", "personal_names": "李明"})
    assert r.status_code == 302
    case = CaseLibraryEntry.objects.get()
    assert "李明" not in case.background and "13900001111" not in case.background
    client.force_login(cast.outsider)  # another project of the same company reads it
    page = client.get(reverse("reports:cases"), {"q": "截水沟"})
    assert "地库积水" in page.content.decode()
    assert "地库积水" not in client.get(reverse("reports:cases"), {"q": "电梯"}).content.decode()


def test_case_create_rejects_missing_fields(client, cast):
    client.force_login(cast.supervisor)
    r = client.post(reverse("reports:case_create"), {"kind": "hot", "title": ""})
    assert r.status_code == 200 and CaseLibraryEntry.objects.count() == 0
