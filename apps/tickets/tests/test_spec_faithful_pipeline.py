"""Issue 16 (faithful complaint pipeline): rules walked through the ticket pages and the REST API as
the roles the SPEC names — the 品质管理部's verification queue (R-M4-03, POLICY P-13), …"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import Ticket, TicketPolicy
from apps.tickets.tests.helpers import to_replied, to_verified
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def _page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _numbers(response: Any) -> list[str]:
    return [r["number"] for r in response.json()["results"]]


def _online_verified(make_ticket: Any, cast: Any) -> Ticket:
    """An online complaint (company level under P-10 篇4) verified by the 管理处's supervisor."""
    t = make_ticket(
        channel="online",
        agreed_feedback_at=None,
        online_url="https://bbs.example.com/9",
        content="论坛发帖：小区垃圾清运不及时",
    )
    return to_verified(cast, t, clock.now())


def test_R_M4_03_P_13_company_verification_waits_in_quality_verification_queue(
    cast: Any, api: Any, make_ticket: Any, policies: Any, django_assert_max_num_queries: Any
) -> None:
    """A company-level complaint the 管理处 verified waits in 品质管理部's 待验证 queue (page and API
    ``queue=verification``) until 品质管理部 verifies it; the 管理处's own queue keeps only replied
    tickets; a project replied ticket stays in both."""
    waiting = _online_verified(make_ticket, cast)
    replied = to_replied(cast, make_ticket(content="电梯异响"), clock.now())
    other = to_verified(cast, make_ticket(content="绿化带积水"), clock.now())  # project-level: no second check
    url = reverse("tickets:queue_verification")
    quality = _page(cast.quality_inspector)
    with django_assert_max_num_queries(25):
        html = quality.get(url).content.decode()
    assert f'data-number="{waiting.number}"' in html and f'data-number="{replied.number}"' in html
    assert f'data-number="{other.number}"' not in html
    body = api(cast.quality_inspector).get(URL, queue="verification")
    assert body.status_code == 200 and set(_numbers(body)) == {waiting.number, replied.number}

    html = _page(cast.supervisor).get(url).content.decode()
    assert f'data-number="{waiting.number}"' not in html and f'data-number="{replied.number}"' in html
    assert _numbers(api(cast.supervisor).get(URL, queue="verification")) == [replied.number]

    r = quality.post(
        reverse("tickets:action", args=[waiting.pk, "verify"]), {"passed": "pass", "notes": "纠正措施已落实"}
    )
    assert r.status_code == 302
    assert f'data-number="{waiting.number}"' not in quality.get(url).content.decode()
    assert _numbers(api(cast.quality_inspector).get(URL, queue="verification")) == [replied.number]


def test_R_M4_03_P_13_return_visit_variant_puts_nothing_in_quality_verification_queue(
    cast: Any, api: Any, make_ticket: Any, policies: Any
) -> None:
    """Under 篇3 (品质管理部 does the return visit instead) the verified complaint is not in its 待验证 queue."""
    TicketPolicy.objects.create(company=cast.company, company_follow_up="return_visit")
    waiting = _online_verified(make_ticket, cast)
    html = _page(cast.quality_inspector).get(reverse("tickets:queue_verification")).content.decode()
    assert f'data-number="{waiting.number}"' not in html
    assert waiting.number not in _numbers(api(cast.quality_inspector).get(URL, queue="verification"))


# ---------------------------------------------------------------- 工单口径: a project's override (P-13, P-07 …)

POLICY = {
    "close_needs_manager_reply": True,
    "count_internal_staff_complaints": False,
    "no_contact_exemption": "online_only",
    "quality_owns": "b4",
    "company_follow_up": "return_visit",
}


def _put(api: Any, user: Any, url: str, body: dict[str, Any]) -> Any:
    client = api(user)
    return client.client.put(url, json.dumps(body), content_type="application/json", **client._headers(None))


