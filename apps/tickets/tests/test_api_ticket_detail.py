"""Issue 23 item 11: the API tells what the pages tell — a ticket read through the API shows its
return-visit exemption (which one, the reason, who approved it) and what a supervisor sees on the ticket
page; an anonymous complaint is offered exemption B (R-M4-05, POLICY P-07) with the endpoint that
requests it."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.tests import samples
from apps.tickets import actions
from apps.tickets.models import TicketPolicy
from apps.tickets.tests.helpers import receive, to_replied, to_verified

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def anonymous(cast: Any, **kw: Any) -> Any:
    """AS-18(b): an anonymous letter from the suggestion box, no contact."""
    return receive(cast, channel="suggestion_box", anonymous=True, complainant_surname="", phone="", **kw)


def test_r_m4_05_c_detail_shows_which_exemption_the_reason_and_the_approver(cast: Any, api: Any,
                                                                           frozen_now: dt.datetime) -> None:
    t = to_verified(cast, receive(cast), frozen_now)
    actions.exempt_return_visit(ticket=t, reason="sensitive", note="涉及邻里纠纷", acting_user=cast.supervisor,
                                now=frozen_now)
    r = api(cast.quality_inspector).get(f"{URL}/{t.pk}")
    assert r.status_code == 200, r.content
    data = r.json()
    # the old flat fields are unchanged …
    assert data["return_visit_exemption"] == "sensitive" and data["return_visit_exemption_note"] == "涉及邻里纠纷"
    assert data["return_visit_exemption_approved_by_id"] == cast.supervisor.pk
    # … and the detail names the case, the reason, who approved and who recorded it
    ex = data["return_visit_exemption_detail"]
    assert ex["exemption"] == "sensitive" and ex["label"].startswith("C ") and ex["note"] == "涉及邻里纠纷"
    assert ex["approved_by"] == {"id": cast.supervisor.pk, "name": str(cast.supervisor)}
    assert ex["recorded_by"]["id"] == cast.supervisor.pk and ex["recorded_at"].endswith("+08:00")
    assert data["return_visit"]["state"] == "exempted" and data["return_visit"]["required"] is False
    assert data["exemption_offer"] is None


def test_detail_shows_the_page_sections(cast: Any, api: Any, frozen_now: dt.datetime) -> None:
    """Dispatches, replies with their reviews, verifications, return visits with attempts, attachments
    (with a download URL that checks access), the timeline, deadlines with their state and rule."""
    t = receive(cast)
    d = actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker, instructions="今天修好",
                                acting_user=cast.front_desk, now=frozen_now)
    actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now)
    actions.record_handling(ticket=t, investigation="灯管坏", acting_user=cast.worker, now=frozen_now,
                            attachments=[(SimpleUploadedFile("site.jpg", samples.jpeg()), "现场照片")])
    to_verified(cast, t, frozen_now)
    actions.record_return_visit(ticket=t, method="phone", reached=False, note="无人接听",
                                acting_user=cast.front_desk, now=frozen_now)
    r = api(cast.supervisor).get(f"{URL}/{t.pk}")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["facts"]["project_name"] == cast.project.name and data["facts"]["phone_masked"] != "13800138888"
    assert "8888" in data["facts"]["phone_masked"]
    first, current = data["dispatches"]  # the helper's re-dispatch ended the first one
    assert first["department"]["id"] == cast.eng_dept.pk and first["assignee"]["id"] == cast.worker.pk
    assert first["instructions"] == "今天修好" and first["investigation"] == "灯管坏"
    assert current["active"] and current["completed_at"] and current["result"] == "已更换灯管"
    assert data["replies"] and data["replies"][0]["owner_response"] == "agree" and data["replies"][0]["sent_at"]
    [ver] = data["verifications"]
    assert ver["result"] == "pass" and ver["verifier"]["id"] == cast.supervisor.pk and ver["notes"] == "已落实"
    [visit] = data["return_visits"]
    assert visit["outcome"] == "pending" and visit["attempts"][0]["reached"] is False
    assert visit["attempts"][0]["note"] == "无人接听"
    assert data["return_visit"]["state"] == "in_progress" and data["return_visit"]["required"] is True
    kinds = [e["kind"] for e in data["timeline"]]
    assert kinds[0] == "received" and "verification" in kinds and all(e["summary"] for e in data["timeline"])
    assert {"stage_label", "rule", "state"} <= set(data["deadlines"][0])
    assert "return_visit" in data["next_steps"] and data["work_order_url"] == "" and data["cluster"] is None
    [att] = data["attachments"]
    assert att["caption"] == "现场照片" and att["uploaded_by"]["id"] == cast.worker.pk
    # the download URL checks access: the project's staff get the file, another project's staff a 404
    got = api(cast.supervisor).get(att["url"])
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    assert b"".join(got.streaming_content).startswith(b"\xff\xd8")
    assert api(cast.outsider).get(att["url"]).status_code == 404
    assert api(cast.outsider).get(f"{URL}/{t.pk}").status_code == 404
    assert api(cast.supervisor).get(f"{URL}/{t.pk}/attachments/{att['id'] + 1000}").status_code == 404


def test_detail_keeps_every_list_field(cast: Any, api: Any, frozen_now: dt.datetime) -> None:
    """Additions only: the detail has every field the list answers, with the same values."""
    t = receive(cast)
    client = api(cast.supervisor)
    [row] = client.get(URL).json()["results"]
    detail = client.get(f"{URL}/{t.pk}").json()
    assert {k: detail[k] for k in row} == row


def test_r_m4_05_p_07_anonymous_complaint_is_offered_exemption_b_through_the_api(
        cast: Any, api: Any, frozen_now: dt.datetime) -> None:
    """AS-18(b): the offer is there from intake; it can be taken once verified, through the ordinary
    exemption endpoint the offer names; then it is recorded and no longer offered."""
    t = anonymous(cast)
    client = api(cast.front_desk)
    offer = client.get(f"{URL}/{t.pk}").json()["exemption_offer"]
    assert offer["exemption"] == "no_contact" and offer["ready"] is False and offer["label"].startswith("B ")
    assert offer["method"] == "POST" and offer["endpoint"] == f"{URL}/{t.pk}/return-visit-exemption"
    assert offer["body"] == {"exemption": "no_contact"} and "验证通过后" in offer["message"]
    to_verified(cast, t, frozen_now)
    offer = client.get(f"{URL}/{t.pk}").json()["exemption_offer"]
    assert offer["ready"] is True
    r = client.post(offer["endpoint"], offer["body"])
    assert r.status_code == 200, r.content
    data = client.get(f"{URL}/{t.pk}").json()
    assert data["return_visit_exemption"] == "no_contact" and data["exemption_offer"] is None
    ex = data["return_visit_exemption_detail"]
    assert ex["exemption"] == "no_contact" and ex["approved_by"] is None
    assert ex["recorded_by"]["id"] == cast.front_desk.pk


def test_r_m4_05_p_07_no_offer_when_the_policy_or_the_contact_rules_it_out(cast: Any, api: Any,
                                                                          frozen_now: dt.datetime) -> None:
    client = api(cast.front_desk)
    with_contact = receive(cast)
    assert client.get(f"{URL}/{with_contact.pk}").json()["exemption_offer"] is None
    # 篇3: no contact exempts online complaints only; an anonymous phone call must be visited
    TicketPolicy.objects.create(company=cast.company, no_contact_exemption="online_only")
    phone = receive(cast, anonymous=True, complainant_surname="", phone="")
    assert client.get(f"{URL}/{phone.pk}").json()["exemption_offer"] is None
    online = receive(cast, channel="online", anonymous=True, complainant_surname="", phone="")
    assert client.get(f"{URL}/{online.pk}").json()["exemption_offer"]["exemption"] == "no_contact"


def test_detail_of_a_replied_ticket_waits_for_verification(cast: Any, api: Any, frozen_now: dt.datetime) -> None:
    t = to_replied(cast, receive(cast), frozen_now)
    assert api(cast.supervisor).get(f"{URL}/{t.pk}").json()["return_visit"]["state"] == "not_yet"
