"""Issue 14 item 9 (R-M7-01, R-M7-03): printed forms mask the owner's name and phone unless the
printing user holds a department head's grant, and every print — masked or not — is in the read log."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from apps.estates.models import AccessAction, ArchiveGrant, CustomerDataAccessLog, Person
from apps.reports.tests.dataset import NOW, build
from apps.tickets.models import Ticket
from apps.tickets.tests.helpers import policies  # noqa: F401 - fixture
from linli import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(cast, policies):  # noqa: F811
    data = build(cast)
    clock.set_now(NOW)
    t = data.t["T1"]
    assert t.household is not None
    owner = Person.objects.create(project=cast.project, household=t.household, name="王建国", phone="13800138888")
    Ticket.objects.filter(pk=t.pk).update(person=owner)  # the caller identified as the registered owner
    t.refresh_from_db()
    return t


def test_r_m7_01_front_desk_prints_the_ticket_form_masked_and_the_print_is_logged(client, cast, ticket):
    client.force_login(cast.front_desk)
    html = client.get(reverse("reports:form_ticket", args=[ticket.pk])).content.decode()
    assert "王**" in html and "王建国" not in html
    assert "138****8888" in html and "13800138888" not in html
    log = CustomerDataAccessLog.objects.get()
    assert (log.action, log.user, log.person, log.grant, log.row_count) == (
        AccessAction.PRINT_MASKED, cast.front_desk, ticket.person, None, 1)
    client.get(reverse("reports:form_ticket", args=[ticket.pk]), {"format": "pdf"})
    assert CustomerDataAccessLog.objects.filter(action=AccessAction.PRINT_MASKED).count() == 2  # the PDF too


def test_r_m7_03_supervisor_with_a_grant_prints_in_full_and_the_log_names_the_grant(client, cast, ticket):
    grant = ArchiveGrant.objects.create(project=cast.project, grantee=cast.supervisor, granted_by=cast.cs_manager,
                                        reason="回访核对", valid_from=NOW - dt.timedelta(hours=1),
                                        valid_until=NOW + dt.timedelta(days=1), created_at=NOW)
    client.force_login(cast.supervisor)
    html = client.get(reverse("reports:form_ticket", args=[ticket.pk])).content.decode()
    assert "王建国" in html and "13800138888" in html
    log = CustomerDataAccessLog.objects.get()
    assert (log.action, log.grant, log.fields) == (AccessAction.PRINT, grant, "name,phone")
    # the work-information book of that day: full under the grant, masked for the front desk
    day = ticket.received_at.astimezone(cast.project.tz).date().isoformat()
    book = client.get(reverse("reports:form_worklog"), {"project": cast.project.pk, "day": day}).content.decode()
    assert "13800138888" in book
    client.force_login(cast.front_desk)
    book = client.get(reverse("reports:form_worklog"), {"project": cast.project.pk, "day": day}).content.decode()
    assert "13800138888" not in book and "138****8888" in book and "王建国" not in book
    assert list(CustomerDataAccessLog.objects.order_by("id").values_list("action", flat=True)) == [
        AccessAction.PRINT, AccessAction.PRINT, AccessAction.PRINT_MASKED]