def test_P_13_project_manager_overrides_ticket_policy_on_page_and_api(cast: Any, api: Any, frozen_now: Any) -> None:
    """The 管理处经理 saves a project override of 工单口径 on the page and through the API — with the project
    in the body, the query (as when reading it) or the path (as on the page) — under the same permission
    check (``apps.org.actions.can_change``): the company's value and another project stay refused."""
    pm = _page(cast.project_manager)
    page_url = f"/org/settings/ticket-policy/project/{cast.project.pk}/"
    assert pm.get(page_url).status_code == 200
    r = pm.post(
        page_url,
        {
            **{k: v for k, v in POLICY.items() if v is not False},
            "close_needs_manager_reply": "on",
            "reason": "本项目由品质管理部回访",
        },
    )
    assert r.status_code == 302
    row = TicketPolicy.objects.get(project=cast.project)
    assert row.company_follow_up == "return_visit" and row.company == cast.company
    base = "/api/v1/org/settings/ticket-policy"
    for url, body in (
        (f"{base}?project_id={cast.project.pk}", {}),
        (f"{base}/project/{cast.project.pk}", {}),
        (base, {"project_id": cast.project.pk}),
    ):
        value = "verify" if row.company_follow_up == "return_visit" else "return_visit"
        r = _put(
            api,
            cast.project_manager,
            url,
            {**body, "reason": "按公司要求调整", "values": {**POLICY, "company_follow_up": value}},
        )
        assert r.status_code == 200, (url, r.content)
        assert r.json()["source"] == "project" and r.json()["values"]["company_follow_up"] == value
        row.refresh_from_db()
        assert row.company_follow_up == value
    assert not TicketPolicy.objects.filter(project=None).exists()
    read = api(cast.project_manager).get(f"{base}/project/{cast.project.pk}")
    assert read.status_code == 200 and read.json()["editable"] is True
    # the company's value and another project: refused on the page and in the API alike
    assert pm.post("/org/settings/ticket-policy/", {"reason": "试图改公司设置"}).status_code == 404
    r = _put(api, cast.project_manager, base, {"reason": "试图改公司设置", "values": POLICY})
    assert r.status_code == 403
    r = _put(
        api, cast.project_manager, f"{base}/project/{cast.other_project.pk}", {"reason": "别的项目", "values": POLICY}
    )
    assert r.status_code == 404
    assert (
        pm.post(f"/org/settings/ticket-policy/project/{cast.other_project.pk}/", {"reason": "别的项目"}).status_code
        == 404
    )
    r = _put(
        api,
        cast.project_manager,
        f"{base}?project_id={cast.project.pk}",
        {"project_id": cast.other_project.pk, "reason": "不一致", "values": POLICY},
    )
    assert r.status_code == 422


# ---------------------------------------------------------------- R-M2-02 same-day investigation


def test_R_M2_02_late_investigation_flagged_on_pages_and_api(
    cast: Any, api: Any, make_ticket: Any, policies: Any, django_assert_max_num_queries: Any
) -> None:
    """A complaint not investigated by the end of its intake day is flagged 当日未核实 on the list (and found
    with the filter 当日未调查核实), on its page and in the API (``investigation_late``, filter
    ``investigation=late``); one investigated on time, or received today, is not."""
    import datetime as dt

    from apps.tickets import actions

    now = clock.now()
    yesterday = now - dt.timedelta(days=1)
    later = yesterday + dt.timedelta(hours=6)
    missed = make_ticket(content="昨日投诉：楼下噪音扰民", received_at=yesterday, agreed_feedback_at=later)
    late = make_ticket(content="昨日投诉：地库漏水", received_at=yesterday, agreed_feedback_at=later)
    ok = make_ticket(content="昨日投诉：门禁卡失灵", received_at=yesterday, agreed_feedback_at=later)
    today = make_ticket(content="今日投诉：电梯按键失灵")
    for t, at in ((late, now), (ok, yesterday + dt.timedelta(hours=1))):
        actions.dispatch_ticket(
            ticket=t, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk, now=at
        )
        actions.record_handling(ticket=t, investigation="现场核实情况属实", acting_user=cast.worker, now=at)
    desk = _page(cast.front_desk)
    with django_assert_max_num_queries(25):
        html = desk.get(reverse("tickets:list"), {"investigation": "late"}).content.decode()
    assert f'data-number="{missed.number}"' in html and f'data-number="{late.number}"' in html
    assert f'data-number="{ok.number}"' not in html and f'data-number="{today.number}"' not in html
    assert html.count('data-testid="investigation-late"') == 2
    assert 'data-testid="investigation-late"' in desk.get(reverse("tickets:detail", args=[missed.pk])).content.decode()
    assert 'data-testid="investigation-late"' not in desk.get(reverse("tickets:detail", args=[ok.pk])).content.decode()

    client = api(cast.front_desk)
    assert set(_numbers(client.get(URL, investigation="late"))) == {missed.number, late.number}
    rows = {r["number"]: r for r in client.get(URL).json()["results"]}
    assert rows[missed.number]["investigation_late"] and rows[late.number]["investigation_late"]
    assert not rows[ok.number]["investigation_late"] and not rows[today.number]["investigation_late"]
    assert client.get(f"{URL}/{late.pk}").json()["investigation_late"] is True


