"""Issue 16 (faithful complaint pipeline), the rules the review left partial on the tickets side, walked
through the ticket pages and the REST API as the roles the SPEC names: R-M2-03 (the municipal
coordinator and the progress-notice interval), …"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.notify.models import Notification
from apps.tickets import sweeps
from apps.tickets.models import TicketPolicy
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def _page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


# ---------------------------------------------------------------- R-M2-03 municipal coordinator


def test_R_M2_03_dispatcher_designates_a_municipal_coordinator_on_the_page_and_the_api(
    cast: Any, api: Any, make_ticket: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The 客服主管 (who routes tickets) names the person who coordinates and follows up a complaint about
    municipal facilities on the ticket page; the ticket is marked 市政配套, the page shows the coordinator
    and the coordinator is told. Through the API another dispatcher changes it; a worker may not;
    someone outside the project is refused beside the field."""
    t = make_ticket(content="小区门口市政路灯坏了一个月", municipal=False)
    supervisor = _page(cast.supervisor)
    detail = reverse("tickets:detail", args=[t.pk])
    assert "指定市政配套协调人" in supervisor.get(detail).content.decode()
    assert "指定市政配套协调人" not in _page(cast.worker).get(detail).content.decode()
    url = reverse("tickets:action", args=[t.pk, "coordinator"])
    r = supervisor.post(url, {"coordinator": ""})
    assert r.status_code == 422 and "这个字段是必填项" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = supervisor.post(url, {"coordinator": cast.eng_head.pk})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.coordinator == cast.eng_head and t.municipal is True
    page = supervisor.get(detail).content.decode()
    assert 'data-testid="ticket-coordinator"' in page and str(cast.eng_head) in page
    assert Notification.objects.filter(recipient=cast.eng_head, kind="ticket_coordinator").count() == 1

    r = api(cast.worker).post(f"{URL}/{t.pk}/coordinator", {"coordinator_id": cast.butler.pk})
    assert r.status_code == 403
    manager = api(cast.cs_manager)
    r = manager.post(f"{URL}/{t.pk}/coordinator", {"coordinator_id": cast.outsider.pk})
    assert r.status_code == 422 and "coordinator_id" in r.json()["error"]["fields"]
    r = manager.post(f"{URL}/{t.pk}/coordinator", {"coordinator_id": cast.butler.pk})
    assert r.status_code == 200, r.content
    assert r.json()["coordinator_id"] == cast.butler.pk and r.json()["municipal"] is True
    assert manager.get(f"{URL}/{t.pk}").json()["facts"]["coordinator"]["id"] == cast.butler.pk


# ---------------------------------------------------------------- R-M2-03 progress-notice interval


