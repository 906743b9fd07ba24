"""Issue 14 item 9 (R-M7-01, R-M7-03): the report detail page (reports:detail) shows a report as its exports
do — the phone and ID numbers quoted in its cases, open problems and text masked unless the user holds a
department head's grant for the report's project — and a read in full is in the read log (顾客资料查阅记录)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from apps.estates.models import AccessAction, ArchiveGrant, CustomerDataAccessLog
from apps.reports import actions, schedule

pytestmark = pytest.mark.django_db
PHONE, ID = "13912345678", "110101199003071234"
WORDS = f"业主请回电{PHONE}，身份证{ID}，13号楼灯坏"
FIGURES = {"kpis": [{"label": "受理", "value": 2, "unit": "件", "counts": {"all": 2}}],
           "cases": [{"number": "T-1", "category": "噪音", "level": "一般", "summary": WORDS, "result": "已回电"}]}


def _draft(cast: Any, now: dt.datetime) -> Any:
    return actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                                project=cast.project, figures=FIGURES, sections={"summary": f"本月回访：{WORDS}"},
                                acting_user=cast.supervisor, now=now)


def _frozen(cast: Any, now: dt.datetime) -> Any:
    draft = _draft(cast, now)
    actions.submit_for_review(draft, acting_user=cast.supervisor, now=now)
    return actions.approve_report(draft, acting_user=cast.cs_manager, now=now, acknowledge_mismatches=True)


def _grant(cast: Any, user: Any, now: dt.datetime) -> ArchiveGrant:
    return ArchiveGrant.objects.create(project=cast.project, grantee=user, granted_by=cast.cs_manager,
                                       reason="报告核对", valid_from=now - dt.timedelta(hours=1),
                                       valid_until=now + dt.timedelta(days=1), created_at=now)


def test_r_m7_01_report_page_masks_numbers_without_a_grant_and_logs_nothing_shown_in_full(
        client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """The 客服经理 without a grant sees the approved report's case and text with 139****5678 and the ID number
    masked, a note saying so; nothing was read in full, so the read log stays empty; the frozen report is
    unchanged."""
    report = _frozen(cast, frozen_now)
    client.force_login(cast.cs_manager)
    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert PHONE not in html and ID not in html
    assert "139****5678" in html and "1101**********1234" in html and "13号楼灯坏" in html
    assert 'data-testid="masked-note"' in html
    assert not CustomerDataAccessLog.objects.exists()
    report.refresh_from_db()
    assert PHONE in report.sections["summary"] and PHONE in report.figures["cases"][0]["summary"]


def test_r_m7_03_report_page_in_full_under_a_grant_is_in_the_read_log(client: Any, cast: Any,
                                                                        frozen_now: dt.datetime) -> None:
    """The supervisor (who may reveal personal data) sees the numbers masked until a department head grants
    access; then in full, and each read in full leaves a read-log row naming the grant."""
    report = _frozen(cast, frozen_now)
    client.force_login(cast.supervisor)
    masked = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert PHONE not in masked and "139****5678" in masked
    assert not CustomerDataAccessLog.objects.exists()
    grant = _grant(cast, cast.supervisor, frozen_now)
    full = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert PHONE in full and ID in full and 'data-testid="masked-note"' not in full
    logs = list(CustomerDataAccessLog.objects.order_by("id"))
    assert [(x.action, x.user, x.project, x.grant) for x in logs] == [
        (AccessAction.VIEW, cast.supervisor, cast.project, grant)]
    assert "报告" in logs[0].screen


def test_r_m7_01_a_report_without_numbers_leaves_no_read_log(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """Only a read that shows owners' numbers in full is logged: a report quoting none is not."""
    report = actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                                  project=cast.project, figures={"kpis": FIGURES["kpis"]},
                                  sections={"summary": "本月无投诉"}, acting_user=cast.supervisor, now=frozen_now)
    _grant(cast, cast.supervisor, frozen_now)
    client.force_login(cast.supervisor)
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    assert not CustomerDataAccessLog.objects.exists()


def test_r_m7_01_saving_a_masked_draft_keeps_the_stored_numbers(client: Any, cast: Any,
                                                                frozen_now: dt.datetime) -> None:
    """A draft's text form shows the masked text to a user without a grant; saving it back unchanged keeps
    the stored original (no stars written over the owner's number), an edited section is saved as typed."""
    report = _draft(cast, frozen_now)
    client.force_login(cast.supervisor)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert PHONE not in html and "本月回访：业主请回电139****5678" in html
    response = client.post(reverse("reports:detail", args=[report.pk]),
                           {"summary": "本月回访：业主请回电139****5678，身份证1101**********1234，13号楼灯坏",
                            "causes": "灯具老化", "lessons": "", "measures": "", "trends": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.sections["summary"] == f"本月回访：{WORDS}" and report.sections["causes"] == "灯具老化"


def test_r_m7_01_report_page_refused_to_a_role_without_reports(client: Any, cast: Any,
                                                              frozen_now: dt.datetime) -> None:
    """Staff of another project do not see the report at all: 404, nothing logged; the front desk of the
    project, without a grant, sees it masked."""
    report = _frozen(cast, frozen_now)
    client.force_login(cast.outsider)
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    client.force_login(cast.front_desk)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert PHONE not in html and "139****5678" in html
    assert not CustomerDataAccessLog.objects.exists()
