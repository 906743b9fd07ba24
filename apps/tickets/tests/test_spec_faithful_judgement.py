"""R-M1-18 有效投诉 and R-M2-22 重要投诉 set by the people who judge them, on the ticket page and through
the API, with history; the valid-complaint KPI (R-M5-10) counts what they set."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.reports import kpis
from apps.tickets.models import Ticket
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def _handled_by_worker(cast: Any, api: Any, t: Ticket) -> None:
    desk, worker = api(cast.front_desk), api(cast.worker)
    assert desk.post(f"{URL}/{t.pk}/dispatch", {"department": cast.eng_dept.pk, "assignee": cast.worker.pk}
                     ).status_code == 200
    assert worker.post(f"{URL}/{t.pk}/accept").status_code == 200


def test_R_M1_18_handler_judges_validity_through_the_api_and_the_kpi_counts_it(cast: Any, api: Any,
                                                                                 make_ticket: Any,
                                                                                 policies: Any) -> None:
    t = make_ticket()
    _handled_by_worker(cast, api, t)
    desk, worker = api(cast.front_desk), api(cast.worker)
    r = desk.post(f"{URL}/{t.pk}/judgement", {"valid_complaint": True})
    assert r.status_code == 403  # the front desk is not the handler (R-M1-18)
    r = worker.post(f"{URL}/{t.pk}/judgement", {"valid_complaint": False})
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    r = worker.post(f"{URL}/{t.pk}/judgement", {"valid_complaint": True})
    assert r.status_code == 200 and r.json()["valid_complaint"] is True
    t.refresh_from_db()
    last = t.history.order_by("-history_date").first()
    assert last.valid_complaint is True and last.history_user_id == cast.worker.pk
    assert t.events.filter(kind="classified", message__contains="有效投诉").exists()
    other = make_ticket(content="另一件投诉")
    sup = api(cast.supervisor)  # supervisor rank judges too
    assert sup.post(f"{URL}/{other.pk}/judgement", {"valid_complaint": False, "reason": "非物业服务范围"}
                    ).status_code == 200
    now = clock.now()
    scope = kpis.Scope.for_dates([cast.project.pk], now.date(), now.date(), now=now)
    figure = kpis.compute("valid_complaint_rate", scope)
    assert figure.counts["numerator"] == 1 and figure.counts["denominator"] == 2


def test_R_M2_22_important_flag_on_the_ticket_page(cast: Any, make_ticket: Any, policies: Any) -> None:
    """The 客服经理 marks a complaint important on the ticket page; a worker who is not its handler cannot."""
    t = make_ticket()
    manager, worker = Client(), Client()
    manager.force_login(cast.cs_manager)
    worker.force_login(cast.worker)
    page = manager.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert "投诉判定" in page
    url = reverse("tickets:action", args=[t.pk, "judge"])
    assert worker.post(url, {"important": "on"}).status_code == 403
    r = manager.post(url, {"important": "on", "valid_complaint": "yes", "reason": "涉及多户"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.important is True and t.valid_complaint is True
    assert t.history.filter(important=True, history_user_id=cast.cs_manager.pk).exists()
    page = manager.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert 'data-testid="badge-important"' in page
    r = manager.post(url, {"valid_complaint": "yes", "reason": "不再重要"})  # the box unticked clears it
    t.refresh_from_db()
    assert t.important is False


def test_R_M2_22_only_complaints_are_judged(cast: Any, api: Any, make_ticket: Any, policies: Any) -> None:
    t = make_ticket(kind="repair")
    r = api(cast.cs_manager).post(f"{URL}/{t.pk}/judgement", {"important": True})
    assert r.status_code == 409


def test_R_M2_22_important_complaint_reaches_the_cs_manager(cast: Any, api: Any, make_ticket: Any, policies: Any,
                                                            django_capture_on_commit_callbacks: Any) -> None:
    """R-M2-22: the 客服经理 receives important complaints — flagged later through the API, or at intake."""
    from apps.notify.models import Notification

    t = make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        r = api(cast.supervisor).post(f"{URL}/{t.pk}/judgement", {"important": True})
    assert r.status_code == 200
    notes = Notification.objects.filter(recipient=cast.cs_manager, kind="ticket_important")
    assert notes.count() == 1 and t.number in notes.get().subject and notes.get().link == f"/tickets/{t.pk}/"
    assert not Notification.objects.filter(recipient=cast.supervisor, kind="ticket_important").exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = api(cast.front_desk).post(URL, {
            "project": cast.project.pk, "kind": "complaint", "channel": "phone", "content": "连续三晚噪音",
            "complainant_surname": "王", "phone": "13800138888", "important": True,
            "agreed_feedback_at": "2026-11-23T16:00:00+08:00"}, key="imp-1")
    assert r.status_code == 201, r.content
    assert Notification.objects.filter(recipient=cast.cs_manager, kind="ticket_important").count() == 2
    plain = make_ticket(content="普通投诉")
    with django_capture_on_commit_callbacks(execute=True):
        api(cast.supervisor).post(f"{URL}/{plain.pk}/judgement", {"valid_complaint": True})
    assert Notification.objects.filter(recipient=cast.cs_manager, kind="ticket_important").count() == 2