def test_R_M2_03_progress_notice_interval_is_a_company_setting_with_an_overdue_reminder(
    cast: Any, api: Any, make_ticket: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any
) -> None:
    """The 系统管理员 sets the interval of progress notices to the owner (working days; default 0 = off)
    on the 工单口径 settings page. A complaint transferred in writing to the developer whose notice is
    overdue is reminded once to the people who follow it (the sweep); the ticket page and the API show
    the next notice and that it is overdue; a notice recorded through the API moves the next one."""
    t = make_ticket(content="交房时承诺的会所至今未开放")
    supervisor = api(cast.supervisor)
    r = supervisor.post(f"{URL}/{t.pk}/developer-transfers", {"content": "业主投诉会所未开放，请地产客服中心处理",
                                                              "document_no": "YG-2026-031"})
    assert r.status_code == 200, r.content
    # default: off — nothing due, no reminder
    assert supervisor.get(f"{URL}/{t.pk}").json()["facts"]["owner_update_due_at"] is None
    later = frozen_now + dt.timedelta(days=10)
    assert sweeps.run(later).owner_update_reminders == 0

    admin = _page(cast.sysadmin)
    page = admin.get("/org/settings/ticket-policy/").content.decode()
    assert "告知业主进展的间隔（工作日）" in page
    r = admin.post("/org/settings/ticket-policy/", {
        "close_needs_manager_reply": "on", "no_contact_exemption": "any_channel", "quality_owns": "b4",
        "company_follow_up": "verify", "owner_update_interval_days": "-1", "reason": "地产问题每两个工作日告知业主"})
    assert r.status_code != 302 and TicketPolicy.objects.filter(company=cast.company).count() == 0
    r = admin.post("/org/settings/ticket-policy/", {
        "close_needs_manager_reply": "on", "no_contact_exemption": "any_channel", "quality_owns": "b4",
        "company_follow_up": "verify", "owner_update_interval_days": "2", "reason": "地产问题每两个工作日告知业主"})
    assert r.status_code == 302
    assert TicketPolicy.objects.get(company=cast.company, project=None).owner_update_interval_days == 2

    # transferred Mon 23 Nov 10:00 + 2 working days → due Wed 25 Nov, end of day
    facts = supervisor.get(f"{URL}/{t.pk}").json()["facts"]
    assert facts["owner_update_due_at"].startswith("2026-11-25T23:59:59") and facts["owner_update_overdue"] is False
    assert sweeps.run(frozen_now + dt.timedelta(days=2)).owner_update_reminders == 0
    thursday = frozen_now + dt.timedelta(days=3)  # Thu 26 Nov 10:00
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.run(thursday).owner_update_reminders == 1
    assert sweeps.run(thursday + dt.timedelta(hours=1)).owner_update_reminders == 0  # once per due moment
    assert Notification.objects.filter(recipient=cast.supervisor, kind="ticket_owner_update_due").count() == 1
    with clock.frozen(thursday):
        page = _page(cast.supervisor).get(reverse("tickets:detail", args=[t.pk])).content.decode()
        assert 'data-testid="ticket-owner-update-due"' in page and "已逾期" in page
        assert supervisor.get(f"{URL}/{t.pk}").json()["facts"]["owner_update_overdue"] is True
        r = api(cast.front_desk).post(f"{URL}/{t.pk}/owner-updates",
                                      {"channel": "phone", "content": "已电话告知业主：地产客服中心正在安排会所开放"})
        assert r.status_code == 200, r.content
        facts = supervisor.get(f"{URL}/{t.pk}").json()["facts"]
    # Thu 26 + 2 working days → Mon 30 Nov
    assert facts["owner_update_due_at"].startswith("2026-11-30T23:59:59") and facts["owner_update_overdue"] is False


def test_R_M2_03_the_company_interval_is_changed_through_the_settings_api(cast: Any, api: Any) -> None:
    """The same setting through the settings API (the 系统管理员); out-of-range values are refused."""
    admin = api(cast.sysadmin)

    def put(value: Any) -> Any:
        return admin.client.put("/api/v1/org/settings/ticket-policy", json.dumps({
            "reason": "市政问题每三个工作日告知业主", "values": {"owner_update_interval_days": value}}),
            content_type="application/json", **admin._headers(None))

    r = put(61)
    assert r.status_code == 422 and "owner_update_interval_days" in r.json()["error"]["fields"]
    r = put(3)
    assert r.status_code == 200, r.content
    assert TicketPolicy.objects.get(company=cast.company, project=None).owner_update_interval_days == 3


# ---------------------------------------------------------------- R-M1-01 channel publications


