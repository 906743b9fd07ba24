"""Issue 14 item 2 through the pages: every page form refuses control characters beside the field
(multi-line text keeps tab and line breaks), nothing is written on refusal; and a stored row with an
extreme moment (year 1900 before the zone's +08:05:43 mean time ends, year 9999 at the calendar's end)
breaks no list, record, print or export."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import Deadline, Ticket
from apps.tickets.tests.helpers import receive
from linli import clock

pytestmark = pytest.mark.django_db
MESSAGE = "含有不允许的控制字符"


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _intake(**over: Any) -> dict[str, Any]:
    now = clock.now()
    data = {"complainant_surname": "王", "phone": "13800138888", "kind": "complaint", "channel": "phone",
            "source": "project", "urgency": "normal", "content": "楼道灯不亮", "people_count": "1",
            "agreed_feedback_at": clock.local(now + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")}
    data.update(over)
    return data


@pytest.mark.parametrize("field,value", [("content", "灯\x07坏了"), ("content", "灯\x00坏了"),
                                         ("content", "灯\x1b[31m坏"), ("content", "灯\x85坏"),
                                         ("complainant_surname", "王\t五"), ("phone", "1380013\n8888"),
                                         ("address", "5栋\x7f1502")])
def test_intake_page_refuses_a_control_character_beside_the_field(cast: Any, frozen_now: Any, field: str,
                                                                 value: str) -> None:
    r = login(cast.front_desk).post(reverse("tickets:intake"), _intake(**{field: value}))
    page = r.content.decode()
    assert r.status_code in (200, 422) and MESSAGE in page
    assert page.count(MESSAGE) >= 1 and Ticket.objects.count() == 0


def test_multi_line_text_keeps_tabs_and_line_breaks(cast: Any, frozen_now: Any) -> None:
    r = login(cast.front_desk).post(reverse("tickets:intake"), _intake(content="第一行\r\n\t第二行"))
    assert r.status_code == 302, r.content.decode()[:500]
    assert Ticket.objects.get().content.replace("\r\n", "\n") == "第一行\n\t第二行"


def test_other_page_forms_refuse_control_characters(cast: Any, frozen_now: Any) -> None:
    """The same central check on forms of other apps: the NCR form (quality), the estates grant form."""
    from apps.org.roles import Role
    from apps.org.tests.factories import UserFactory, member
    from apps.quality.models import NonconformityReport

    mrep: Any = UserFactory(username="mrep", display_name="冯代表")
    member(mrep, Role.MANAGEMENT_REP, company=cast.company)
    t = receive(cast, department=cast.eng_dept)
    r = login(cast.cs_manager).post(reverse("quality:ncr_raise", args=[t.pk]), {
        "department": cast.eng_dept.pk, "nonconformity": "渗水\x00严重", "beyond_authority_reason": "须公司决定"})
    assert MESSAGE in r.content.decode() and not NonconformityReport.objects.exists()
    from apps.estates.models import ArchiveGrant

    r = login(cast.cs_manager).post(reverse("estates:grants"), {
        "grantee": cast.front_desk.pk, "reason": "回访\x08核对", "valid_until": "2026-11-30T10:00"})
    assert MESSAGE in r.content.decode() and not ArchiveGrant.objects.exists()


def test_stored_extreme_moments_break_no_page(cast: Any, frozen_now: Any) -> None:
    """A ticket stored (before the edge checks, or by a bulk job) with 1900 and 9999 moments: every
    list, record, print and export that shows it still answers 200."""
    old = receive(cast, content="旧工单")
    late = receive(cast, content="远期工单")
    Ticket.objects.filter(pk=old.pk).update(received_at=dt.datetime(1900, 6, 1, 1, 0, tzinfo=dt.UTC),
                                            recorded_at=dt.datetime(1900, 6, 1, 1, 0, tzinfo=dt.UTC))
    far = dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC)  # 10000-01-01 in Shanghai: past the calendar
    Ticket.objects.filter(pk=late.pk).update(agreed_feedback_at=far)
    Deadline.objects.filter(ticket=late).update(due_at=far)
    desk, pm = login(cast.front_desk), login(cast.project_manager)
    day = frozen_now.date().isoformat()
    pages = [
        (desk, reverse("tickets:list"), {}),
        (desk, reverse("tickets:detail", args=[old.pk]), {}),
        (desk, reverse("tickets:detail", args=[late.pk]), {}),
        (desk, reverse("tickets:inventory"), {"day": day}),
        (desk, reverse("tickets:inventory_print"), {"day": day}),
        (desk, reverse("tickets:queue_department"), {}),
        (desk, reverse("reports:form_ticket", args=[old.pk]), {}),
        (desk, reverse("reports:form_ticket", args=[late.pk]), {}),
        (desk, reverse("reports:form_worklog"), {"project": cast.project.pk, "day": day}),
        (pm, reverse("reports:ledger", args=["complaint"]), {"from": "2026-11-01", "to": day}),
        (pm, reverse("reports:drill"), {"kpi": "received", "from": "2026-11-01", "to": day}),
        (pm, reverse("reports:drill"), {"kpi": "received", "from": "2026-11-01", "to": day, "format": "xlsx"}),
        (pm, reverse("reports:dashboard"), {}),
        (pm, reverse("reports:kpi_export"), {"from": "2026-11-01", "to": day}),
    ]
    for client, url, params in pages:
        r = client.get(url, params)
        assert r.status_code == 200, (url, params, r.status_code)
    r = desk.get(reverse("tickets:detail", args=[late.pk]))
    assert "9999" in r.content.decode()


def test_an_export_writes_a_moment_at_the_calendars_end(tmp_path: Any) -> None:
    import openpyxl

    from apps.core.exports import write_xlsx

    far = dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC)
    old = dt.datetime(1900, 6, 1, 1, 0, tzinfo=dt.UTC)
    write_xlsx(str(tmp_path / "x.xlsx"), ["时间"], [[far], [old]])
    values = [r[0].value for r in openpyxl.load_workbook(tmp_path / "x.xlsx").active.iter_rows(min_row=2)]
    assert values[0] == far.replace(tzinfo=None) and values[1].year == 1900
