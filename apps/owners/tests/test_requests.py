"""Issue 19 items 2 and 3: an owner submits a request through the one pipeline as the online channel
(R-M1-03, online requests acknowledged within the online limit), sees its number and promised reply
time at once, follows it, and adds information or photos while it is open; privacy: another
household's record answers 404."""
from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.core.tests import samples
from apps.owners.models import OwnerPhoto, OwnerSubmission
from apps.owners.tests.conftest import OTHER, OWNER
from apps.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _submit(c: Client, **data: Any) -> Any:
    body = {"kind": "repair", "content": "厨房水龙头漏水"}
    body.update(data)
    return c.post("/me/requests/new/", body)


def test_submit_enters_the_pipeline_as_online_channel(owner_client: Any, homes: Any, cast: Any) -> None:
    c = owner_client(OTHER)
    r = _submit(c, photos=[SimpleUploadedFile("a.jpg", samples.jpeg(), content_type="image/jpeg")],
                preferred_visit_at="2026-11-24T09:30")
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == "online" and ticket.kind == "repair" and ticket.household == homes["0801"]
    assert ticket.person is not None and ticket.person.phone == OTHER
    assert ticket.receiver == cast.front_desk
    assert "希望上门时间：2026-11-24 09:30" in ticket.desired_outcome
    assert OwnerSubmission.objects.get().ticket == ticket
    assert OwnerPhoto.objects.filter(ticket=ticket).count() == 1
    page = c.get(r["Location"]).content.decode()
    assert ticket.number in page and "承诺时间" in page
    first = ticket.deadlines.exclude(due_at=None).order_by("due_at").first()
    assert first is not None
    from django.utils import timezone
    assert timezone.localtime(first.due_at).strftime("%Y-%m-%d %H:%M") in page


def test_r_m1_online_complaint_shows_acknowledge_and_reply_times(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    r = _submit(c, kind="complaint", content="楼下夜间施工噪音")
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    page = c.get(r["Location"]).content.decode()
    reply = ticket.deadlines.filter(stage="reply").first()
    assert reply is not None and reply.due_at is not None
    from django.utils import timezone
    assert timezone.localtime(reply.due_at).strftime("%Y-%m-%d %H:%M") in page


@pytest.mark.parametrize(("data", "message"), [
    ({"content": ""}, "请填写内容"),
    ({"content": "长" * 1001}, "内容不能超过1000个字"),
    ({"kind": "incident"}, "请选择类型"),
    ({"preferred_visit_at": "2020-01-01T09:00"}, "希望上门时间不能早于现在"),
    ({"preferred_visit_at": "明天"}, "时间格式不正确"),
])
def test_bad_request_input_refused_nothing_written(owner_client: Any, homes: Any, data: dict[str, Any],
                                                   message: str) -> None:
    c = owner_client(OTHER)
    r = _submit(c, **data)
    assert r.status_code == 400
    page = r.content.decode()
    assert message in page and 'id="form-error"' in page
    assert not Ticket.objects.exists() and not OwnerPhoto.objects.exists()


def test_bad_photo_refused_nothing_written(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    r = _submit(c, photos=[SimpleUploadedFile("a.jpg", samples.HTML_AS_JPG, content_type="image/jpeg")])
    assert r.status_code == 400 and "文件类型不允许" in r.content.decode()
    assert not Ticket.objects.exists()


def test_too_many_photos_refused(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    photos = [SimpleUploadedFile(f"{i}.jpg", samples.jpeg(), content_type="image/jpeg") for i in range(5)]
    r = _submit(c, photos=photos)
    assert r.status_code == 400 and "最多上传4张照片" in r.content.decode()
    assert not Ticket.objects.exists()


def test_follow_list_detail_and_add_information(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    _submit(c)
    ticket = Ticket.objects.get()
    assert ticket.number in c.get("/me/requests/").content.decode()
    page = c.get(f"/me/requests/{ticket.pk}/").content.decode()
    assert "已受理" in page and "厨房水龙头漏水" in page
    r = c.post(f"/me/requests/{ticket.pk}/", {"text": "下午两点后有人在家",
                                              "photos": [SimpleUploadedFile("b.png", samples.png(), content_type="image/png")]})
    assert r.status_code == 302
    assert TicketEvent.objects.filter(ticket=ticket, kind="note", message__contains="下午两点后有人在家").exists()
    assert OwnerPhoto.objects.filter(ticket=ticket).count() == 1
    photo = OwnerPhoto.objects.get()
    assert c.get(f"/me/requests/{ticket.pk}/photos/{photo.pk}/").status_code == 200


def test_add_information_empty_refused(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    _submit(c)
    ticket = Ticket.objects.get()
    before = TicketEvent.objects.filter(ticket=ticket).count()
    r = c.post(f"/me/requests/{ticket.pk}/", {"text": "  "})
    assert r.status_code == 400 and "请填写补充内容或上传照片" in r.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket).count() == before


def test_timeline_shows_role_and_surname_never_phone_or_internal_notes(owner_client: Any, homes: Any,
                                                                       cast: Any) -> None:
    from apps.tickets import actions as ta
    from linli import clock

    c = owner_client(OTHER)
    _submit(c, kind="complaint", content="电梯异响")
    ticket = Ticket.objects.get()
    ta.add_note(ticket=ticket, text="内部：该业主曾多次投诉", acting_user=cast.front_desk, now=clock.now())
    page = c.get(f"/me/requests/{ticket.pk}/").content.decode()
    assert "内部：该业主曾多次投诉" not in page
    assert "客服前台 李" in page and "李前台" not in page
    if cast.front_desk.phone:
        assert cast.front_desk.phone not in page


def test_another_households_requests_answer_404(owner_client: Any, homes: Any) -> None:
    owner = owner_client(OTHER)
    _submit(owner)
    ticket = Ticket.objects.get()
    photo_owner = owner.post(f"/me/requests/{ticket.pk}/", {
        "photos": [SimpleUploadedFile("b.png", samples.png(), content_type="image/png")]})
    assert photo_owner.status_code == 302
    photo = OwnerPhoto.objects.get()
    neighbour = owner_client(OWNER, household=homes["1502"])
    for url in (f"/me/requests/{ticket.pk}/", f"/me/requests/{ticket.pk}/submitted/",
                f"/me/requests/{ticket.pk}/photos/{photo.pk}/"):
        assert neighbour.get(url).status_code == 404, url
    assert neighbour.post(f"/me/requests/{ticket.pk}/", {"text": "插一句"}).status_code == 404
    assert ticket.number not in neighbour.get("/me/requests/").content.decode()
    assert not TicketEvent.objects.filter(message__contains="插一句").exists()


def test_requests_list_query_count(owner_client: Any, homes: Any, django_assert_max_num_queries: Any) -> None:
    c = owner_client(OTHER)
    for i in range(5):
        _submit(c, content=f"第{i}件事")
    with django_assert_max_num_queries(10):
        r = c.get("/me/requests/")
    assert r.status_code == 200
