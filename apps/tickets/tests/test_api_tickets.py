"""REST API of the ticket pipeline (issue 4 item 9): intake, idempotent retry, validation errors with
field names, cross-project 404, list filters and pagination, and every action endpoint."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from apps.tickets.models import Ticket
from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def body(cast: Any, **over: Any) -> dict[str, Any]:
    now = clock.now()
    data = {"project": cast.project.pk, "kind": "complaint", "channel": "phone", "content": "电梯异响",
            "complainant_surname": "王", "phone": "13800138888",
            "agreed_feedback_at": (now + dt.timedelta(hours=4)).isoformat()}
    data.update(over)
    return data


def test_R_M1_05_intake_returns_the_stable_fields(cast: Any, api: Any, policies: Any, frozen_now: Any) -> None:
    r = api(cast.front_desk).post(URL, body(cast))
    assert r.status_code == 201, r.content
    data = r.json()
    for name in ("number", "kind", "channel", "status", "received_at", "deadlines", "escalation"):
        assert name in data
    assert data["number"].startswith("TS-") and data["status"] == "received"
    assert data["received_at"] == "2026-11-23T10:00:00+08:00"
    stages = {d["stage"]: d for d in data["deadlines"]}
    assert set(stages["reply"]) >= {"stage", "due_at", "met_at", "provisional"}
    assert stages["reply"]["due_at"].endswith("+08:00") and stages["reply"]["met_at"] is None
    assert data["escalation"] == {"level": "none", "reasons": []}


def test_idempotent_retry_returns_the_same_ticket(cast: Any, api: Any, policies: Any) -> None:
    client = api(cast.front_desk)
    payload = body(cast)
    first = client.post(URL, payload, key="call-0001")
    again = client.post(URL, payload, key="call-0001")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Ticket.objects.count() == 1
    other = client.post(URL, {**payload, "content": "另一件事"}, key="call-0001")
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1
    assert client.post(URL, payload, key="call-0002").status_code == 201
    assert Ticket.objects.count() == 2


def test_failed_intake_does_not_burn_the_key(cast: Any, api: Any, policies: Any) -> None:
    client = api(cast.front_desk)
    payload = body(cast)
    bad = client.post(URL, {**payload, "content": " "}, key="k-9")
    assert bad.status_code == 422 and bad.json()["error"]["fields"] == {"content": ["请填写事件内容"]}
    good = client.post(URL, payload, key="k-9")
    assert good.status_code == 201 and Ticket.objects.count() == 1


def test_validation_errors_name_the_fields(cast: Any, api: Any, policies: Any) -> None:
    client = api(cast.front_desk)
    r = client.post(URL, {"project": cast.project.pk, "channel": "pigeon", "people_count": 0})
    assert r.status_code == 422
    fields = r.json()["error"]["fields"]
    assert {"channel", "content", "people_count"} <= set(fields)
    r = client.post(URL, body(cast, agreed_feedback_at=None))
    assert r.status_code == 422
    assert "agreed_feedback_at" in r.json()["error"]["fields"]  # R-M1-09
    r = client.post(URL, body(cast, received_at=(clock.now() + dt.timedelta(days=1)).isoformat()))
    assert r.status_code == 422 and "received_at" in r.json()["error"]["fields"]
    assert Ticket.objects.count() == 0


def test_cross_project_is_404(cast: Any, api: Any, make_ticket: Any, policies: Any, households: Any) -> None:
    t = make_ticket()
    outsider = api(cast.outsider)
    assert outsider.get(f"{URL}/{t.pk}").status_code == 404
    assert outsider.post(f"{URL}/{t.pk}/void", {"reason": "x"}).status_code == 404
    r = outsider.post(URL, body(cast))
    assert r.status_code == 404 and r.json()["error"]["fields"] == {"project": ["项目不存在或无权访问"]}
    assert outsider.get(URL).json()["count"] == 0
    r = api(cast.front_desk).post(URL, body(cast, household=households["other"].pk))
    assert r.status_code == 422 and "household" in r.json()["error"]["fields"]


def test_unauthenticated_is_401(cast: Any, client: Any) -> None:
    r = client.get(URL)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


def test_list_filters_and_pagination(cast: Any, api: Any, make_ticket: Any, policies: Any, frozen_now: Any) -> None:
    a = make_ticket(agreed_feedback_at=frozen_now + dt.timedelta(hours=8))
    b = make_ticket(kind="repair", agreed_feedback_at=frozen_now + dt.timedelta(hours=1))
    c = make_ticket(channel="letter", agreed_feedback_at=None)
    client = api(cast.front_desk)
    r = client.get(URL, kind="repair").json()
    assert [t["number"] for t in r["results"]] == [b.number]
    r = client.get(URL, sort="due", page_size=2).json()
    assert r["count"] == 3 and len(r["results"]) == 2 and r["results"][0]["number"] == b.number
    r2 = client.get(URL, sort="due", page_size=2, page=2).json()
    assert len(r2["results"]) == 1
    assert client.get(URL, channel="letter").json()["results"][0]["number"] == c.number
    with clock.frozen(frozen_now + dt.timedelta(hours=3)):
        numbers = {t["number"] for t in client.get(URL, overdue="yes").json()["results"]}
    assert b.number in numbers and a.number not in numbers
    due_soon = client.get(URL, due_before=(frozen_now + dt.timedelta(hours=2)).isoformat()).json()["results"]
    assert [t["number"] for t in due_soon] == [b.number]
    assert client.get(URL, overdue="maybe").status_code == 422  # outside the declared values
    r = client.get(URL, received_from="2026-11-24", received_to="2026-11-01")
    assert r.status_code == 422 and "received_to" in r.json()["error"]["fields"]
    assert client.get(URL, page_size=1000).status_code == 422


def test_every_action_endpoint_through_to_close(cast: Any, api: Any, policies: Any, frozen_now: Any) -> None:
    """R-M2-01 dispatch, R-M2-13 reply, R-M4-01 verification, R-M4-07 return visit, R-M2-18 close.

    Frozen on a working morning: a phone return visit in quiet hours is refused (R-M4-14)."""
    desk, worker, sup = api(cast.front_desk), api(cast.worker), api(cast.supervisor)
    t = desk.post(URL, body(cast)).json()
    base = f"{URL}/{t['id']}"
    r = desk.post(f"{base}/dispatch", {"department": cast.eng_dept.pk, "assignee": cast.worker.pk})
    assert r.status_code == 200 and r.json()["status"] == "dispatched"
    assert worker.post(f"{base}/accept").json()["status"] == "handling"
    r = worker.post(f"{base}/handling", {"result": "已更换", "done": True})
    assert r.json()["status"] == "handled"
    r = desk.post(f"{base}/replies", {"kind": "result", "channel": "phone", "content": "已处理",
                                      "owner_response": "agree"})
    assert r.json()["status"] == "replied"
    r = sup.post(f"{base}/verification", {"passed": False})
    assert r.status_code == 422 and "order" in r.json()["error"]["fields"]  # R-M4-02
    r = sup.post(f"{base}/verification", {"passed": True, "notes": "已落实"})
    assert r.json()["status"] == "verified"
    assert any(d["stage"] == "return_visit" for d in r.json()["deadlines"])
    r = desk.post(f"{base}/return-visits", {"method": "phone", "reached": True, "satisfaction": "satisfied", "owner_words": "满意"})
    assert r.json()["status"] == "return_visited"
    r = desk.post(f"{base}/close", {})  # R-M2-21: the 管理处主任 has not had the result yet
    assert r.status_code == 409 and r.json()["error"]["code"] == "cannot_close"
    assert "manager_reply" in r.json()["error"]["fields"]
    r = desk.post(f"{base}/replies", {"kind": "result", "channel": "in_person", "content": "已向主任汇报",
                                      "recipient": "project_manager"})
    assert r.status_code == 200
    r = desk.post(f"{base}/close", {})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = desk.post(f"{base}/close", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"


def test_R_M4_01_verification_by_a_worker_is_403(cast: Any, api: Any, make_ticket: Any, policies: Any) -> None:
    from apps.tickets.tests.helpers import to_replied

    t = to_replied(cast, make_ticket(), clock.now())
    r = api(cast.front_desk).post(f"{URL}/{t.pk}/verification", {"passed": True})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_hand_back_reopen_void_and_escalate(cast: Any, api: Any, make_ticket: Any, policies: Any) -> None:
    desk, sup = api(cast.front_desk), api(cast.supervisor)
    t = make_ticket()
    desk.post(f"{URL}/{t.pk}/dispatch", {"department": cast.eng_dept.pk})
    assert desk.post(f"{URL}/{t.pk}/hand-back", {"reason": ""}).status_code == 422
    assert api(cast.eng_head).post(f"{URL}/{t.pk}/hand-back", {"reason": "非本部门"}).json()["status"] == "received"
    r = sup.post(f"{URL}/{t.pk}/escalate", {"reason": "无法按时处理"})
    assert r.json()["held_by_quality"] is True
    r = sup.post(f"{URL}/{t.pk}/dispatch", {"department": cast.eng_dept.pk})
    assert r.status_code == 409 and r.json()["error"]["code"] == "held_by_quality"  # R-M2-14
    assert desk.post(f"{URL}/{t.pk}/void", {"reason": "重复"}).status_code == 403
    assert sup.post(f"{URL}/{t.pk}/void", {"reason": "重复"}).json()["status"] == "voided"
    assert sup.post(f"{URL}/{t.pk}/reopen", {"reason": "x"}).status_code == 409


def test_R_M2_08_written_reply_review_and_send(cast: Any, api: Any, make_ticket: Any, policies: Any) -> None:
    desk, quality = api(cast.front_desk), api(cast.quality_inspector)
    t = make_ticket(channel="email", agreed_feedback_at=None)
    desk.post(f"{URL}/{t.pk}/replies", {"kind": "measures", "channel": "email", "content": "回复邮件"})
    reply = t.replies.get()
    assert reply.sent_at is None
    r = desk.post(f"{URL}/{t.pk}/replies/{reply.pk}/send", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "review_required"
    assert desk.post(f"{URL}/{t.pk}/replies/{reply.pk}/reviews", {"department": "quality", "approved": True}
                     ).status_code == 403
    assert quality.post(f"{URL}/{t.pk}/replies/{reply.pk}/reviews", {"department": "quality", "approved": True}
                        ).status_code == 200
    assert desk.post(f"{URL}/{t.pk}/replies/{reply.pk}/send", {}).status_code == 200
    reply.refresh_from_db()
    assert reply.sent_at is not None


def test_return_visit_exemption_and_unresolved_close(cast: Any, api: Any, make_ticket: Any, policies: Any) -> None:
    from apps.tickets.tests.helpers import to_verified

    sup = api(cast.supervisor)
    t = to_verified(cast, make_ticket(), clock.now())
    r = sup.post(f"{URL}/{t.pk}/return-visit-exemption", {"exemption": "sensitive"})
    assert r.status_code == 422 and "note" in r.json()["error"]["fields"]  # R-M4-05 C
    r = sup.post(f"{URL}/{t.pk}/return-visit-exemption", {"exemption": "sensitive", "note": "隐私"})
    assert r.status_code == 200
    # the ticket read through the API shows which exemption, why and who approved it (as on the page)
    read = sup.get(f"{URL}/{t.pk}").json()
    assert (read["return_visit_exemption"], read["return_visit_exemption_note"],
            read["return_visit_exemption_approved_by_id"]) == ("sensitive", "隐私", cast.supervisor.pk)
    sup.post(f"{URL}/{t.pk}/replies", {"kind": "result", "channel": "phone", "content": "已汇报",
                                       "recipient": "project_manager"})  # R-M2-21
    assert sup.post(f"{URL}/{t.pk}/close", {}).json()["status"] == "closed"
    t2 = make_ticket()
    r = sup.post(f"{URL}/{t2.pk}/close", {"unresolved": True})
    assert r.status_code == 422 and {"analysis", "measures"} <= set(r.json()["error"]["fields"])  # R-M2-16
    r = sup.post(f"{URL}/{t2.pk}/close", {"unresolved": True, "analysis": "市政", "measures": "告知"})
    assert r.json()["status"] == "unresolved"


def test_R_M2_24_compensation_over_the_api(cast: Any, api: Any, make_ticket: Any, policies: Any) -> None:
    desk = api(cast.front_desk)
    t = make_ticket()
    assert desk.post(f"{URL}/{t.pk}/compensation-claims", {"amount": "0", "content": "x"}).status_code == 422
    assert desk.post(f"{URL}/{t.pk}/compensation-claims", {"amount": "200.5", "content": "泡坏地板"}).status_code == 200
    claim = t.compensation_claims.get()
    r = desk.post(f"{URL}/{t.pk}/compensation-claims/{claim.pk}/decision", {"approve": True})
    assert r.status_code == 403


def test_developer_transfer_and_owner_update(cast: Any, api: Any, make_ticket: Any, policies: Any) -> None:
    desk = api(cast.front_desk)
    t = make_ticket()
    r = desk.post(f"{URL}/{t.pk}/developer-transfers", {"content": "外墙渗水", "document_no": "F-1"})
    assert r.json()["status"] == "transferred" and r.json()["developer_matter"] is True
    assert desk.post(f"{URL}/{t.pk}/owner-updates", {"channel": "phone", "content": "已转地产"}).status_code == 200


def test_household_lookup_for_integrations(cast: Any, api: Any, households: Any, make_ticket: Any,
                                           policies: Any) -> None:
    make_ticket(household=households["1502"])
    r = api(cast.front_desk).get(f"{URL}/households", project=cast.project.pk, q="1502")
    assert r.status_code == 200
    assert r.json() == [{"id": households["1502"].pk, "label": "5栋2单元1502",
                         "person_id": households["1502"].persons.get().pk, "surname": "王", "open_tickets": 1}]
    assert api(cast.outsider).get(f"{URL}/households", project=cast.project.pk, q="1502").status_code == 404


def test_openapi_declares_the_error_responses(cast: Any, api: Any) -> None:
    schema = api(cast.front_desk).get("/api/openapi.json").json()
    op = schema["paths"]["/api/v1/tickets"]["post"]
    assert {"201", "400", "401", "403", "404", "409", "422"} <= set(op["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op["parameters"])
    for path in ("/api/v1/tickets/{ticket_id}/dispatch", "/api/v1/tickets/{ticket_id}/close"):
        assert {"400", "401", "403", "404", "409", "422"} <= set(schema["paths"][path]["post"]["responses"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_file_one_ticket(cast: Any, api: Any, policies: Any,
                                                        require_postgres: Any) -> None:
    """Eight parallel submissions with the same Idempotency-Key → one ticket; the rest replay or 409."""
    from django.db import connection

    payload = body(cast)
    statuses: list[int] = []
    clients = [api(cast.front_desk) for _ in range(8)]

    def go(c: Any) -> None:
        try:
            statuses.append(c.post(URL, payload, key="same-call").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert Ticket.objects.count() == 1
    assert set(statuses) <= {201, 409} and 201 in statuses


def test_sort_by_due_pages_through_tickets_without_open_deadlines_last(cast: Any, api: Any, make_ticket: Any,
                                                                     policies: Any, frozen_now: Any) -> None:
    """Issue 4 item 3: lists sort by the earliest open due time; tickets with none come last."""
    from apps.tickets import actions

    late = make_ticket(agreed_feedback_at=frozen_now + dt.timedelta(hours=8))
    ended = make_ticket(agreed_feedback_at=frozen_now + dt.timedelta(minutes=30))
    actions.void_ticket(ticket=ended, reason="重复录入", acting_user=cast.supervisor, now=frozen_now)
    soon = make_ticket(agreed_feedback_at=frozen_now + dt.timedelta(hours=1))
    client = api(cast.front_desk)
    order = [client.get(URL, sort="due", page_size=1, page=p).json()["results"][0]["number"] for p in (1, 2, 3)]
    assert order == [soon.number, late.number, ended.number]
    assert client.get(URL, sort="due", page_size=1, page=4).json()["results"] == []
    assert client.get(URL, sort="due").json()["count"] == 3


def test_schema_component_names_are_our_own(cast: Any, api: Any) -> None:
    """Each ticket schema is published under a Ticket… name, so no other app's schema of the same
    short name (EscalationOut, DeadlineOut …) replaces it in the OpenAPI document."""
    schema = api(cast.front_desk).get("/api/openapi.json").json()
    props = schema["components"]["schemas"]["TicketOut"]["properties"]
    assert props["deadlines"]["items"]["$ref"].endswith("/TicketDeadlineOut")
    assert props["escalation"]["$ref"].endswith("/TicketEscalationOut")
    deadline = schema["components"]["schemas"]["TicketDeadlineOut"]
    assert {"stage", "due_at", "met_at", "provisional"} <= set(deadline["required"])