def test_R_M1_01_the_project_office_records_channel_publications_and_sees_what_is_missing(
    cast: Any, api: Any, frozen_now: dt.datetime, django_assert_max_num_queries: Any
) -> None:
    """The 管理处 (its routing staff, here the 客服主管) records each published complaint channel on the
    投诉渠道公布 page and through the API; the page and the API list per project what is published and what
    is still missing; a worker may not record; bad input is refused beside the field."""
    supervisor = _page(cast.supervisor)
    url = reverse("tickets:channel_publications")
    page = supervisor.get(url).content.decode()
    assert 'data-testid="channels-YG"' in page and "顾客意见箱" in page and "尚未公布" in page
    r = supervisor.post(url, {"project": cast.project.pk, "kind": "project_phone", "value": "",
                              "published_on": "2026-11-20", "where_posted": "大堂公告栏"})
    assert r.status_code == 422 and "这个字段是必填项" in r.content.decode()
    r = supervisor.post(url, {"project": cast.project.pk, "kind": "project_phone", "value": "0755-26880000",
                              "published_on": "2026-11-30", "where_posted": "大堂公告栏"})
    assert r.status_code == 422 and "公布日期不能晚于今天" in r.content.decode()
    r = supervisor.post(url, {"project": cast.project.pk, "kind": "project_phone", "value": "0755-26880000",
                              "published_on": "2026-11-20", "where_posted": "大堂公告栏、各单元电梯厅"})
    assert r.status_code == 302
    page = supervisor.get(url).content.decode()
    assert "0755-26880000" in page and "9 项未公布" in page

    r = api(cast.worker).post(f"{URL}/channel-publications", {
        "project": cast.project.pk, "kind": "suggestion_box", "value": "大堂", "published_on": "2026-11-20",
        "where_posted": "大堂"})
    assert r.status_code == 403
    worker_page = _page(cast.worker).get(url).content.decode()
    assert 'data-testid="channel-new"' not in worker_page
    manager = api(cast.cs_manager)
    r = manager.post(f"{URL}/channel-publications", {
        "project": cast.project.pk, "kind": "suggestion_box", "value": "1栋大堂入口左侧",
        "published_on": "2026-11-20", "where_posted": "大堂公告栏"})
    assert r.status_code == 201, r.content
    r = manager.get(f"{URL}/channel-publications", project=cast.project.pk)
    assert r.status_code == 200, r.content
    [row] = r.json()
    assert {p["kind"] for p in row["publications"]} == {"project_phone", "suggestion_box"}
    assert len(row["missing"]) == 8 and "company_phone" in {m["kind"] for m in row["missing"]}
    assert manager.get(f"{URL}/channel-publications", project=cast.other_project.pk).status_code == 404


def test_R_M1_01_channel_page_query_count_does_not_grow_with_publications(
    cast: Any, frozen_now: dt.datetime, django_assert_max_num_queries: Any
) -> None:
    """The overview reads all the projects' publications in one query."""
    from apps.tickets.actions import record_channel_publication

    supervisor = _page(cast.supervisor)
    url = reverse("tickets:channel_publications")
    supervisor.get(url)
    with django_assert_max_num_queries(40) as few:
        supervisor.get(url)
    for kind in ("company_post", "project_post", "company_phone", "project_phone", "fax", "email"):
        record_channel_publication(project=cast.project, kind=kind, value="0755-1", where_posted="大堂",
                                   published_on=frozen_now.date(), acting_user=cast.supervisor, now=frozen_now)
    with django_assert_max_num_queries(len(few.captured_queries)):
        supervisor.get(url)


# ---------------------------------------------------------------- R-M2-17 记录表投诉


