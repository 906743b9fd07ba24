"""SPEC §5 acceptance scenarios through the REST API, with the real deadline engine
(apps.workdays.queries): the stable ``deadlines`` field shows what integrations rely on."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from linli import clock

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"
SH = clock.SHANGHAI


def _stages(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["stage"]: d for d in data["deadlines"] if d["cycle"] == 0}


def test_AS_01_R_M2_05_R_M2_08_letter_across_national_day_2025(cast: Any, api: Any) -> None:
    """AS-01: letter on Tue 2025-09-30 10:00 → reply due 2025-10-10 23:59:59, respond 2025-10-09
    23:59:59; the written reply cannot be sent before 品质管理部 and 办公室 reviews."""
    moment = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SH)
    with clock.frozen(moment):
        desk = api(cast.front_desk)
        r = desk.post(URL, {"project": cast.project.pk, "kind": "complaint", "channel": "letter",
                            "content": "物业费公示不清", "complainant_surname": "赵", "phone": "13600001111",
                            "received_at": moment.isoformat()})
        assert r.status_code == 201, r.content
        stages = _stages(r.json())
        assert stages["reply"]["due_at"] == "2025-10-10T23:59:59+08:00"
        assert stages["respond"]["due_at"] == "2025-10-09T23:59:59+08:00"
        assert stages["reply"]["provisional"] is False and stages["reply"]["met_at"] is None
        tid = r.json()["id"]
        desk.post(f"{URL}/{tid}/replies", {"kind": "measures", "channel": "letter", "content": "函复：已公示明细"})
        from apps.tickets.models import Reply

        reply = Reply.objects.get(ticket_id=tid)
        r = desk.post(f"{URL}/{tid}/replies/{reply.pk}/send", {})
        assert r.status_code == 409 and r.json()["error"]["code"] == "review_required"
        quality = api(cast.quality_inspector)
        assert quality.post(f"{URL}/{tid}/replies/{reply.pk}/reviews",
                            {"department": "quality", "approved": True}).status_code == 200
        r = desk.post(f"{URL}/{tid}/replies/{reply.pk}/send", {})
        assert r.status_code == 409  # 办公室 review still missing
        assert _stages(desk.get(f"{URL}/{tid}").json())["reply"]["met_at"] is None


def test_AS_43_R_M2_06_agreed_feedback_time_against_the_channel_limit(cast: Any, api: Any) -> None:
    moment = dt.datetime(2025, 11, 10, 10, 0, tzinfo=SH)
    with clock.frozen(moment):
        desk = api(cast.front_desk)
        base = {"project": cast.project.pk, "kind": "complaint", "channel": "email", "content": "车位被占",
                "complainant_surname": "钱", "phone": "13500002222"}
        r = desk.post(URL, {**base, "agreed_feedback_at": "2025-11-11T12:00:00+08:00"})
        assert _stages(r.json())["reply"]["due_at"] == "2025-11-11T12:00:00+08:00"
        r = desk.post(URL, {**base, "agreed_feedback_at": "2025-11-14T10:00:00+08:00"})
        reply = _stages(r.json())["reply"]
        assert reply["due_at"] == "2025-11-12T23:59:59+08:00"
        assert reply["limit_due_at"] == "2025-11-12T23:59:59+08:00"


def test_AS_41_R_M2_14_no_hand_back_after_escalation(cast: Any, api: Any) -> None:
    moment = dt.datetime(2025, 11, 10, 10, 0, tzinfo=SH)
    with clock.frozen(moment):
        desk, sup, quality = api(cast.front_desk), api(cast.supervisor), api(cast.quality_inspector)
        r = desk.post(URL, {"project": cast.project.pk, "kind": "complaint", "channel": "visit",
                            "content": "装修噪音", "complainant_surname": "孙", "phone": "13300003333",
                            "agreed_feedback_at": "2025-11-10T18:00:00+08:00"})
        tid = r.json()["id"]
        assert sup.post(f"{URL}/{tid}/escalate", {"reason": "多次协调无果"}).status_code == 200
        r = quality.post(f"{URL}/{tid}/dispatch", {"department": cast.quality_dept.pk, "assignee": cast.worker.pk})
        assert r.status_code == 409 and "assignee" in r.json()["error"]["fields"]
        r = quality.post(f"{URL}/{tid}/dispatch", {"department": cast.quality_dept.pk,
                                                   "assignee": cast.quality_inspector.pk})
        assert r.status_code == 200 and r.json()["held_by_quality"] is True
        from apps.tickets import actions as ticket_actions
        from apps.tickets.models import Ticket

        ticket_actions.add_note(ticket=Ticket.objects.get(pk=tid), text="业主又来电询问", acting_user=cast.front_desk,
                                now=moment)
        assert Ticket.objects.get(pk=tid).events.filter(kind="note").count() == 1
