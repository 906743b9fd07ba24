"""R-M2-21: when handling is finished the result is replied to the resident *and* to the 管理处主任; a
normal close needs both sent replies of the current cycle (interpretation; company setting
``TicketPolicy.close_needs_manager_reply``, default on)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets import actions
from apps.tickets.actions import TicketError
from apps.tickets.choices import TicketStatus
from apps.tickets.models import Reply, TicketEvent, TicketPolicy
from apps.tickets.tests.helpers import receive, reply_to_manager, to_replied, to_verified

pytestmark = pytest.mark.django_db


def _return_visited(cast: Any, now: dt.datetime, **kw: Any) -> Any:
    t = to_verified(cast, receive(cast, **kw), now)
    actions.record_return_visit(ticket=t, method="phone", reached=True, satisfaction="satisfied", owner_words="好",
                                acting_user=cast.front_desk, now=now)
    t.refresh_from_db()
    return t


def _close(cast: Any, t: Any, now: dt.datetime) -> Any:
    actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=now)
    t.refresh_from_db()
    return t


def test_r_m2_21_close_refused_without_the_reply_to_the_project_manager(cast: Any, frozen_now: dt.datetime) -> None:
    t = _return_visited(cast, frozen_now)
    events = TicketEvent.objects.filter(ticket=t).count()
    with pytest.raises(TicketError) as exc:
        actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    assert exc.value.status == 409 and exc.value.code == "cannot_close"
    assert set(exc.value.fields) == {"manager_reply"}
    assert exc.value.message == "须同时向管理处主任回复处理结果"
    t.refresh_from_db()
    assert t.status == TicketStatus.RETURN_VISITED and t.closed_at is None  # nothing half-written
    assert TicketEvent.objects.filter(ticket=t).count() == events


def test_r_m2_21_both_replies_missing_are_named(cast: Any, frozen_now: dt.datetime) -> None:
    """Before any result reply both are listed (with the other close blockers)."""
    t = receive(cast)
    d = actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker, acting_user=cast.front_desk,
                                now=frozen_now)
    actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now)
    actions.record_handling(ticket=t, result="已更换灯管", done=True, acting_user=cast.worker, now=frozen_now)
    t.refresh_from_db()
    blockers = actions.close_blockers(t)
    assert {"owner_reply", "manager_reply"} <= set(blockers)
    assert blockers["owner_reply"] == ["须先向业主回复处理结果"]
    # a reply to the 管理处主任 alone does not stand for the reply to the owner
    reply_to_manager(cast, t, frozen_now)
    assert "owner_reply" in actions.close_blockers(t) and "manager_reply" not in actions.close_blockers(t)


def test_r_m2_21_close_allowed_with_both_replies(cast: Any, frozen_now: dt.datetime) -> None:
    t = _return_visited(cast, frozen_now)
    reply = reply_to_manager(cast, t, frozen_now).replies.get(recipient="project_manager")
    assert reply.sent_at == frozen_now and reply.kind == "result" and reply.cycle == 0
    t = _close(cast, t, frozen_now)
    assert t.status == TicketStatus.CLOSED
    assert sorted(t.replies.values_list("recipient", flat=True)) == ["owner", "project_manager"]


def test_r_m2_21_setting_off_keeps_the_old_behaviour(cast: Any, frozen_now: dt.datetime) -> None:
    TicketPolicy.objects.create(company=cast.company, close_needs_manager_reply=False)
    t = _close(cast, _return_visited(cast, frozen_now), frozen_now)
    assert t.status == TicketStatus.CLOSED and not t.replies.filter(recipient="project_manager").exists()


def test_r_m2_21_project_row_overrides_the_company(cast: Any, frozen_now: dt.datetime) -> None:
    TicketPolicy.objects.create(company=cast.company, close_needs_manager_reply=False)
    TicketPolicy.objects.create(company=cast.company, project=cast.project, close_needs_manager_reply=True)
    t = _return_visited(cast, frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    assert "manager_reply" in exc.value.fields


def test_r_m2_21_drafts_do_not_count_until_sent(cast: Any, frozen_now: dt.datetime) -> None:
    t = _return_visited(cast, frozen_now)
    draft = actions.draft_reply(ticket=t, kind="result", channel="letter", recipient="project_manager",
                                content="书面报告处理结果", acting_user=cast.front_desk, now=frozen_now)
    assert draft.sent_at is None
    with pytest.raises(TicketError) as exc:
        actions.close_ticket(ticket=t, acting_user=cast.front_desk, now=frozen_now)
    assert "manager_reply" in exc.value.fields
    actions.send_reply(reply=draft, acting_user=cast.front_desk, now=frozen_now)  # no review for the 主任
    assert _close(cast, t, frozen_now).status == TicketStatus.CLOSED


def test_r_m2_21_only_a_result_reply_of_the_current_cycle_counts(cast: Any, frozen_now: dt.datetime) -> None:
    t = _return_visited(cast, frozen_now)
    actions.record_reply(ticket=t, kind="progress", channel="phone", recipient="project_manager",
                         content="正在处理", acting_user=cast.front_desk, now=frozen_now)
    assert "manager_reply" in actions.close_blockers(t)  # a progress note is not the result
    reply_to_manager(cast, t, frozen_now)
    actions.reopen_ticket(ticket=t, reason="业主反映灯又不亮", acting_user=cast.front_desk, now=frozen_now,
                          agreed_feedback_at=frozen_now + dt.timedelta(hours=4))
    t.refresh_from_db()
    to_replied(cast, t, frozen_now)
    actions.verify_ticket(ticket=t, passed=True, acting_user=cast.supervisor, now=frozen_now)
    actions.record_return_visit(ticket=t, method="phone", reached=True, owner_words="已解决", satisfaction="satisfied",
                                acting_user=cast.front_desk, now=frozen_now)
    t.refresh_from_db()
    assert t.cycle == 1 and "manager_reply" in actions.close_blockers(t)  # the first cycle's reply is old
    reply_to_manager(cast, t, frozen_now)
    assert _close(cast, t, frozen_now).status == TicketStatus.CLOSED


@pytest.mark.parametrize("kind", ["consultation", "praise"])
def test_r_m2_21_consultations_and_praise_close_with_just_the_result(cast: Any, frozen_now: dt.datetime,
                                                                     kind: str) -> None:
    t = receive(cast, kind=kind, resolved_on_spot=True, handling_result="已当场答复", agreed_feedback_at=None)
    assert not actions.manager_reply_required(t)
    assert _close(cast, t, frozen_now).status == TicketStatus.CLOSED


def test_r_m2_21_kinds_that_need_the_reply(cast: Any, frozen_now: dt.datetime) -> None:
    needs = {k: actions.manager_reply_required(receive(cast, kind=k, channel="letter", agreed_feedback_at=None))
             for k in ("complaint", "repair", "need", "incident", "dispute", "suggestion", "paid_service")}
    assert needs == {"complaint": True, "repair": True, "need": True, "incident": True, "dispute": True,
                     "suggestion": False, "paid_service": False}


def test_r_m2_21_unresolved_close_does_not_need_the_replies(cast: Any, frozen_now: dt.datetime) -> None:
    """R-M2-16 未关闭 is decided by a supervisor with analysis and measures; no agreed result to reply."""
    t = receive(cast, content="小区外道路噪音（市政）")
    actions.close_ticket(ticket=t, unresolved=True, analysis="市政施工", measures="协调夜间停工",
                         acting_user=cast.supervisor, now=frozen_now)
    t.refresh_from_db()
    assert t.status == TicketStatus.UNRESOLVED and not t.replies.exists()


def test_r_m2_21_reply_to_the_project_manager_needs_content(cast: Any, frozen_now: dt.datetime) -> None:
    t = _return_visited(cast, frozen_now)
    with pytest.raises(TicketError) as exc:
        actions.record_reply(ticket=t, kind="result", channel="phone", recipient="project_manager", content="  ",
                             acting_user=cast.front_desk, now=frozen_now)
    assert exc.value.fields == {"content": ["请填写回复内容"]}
    with pytest.raises(TicketError) as exc:
        actions.record_reply(ticket=t, kind="result", channel="phone", recipient="boss", content="x",
                             acting_user=cast.front_desk, now=frozen_now)
    assert "recipient" in exc.value.fields
    assert not Reply.objects.filter(ticket=t, recipient="project_manager").exists()


# ---------------------------------------------------------------- the ticket page


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_r_m2_21_page_shows_the_missing_reply_and_records_it(cast: Any, frozen_now: dt.datetime) -> None:
    t = _return_visited(cast, frozen_now)
    desk = _client(cast.front_desk)
    url = reverse("tickets:detail", args=[t.pk])
    html = desk.get(url).content.decode()
    assert 'data-testid="close-blockers"' in html
    assert 'data-blocker="manager_reply"' in html and "须同时向管理处主任回复处理结果" in html
    assert 'data-testid="manager-reply-form"' in html and 'name="recipient" value="project_manager"' in html
    # the short form posts to the reply step; empty content is refused with the message on the reply panel
    r = desk.post(reverse("tickets:action", args=[t.pk, "reply"]),
                  {"recipient": "project_manager", "kind": "result", "owner_response": "pending", "channel": "phone",
                   "content": ""})
    assert r.status_code == 422 and 'data-testid="action-reply" open' in r.content.decode()
    assert not t.replies.filter(recipient="project_manager").exists()
    r = desk.post(reverse("tickets:action", args=[t.pk, "reply"]),
                  {"recipient": "project_manager", "kind": "result", "owner_response": "pending",
                   "channel": "in_person", "content": "已更换灯管，业主满意"})
    assert r.status_code == 302
    assert t.replies.filter(recipient="project_manager", sent_at__isnull=False).count() == 1
    html = desk.get(url).content.decode()
    assert 'data-blocker="manager_reply"' not in html and 'data-testid="manager-reply-form"' not in html
    assert desk.post(reverse("tickets:action", args=[t.pk, "close"]), {}).status_code == 302
    t.refresh_from_db()
    assert t.status == TicketStatus.CLOSED


def test_r_m2_21_reply_form_lets_the_user_pick_the_recipient(cast: Any, frozen_now: dt.datetime) -> None:
    t = to_replied(cast, receive(cast), frozen_now)
    html = _client(cast.front_desk).get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert '<select name="recipient"' in html and 'value="project_manager"' in html and "管理处主任" in html


def test_r_m2_21_page_without_blocker_when_setting_off(cast: Any, frozen_now: dt.datetime) -> None:
    TicketPolicy.objects.create(company=cast.company, close_needs_manager_reply=False)
    t = _return_visited(cast, frozen_now)
    html = _client(cast.front_desk).get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="action-close"' in html
    assert 'data-testid="close-blockers"' not in html and 'data-testid="manager-reply-form"' not in html


def test_r_m2_21_p_08_admin_edits_the_policy(cast: Any, admin_client: Client) -> None:
    row = TicketPolicy.objects.create(company=cast.company, close_needs_manager_reply=False)
    assert admin_client.get(reverse("admin:tickets_ticketpolicy_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:tickets_ticketpolicy_change", args=[row.pk])).status_code == 200
    assert admin_client.get(reverse("admin:tickets_ticketpolicy_add")).status_code == 200
