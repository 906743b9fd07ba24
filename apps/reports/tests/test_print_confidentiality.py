"""R-M7-01, R-M7-03: the printable 《工作信息记录本》 and 《顾客意见(投诉/建议)处理表》, through the page and the
API, follow the owner archive's confidentiality rules — the name and phone masked, a VIP's room masked too,
unless the printing user may reveal personal data and holds a department head's grant; a repair worker
never prints in full, grant or not; every print (masked or not, page, PDF or API) is in the read log."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from apps.estates.models import AccessAction, ArchiveGrant, CustomerDataAccessLog, Person
from apps.reports.tests.dataset import NOW, build
from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import policies  # noqa: F401 - fixture
from linli import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def vip_ticket(cast: Any, policies: Any) -> Ticket:  # noqa: F811
    data = build(cast)
    clock.set_now(NOW)
    t = data.t["T1"]
    assert t.household is not None
    owner = Person.objects.create(project=cast.project, household=t.household, name="王建国", phone="13800138888",
                                  is_vip=True)
    Ticket.objects.filter(pk=t.pk).update(person=owner)
    t.refresh_from_db()
    return t


def _grant(cast: Any, grantee: Any) -> ArchiveGrant:
    return ArchiveGrant.objects.create(project=cast.project, grantee=grantee, granted_by=cast.cs_manager,
                                       reason="回访核对", valid_from=NOW - dt.timedelta(hours=1),
                                       valid_until=NOW + dt.timedelta(days=1), created_at=NOW)


def _day(cast: Any, t: Ticket) -> str:
    return t.received_at.astimezone(cast.project.tz).date().isoformat()


def test_r_m7_03_vip_room_is_masked_on_both_printed_forms_page_and_api(client: Any, cast: Any,
                                                                       vip_ticket: Ticket) -> None:
    household = vip_ticket.household
    assert household is not None
    room, label = household.room_no, household.label
    client.force_login(cast.front_desk)
    form = client.get(reverse("reports:form_ticket", args=[vip_ticket.pk])).content.decode()
    assert label not in form and "*" * len(room) in form and "王**" in form and "王建国" not in form
    book = client.get(reverse("reports:form_worklog"),
                      {"project": cast.project.pk, "day": _day(cast, vip_ticket)}).content.decode()
    assert label not in book and "王建国" not in book and "13800138888" not in book

    pdf = client.get(f"/api/v1/reports/forms/ticket/{vip_ticket.pk}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    book_pdf = client.get("/api/v1/reports/forms/worklog", {"project": cast.project.pk, "day": _day(cast, vip_ticket)})
    assert book_pdf.status_code == 200 and book_pdf.content.startswith(b"%PDF")
    logs = list(CustomerDataAccessLog.objects.order_by("id").values_list("action", "user", "screen"))
    assert [(a, u) for a, u, _ in logs] == [(AccessAction.PRINT_MASKED, cast.front_desk.pk)] * 4
    assert [s.startswith("API") for _, _, s in logs] == [False, False, True, True]


def test_r_m7_01_repair_worker_never_prints_in_full_even_with_a_grant_page_and_api(client: Any, cast: Any,
                                                                                  vip_ticket: Ticket) -> None:
    _grant(cast, cast.worker)
    client.force_login(cast.worker)
    form = client.get(reverse("reports:form_ticket", args=[vip_ticket.pk]))
    assert form.status_code == 200
    html = form.content.decode()
    assert "王建国" not in html and "13800138888" not in html and "138****8888" in html
    assert client.get(f"/api/v1/reports/forms/ticket/{vip_ticket.pk}").status_code == 200
    rows = list(CustomerDataAccessLog.objects.order_by("id").values_list("action", "user", "grant", "person"))
    assert rows == [(AccessAction.PRINT_MASKED, cast.worker.pk, None, vip_ticket.person_id)] * 2


def test_r_m7_01_granted_supervisor_prints_the_vip_in_full_and_the_api_print_names_the_grant(
        client: Any, cast: Any, vip_ticket: Ticket) -> None:
    grant = _grant(cast, cast.supervisor)
    household = vip_ticket.household
    assert household is not None
    client.force_login(cast.supervisor)
    html = client.get(reverse("reports:form_ticket", args=[vip_ticket.pk])).content.decode()
    assert "王建国" in html and household.label in html and "13800138888" in html
    assert client.get(f"/api/v1/reports/forms/ticket/{vip_ticket.pk}").status_code == 200
    assert client.get("/api/v1/reports/forms/worklog",
                      {"project": cast.project.pk, "day": _day(cast, vip_ticket)}).status_code == 200
    logs = list(CustomerDataAccessLog.objects.order_by("id"))
    assert [(log.action, log.grant_id, log.fields) for log in logs] == [(AccessAction.PRINT, grant.pk, "name,phone")] * 3


def test_r_m7_01_print_api_refuses_other_projects_and_bad_input(client: Any, cast: Any, vip_ticket: Ticket) -> None:
    client.force_login(cast.outsider)  # front desk of the other project
    r = client.get(f"/api/v1/reports/forms/ticket/{vip_ticket.pk}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.get("/api/v1/reports/forms/worklog", {"project": cast.project.pk, "day": "2026-11-02"})
    assert r.status_code == 404
    client.force_login(cast.front_desk)
    assert client.get("/api/v1/reports/forms/worklog", {"project": cast.project.pk, "day": "2026-13-40"}).status_code == 422
    assert client.get("/api/v1/reports/forms/worklog", {"project": 0, "day": "2026-11-02"}).status_code == 422
    assert not CustomerDataAccessLog.objects.exists()  # nothing printed, nothing logged
