"""Issue 14 (hardening) + item 9 (R-M7-01, R-M7-03): ``GET /api/v1/reports/{id}`` answers with a report as the
report page shows it to the same user — phone and ID numbers quoted in its cases and texts masked unless the
user may reveal personal data and holds a department head's grant — with the same read logging; the frozen
report's xlsx and PDF downloads mask the same way."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from apps.estates.models import AccessAction, ArchiveGrant, CustomerDataAccessLog
from apps.reports import actions, schedule

pytestmark = pytest.mark.django_db
PHONE, ID = "13912345678", "110101199003071234"
MASKED_PHONE, MASKED_ID = "139****5678", "1101**********1234"
WORDS = f"业主请回电{PHONE}，身份证{ID}，13号楼灯坏"
FIGURES = {
    "kpis": [{"label": "受理", "value": 2, "unit": "件", "counts": {"all": 2}}],
    "cases": [{"number": "T-1", "category": "噪音", "level": "一般", "summary": WORDS, "result": "已回电"}],
}


def _api(user: Any, now: dt.datetime) -> Client:
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=now)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _frozen(cast: Any, now: dt.datetime) -> Any:
    draft = actions.create_draft(
        duty=schedule.MONTHLY_SUMMARY,
        period=schedule.month_period(2026, 11),
        project=cast.project,
        figures=FIGURES,
        sections={"summary": f"本月回访：{WORDS}"},
        acting_user=cast.supervisor,
        now=now,
    )
    actions.submit_for_review(draft, acting_user=cast.supervisor, now=now)
    return actions.approve_report(draft, acting_user=cast.cs_manager, now=now, acknowledge_mismatches=True)


def _grant(cast: Any, user: Any, now: dt.datetime) -> ArchiveGrant:
    return ArchiveGrant.objects.create(
        project=cast.project,
        grantee=user,
        granted_by=cast.cs_manager,
        reason="报告核对",
        valid_from=now - dt.timedelta(hours=1),
        valid_until=now + dt.timedelta(days=1),
        created_at=now,
    )


def _xlsx_text(response: Any) -> str:
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(str(c.value) for row in wb.active.iter_rows() for c in row)


def _pdf_html(client: Client, report: Any, monkeypatch: Any) -> str:
    from apps.reports.views import reports as report_views

    rendered: list[str] = []
    real = report_views.render_pdf
    def render(html: str) -> bytes:
        rendered.append(html)
        return real(html)

    monkeypatch.setattr(report_views, "render_pdf", render)
    response = client.get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    return rendered[0]


def test_r_m7_01_api_report_is_masked_like_the_page_without_the_right_to_reveal(
    client: Any, cast: Any, frozen_now: dt.datetime, monkeypatch: Any
) -> None:
    """The 客服经理 holds no right to reveal personal data: the API, the page, the xlsx and the PDF all show the
    approved report's case and text with 139****5678 and the ID number masked; the API read is not logged
    (nothing shown in full), the two downloads are logged as masked exports; the frozen report is unchanged."""
    report = _frozen(cast, frozen_now)
    body = _api(cast.cs_manager, frozen_now).get(f"/api/v1/reports/{report.pk}")
    assert body.status_code == 200, body.content
    data = body.json()
    assert data["sections"]["summary"] == f"本月回访：业主请回电{MASKED_PHONE}，身份证{MASKED_ID}，13号楼灯坏"
    assert data["figures"]["cases"][0]["summary"] == f"业主请回电{MASKED_PHONE}，身份证{MASKED_ID}，13号楼灯坏"
    assert PHONE not in body.content.decode() and ID not in body.content.decode()
    assert not CustomerDataAccessLog.objects.exists()

    client.force_login(cast.cs_manager)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert data["sections"]["summary"] in page and PHONE not in page
    xlsx = _xlsx_text(client.get(reverse("reports:xlsx", args=[report.pk])))
    assert MASKED_PHONE in xlsx and MASKED_ID in xlsx and PHONE not in xlsx and ID not in xlsx
    pdf = _pdf_html(client, report, monkeypatch)
    assert MASKED_PHONE in pdf and PHONE not in pdf and ID not in pdf
    assert [x.action for x in CustomerDataAccessLog.objects.order_by("id")] == [AccessAction.EXPORT_MASKED] * 2
    report.refresh_from_db()
    assert PHONE in report.sections["summary"] and PHONE in report.figures["cases"][0]["summary"]


def test_r_m7_03_api_report_in_full_under_a_grant_is_logged_like_the_page(
    client: Any, cast: Any, frozen_now: dt.datetime, monkeypatch: Any
) -> None:
    """The 客服主管 may reveal personal data: masked until a department head grants access (API and page alike,
    nothing logged); under the grant the API shows what the page shows — the numbers in full — and each read
    in full, through the API or the page, leaves one VIEW row naming the grant; the xlsx and PDF are in full
    and logged as exports under the grant."""
    report = _frozen(cast, frozen_now)
    api = _api(cast.supervisor, frozen_now)
    assert PHONE not in api.get(f"/api/v1/reports/{report.pk}").content.decode()
    assert not CustomerDataAccessLog.objects.exists()

    grant = _grant(cast, cast.supervisor, frozen_now)
    data = api.get(f"/api/v1/reports/{report.pk}").json()
    assert data["sections"]["summary"] == f"本月回访：{WORDS}" and data["figures"]["cases"][0]["summary"] == WORDS
    client.force_login(cast.supervisor)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert PHONE in page and ID in page and 'data-testid="masked-note"' not in page
    logs = list(CustomerDataAccessLog.objects.order_by("id"))
    assert [(x.action, x.user, x.project, x.grant) for x in logs] == [
        (AccessAction.VIEW, cast.supervisor, cast.project, grant)
    ] * 2
    assert "接口" in logs[0].screen and "报告" in logs[1].screen

    xlsx = _xlsx_text(client.get(reverse("reports:xlsx", args=[report.pk])))
    assert PHONE in xlsx and ID in xlsx
    assert PHONE in _pdf_html(client, report, monkeypatch)
    exports = list(CustomerDataAccessLog.objects.order_by("id"))[2:]
    assert [(x.action, x.grant) for x in exports] == [(AccessAction.EXPORT, grant)] * 2


def test_r_m7_01_api_lifecycle_answers_are_masked_too(cast: Any, frozen_now: dt.datetime) -> None:
    """Every API answer that carries a report (refresh, submit, approve) masks it like the detail: the
    submitter without a grant never receives the owner's number back."""
    draft = actions.create_draft(
        duty=schedule.MONTHLY_SUMMARY,
        period=schedule.month_period(2026, 11),
        project=cast.project,
        figures=FIGURES,
        sections={"summary": f"本月回访：{WORDS}"},
        acting_user=cast.supervisor,
        now=frozen_now,
    )
    submitted = _api(cast.supervisor, frozen_now).post(f"/api/v1/reports/{draft.pk}/submit")
    assert submitted.status_code == 200, submitted.content
    assert PHONE not in submitted.content.decode() and MASKED_PHONE in submitted.content.decode()
    approved = _api(cast.cs_manager, frozen_now).post(
        f"/api/v1/reports/{draft.pk}/approve", {"acknowledge_mismatches": True}, content_type="application/json"
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["frozen"] is True and PHONE not in approved.content.decode()
