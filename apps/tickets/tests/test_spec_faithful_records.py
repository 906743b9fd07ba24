"""Issue 16 (faithful complaint pipeline), M1–M2 rows the review left partial because a duty had no page:
each walked through the ticket pages and the REST API as the role the SPEC names — 品质管理部's online
notices (R-M2-09), the 管理处's report of facts (R-M2-10), a record issued by 品质部 with its completion time
(R-M2-19), the incident report to the 物业总经理 (R-M2-23), the 主任's decision on a suggestion (R-M1-15),
the suggestion-box log (R-M1-12), the closing courtesy at intake (R-M1-05), the print layouts (R-M1-06,
R-M2-17, R-M2-20) and the 日盘点 reminders over weekends (R-M1-11)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.estates.models import CustomerDataAccessLog
from apps.notify.models import Notification
from apps.org.middleware import SESSION_KEY
from apps.tickets import sweeps
from apps.tickets.choices import Channel, Kind, Source, Stage
from apps.tickets.models import (
    Commendation,
    DailyInventory,
    Deadline,
    SuggestionBoxOpening,
    SuggestionDecision,
    Ticket,
    TicketEvent,
)
from apps.tickets.tests.conftest import Api
from apps.tickets.tests.helpers import receive
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def _page(user: Any, project: Any = None) -> Client:
    c = Client()
    c.force_login(user)
    if project is not None:
        session = c.session
        session[SESSION_KEY] = project.pk
        session.save()
    return c


def _local(moment: dt.datetime) -> str:
    return clock.local(moment).strftime("%Y-%m-%dT%H:%M")


def _online(cast: Any) -> Ticket:
    return receive(cast, channel=Channel.ONLINE, source=Source.WEBSITE, acting_user=cast.quality_inspector,
                   online_url="https://bbs.example.com/t/9", agreed_feedback_at=None)


def test_r_m2_09_quality_records_email_forward_and_phone_call_on_the_ticket_page(
        cast: Any, policies: Any, frozen_now: dt.datetime) -> None:
    """品质管理部's information administrator records, on the online complaint's page, that it emailed the
    complaint to the department head and the designated post and telephoned the 管理处经理; the front
    desk is neither offered the panel nor allowed to post it."""
    t = _online(cast)
    detail = reverse("tickets:detail", args=[t.pk])
    quality = _page(cast.quality_inspector)
    assert f'action="/tickets/{t.pk}/online_notification/"' in quality.get(detail).content.decode()
    assert "网上投诉通知（邮件转发、电话通知）" not in _page(cast.front_desk).get(detail).content.decode()
    url = reverse("tickets:action", args=[t.pk, "online_notification"])
    r = quality.post(url, {})
    assert r.status_code == 422 and "请选择已邮件转发或已电话通知" in r.content.decode()
    assert quality.post(url, {"emailed": "on", "note": "已发张经理"}).status_code == 302
    assert _page(cast.front_desk).post(url, {"phoned": "on"}).status_code == 403
    t.refresh_from_db()
    assert t.online_emailed_at == frozen_now and t.online_phoned_at is None
    r = Api(cast.quality_inspector).post(f"{URL}/{t.pk}/online-notification", {"phoned": True})
    assert r.status_code == 200, r.content
    t.refresh_from_db()
    assert t.online_phoned_at == frozen_now
    assert "网上投诉通知（邮件转发、电话通知）" not in quality.get(detail).content.decode()  # both recorded


def test_r_m2_10_project_reports_facts_and_measures_of_an_online_complaint_to_quality(
        cast: Any, policies: Any, frozen_now: dt.datetime) -> None:
    """For an online complaint the 管理处 reports the facts it found and the measures it proposes to
    品质管理部 — on the page and through the API; without the facts it is refused beside the field. A
    phone complaint that 品质部 did not issue has nothing to report."""
    t = _online(cast)
    desk = _page(cast.front_desk)
    assert f'action="/tickets/{t.pk}/report/"' in desk.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    url = reverse("tickets:action", args=[t.pk, "report"])
    r = desk.post(url, {"measures": "安排维修"})
    assert r.status_code == 422 and "网上投诉须向品质管理部报告调查到的事实" in r.content.decode()
    assert desk.post(url, {"facts": "2栋电梯停运两小时", "measures": "安排维修"}).status_code == 302
    event = t.events.get(kind="reported")
    assert "2栋电梯停运两小时" in event.message and "安排维修" in event.message
    r = Api(cast.front_desk).post(f"{URL}/{t.pk}/quality-report", {"measures": "再次检修"})
    assert r.status_code == 422 and "facts" in r.json()["error"]["fields"]
    phone = receive(cast)
    assert Api(cast.front_desk).post(f"{URL}/{phone.pk}/quality-report", {"measures": "x"}).status_code == 409


def test_r_m2_19_quality_issues_a_record_with_its_completion_time_and_the_project_reports(
        cast: Any, policies: Any, frozen_now: dt.datetime) -> None:
    """品质管理部 issues a 《顾客投诉记录表》 to the project from the intake page with the time handling must
    be finished (the ticket's completion limit); the front desk's intake page has no such field and the
    API refuses it. The project reports its measures, and later the result, to 品质管理部."""
    due = frozen_now + dt.timedelta(days=3)
    quality = _page(cast.quality_inspector, cast.project)
    assert 'data-testid="issued-by-quality"' in quality.get(reverse("tickets:intake")).content.decode()
    assert 'data-testid="issued-by-quality"' not in _page(cast.front_desk, cast.project).get(
        reverse("tickets:intake")).content.decode()
    data = {"complainant_surname": "王", "phone": "13800138888", "kind": "complaint", "channel": "letter",
            "source": "project", "urgency": "normal", "content": "品质部下发：地库渗水", "people_count": "1",
            "issued_by_quality": "on", "quality_due_at": _local(due)}
    r = quality.post(reverse("tickets:intake"), {**data, "issued_by_quality": ""})
    assert r.status_code == 422 and "只有品质部下发的投诉记录表才设完成时间" in r.content.decode()
    r = quality.post(reverse("tickets:intake"), data)
    assert r.status_code == 302, r.content.decode()[:800]
    t = Ticket.objects.get(content="品质部下发：地库渗水")
    assert t.issued_by_quality and t.quality_due_at == due
    assert Deadline.objects.get(ticket=t, stage=Stage.COMPLETE).due_at == due

    body = {"project": cast.project.pk, "channel": "letter", "content": "API 下发", "complainant_surname": "李",
            "issued_by_quality": True, "quality_due_at": due.isoformat()}
    assert Api(cast.front_desk).post(URL, body).status_code == 403
    r = Api(cast.quality_inspector).post(URL, body)
    assert r.status_code == 201, r.content
    assert Ticket.objects.get(pk=r.json()["id"]).quality_due_at == due

    desk = _page(cast.front_desk)
    url = reverse("tickets:action", args=[t.pk, "report"])
    assert desk.post(url, {"measures": "已安排防水维修"}).status_code == 302
    r = Api(cast.front_desk).post(f"{URL}/{t.pk}/quality-report", {"result": "防水已完成，业主认可"})
    assert r.status_code == 200, r.content
    reports = list(t.events.filter(kind="reported").order_by("at", "id"))
    assert [e.extra.get("report") for e in reports] == ["measures", "result"]
    page = desk.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="quality-due"' in page


def test_r_m2_23_incident_goes_to_the_cs_manager_who_reports_it_to_the_gm_on_the_page(
        cast: Any, policies: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any) -> None:
    """An owner's accident is routed to the 客服经理 at intake; the 客服经理 records the report to the
    物业总经理 on the ticket page (once); the front desk cannot."""
    with django_capture_on_commit_callbacks(execute=True):
        t = receive(cast, kind=Kind.INCIDENT, content="业主在地库摔伤")
    assert Notification.objects.filter(recipient=cast.cs_manager, kind="ticket_incident").count() == 1
    detail = reverse("tickets:detail", args=[t.pk])
    manager = _page(cast.cs_manager)
    assert "事故事件报告物业总经理" in manager.get(detail).content.decode()
    assert "事故事件报告物业总经理" not in _page(cast.front_desk).get(detail).content.decode()
    url = reverse("tickets:action", args=[t.pk, "gm_report"])
    assert _page(cast.front_desk).post(url, {"report": "x"}).status_code == 403
    r = manager.post(url, {"report": ""})
    assert r.status_code == 422 and "请填写报告内容" in r.content.decode()
    assert manager.post(url, {"report": "已送医，电话报告王总"}).status_code == 302
    t.refresh_from_db()
    assert t.gm_reported_at == frozen_now
    assert "事故事件报告物业总经理" not in manager.get(detail).content.decode()
    assert Api(cast.cs_manager).post(f"{URL}/{t.pk}/gm-report", {"report": "再报"}).status_code == 409


def test_r_m1_15_suggestion_reported_to_the_director_who_adopts_it_on_the_page(
        cast: Any, policies: Any, frozen_now: dt.datetime, django_capture_on_commit_callbacks: Any) -> None:
    """A suggestion is reported to the 管理处主任 at intake; the 主任 adopts it on the ticket page (measures
    and the place they are posted are required; the resident is commended) or declines another through
    the API with a reason; the front desk may do neither."""
    with django_capture_on_commit_callbacks(execute=True):
        t = receive(cast, kind=Kind.SUGGESTION, content="建议地库增加指示牌")
    assert Notification.objects.filter(recipient=cast.project_manager, kind="ticket_suggestion").count() == 1
    detail = reverse("tickets:detail", args=[t.pk])
    director = _page(cast.project_manager)
    assert "建议是否采纳（管理处主任）" in director.get(detail).content.decode()
    assert "建议是否采纳（管理处主任）" not in _page(cast.front_desk).get(detail).content.decode()
    url = reverse("tickets:action", args=[t.pk, "suggestion_decision"])
    assert _page(cast.front_desk).post(url, {"adopted": "yes", "measures": "x", "posted_where": "y"}).status_code == 403
    r = director.post(url, {"adopted": "yes"})
    assert r.status_code == 422 and "采纳建议须填写整改措施" in r.content.decode()
    assert director.post(url, {"adopted": "yes", "measures": "增设指示牌", "posted_where": "小区公告栏"}).status_code == 302
    assert SuggestionDecision.objects.get(ticket=t).adopted
    assert Commendation.objects.filter(ticket=t).count() == 1
    assert "建议是否采纳（管理处主任）" not in director.get(detail).content.decode()

    other = receive(cast, kind=Kind.SUGGESTION, content="建议取消门禁")
    r = Api(cast.project_manager).post(f"{URL}/{other.pk}/suggestion-decision", {"adopted": False, "note": "涉及安全"})
    assert r.status_code == 200, r.content
    assert not SuggestionDecision.objects.get(ticket=other).adopted


def test_r_m1_12_box_opening_logged_on_a_page_and_slips_linked_at_intake(
        cast: Any, policies: Any, frozen_now: dt.datetime, django_assert_max_num_queries: Any) -> None:
    """The designated person logs the day's suggestion-box opening on its page (days without one are
    flagged); each slip is received on the intake page (or the API) linked to the opening, and the log
    lists the tickets of each opening."""
    desk = _page(cast.front_desk, cast.project)
    page_url = reverse("tickets:box_openings")
    html = desk.get(page_url).content.decode()
    assert 'data-testid="box-missing-days"' in html and "2026-11-23" in html
    r = desk.post(page_url, {"opened_at": _local(frozen_now - dt.timedelta(hours=1)), "slip_count": "2"})
    assert r.status_code == 302, r.content.decode()[:800]
    opening = SuggestionBoxOpening.objects.get()
    assert opening.opened_by == cast.front_desk and opening.slip_count == 2
    r = desk.post(page_url, {"opened_at": _local(frozen_now + dt.timedelta(days=1)), "slip_count": "1"})
    assert r.status_code == 422

    intake = {"complainant_surname": "赵", "kind": "suggestion", "channel": "suggestion_box", "source": "project",
              "urgency": "normal", "content": "意见箱：建议增加绿化", "people_count": "1",
              "suggestion_box_opening": str(opening.pk)}
    assert 'name="suggestion_box_opening"' in desk.get(reverse("tickets:intake")).content.decode()
    r = desk.post(reverse("tickets:intake"), intake)
    assert r.status_code == 302, r.content.decode()[:800]
    assert Ticket.objects.get(content="意见箱：建议增加绿化").suggestion_box_opening == opening
    r = Api(cast.front_desk).post(URL, {"project": cast.project.pk, "channel": "suggestion_box", "kind": "complaint",
                                        "content": "意见箱：噪音", "complainant_surname": "钱",
                                        "suggestion_box_opening": opening.pk})
    assert r.status_code == 201, r.content
    assert Ticket.objects.get(pk=r.json()["id"]).suggestion_box_opening == opening
    foreign = SuggestionBoxOpening.objects.create(project=cast.other_project, opened_at=frozen_now,
                                                  local_date=frozen_now.date(), opened_by=cast.front_desk,
                                                  recorded_by=cast.front_desk, recorded_at=frozen_now)
    r = Api(cast.front_desk).post(URL, {"project": cast.project.pk, "channel": "suggestion_box", "content": "x",
                                        "complainant_surname": "孙", "suggestion_box_opening": foreign.pk})
    assert r.status_code == 422 and "suggestion_box_opening" in r.json()["error"]["fields"]

    with django_assert_max_num_queries(20):  # one opening or thirty: the same queries
        html = desk.get(page_url).content.decode()
    assert html.count('data-testid="box-opening"') == 1 and ">2026-11-23</span>" not in html
    assert Ticket.objects.get(content="意见箱：噪音").number in html


def test_r_m1_05_intake_ends_with_an_apology_or_thanks_recorded_on_page_and_api(
        cast: Any, policies: Any, frozen_now: dt.datetime) -> None:
    """The intake form ends with the apology / thank-you to the customer; the choice is kept on the
    ticket and shown; the API takes the same field and refuses anything else."""
    desk = _page(cast.front_desk, cast.project)
    assert 'data-testid="courtesy"' in desk.get(reverse("tickets:intake")).content.decode()
    data = {"complainant_surname": "王", "phone": "13800138888", "kind": "complaint", "channel": "visit",
            "source": "project", "urgency": "normal", "content": "来访：楼道堆物", "people_count": "1",
            "agreed_feedback_at": _local(frozen_now + dt.timedelta(hours=4)), "courtesy": "apology"}
    assert desk.post(reverse("tickets:intake"), data).status_code == 302
    t = Ticket.objects.get(content="来访：楼道堆物")
    assert t.courtesy == "apology"
    assert "已向顾客致歉" in desk.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    body = {"project": cast.project.pk, "channel": "letter", "kind": "praise", "content": "表扬保安",
            "complainant_surname": "李", "courtesy": "thanks"}
    r = Api(cast.front_desk).post(URL, body)
    assert r.status_code == 201 and Ticket.objects.get(pk=r.json()["id"]).courtesy == "thanks"
    assert Api(cast.front_desk).post(URL, {**body, "courtesy": "bow"}).status_code == 422


def test_r_m1_06_r_m1_21_r_m2_20_r_m2_17_ticket_prints_in_each_layout_on_page_and_api(
        cast: Any, policies: Any, frozen_now: dt.datetime) -> None:
    """One ticket prints as 顾客投诉信息登记表 (篇3), 《用户投诉记录》 (篇5) and, once listed, as the
    《顾客投诉处理记录表》 with its named handler — from the ticket page's links and through the API; each
    print is in the read log."""
    t = receive(cast, content="楼道灯不亮，已三天", courtesy="apology")
    desk = _page(cast.front_desk)
    detail = desk.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="print-register"' in detail and 'data-testid="print-record-form"' not in detail
    form_url = reverse("reports:form_ticket", args=[t.pk])
    # R-M1-21: the receiver conveys it to the department (派工); the register shows who received it, when,
    # and when and to whom it was passed on
    r = Api(cast.front_desk).post(f"{URL}/{t.pk}/dispatch", {"department": cast.eng_dept.pk, "assignee": cast.worker.pk})
    assert r.status_code == 200, r.content
    html = desk.get(form_url, {"layout": "register"}).content.decode()
    assert "顾客投诉信息登记表" in html and 'data-testid="register-rows"' in html and "已向顾客致歉" in html
    conveyed = html.split("转交处理")[1][:300]
    assert str(cast.eng_dept) in conveyed and "2026-11-23 10:00" in conveyed and str(cast.front_desk) in html
    html = desk.get(form_url, {"layout": "user_record"}).content.decode()
    assert "用户投诉记录" in html and "回访" in html and 'data-testid="register-rows"' not in html
    r = Api(cast.supervisor).post(f"{URL}/{t.pk}/record-form", {"handler_id": cast.worker.pk, "reason": "需更换线路"})
    assert r.status_code == 200, r.content
    detail = desk.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="print-record-form"' in detail
    html = desk.get(form_url, {"layout": "record_form"}).content.decode()
    assert "顾客投诉处理记录表" in html and 'data-testid="record-form-rows"' in html
    assert str(cast.worker) in html and "需更换线路" in html
    r = Api(cast.front_desk).get(f"/api/v1/reports/forms/ticket/{t.pk}", layout="user_record")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    screens = set(CustomerDataAccessLog.objects.values_list("screen", flat=True))
    assert any("用户投诉记录" in s for s in screens) and any("顾客投诉处理记录表" in s for s in screens)


def test_r_m1_11_reminder_covers_friday_and_weekend_days_at_monday_start(cast: Any, policies: Any) -> None:
    """A receipt on Friday and one on Saturday, neither confirmed: the Monday sweep in working hours reminds
    the receiver of both days (not only Sunday), once; the sweep is in the beat schedule."""
    friday = dt.datetime(2026, 11, 20, 15, 0, tzinfo=clock.SHANGHAI)
    saturday = dt.datetime(2026, 11, 21, 11, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(friday):
        receive(cast, now=friday)
    with clock.frozen(saturday):
        receive(cast, now=saturday, content="周六来电")
    monday = dt.datetime(2026, 11, 23, 10, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(monday):
        assert sweeps.run(monday).reminders == 2
        assert sweeps.run(monday).reminders == 0
    days = set(DailyInventory.objects.filter(receiver=cast.front_desk, reminded_at__isnull=False)
               .values_list("day", flat=True))
    assert days == {friday.date(), saturday.date()}
    assert any(v["task"] == "apps.tickets.tasks.tickets_sweep" for v in settings.CELERY_BEAT_SCHEDULE.values())
    assert TicketEvent.objects.exists()
