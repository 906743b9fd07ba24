"""R-M13-04: an audit opens with the registered pre-checks' suggestions and evidence; the auditor confirms
or overrides (the override is recorded)."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.audits import actions
from apps.audits.models import AuditFinding
from apps.core import prechecks
from apps.reports.models import Report, ReportStatus
from linli import clock

pytestmark = pytest.mark.django_db


def _report(cast, code, due, submitted):
    return Report.objects.create(
        company=cast.company, project=cast.project, duty_code=code, title="2026年2月月底投诉汇总表", cadence="monthly",
        period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28), status=ReportStatus.IN_REVIEW,
        due_at=due, created_by=cast.supervisor, created_at=due, submitted_at=submitted)


def test_r_m13_04_registry_holds_the_checks_of_existing_modules():
    codes = set(prechecks.registered())
    assert {"reports.monthly_summary_on_time", "reports.service_report_on_intranet",
            "tickets.handling_response_within_1wd"} <= codes


def test_r_m13_04_late_monthly_summary_is_suggested_as_nonconform_and_override_is_recorded(
        client, cast, open_audit, frozen_now):
    due = dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=clock.SHANGHAI)
    _report(cast, "monthly_summary", due, due + dt.timedelta(days=2))
    audit = open_audit()
    f = AuditFinding.objects.get(audit=audit, item__code="B6.1")
    assert f.suggested == "nonconform" and "未按时完成" in f.suggestion_summary
    assert f.suggestion_evidence[0]["url"].startswith("/reports/")
    b33 = AuditFinding.objects.get(audit=audit, item__code="B3.3")
    assert b33.suggested == "unknown"  # no complaint in the period: the auditor decides
    client.force_login(cast.quality_inspector)
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "系统预检" in page and "月底投诉汇总表" in page
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/", {f"f{f.pk}-result": "conform"})
    assert r.status_code == 422 and "推翻预检的理由" in r.content.decode()
    r = client.post(f"/audits/{audit.pk}/items/{f.pk}/", {f"f{f.pk}-result": "conform",
                                                          f"f{f.pk}-override_reason": "分管领导已口头同意延期"})
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.overridden and f.override_reason == "分管领导已口头同意延期"


def test_r_m13_04_confirming_suggestions_answers_them_with_their_evidence(cast, open_audit, frozen_now):
    due = dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=clock.SHANGHAI)
    _report(cast, "monthly_summary", due, due - dt.timedelta(days=1))
    audit = open_audit()
    assert actions.confirm_suggestions(audit=audit, acting_user=cast.quality_inspector, now=frozen_now) == 1
    f = AuditFinding.objects.get(audit=audit, item__code="B6.1")
    assert f.result == "conform" and not f.overridden and f.evidence_url.startswith("/reports/")
