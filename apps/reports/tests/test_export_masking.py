"""Issue 14 item 9 (R-M7-01, R-M7-03): the ledgers, statistics exports and the daily-inventory prints
mask owners' phone and ID numbers unless the user holds a department head's grant for the project,
and every export or print — masked or not — leaves a row in the read log (顾客资料查阅记录)."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from apps.estates.models import AccessAction, ArchiveGrant, CustomerDataAccessLog
from apps.repairs.actions import order_for
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db
PHONE, ID = "13912345678", "110101199003071234"
WORDS = f"业主请回电{PHONE}，身份证{ID}，13号楼灯坏"


def _cells(response: Any) -> list[Any]:
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [c.value for row in wb.active.iter_rows() for c in row]


def _params(cast: Any, now: dt.datetime) -> dict[str, str]:
    return {"from": (now.date() - dt.timedelta(days=3)).isoformat(), "to": now.date().isoformat(),
            "projects": str(cast.project.pk)}


def _grant(cast: Any, user: Any, now: dt.datetime) -> ArchiveGrant:
    return ArchiveGrant.objects.create(project=cast.project, grantee=user, granted_by=cast.cs_manager,
                                       reason="台账核对", valid_from=now - dt.timedelta(hours=1),
                                       valid_until=now + dt.timedelta(days=1), created_at=now)


def test_mask_text_masks_phones_and_id_numbers_inside_words() -> None:
    from apps.estates.masking import mask_text

    assert mask_text(WORDS) == "业主请回电139****5678，身份证1101**********1234，13号楼灯坏"
    assert mask_text("座机0755-83211234，订单202611250001234") == "座机0755****1234，订单202611250001234"
    assert mask_text(None) == ""


def test_r_m7_01_complaint_ledger_is_masked_for_the_department_head_and_logged(client: Any, cast: Any,
                                                                               frozen_now: dt.datetime) -> None:
    """R-M5-16 + R-M7-01: 工程部 head (reports, no unmasking) exports the 投诉台账: masked, one log row."""
    receive(cast, content=WORDS)
    receive(cast, content="楼道灯不亮")
    client.force_login(cast.eng_head)
    cells = _cells(client.get(reverse("reports:ledger", args=["complaint"]), _params(cast, frozen_now)))
    text = " ".join(str(c) for c in cells)
    assert "139****5678" in text and PHONE not in text and ID not in text and "1101**********1234" in text
    log = CustomerDataAccessLog.objects.get()
    assert (log.action, log.user, log.project, log.row_count, log.grant, log.fields) == (
        AccessAction.EXPORT_MASKED, cast.eng_head, cast.project, 2, None, "")
    assert "投诉台账" in log.screen


def test_r_m7_03_supervisor_with_a_grant_exports_the_repair_ledger_in_full(client: Any, cast: Any,
                                                                          frozen_now: dt.datetime) -> None:
    """With the department head's grant the 报修台账 carries the numbers in full; the log names the grant.
    Without it (same role), masked."""
    order_for(receive(cast, kind="repair", content=WORDS, address=f"5栋1502 {PHONE}"))
    client.force_login(cast.supervisor)
    url = reverse("reports:ledger", args=["repair"])
    masked = " ".join(str(c) for c in _cells(client.get(url, _params(cast, frozen_now))))
    assert PHONE not in masked and "139****5678" in masked
    grant = _grant(cast, cast.supervisor, frozen_now)
    full = " ".join(str(c) for c in _cells(client.get(url, _params(cast, frozen_now))))
    assert PHONE in full and ID in full
    logs = list(CustomerDataAccessLog.objects.order_by("id"))
    assert [(x.action, x.grant, x.row_count) for x in logs] == [
        (AccessAction.EXPORT_MASKED, None, 1), (AccessAction.EXPORT, grant, 1)]
    assert logs[1].fields == "name,phone"


def test_r_m7_01_kpi_and_drill_exports_are_logged(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """Statistics exports carry figures only; each is still in the read log (masked export)."""
    receive(cast, content=WORDS)
    client.force_login(cast.project_manager)
    params = _params(cast, frozen_now)
    assert client.get(reverse("reports:kpi_export"), params).status_code == 200
    cells = _cells(client.get(reverse("reports:drill"), {**params, "kpi": "received", "format": "xlsx"}))
    assert PHONE not in " ".join(str(c) for c in cells)
    logs = list(CustomerDataAccessLog.objects.order_by("id"))
    assert [(x.action, x.user, x.project) for x in logs] == [
        (AccessAction.EXPORT_MASKED, cast.project_manager, cast.project)] * 2
    assert "统计指标" in logs[0].screen and logs[1].row_count == 1
    client.get(reverse("reports:kpi_export"), {**params, "format": "doc"})  # refused: nothing exported
    assert CustomerDataAccessLog.objects.count() == 2


def test_r_m7_01_inventory_prints_mask_the_owner_text_and_are_logged(client: Any, cast: Any,
                                                                     frozen_now: dt.datetime) -> None:
    """日盘点 printouts (the tickets print and the reports' form): masked for the front desk, in the log."""
    receive(cast, content=WORDS)
    day = frozen_now.date().isoformat()
    client.force_login(cast.front_desk)
    page = client.get(reverse("tickets:inventory_print"), {"day": day}).content.decode()
    assert "139****5678" in page and PHONE not in page
    form = client.get(reverse("reports:form_inventory"), {"project": cast.project.pk, "day": day}).content.decode()
    assert "139****5678" in form and PHONE not in form
    screen = client.get(reverse("tickets:inventory"), {"day": day}).content.decode()
    assert PHONE in screen  # the working screen of the desk's own tickets is not a print
    logs = list(CustomerDataAccessLog.objects.order_by("id"))
    assert [(x.action, x.user) for x in logs] == [(AccessAction.PRINT_MASKED, cast.front_desk)] * 2
    assert (logs[0].row_count or 0) >= 1 and "日盘点" in logs[0].screen and "日盘点" in logs[1].screen
    grant = _grant(cast, cast.front_desk, frozen_now)
    full = client.get(reverse("tickets:inventory_print"), {"day": day}).content.decode()
    assert PHONE in full
    last = CustomerDataAccessLog.objects.order_by("-id").first()
    assert last is not None and last.grant == grant


def test_r_m7_01_the_ticket_form_masks_numbers_in_the_owner_text(client: Any, cast: Any,
                                                                 frozen_now: dt.datetime) -> None:
    """《顾客意见处理表》: a phone number the owner gave inside the complaint text is masked like the phone field."""
    t = receive(cast, content=WORDS)
    client.force_login(cast.front_desk)
    page = client.get(reverse("reports:form_ticket", args=[t.pk])).content.decode()
    assert PHONE not in page and "139****5678" in page and "13号楼" in page


def _frozen_report(cast: Any, now: dt.datetime) -> Any:
    """An approved (frozen) monthly report quoting an owner's phone and ID number in a typical case, an
    open problem and the analysis text."""
    from apps.reports import actions, schedule

    figures = {"kpis": [{"label": "受理", "value": 2, "unit": "件", "counts": {"all": 2}}],
               "cases": [{"number": "T-1", "category": "噪音", "level": "一般", "summary": WORDS, "result": "已回电"}],
               "open_problems": [{"day": "2026-11-20", "household": "5栋1502", "description": WORDS,
                                  "status": "未解决", "category": "", "department": "", "reason": "", "ticket": ""}]}
    draft = actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                                 project=cast.project, figures=figures, sections={"summary": f"本月回访：{WORDS}"},
                                 acting_user=cast.supervisor, now=now)
    actions.submit_for_review(draft, acting_user=cast.supervisor, now=now)
    return actions.approve_report(draft, acting_user=cast.cs_manager, now=now, acknowledge_mismatches=True)