def test_R_M2_17_handler_or_department_head_lists_a_complaint_on_the_record_form_page_and_api(
    cast: Any, api: Any, make_ticket: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any
) -> None:
    """The handler who estimates more than one working day lists the complaint on the 《顾客投诉处理记录表》
    from the ticket page (naming themself); the page shows it. Through the API the 工程部 head names
    another handler; the handler alone may not name someone else; a front desk without the ticket may
    not hand it to a person outside the project."""
    from apps.tickets import actions

    t = make_ticket(content="地下车库渗水，需要查找水源")
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk,
                            now=frozen_now)
    worker = _page(cast.worker)
    detail = reverse("tickets:detail", args=[t.pk])
    assert "记录表投诉（处理超过一个工作日）" in worker.get(detail).content.decode()
    r = worker.post(reverse("tickets:action", args=[t.pk, "record_form"]),
                    {"handler": "", "reason": "需协调地产维修渗水，预计超过一个工作日"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.record_form and t.handler == cast.worker and t.record_form_by == cast.worker
    page = worker.get(detail).content.decode()
    assert 'data-testid="badge-record-form"' in page and 'data-testid="ticket-record-form"' in page

    r = api(cast.worker).post(f"{URL}/{t.pk}/record-form", {"handler_id": cast.eng_head.pk})
    assert r.status_code == 403
    head = api(cast.eng_head)
    r = head.post(f"{URL}/{t.pk}/record-form", {"handler_id": cast.outsider.pk})
    assert r.status_code == 422 and "handler_id" in r.json()["error"]["fields"]
    with django_capture_on_commit_callbacks(execute=True):
        r = head.post(f"{URL}/{t.pk}/record-form", {"handler_id": cast.eng_head.pk, "reason": "由本人跟进"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["record_form"] is True and body["handler_id"] == cast.eng_head.pk
    assert body["record_form_by_id"] == cast.worker.pk
    r = api(cast.front_desk).post(f"{URL}/{make_ticket(kind='consultation', content='咨询').pk}/record-form",
                                  {"handler_id": cast.worker.pk})
    assert r.status_code == 409


def test_R_M2_17_auto_flagged_complaint_needs_a_named_handler(
    cast: Any, api: Any, make_ticket: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any
) -> None:
    """Not closed by the end of the first working day: the sweep lists it; dispatched to a department
    without a person, the department head is asked to name a handler; a dispatch without a person is
    then refused, and the close panel says the handler is missing until one is named."""
    from apps.tickets import actions

    t = make_ticket(content="小区绿化带长期积水")
    actions.dispatch_ticket(ticket=t, department=cast.eng_dept, acting_user=cast.front_desk, now=frozen_now)
    later = frozen_now + dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.run(later).record_forms == 1
    t.refresh_from_db()
    assert t.record_form and t.record_form_by is None and t.handler is None
    assert Notification.objects.filter(recipient=cast.eng_head, kind="ticket_record_form_handler").exists()
    assert "handler" in actions.close_blockers(t)
    page = _page(cast.supervisor).get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert "超过一个工作日未关闭，自动列入" in page and "须由部门负责人指定具体处理人" in page
    r = api(cast.supervisor).post(f"{URL}/{t.pk}/dispatch", {"department": cast.eng_dept.pk})
    assert r.status_code == 422 and "assignee" in r.json()["error"]["fields"]
    r = api(cast.eng_head).post(f"{URL}/{t.pk}/record-form", {"handler_id": cast.worker.pk})
    assert r.status_code == 200, r.content
    t.refresh_from_db()
    assert t.handler == cast.worker and "handler" not in actions.close_blockers(t)


# ---------------------------------------------------------------- R-M1-13 staff side: the receipt


def test_R_M1_13_front_desk_prints_the_owners_receipt_of_a_committee_form_page_and_api(
    cast: Any, api: Any, make_ticket: Any
) -> None:
    """An owner fills the 业主投诉意见记录表 at the 管理处 front desk (业委会书面平台): the reception records
    it and prints the 投诉意见记录回执单 with the ticket number and the 3-working-day reply limit from the
    ticket page; the API gives the same receipt; other tickets have none."""
    t = make_ticket(channel="owners_committee", source="owners_committee", agreed_feedback_at=None,
                    content="业主投诉意见记录表：小区健身器材损坏半年未修")
    desk = _page(cast.front_desk)
    page = desk.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="committee-receipt-link"' in page
    receipt = desk.get(reverse("tickets:committee_receipt", args=[t.pk]))
    assert receipt.status_code == 200
    html = receipt.content.decode()
    assert t.number in html and "投诉意见记录回执单" in html and "健身器材" in html
    r = api(cast.front_desk).get(f"{URL}/{t.pk}/receipt")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["number"] == t.number and body["reply_due_at"] is not None
    assert body["print_url"] == reverse("tickets:committee_receipt", args=[t.pk])
    other = make_ticket(content="楼道灯不亮")
    assert desk.get(reverse("tickets:committee_receipt", args=[other.pk])).status_code == 404
    assert api(cast.front_desk).get(f"{URL}/{other.pk}/receipt").status_code == 404
    assert api(cast.outsider).get(f"{URL}/{t.pk}/receipt").status_code == 404
