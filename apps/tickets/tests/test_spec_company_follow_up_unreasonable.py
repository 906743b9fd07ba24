"""POLICY P-13 with R-M4-03 (品质管理部 verifies a company-level complaint after the 管理处, or does the
return visit — company data on the 工单口径 settings page), and R-M2-15 / R-M2-26 (the side exit
不合理投诉——已解释), through the ticket page and the REST API as the roles the rules name."""
from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets import actions
from apps.tickets.models import Ticket, TicketEvent, TicketPolicy
from apps.tickets.tests.helpers import reply_to_manager, to_verified
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"
VISIT = {"method": "phone", "reached": True, "satisfaction": "satisfied", "owner_words": "满意"}


def _page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _online(make_ticket: Any, cast: Any, content: str = "论坛发帖：小区垃圾清运不及时") -> Ticket:
    """An online complaint: company level under P-10's default (篇4); verified by the 管理处 and
    return-visited by 品质管理部 (R-M4-04)."""
    t = make_ticket(channel="online", agreed_feedback_at=None, online_url="https://bbs.example.com/9",
                    content=content)
    to_verified(cast, t, clock.now())
    actions.record_return_visit(ticket=t, method="phone", reached=True, satisfaction="satisfied",
                                owner_words="满意", acting_user=cast.quality_inspector, now=clock.now())
    reply_to_manager(cast, t, clock.now())
    return t


def test_R_M4_03_P_13_quality_verifies_company_level_complaint_page_and_api(cast: Any, api: Any, make_ticket: Any,
                                                                          policies: Any) -> None:
    """P-13 default (篇4): after the 管理处's verification 品质管理部 verifies too. Until it does the
    complaint cannot close (API 409); the project's supervisor cannot give the company verification
    (403); 品质管理部 gives it on the ticket page, then the close goes through."""
    t = _online(make_ticket, cast)
    quality = _page(cast.quality_inspector)
    detail = quality.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="ticket-company-verification-pending"' in detail
    r = api(cast.front_desk).post(f"{URL}/{t.pk}/close", {})
    assert r.status_code == 409 and "company_verification" in r.json()["error"]["fields"]
    r = api(cast.supervisor).post(f"{URL}/{t.pk}/verification", {"passed": True, "notes": "再看一次"})
    assert r.status_code == 403
    r = quality.post(reverse("tickets:action", args=[t.pk, "verify"]),
                     {"passed": "pass", "notes": "已核对管理处验证记录，纠正措施已落实"})
    assert r.status_code == 302
    v = t.verifications.get(level="company")
    assert v.passed and v.verifier == cast.quality_inspector
    detail = quality.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert "品质管理部验证" in detail and 'data-testid="ticket-company-verification-pending"' not in detail
    r = api(cast.front_desk).post(f"{URL}/{t.pk}/close", {})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    body = api(cast.quality_inspector).get(f"{URL}/{t.pk}").json()
    assert [x["level"] for x in body["verifications"]] == ["project", "company"]


def test_R_M4_03_P_13_failed_company_verification_reopens_through_the_api(cast: Any, api: Any, make_ticket: Any,
                                                                         policies: Any) -> None:
    """品质管理部's failed verification needs its order (422 without) and sends the complaint back to handling."""
    t = _online(make_ticket, cast)
    quality = api(cast.quality_inspector)
    r = quality.post(f"{URL}/{t.pk}/verification", {"passed": False})
    assert r.status_code == 422 and "order" in r.json()["error"]["fields"]
    r = quality.post(f"{URL}/{t.pk}/verification", {"passed": False, "order": "垃圾房仍未按时清运，重新整改"})
    assert r.status_code == 200 and r.json()["status"] == "reopened" and r.json()["reopen_count"] == 1