def test_r_m7_01_frozen_report_xlsx_and_pdf_mask_numbers_without_a_grant(client: Any, cast: Any,
                                                                       frozen_now: dt.datetime,
                                                                       monkeypatch: Any) -> None:
    """Issue 14 item 9 (R-M7-01): an approved report's workbook and PDF mask the phone and ID numbers
    quoted in its cases, open problems and text for a user without a grant, and are in the read log;
    the stored (frozen) report itself is unchanged."""
    from apps.reports.views import reports as report_views

    report = _frozen_report(cast, frozen_now)
    assert report.frozen
    client.force_login(cast.cs_manager)
    text = " ".join(str(c) for c in _cells(client.get(reverse("reports:xlsx", args=[report.pk]))))
    assert "139****5678" in text and "1101**********1234" in text
    assert PHONE not in text and ID not in text and "13号楼灯坏" in text
    rendered: list[str] = []
    real = report_views.render_pdf

    def capture(html: str) -> bytes:
        rendered.append(html)
        return real(html)

    monkeypatch.setattr(report_views, "render_pdf", capture)
    response = client.get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "139****5678" in rendered[0] and PHONE not in rendered[0] and ID not in rendered[0]
    report.refresh_from_db()
    assert PHONE in report.sections["summary"]  # masking is of the export, never of the frozen figures
    logs = list(CustomerDataAccessLog.objects.order_by("id"))
    assert [(x.action, x.user, x.project, x.grant) for x in logs] == [
        (AccessAction.EXPORT_MASKED, cast.cs_manager, cast.project, None)] * 2
    assert "报告" in logs[0].screen and "PDF" in logs[1].screen


def test_r_m7_03_frozen_report_exports_in_full_under_a_grant(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """With a department head's grant (and the right to reveal) the same report exports in full; the log
    names the grant. Without the grant the same user gets it masked."""
    report = _frozen_report(cast, frozen_now)
    client.force_login(cast.supervisor)
    masked = " ".join(str(c) for c in _cells(client.get(reverse("reports:xlsx", args=[report.pk]))))
    assert PHONE not in masked and "139****5678" in masked
    grant = _grant(cast, cast.supervisor, frozen_now)
    full = " ".join(str(c) for c in _cells(client.get(reverse("reports:xlsx", args=[report.pk]))))
    assert PHONE in full and ID in full
    assert [(x.action, x.grant) for x in CustomerDataAccessLog.objects.order_by("id")] == [
        (AccessAction.EXPORT_MASKED, None), (AccessAction.EXPORT, grant)]
