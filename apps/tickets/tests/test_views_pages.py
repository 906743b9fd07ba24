"""Ticket pages (issue 4 items 3, 7, 9): every page renders, intake and each action via POST work
and refuse bad input with Chinese messages without writing anything."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.core.tests import samples
from apps.tickets.models import Attachment, Reply, Ticket, TicketEvent
from linli import clock

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def local(moment: dt.datetime) -> str:
    return clock.local(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def desk(cast: Any) -> Client:
    return login(cast.front_desk)


def intake_data(**over: Any) -> dict[str, Any]:
    now = clock.now()
    data = {"complainant_surname": "王", "phone": "13800138888", "kind": "complaint", "channel": "phone",
            "source": "project", "urgency": "normal", "content": "楼道灯不亮", "people_count": "1",
            "agreed_feedback_at": local(now + dt.timedelta(hours=4))}
    data.update(over)
    return data


def test_every_page_renders(cast: Any, desk: Client, make_ticket: Any, policies: Any) -> None:
    t = make_ticket()
    for name in ("tickets:list", "tickets:intake", "tickets:queue_department", "tickets:queue_verification",
                 "tickets:queue_return_visit", "tickets:inventory", "tickets:inventory_print"):
        r = desk.get(reverse(name))
        assert r.status_code == 200, name
    r = desk.get(reverse("tickets:detail", args=[t.pk]))
    assert r.status_code == 200
    assert t.number in r.content.decode()
    assert 'data-testid="deadline"' in r.content.decode()


def test_R_M1_05_intake_form_records_the_ticket(cast: Any, desk: Client, households: Any, policies: Any,
                                                frozen_now: Any) -> None:
    """R-M1-05/R-M1-09: surname, household, phone, event, wish, agreed feedback time are recorded."""
    hh = households["1502"]
    r = desk.post(reverse("tickets:intake"), intake_data(household=hh.pk, desired_outcome="尽快修好",
                                                         people_count="3", media_or_litigation_risk="on"))
    assert r.status_code == 302, r.content.decode()[:2000]
    t = Ticket.objects.get()
    assert (t.household, t.complainant_surname, t.desired_outcome, t.people_count, t.collective) == (
        hh, "王", "尽快修好", 3, True)
    assert t.media_or_litigation_risk and t.receiver == cast.front_desk
    assert t.agreed_feedback_at == frozen_now + dt.timedelta(hours=4)
    assert r["Location"] == reverse("tickets:detail", args=[t.pk])


def test_R_M1_09_intake_refuses_missing_feedback_time_in_chinese(cast: Any, desk: Client, policies: Any) -> None:
    r = desk.post(reverse("tickets:intake"), intake_data(agreed_feedback_at=""))
    assert r.status_code == 422
    assert "约定反馈时间" in r.content.decode()
    assert Ticket.objects.count() == 0


def test_intake_refuses_empty_event_and_future_received_time(cast: Any, desk: Client, policies: Any) -> None:
    future = local(clock.now() + dt.timedelta(days=1))
    r = desk.post(reverse("tickets:intake"), intake_data(content="", received_at=future))
    assert r.status_code == 422
    body = r.content.decode()
    assert "受理时间不能晚于现在" in body and "这个字段是必填项" in body or "必填" in body
    assert Ticket.objects.count() == 0


def test_T_02_letter_keyed_in_later_keeps_its_earlier_received_time(cast: Any, desk: Client, policies: Any,
                                                                     frozen_now: Any) -> None:
    earlier = frozen_now - dt.timedelta(days=2)
    r = desk.post(reverse("tickets:intake"), intake_data(channel="letter", agreed_feedback_at="",
                                                         received_at=local(earlier)))
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert t.received_at == earlier and t.recorded_at == frozen_now


def test_intake_refuses_a_household_of_another_project(cast: Any, desk: Client, households: Any,
                                                       policies: Any) -> None:
    r = desk.post(reverse("tickets:intake"), intake_data(household=households["other"].pk))
    assert r.status_code == 422
    assert "房屋不存在或不属于该项目" in r.content.decode()
    assert Ticket.objects.count() == 0


def test_household_lookup_by_room_and_phone_tail(cast: Any, desk: Client, households: Any) -> None:
    r = desk.get(reverse("tickets:household_lookup"), {"lookup": "1502"})
    body = r.content.decode()
    assert "5栋2单元1502" in body and "1栋1502" not in body  # never another project's household
    assert "王**" in body and "13800138888" not in body
    r = desk.get(reverse("tickets:household_lookup"), {"lookup": "5678"})
    assert "5栋2单元0801" in r.content.decode()


def test_similar_open_tickets_of_the_household_are_shown(cast: Any, desk: Client, households: Any,
                                                         make_ticket: Any, policies: Any) -> None:
    t = make_ticket(household=households["1502"])
    r = desk.get(reverse("tickets:similar"), {"household": households["1502"].pk})
    assert t.number in r.content.decode()
    r = desk.get(reverse("tickets:similar"), {"household": households["0801"].pk})
    assert 'data-testid="similar-none"' in r.content.decode()


def test_list_filters_and_sort_by_due(cast: Any, desk: Client, make_ticket: Any, policies: Any,
                                      frozen_now: Any) -> None:
    a = make_ticket(content="甲", agreed_feedback_at=frozen_now + dt.timedelta(hours=8))
    b = make_ticket(content="乙", kind="repair", agreed_feedback_at=frozen_now + dt.timedelta(hours=1))
    r = desk.get(reverse("tickets:list"), {"kind": "repair"})
    body = r.content.decode()
    assert b.number in body and a.number not in body
    r = desk.get(reverse("tickets:list"), {"sort": "due"})
    body = r.content.decode()
    assert body.index(b.number) < body.index(a.number)
    with clock.frozen(frozen_now + dt.timedelta(hours=3)):
        r = desk.get(reverse("tickets:list"), {"overdue": "yes"})
    body = r.content.decode()
    assert b.number in body and a.number not in body
    r = desk.get(reverse("tickets:list"), {"due_before": local(frozen_now + dt.timedelta(hours=2))})
    assert b.number in r.content.decode() and a.number not in r.content.decode()
    r = desk.get(reverse("tickets:list"), {"project": cast.other_project.pk})
    assert a.number not in r.content.decode()


def test_list_htmx_returns_only_rows(cast: Any, desk: Client, make_ticket: Any, policies: Any) -> None:
    t = make_ticket()
    r = desk.get(reverse("tickets:list"), HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert t.number in body and "<html" not in body


def test_saved_views(cast: Any, desk: Client) -> None:
    r = desk.post(reverse("tickets:saved_view_create"), {"name": "超时投诉", "query_string": "kind=complaint&overdue=yes&page=3"})
    assert r.status_code == 302
    r = desk.get(reverse("tickets:list"))
    assert "超时投诉" in r.content.decode() and "kind=complaint&amp;overdue=yes" in r.content.decode()
    view = cast.front_desk.saved_ticket_views.get()
    assert "page" not in view.query_string
    other = login(cast.butler)
    assert other.post(reverse("tickets:saved_view_delete", args=[view.pk])).status_code == 404
    assert desk.post(reverse("tickets:saved_view_delete", args=[view.pk])).status_code == 302
    assert not cast.front_desk.saved_ticket_views.exists()


def test_another_projects_ticket_is_404(cast: Any, make_ticket: Any, policies: Any) -> None:
    t = make_ticket()
    outsider = login(cast.outsider)
    assert outsider.get(reverse("tickets:detail", args=[t.pk])).status_code == 404
    assert outsider.post(reverse("tickets:action", args=[t.pk, "void"]), {"reason": "x"}).status_code == 404


def act(client: Client, t: Ticket, action: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return client.post(reverse("tickets:action", args=[t.pk, action]), data or {}, **kw)


def test_full_pipeline_through_the_action_panels(cast: Any, desk: Client, make_ticket: Any, policies: Any,
                                                 settings: Any, tmp_path: Any) -> None:
    """R-M2-01 dispatch/handling, R-M2-13 reply, R-M4-01 verification, R-M4-07 return visit, R-M2-18 close."""
    settings.MEDIA_ROOT = str(tmp_path)
    t = make_ticket()
    worker, sup = login(cast.worker), login(cast.supervisor)
    assert act(desk, t, "dispatch", {"department": cast.eng_dept.pk, "assignee": cast.worker.pk}).status_code == 302
    assert act(worker, t, "accept").status_code == 302
    photo = SimpleUploadedFile("site.jpg", samples.jpeg(), content_type="image/jpeg")
    r = act(worker, t, "handling", {"investigation": "灯管坏", "measures": "更换", "result": "已更换", "done": "on",
                                    "attachment": photo, "caption": "现场照片"})
    assert r.status_code == 302
    assert Attachment.objects.filter(ticket=t, caption="现场照片").exists()
    assert act(desk, t, "reply", {"kind": "result", "channel": "phone", "content": "已更换",
                                  "owner_response": "agree"}).status_code == 302
    assert act(sup, t, "verify", {"passed": "pass", "notes": "已落实"}).status_code == 302
    assert act(desk, t, "return_visit", {"method": "phone", "reached": "yes", "satisfaction": "satisfied",
                                         "owner_words": "满意"}).status_code == 302
    r = act(desk, t, "close", {})  # R-M2-21: the reply to the 管理处主任 is still missing
    assert r.status_code == 409 and "须同时向管理处主任回复处理结果" in r.content.decode()
    assert act(desk, t, "reply", {"recipient": "project_manager", "kind": "result", "channel": "in_person",
                                  "content": "已更换灯管，业主满意", "owner_response": "pending"}).status_code == 302
    assert act(desk, t, "close", {}).status_code == 302
    t.refresh_from_db()
    assert t.status == "closed"
    page = desk.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert page.count('data-testid="event"') >= 7


def test_R_M4_02_verification_fail_needs_an_order(cast: Any, make_ticket: Any, policies: Any) -> None:
    from apps.tickets.tests.helpers import to_replied

    t = to_replied(cast, make_ticket(), clock.now())
    sup = login(cast.supervisor)
    r = act(sup, t, "verify", {"passed": "fail", "notes": ""})
    assert r.status_code == 422 and "整改指令" in r.content.decode()
    t.refresh_from_db()
    assert t.status == "replied" and not t.verifications.exists()


def test_R_M4_01_desk_cannot_verify(cast: Any, desk: Client, make_ticket: Any, policies: Any) -> None:
    from apps.tickets.tests.helpers import to_replied

    t = to_replied(cast, make_ticket(), clock.now())
    r = act(desk, t, "verify", {"passed": "pass"})
    assert r.status_code == 403
    assert "主管以上" in r.content.decode()
    t.refresh_from_db()
    assert t.status == "replied"


def test_wrong_state_is_refused_with_409(cast: Any, desk: Client, make_ticket: Any, policies: Any) -> None:
    t = make_ticket()
    events = TicketEvent.objects.filter(ticket=t).count()
    r = act(desk, t, "close", {"result": "x"})
    assert r.status_code == 409
    assert "不能变为" in r.content.decode() or "须先" in r.content.decode()
    assert TicketEvent.objects.filter(ticket=t).count() == events


def test_hand_back_and_reassign(cast: Any, desk: Client, make_ticket: Any, policies: Any) -> None:
    t = make_ticket()
    act(desk, t, "dispatch", {"department": cast.eng_dept.pk})
    assert act(desk, t, "dispatch", {"department": cast.security_dept.pk}).status_code == 302
    t.refresh_from_db()
    assert t.department == cast.security_dept and t.dispatches.filter(active=True).count() == 1
    r = act(desk, t, "hand_back", {"reason": ""})
    assert r.status_code == 422
    assert act(desk, t, "hand_back", {"reason": "不是本部门"}).status_code == 302
    t.refresh_from_db()
    assert t.status == "received"


def test_R_M2_08_letter_reply_is_a_draft_until_reviewed(cast: Any, desk: Client, make_ticket: Any,
                                                        policies: Any) -> None:
    t = make_ticket()
    r = act(desk, t, "reply", {"kind": "measures", "channel": "letter", "content": "函复", "owner_response": "pending"})
    assert r.status_code == 302
    reply = Reply.objects.get(ticket=t)
    assert reply.sent_at is None
    r = act(desk, t, "send", {"reply": reply.pk, "owner_response": "pending"})
    assert r.status_code == 409 and "审核" in r.content.decode()
    assert 'data-testid="action-review"' not in desk.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    q = login(cast.quality_inspector)
    assert 'data-testid="action-review"' in q.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert act(q, t, "review", {"reply": reply.pk, "department": "quality", "approved": "yes"}).status_code == 302


def test_R_M2_24_compensation_claim_and_approval(cast: Any, desk: Client, make_ticket: Any, policies: Any) -> None:
    t = make_ticket()
    assert act(desk, t, "claim", {"amount": "-5", "content": "赔"}).status_code == 422
    assert act(desk, t, "claim", {"amount": "300", "content": "泡坏地板"}).status_code == 302
    claim = t.compensation_claims.get()
    r = act(login(cast.project_manager), t, "decide", {"claim": claim.pk, "approve": "no", "note": ""})
    assert r.status_code == 422 and "理由" in r.content.decode()
    assert act(login(cast.project_manager), t, "decide", {"claim": claim.pk, "approve": "yes"}).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.approved_amount) == ("approved", 300)
    act(desk, t, "claim", {"amount": "8000", "content": "更换整套家具"})
    big = t.compensation_claims.get(amount=8000)
    r = act(login(cast.cs_manager), t, "decide", {"claim": big.pk, "approve": "yes"})
    assert r.status_code == 403 and "审批权限" in r.content.decode()  # P-11: cs_manager up to ¥2000
    big.refresh_from_db()
    assert big.status == "pending"
    assert act(login(cast.cs_manager), t, "refer", {"claim": big.pk, "note": "报地产客服中心"}).status_code == 302


def test_R_M2_03_developer_transfer_and_owner_update(cast: Any, desk: Client, make_ticket: Any,
                                                     policies: Any) -> None:
    t = make_ticket()
    assert act(desk, t, "transfer", {"content": ""}).status_code == 422
    assert act(desk, t, "transfer", {"content": "外墙渗水，请地产处理", "document_no": "YG-2026-01"}).status_code == 302
    assert act(desk, t, "owner_update", {"channel": "phone", "content": "地产已安排勘察"}).status_code == 302
    assert act(desk, t, "developer_result", {"result": "地产已修补外墙"}).status_code == 302
    t.refresh_from_db()
    assert t.status == "handled" and t.owner_updates.count() == 1


def test_R_M2_14_escalate_to_quality(cast: Any, make_ticket: Any, policies: Any) -> None:
    t = make_ticket()
    sup = login(cast.supervisor)
    assert act(sup, t, "escalate", {"reason": "管理处无法按时处理"}).status_code == 302
    t.refresh_from_db()
    assert t.held_by_quality
    r = act(sup, t, "dispatch", {"department": cast.eng_dept.pk})
    assert r.status_code == 409 and "品质管理部" in r.content.decode()


def test_R_M4_05_exemption_and_R_M2_16_unresolved_close(cast: Any, make_ticket: Any, policies: Any) -> None:
    from apps.tickets.tests.helpers import to_verified

    t = to_verified(cast, make_ticket(), clock.now())
    sup = login(cast.supervisor)
    r = act(sup, t, "exempt", {"exemption": "sensitive", "note": ""})
    assert r.status_code == 422 and "理由" in r.content.decode()
    assert act(sup, t, "exempt", {"exemption": "sensitive", "note": "涉及邻里隐私"}).status_code == 302
    t2 = make_ticket()
    r = act(sup, t2, "close", {"unresolved": "on", "analysis": "", "measures": ""})
    assert r.status_code == 422
    assert act(sup, t2, "close", {"unresolved": "on", "analysis": "市政管网", "measures": "定期告知"}).status_code == 302
    t2.refresh_from_db()
    assert t2.status == "unresolved"


def test_R_M4_12_return_visit_attempts_until_unreachable(cast: Any, desk: Client, make_ticket: Any,
                                                         policies: Any) -> None:
    from apps.tickets.tests.helpers import to_verified

    t = to_verified(cast, make_ticket(), clock.now())
    data = {"method": "phone", "reached": "no"}
    assert act(desk, t, "return_visit", {**data, "give_up": "on"}).status_code == 409
    for _ in range(2):
        assert act(desk, t, "return_visit", data).status_code == 302
    assert act(desk, t, "return_visit", {**data, "give_up": "on"}).status_code == 302
    t.refresh_from_db()
    assert t.status == "return_visited" and t.return_visits.get().attempts.count() == 3


def test_void_needs_a_reason_and_keeps_the_ticket(cast: Any, make_ticket: Any, policies: Any) -> None:
    t = make_ticket()
    sup = login(cast.supervisor)
    assert act(sup, t, "void", {"reason": ""}).status_code == 422
    assert act(sup, t, "void", {"reason": "重复录入"}).status_code == 302
    t.refresh_from_db()
    assert t.status == "voided" and t.void_reason == "重复录入"


def test_queues_show_the_right_tickets(cast: Any, make_ticket: Any, policies: Any) -> None:
    from apps.tickets.tests.helpers import to_replied, to_verified

    now = clock.now()
    dispatched = make_ticket()
    act(login(cast.front_desk), dispatched, "dispatch", {"department": cast.eng_dept.pk})
    replied = to_replied(cast, make_ticket(), now)
    verified = to_verified(cast, make_ticket(), now)
    head = login(cast.eng_head)
    body = head.get(reverse("tickets:queue_department")).content.decode()
    assert dispatched.number in body and replied.number not in body
    body = login(cast.supervisor).get(reverse("tickets:queue_verification")).content.decode()
    assert replied.number in body and verified.number not in body
    body = login(cast.front_desk).get(reverse("tickets:queue_return_visit")).content.decode()
    assert verified.number in body and replied.number not in body


def test_R_M1_11_inventory_page_and_confirmation(cast: Any, desk: Client, make_ticket: Any, policies: Any) -> None:
    t = make_ticket()
    body = desk.get(reverse("tickets:inventory")).content.decode()
    assert t.number in body and 'data-testid="inventory-receiver"' in body
    r = desk.post(reverse("tickets:inventory_confirm"), {"day": clock.today().isoformat()})
    assert r.status_code == 302
    from apps.tickets.models import DailyInventory

    row = DailyInventory.objects.get(receiver=cast.front_desk)
    assert row.ticket_count == 1 and row.confirmed_at is not None
    body = desk.get(reverse("tickets:inventory_print")).content.decode()
    assert t.number in body and "data-print" in body  # linli.js opens the print dialog (CSP: no inline handler)


def test_company_level_user_filters_by_project(cast: Any, make_ticket: Any, policies: Any) -> None:
    t = make_ticket()
    quality = login(cast.quality_inspector)
    body = quality.get(reverse("tickets:list")).content.decode()
    assert t.number in body and 'name="project"' in body and "翠湖苑" in body
    body = quality.get(reverse("tickets:list"), {"project": cast.other_project.pk}).content.decode()
    assert t.number not in body


def test_resent_intake_form_files_one_ticket(cast: Any, desk: Client, policies: Any) -> None:
    """A double-clicked or re-sent intake form (same one-time key) never creates a second ticket."""
    page = desk.get(reverse("tickets:intake")).content.decode()
    import re

    found = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page)
    assert found is not None
    key = found.group(1)
    first = desk.post(reverse("tickets:intake"), intake_data(submission_key=key))
    again = desk.post(reverse("tickets:intake"), intake_data(submission_key=key))
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Ticket.objects.count() == 1


def test_R_M1_09_resolved_on_the_spot_from_the_intake_page(cast: Any, desk: Client, policies: Any) -> None:
    """R-M1-09 "handle at once": no feedback time needed, the result is recorded as an agreed reply."""
    r = desk.post(reverse("tickets:intake"), intake_data(agreed_feedback_at="", resolved_on_spot="on",
                                                         handling_result=""))
    assert r.status_code == 422 and "当场处理完毕须填写处理结果" in r.content.decode()
    r = desk.post(reverse("tickets:intake"), intake_data(agreed_feedback_at="", resolved_on_spot="on",
                                                         handling_result="已电话指导业主复位电闸"))
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert t.status == "replied" and t.replies.get().owner_response == "agree"