def test_P_13_company_follow_up_is_company_data_on_the_settings_page(cast: Any, api: Any, make_ticket: Any,
                                                                    policies: Any) -> None:
    """The company's 系统管理员 sets P-13 to 篇3 (品质管理部 does the return visit) on the 工单口径 settings
    page: the company verification is no longer asked; a project override back to 篇4 (settings API) asks it again."""
    admin = _page(cast.sysadmin)
    assert admin.get("/org/settings/ticket-policy/").status_code == 200
    r = admin.post("/org/settings/ticket-policy/", {
        "close_needs_manager_reply": "on", "no_contact_exemption": "any_channel", "quality_owns": "b4",
        "company_follow_up": "return_visit", "reason": "按篇3由品质管理部回访"})
    assert r.status_code == 302
    assert TicketPolicy.objects.get(company=cast.company, project=None).company_follow_up == "return_visit"
    t = _online(make_ticket, cast)
    r = api(cast.front_desk).post(f"{URL}/{t.pk}/close", {})
    assert r.status_code == 200, r.content
    # the 系统管理员 sets it back to 篇4 for the project through the settings API
    pm = api(cast.sysadmin)
    r = pm.client.put(f"/api/v1/org/settings/ticket-policy?project_id={cast.project.pk}", json.dumps({
        "reason": "本项目仍由品质管理部验证", "values": {
            "close_needs_manager_reply": True, "count_internal_staff_complaints": False,
            "no_contact_exemption": "any_channel", "quality_owns": "b4", "company_follow_up": "verify"}}),
        content_type="application/json", **pm._headers(None))
    assert r.status_code == 200, r.content
    other = _online(make_ticket, cast, content="网帖：电梯频繁故障")
    r = api(cast.front_desk).post(f"{URL}/{other.pk}/close", {})
    assert r.status_code == 409 and "company_verification" in r.json()["error"]["fields"]


# ---------------------------------------------------------------- R-M2-15, R-M2-26


def _handled(cast: Any, make_ticket: Any, content: str = "要求物业赔偿自家装修造成的墙面开裂") -> Ticket:
    t = make_ticket(content=content)
    now = clock.now()
    d = actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker,
                                acting_user=cast.front_desk, now=now)
    actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=now)
    actions.record_handling(ticket=t, investigation="开裂系业主自行改动承重墙所致", measures="向业主说明原因",
                            result="不属物业责任，已解释", done=True, acting_user=cast.worker, now=now)
    t.refresh_from_db()
    return t


def test_R_M2_15_R_M2_26_unreasonable_complaint_ends_as_explained_through_the_api(cast: Any, api: Any,
                                                                                 make_ticket: Any,
                                                                                 policies: Any) -> None:
    """The customer does not accept the explanation (the ticket falls back to 已处理): a supervisor ends it
    as 不合理投诉——已解释 with the reason; who, when and why are kept. Refused: the front desk (403),
    no reason (422), a complaint without a sent explanation (409)."""
    t = _handled(cast, make_ticket)
    desk, sup = api(cast.front_desk), api(cast.supervisor)
    r = desk.post(f"{URL}/{t.pk}/replies", {"kind": "explanation", "channel": "in_person",
                                             "content": "经查看，墙面开裂系装修改动所致，依据管理规约物业不承担",
                                             "owner_response": "disagree", "owner_words": "不接受"})
    assert r.status_code == 200 and r.json()["status"] == "handled"
    assert desk.post(f"{URL}/{t.pk}/close", {"unreasonable": True, "reason": "x"}).status_code == 403
    r = sup.post(f"{URL}/{t.pk}/close", {"unreasonable": True})
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    other = _handled(cast, make_ticket, content="要求物业承担邻居漏水损失")
    r = sup.post(f"{URL}/{other.pk}/close", {"unreasonable": True, "reason": "责任在邻居"})
    assert r.status_code == 409 and Ticket.objects.get(pk=other.pk).status == "handled"
    r = sup.post(f"{URL}/{t.pk}/close", {"unreasonable": True, "reason": "业主要求超出物业服务合同范围，已耐心解释"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["status"] == "closed" and data["unreasonable_close"] is True
    assert data["unreasonable_reason"] == "业主要求超出物业服务合同范围，已耐心解释"
    t.refresh_from_db()
    assert t.closed_by == cast.supervisor and t.closed_at is not None and t.unreasonable
    event = TicketEvent.objects.filter(ticket=t, kind="closed").get()
    assert event.acting_user == cast.supervisor and "不合理投诉——已解释" in event.message


def test_R_M2_15_unreasonable_close_on_the_ticket_page(cast: Any, make_ticket: Any, policies: Any) -> None:
    """The close panel's 不合理投诉——已解释 choice, as a supervisor on the ticket page; the page shows the
    outcome with who and why. Without a reason the panel re-renders with the Chinese message."""
    t = _handled(cast, make_ticket)
    actions.record_reply(ticket=t, kind="explanation", channel="in_person", content="依据管理规约耐心解释",
                         owner_response="agree", acting_user=cast.front_desk, now=clock.now())
    sup = _page(cast.supervisor)
    url = reverse("tickets:action", args=[t.pk, "close"])
    r = sup.post(url, {"unreasonable": "on"})
    assert r.status_code == 422 and "请填写判定为不合理投诉的理由" in r.content.decode()
    r = sup.post(url, {"unreasonable": "on", "reason": "诉求无合同依据，已解释"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == "closed" and t.unreasonable_close
    page = sup.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="ticket-unreasonable-close"' in page and "诉求无合同依据，已解释" in page
