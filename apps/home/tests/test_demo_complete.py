"""Issue 23 item 3 — the demo is complete: after ``load_demo`` alone (no ``generate_reports``, no other
command) the fixed reports, the bulletins in their several states and the case library exist, every
demo login's home page has something to do, and the list pages of every module show data.

The demo is loaded once for the module, committed as in ``make run`` (the jobs its actions enqueue run
after each commit); each test runs in a transaction rolled back after it, and the module's end restores
the migrated database for the other tests of the worker.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from apps.core.models import Job, JobState
from apps.home.management.commands.print_demo_logins import OWNER_HEADER
from apps.org.middleware import SESSION_KEY
from apps.org.models import Membership
from apps.portal.models import Publication, PublicationKind
from apps.reports.models import CaseLibraryEntry, Report, ReportStatus
from linli import clock

pytestmark = pytest.mark.django_db
# The demo is relative to the clock; a fixed Wednesday mid-month keeps the test the same every day.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=clock.SHANGHAI)
LAST_MONTH = "2026-10"


@pytest.fixture(autouse=True)
def _at_demo_time() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo as ``make run`` loads it: committed, each job run after the commit of its action. Afterwards
    the database is flushed and its migrated rows restored (what a serialized rollback does), so the
    other tests of the worker find it as before."""
    with django_db_blocker.unblock():
        before = connection.creation.serialize_db_to_string()
        try:
            with clock.frozen(NOW):
                call_command("load_demo", stdout=StringIO(), stderr=StringIO())
            yield
        finally:
            # sequences kept (a flush restarts them on PostgreSQL, and the restored rows keep their ids:
            # the next insert of the worker would collide), then set past the restored rows
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True, reset_sequences=False)
            connection.creation.deserialize_db_from_string(before)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), django_apps.get_models(include_auto_created=True)):
                    cursor.execute(sql)


def _client(client: Any, username: str) -> Any:
    membership = Membership.objects.filter(user__username=username).order_by("pk").first()
    assert membership is not None, username
    client.force_login(membership.user)
    if membership.project_id:
        session = client.session
        session[SESSION_KEY] = membership.project_id
        session.save()
    return client


def test_demo_jobs_all_ran(demo: None) -> None:
    """Every reaction the demo's actions enqueued ran without an error (an unknown event kind once
    failed every inspection finding's job)."""
    assert Job.objects.exists()
    assert list(Job.objects.exclude(state=JobState.DONE).values_list("name", "last_error")) == []


def test_demo_has_fixed_reports_of_the_recent_past_r_m5(demo: None) -> None:
    """The fixed reports (SPEC M5) of the last months exist without running generate_reports: approved
    ones, one awaiting approval, drafts of this month; submitter ≠ approver on every approved one."""
    approved = Report.objects.filter(status=ReportStatus.APPROVED)
    assert approved.count() >= 10
    assert {"monthly_statistics", "monthly_summary", "monthly_bulletin"} <= set(approved.values_list("duty_code",
                                                                                                      flat=True))
    assert approved.filter(project__isnull=True).exists()  # the company-wide analysis
    assert all(r.submitted_by_id and r.approved_by_id and r.submitted_by_id != r.approved_by_id for r in approved)
    assert all(r.submitted_at is not None and r.submitted_at <= r.due_at for r in approved)  # handed in on time
    assert Report.objects.filter(status=ReportStatus.IN_REVIEW).exists()
    assert Report.objects.filter(status=ReportStatus.DRAFT).exists()


def test_demo_bulletins_in_several_states_r_m5_07_r_m17_12(demo: None) -> None:
    """投诉公布 drafted, awaiting approval, approved and on the owners' board, approved and not yet
    pushed; notices and an open letter (approved by another person than the poster, R-M10-07); one
    withdrawn notice."""
    bulletins = Report.objects.filter(duty_code="monthly_bulletin")
    assert {ReportStatus.DRAFT, ReportStatus.IN_REVIEW, ReportStatus.APPROVED} <= set(
        bulletins.values_list("status", flat=True))
    on_board = Publication.objects.filter(kind=PublicationKind.MONTHLY_BULLETIN, withdrawn_at=None)
    assert on_board.exists()
    assert bulletins.filter(status=ReportStatus.APPROVED, published_at=None).exists()  # still to push
    for pub in on_board.select_related("source_report"):
        report = pub.source_report
        assert report is not None and report.approved_by_id != report.submitted_by_id
    letters = Publication.objects.filter(kind=PublicationKind.OPEN_LETTER)
    assert letters.exists()
    assert Publication.objects.filter(kind=PublicationKind.NOTICE, withdrawn_at__isnull=False).exists()


def test_demo_case_library_r_m6_01(demo: None) -> None:
    cases = CaseLibraryEntry.objects.all()
    assert cases.count() >= 3
    assert {"typical", "hot"} <= set(cases.values_list("kind", flat=True))
    assert all(c.background and c.handling and c.lessons for c in cases)


def _logins() -> list[str]:
    return sorted(set(Membership.objects.values_list("user__username", flat=True)))


