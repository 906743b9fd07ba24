"""Events suggest entries (R-M14-02, -04, -05): tickets naming a staff member, staff.performance_event;
the 客服主管 accepts or dismisses them on the sheet page."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.api.actions import issue_token
from apps.assessments.models import AssessmentEntry, SuggestedEntry
from apps.core import jobs
from apps.tickets import actions as ticket_actions

pytestmark = pytest.mark.django_db


def _ticket(cast, now, **kw):
    args = dict(project=cast.project, kind="complaint", channel="phone", source="project", urgency="normal",
                content="前台态度冷淡", desired_outcome="", received_at=now, household=None, person=None,
                complainant_surname="王", phone="13800138888", address="", anonymous=False, category=None,
                department=None, people_count=1, media_exposed=False, litigation=False,
                media_or_litigation_risk=False, developer_matter=False, municipal=False,
                agreed_feedback_at=now + dt.timedelta(hours=6), acting_user=cast.front_desk, now=now)
    args.update(kw)
    return ticket_actions.receive_ticket(**args)


def test_r_m14_02_ticket_names_the_staff_member_on_page_and_api(client, cast, frozen_now):
    ticket = _ticket(cast, frozen_now)
    client.force_login(cast.supervisor)
    r = client.post(f"/tickets/{ticket.pk}/staff_named/", {"staff": cast.butler.pk})
    assert r.status_code == 302
    ticket.refresh_from_db()
    assert ticket.staff_named == cast.butler
    assert "涉及员工" in client.get(f"/tickets/{ticket.pk}/").content.decode()
    _t, raw = issue_token(cast.supervisor, name="t", now=frozen_now)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    r = client.post(f"/api/v1/tickets/{ticket.pk}/staff-named", {"staff_id": cast.outsider.pk},
                    content_type="application/json", **auth)
    assert r.status_code == 422
    r = client.post(f"/api/v1/tickets/{ticket.pk}/staff-named", {"staff_id": cast.front_desk.pk},
                    content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["staff_named_id"] == cast.front_desk.pk


def test_r_m14_02_praise_and_valid_complaint_become_suggestions(cast, frozen_now, django_capture_on_commit_callbacks):
    praise = _ticket(cast, frozen_now, kind="praise", content="前台热情周到")
    complaint = _ticket(cast, frozen_now)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.name_staff_member(ticket=praise, staff=cast.front_desk, acting_user=cast.supervisor,
                                         now=frozen_now)
        ticket_actions.name_staff_member(ticket=complaint, staff=cast.butler, acting_user=cast.supervisor,
                                         now=frozen_now)
        jobs.publish("tickets.status_changed", ticket_id=praise.pk, kind="praise", old="return_visited",
                     new="closed", now=frozen_now.isoformat())
        jobs.publish("tickets.escalated_to_quality", ticket_id=complaint.pk, kind="complaint",
                     now=frozen_now.isoformat())
        jobs.publish("tickets.escalated_to_quality", ticket_id=complaint.pk, kind="complaint",
                     now=frozen_now.isoformat())  # idempotent: one suggestion per event
    kinds = sorted(SuggestedEntry.objects.values_list("employee__username", "kind"))
    assert kinds == [("butler", "complaint"), ("desk", "praise")]


def test_r_m14_04_performance_event_suggests_and_supervisor_accepts_or_dismisses(
        client, cast, frozen_now, django_capture_on_commit_callbacks):
    from apps.assessments import actions

    actions.load_seed_catalogue(company=cast.company, now=frozen_now)
    with django_capture_on_commit_callbacks(execute=True):
        for summary in ("11月走访计划完成 60%，未达计划", "回访不满意：维修后仍漏水"):
            jobs.publish("staff.performance_event", employee_id=cast.butler.pk, project_id=cast.project.pk,
                         occurred_at="2026-11-20T10:00:00+08:00", source="", summary=summary, url="/visits/",
                         kind="visit_shortfall" if "计划" in summary else "unsatisfied_visit")
    shortfall, unsatisfied = SuggestedEntry.objects.order_by("id")
    sheet = actions.open_sheet(employee=cast.butler, project=cast.project, period=dt.date(2026, 11, 1),
                               acting_user=cast.supervisor, now=frozen_now)
    client.force_login(cast.supervisor)
    page = client.get(f"/assessments/{sheet.pk}/").content.decode()
    assert "11月走访计划完成 60%" in page
    from apps.assessments.models import CatalogueItem
    item = CatalogueItem.objects.get(code="3.2")
    r = client.post(f"/assessments/{sheet.pk}/suggestions/{shortfall.pk}/", {"decision": "accept", "item": item.pk})
    assert r.status_code == 302
    assert AssessmentEntry.objects.get(sheet=sheet).points == 15
    r = client.post(f"/assessments/{sheet.pk}/suggestions/{unsatisfied.pk}/", {"decision": "dismiss", "reason": ""})
    assert r.status_code == 422 and "忽略原因" in r.content.decode()
    r = client.post(f"/assessments/{sheet.pk}/suggestions/{unsatisfied.pk}/", {"decision": "dismiss",
                                                                              "reason": "业主误会，已澄清"})
    assert r.status_code == 302
    assert SuggestedEntry.objects.get(pk=unsatisfied.pk).status == "dismissed"