# ---------------------------------------------------------------- R-M2-12 online-reply checklist


def test_R_M2_12_online_reply_sent_only_with_the_whole_checklist_page_and_api(
    cast: Any, api: Any, make_ticket: Any, policies: Any
) -> None:
    """品质管理部's approval of an online reply shows the four checks (sincere, no shifting of
    responsibility, every issue answered, professionally correct); the reply is sent only once an
    approval confirms all four — refused after a page approval with three, sent after an API approval
    with all four, which the ticket's API shows."""
    t = make_ticket(
        channel="online",
        agreed_feedback_at=None,
        online_url="https://bbs.example.com/12",
        content="论坛发帖：地库照明不足、保洁不到位",
    )
    desk, quality = _page(cast.front_desk), _page(cast.quality_inspector)
    step = lambda c, a, d: c.post(reverse("tickets:action", args=[t.pk, a]), d)  # noqa: E731
    assert (
        step(
            desk,
            "reply",
            {
                "kind": "measures",
                "channel": "online",
                "content": "已增加照明并调整保洁排班",
                "owner_response": "pending",
            },
        ).status_code
        == 302
    )
    reply = t.replies.get()
    form = quality.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    for label in ("态度诚恳", "没有推诿责任", "已回应业主提出的全部问题", "专业内容正确"):
        assert label in form
    assert (
        step(
            quality,
            "review",
            {
                "reply": reply.pk,
                "department": "quality",
                "approved": "yes",
                "sincere": "on",
                "no_shifting_blame": "on",
                "all_issues_covered": "on",
            },
        ).status_code
        == 302
    )
    r = step(desk, "send", {"reply": reply.pk, "owner_response": "pending"})
    assert r.status_code == 409
    reply.refresh_from_db()
    assert reply.sent_at is None

    desk_api, quality_api = api(cast.front_desk), api(cast.quality_inspector)
    r = desk_api.post(f"{URL}/{t.pk}/replies/{reply.pk}/send", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "review_required"
    r = quality_api.post(
        f"{URL}/{t.pk}/replies/{reply.pk}/reviews",
        {
            "department": "quality",
            "approved": True,
            "sincere": True,
            "no_shifting_blame": True,
            "all_issues_covered": True,
            "professionally_correct": True,
            "note": "回复得体",
        },
    )
    assert r.status_code == 200, r.content
    assert desk_api.post(f"{URL}/{t.pk}/replies/{reply.pk}/send", {}).status_code == 200
    reviews = desk_api.get(f"{URL}/{t.pk}").json()["replies"][0]["reviews"]
    assert [rv["professionally_correct"] for rv in reviews] == [False, True]
    assert all(rv["sincere"] and rv["no_shifting_blame"] and rv["all_issues_covered"] for rv in reviews)


# ---------------------------------------------------------------- R-M1-19 派工单 copied to the area steward


def test_R_M1_19_dispatch_of_a_complaint_is_copied_to_the_area_steward_page_and_api(
    cast: Any, api: Any, make_ticket: Any, households: Any, policies: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The front desk's 派工单 for a complaint (page) and for a consultation (API) goes to the department
    and to the steward (片区管理员) of the household's building: told in the inbox, named on the timeline."""
    from apps.notify.models import Notification

    building = households["1502"].building
    building.steward = cast.butler
    building.save(update_fields=["steward"])
    complaint = make_ticket(household=households["1502"], content="楼上装修噪音")
    consult = make_ticket(household=households["0801"], kind="consultation", content="咨询停车位租赁")
    desk = _page(cast.front_desk)
    with django_capture_on_commit_callbacks(execute=True):
        r = desk.post(reverse("tickets:action", args=[complaint.pk, "dispatch"]), {"department": cast.security_dept.pk})
    assert r.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        r = api(cast.front_desk).post(f"{URL}/{consult.pk}/dispatch", {"department": cast.cs_dept.pk})
    assert r.status_code == 200, r.content
    notes = Notification.objects.filter(recipient=cast.butler).order_by("id")
    assert [n.subject.split(" ")[1][: len(complaint.number)] for n in notes] == [complaint.number, consult.number]
    assert all(n.subject.startswith("派工单抄送") for n in notes)
    for t in (complaint, consult):
        timeline = [e["summary"] for e in api(cast.front_desk).get(f"{URL}/{t.pk}").json()["timeline"]]
        assert any("抄送片区管理员" in s for s in timeline)
    assert "抄送片区管理员" in desk.get(reverse("tickets:detail", args=[complaint.pk])).content.decode()


# ---------------------------------------------------------------- R-M1-10 品质管理部's fact check and opinion


def test_R_M1_10_quality_records_fact_check_and_opinion_on_a_government_transfer_page_and_api(
    cast: Any, api: Any, policies: Any
) -> None:
    """A government petition is in 品质管理部's charge from intake; 品质管理部 records its fact check with the
    管理处 and its handling opinion on the ticket page (both required) and again through the API; the
    front desk may not; a complaint not in 品质管理部's charge has no such step."""
    quality_api, desk_api = api(cast.quality_inspector), api(cast.front_desk)
    r = desk_api.post(
        URL,
        {
            "project": cast.project.pk,
            "kind": "complaint",
            "channel": "government_petition",
            "source": "government",
            "content": "12345转来：小区消防通道被占用",
            "complainant_surname": "孙",
            "phone": "13500003333",
        },
    )
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    assert r.json()["held_by_quality"] is True
    quality = _page(cast.quality_inspector)
    url = reverse("tickets:action", args=[tid, "quality_opinion"])
    assert "品质管理部核实与处理意见" in quality.get(reverse("tickets:detail", args=[tid])).content.decode()
    assert (
        "品质管理部核实与处理意见"
        not in _page(cast.front_desk).get(reverse("tickets:detail", args=[tid])).content.decode()
    )
    r = quality.post(url, {"fact_check": "", "opinion": "清理通道"})
    assert r.status_code == 422 and "请填写与管理处或责任部门核实的情况" in r.content.decode()
    assert Ticket.objects.get(pk=tid).quality_opinion_at is None
    r = quality.post(
        url,
        {
            "fact_check": "已与阳光花园管理处核实：地库出口被私家车占用属实",
            "opinion": "管理处当日清理通道，增设禁停标识，品质管理部跟进验证",
        },
    )
    assert r.status_code == 302
    assert "增设禁停标识" in quality.get(reverse("tickets:detail", args=[tid])).content.decode()

    r = desk_api.post(f"{URL}/{tid}/quality-opinion", {"fact_check": "x", "opinion": "y"})
    assert r.status_code == 403
    r = quality_api.post(f"{URL}/{tid}/quality-opinion", {"fact_check": "复核：占用车辆已移走", "opinion": ""})
    assert r.status_code == 422 and "opinion" in r.json()["error"]["fields"]
    r = quality_api.post(
        f"{URL}/{tid}/quality-opinion",
        {"fact_check": "复核：占用车辆已移走", "opinion": "每日巡查消防通道，一周后回访"},
    )
    assert r.status_code == 200, r.content
    body = quality_api.get(f"{URL}/{tid}").json()
    assert body["quality_opinion"] == "每日巡查消防通道，一周后回访"
    assert body["quality_opinion_by_id"] == cast.quality_inspector.pk
    plain = desk_api.post(
        URL,
        {
            "project": cast.project.pk,
            "kind": "complaint",
            "channel": "letter",
            "content": "楼道灯不亮",
            "complainant_surname": "周",
            "phone": "13500004444",
        },
    ).json()
    r = quality_api.post(f"{URL}/{plain['id']}/quality-opinion", {"fact_check": "x", "opinion": "y"})
    assert r.status_code == 409