def test_every_demo_login_has_something_to_do_on_the_home_page(demo: None, client: Any) -> None:
    """Each login print_demo_logins prints sees at least one item in a work list of its home page — the
    办公室 clerk too: the written replies waiting for the 办公室's review (issue 23 item 3)."""
    out = StringIO()
    call_command("print_demo_logins", stdout=out)
    staff_part = out.getvalue().split(OWNER_HEADER)[0]
    printed = {line.split()[0] for line in staff_part.splitlines()[2:] if line.strip()}
    assert printed == set(_logins())
    idle = []
    for username in sorted(printed):
        client.logout()
        html = _client(client, username).get("/").content.decode()
        items = sum(block.count("<li>") for block in re.findall(r'<ul class="worklist">(.*?)</ul>', html, re.S))
        if not items:
            idle.append(username)
    assert idle == []


def _rows(html: str) -> int:
    """Data rows of the page: table rows (a row with a colspan cell is the "nothing here" line) and the
    cards of card lists (an element whose test id names a row, a card or a case)."""
    main = html[html.find("<main"):]
    count = len(re.findall(r'data-testid="(?:[\w-]+-(?:row|card)|case)"', main))
    for body in re.findall(r"<tbody[^>]*>(.*?)</tbody>", main, re.S):
        for row in re.findall(r"<tr[\s>].*?</tr>", body, re.S):
            if "colspan" not in row and "data-testid=" not in row:
                count += 1
    return count


# (login, list page): each module's list pages, seen by a role that may open them.
LIST_PAGES = [
    ("supervisor_yg", "/tickets/"),
    ("supervisor_yg", "/tickets/queue/verification/"),
    ("supervisor_yg", "/tickets/queue/return-visit/"),
    ("enghead_yg", "/tickets/queue/department/"),
    ("enghead_yg", "/repairs/"),
    ("supervisor_yg", "/visits/"),
    ("supervisor_yg", "/visits/problems/"),
    ("supervisor_yg", "/visits/programme/"),
    ("supervisor_yg", "/visits/plans/"),
    ("supervisor_yg", "/escalation/"),
    ("quality", "/escalation/legacy/"),
    ("quality", "/quality/ncr/"),
    ("pm_yg", "/reports/"),
    ("quality", "/reports/cases/"),
    ("quality", "/surveys/"),
    ("quality", "/improvement/"),
    ("quality", "/audits/"),
    ("supervisor_yg", f"/assessments/?month={LAST_MONTH}"),  # the sheets are written after the month
    ("supervisor_yg", "/cards/"),
    ("supervisor_yg", "/cards/doors/"),
    ("cashier_yg", "/fees/bills/"),
    ("cashier_yg", "/fees/arrears/"),
    ("desk_yg", "/desk/keys/"),
    ("desk_yg", "/desk/decorations/"),
    ("desk_yg", "/desk/logs/"),
    ("desk_yg", "/desk/items/"),
    ("supervisor_yg", "/inspections/"),
    ("supervisor_yg", "/activities/"),
    ("supervisor_ch", "/inspections/"),
    ("csmanager_yg", "/portal/manage/"),
]


def test_every_list_page_shows_rows(demo: None, client: Any) -> None:
    empty = []
    for username, url in LIST_PAGES:
        client.logout()
        response = _client(client, username).get(url)
        assert response.status_code == 200, (username, url)
        if not _rows(response.content.decode()):
            empty.append((username, url))
    assert empty == []



def test_home_offers_a_report_for_approval_to_the_approver_not_the_submitter(demo: None, client: Any) -> None:
    """Issue 23 item 4 on the home page: the report awaiting approval is the 管理处经理's to-do; the
    客服经理 who submitted it does not get it offered for approval."""
    waiting = Report.objects.get(status=ReportStatus.IN_REVIEW, project__code="YG")
    assert waiting.submitted_by is not None and waiting.submitted_by.username == "csmanager_yg"

    def approvals(username: str) -> str:
        client.logout()
        html = _client(client, username).get("/").content.decode()
        panel = re.search(r'data-panel="reports".*?</article>', html, re.S)
        assert panel is not None, username
        return " ".join(li for li in re.findall(r"<li>(.*?)</li>", panel.group(0), re.S) if "待批准" in li)

    assert waiting.title in approvals("pm_yg")
    assert waiting.title not in approvals("csmanager_yg")


def test_demo_owner_logins_are_printed_and_sign_in_to_their_requests(demo: None) -> None:
    """Issue 19: print_demo_logins prints an owner per project; the owner signs in with the phone and the
    SMS code (the demo's SMS goes to the console) and finds the household's requests."""
    from django.test import Client

    from apps.notify.models import Delivery

    out = StringIO()
    call_command("print_demo_logins", stdout=out)
    assert OWNER_HEADER in out.getvalue()
    owner_lines = [line.split() for line in out.getvalue().split(OWNER_HEADER)[1].splitlines()[2:] if line.strip()]
    assert len(owner_lines) >= 2
    phone = owner_lines[0][0]
    assert re.fullmatch(r"1\d{10}", phone)
    client = Client()
    assert client.post("/me/sign-in/", {"phone": phone}).status_code == 200
    delivery = Delivery.objects.filter(address=phone, kind="owner_sign_in_code").order_by("-id").first()
    assert delivery is not None
    code = re.search(r"(\d{6})", delivery.body)
    assert code is not None
    r = client.post("/me/sign-in/", {"phone": phone, "step": "code", "code": code.group(1)})
    assert r.status_code == 302
    if "/households/" in r["Location"]:
        from apps.owners.queries import households_for_phone

        first = households_for_phone(phone).filter(tickets__isnull=False).first()
        assert first is not None
        assert client.post("/me/households/", {"household": first.pk}).status_code == 302
    page = client.get("/me/requests/").content.decode()
    assert page.count('href="/me/requests/') >= 1
