"""API entry points of the records that had only an action (issue 13: every action reachable from a page or
the API): online-complaint notices (R-M2-09), incident reports (R-M2-23), 品质部 measures (R-M2-19),
suggestion decisions (R-M1-15), suggestion-box openings (R-M1-12) and channel publications (R-M1-01)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.tickets.choices import Channel, Kind, Source
from apps.tickets.models import ChannelPublication, SuggestionBoxOpening, SuggestionDecision, Ticket
from apps.tickets.tests.conftest import Api
from apps.tickets.tests.helpers import receive

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def test_r_m2_09_online_notification_via_api(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast, channel=Channel.ONLINE, source=Source.WEBSITE, acting_user=cast.quality_inspector,
                online_url="https://bbs.example.com/t/1", agreed_feedback_at=None)
    r = Api(cast.quality_inspector).post(f"{URL}/{t.pk}/online-notification", {"emailed": True})
    assert r.status_code == 200, r.content
    assert Ticket.objects.get(pk=t.pk).online_emailed_at == frozen_now
    r = Api(cast.front_desk).post(f"{URL}/{t.pk}/online-notification", {"phoned": True})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_r_m2_23_gm_report_via_api(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast, kind=Kind.INCIDENT, content="业主在小区摔伤")
    r = Api(cast.supervisor).post(f"{URL}/{t.pk}/gm-report", {"report": "已送医，客服经理跟进"})
    assert r.status_code == 200, r.content
    assert Ticket.objects.get(pk=t.pk).gm_reported_at == frozen_now
    assert Api(cast.supervisor).post(f"{URL}/{t.pk}/gm-report", {"report": "再报"}).status_code == 409


def test_r_m2_19_quality_report_via_api(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast, channel=Channel.LETTER, issued_by_quality=True, acting_user=cast.quality_inspector,
                agreed_feedback_at=None)
    r = Api(cast.front_desk).post(f"{URL}/{t.pk}/quality-report", {"measures": "已安排维修"})
    assert r.status_code == 200, r.content
    assert t.events.filter(kind="reported").exists()


def test_r_m1_15_suggestion_decision_via_api(cast: Any, frozen_now: dt.datetime) -> None:
    t = receive(cast, kind=Kind.SUGGESTION, content="建议在地库增加指示牌")
    r = Api(cast.project_manager).post(f"{URL}/{t.pk}/suggestion-decision",
                                       {"adopted": True, "measures": "增设指示牌", "posted_where": "公告栏"})
    assert r.status_code == 200, r.content
    assert SuggestionDecision.objects.get(ticket=t).adopted
    r = Api(cast.front_desk).post(f"{URL}/{t.pk}/suggestion-decision", {"adopted": False, "note": "x"})
    assert r.status_code == 403


def test_r_m1_12_box_opening_via_api(cast: Any, frozen_now: dt.datetime) -> None:
    r = Api(cast.front_desk).post(f"{URL}/box-openings", {"project": cast.project.pk,
                                                          "opened_at": frozen_now.isoformat(), "slip_count": 3})
    assert r.status_code == 201, r.content
    row = SuggestionBoxOpening.objects.get()
    assert r.json()["id"] == row.pk and row.slip_count == 3 and row.opened_by == cast.front_desk
    r = Api(cast.front_desk).post(f"{URL}/box-openings", {"project": cast.other_project.pk,
                                                          "opened_at": frozen_now.isoformat()})
    assert r.status_code == 404


def test_r_m1_01_channel_publication_via_api(cast: Any, frozen_now: dt.datetime) -> None:
    body = {"project": cast.project.pk, "kind": "project_phone", "value": "0755-88886666",
            "published_on": frozen_now.date().isoformat(), "where_posted": "小区公告栏"}
    r = Api(cast.supervisor).post(f"{URL}/channel-publications", body)
    assert r.status_code == 201, r.content
    assert ChannelPublication.objects.get().value == "0755-88886666"
    r = Api(cast.supervisor).post(f"{URL}/channel-publications", {**body, "kind": "pigeon"})
    assert r.status_code == 422 and "kind" in r.json()["error"]["fields"]
