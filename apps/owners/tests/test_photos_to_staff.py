"""Issue 19 item 3: the photos an owner uploads with a request, or adds later, are the ticket's
attachments: the staff ticket page shows them (and serves them to staff), the owner still sees them
in their account, and nobody else gets them."""
from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.core.tests import samples
from apps.owners.models import OwnerPhoto
from apps.owners.tests.conftest import OTHER, OWNER
from apps.tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db


def _jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile("a.jpg", samples.jpeg(), content_type="image/jpeg")


def test_owner_photos_are_ticket_attachments_shown_on_the_staff_page(owner_client: Any, homes: Any,
                                                                     cast: Any) -> None:
    c = owner_client(OTHER)
    r = c.post("/me/requests/new/", {"kind": "repair", "content": "卫生间吊顶渗水", "photos": [_jpg()]})
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    att = Attachment.objects.get(ticket=ticket)
    assert att.uploaded_by == cast.front_desk and att.caption == "业主网上上传"
    assert OwnerPhoto.objects.get(ticket=ticket).file.name == att.file.name  # one stored file
    r = c.post(f"/me/requests/{ticket.pk}/", {"text": "补充一张", "photos": [_jpg()]})
    assert r.status_code == 302
    assert Attachment.objects.filter(ticket=ticket).count() == 2

    staff = Client()
    staff.force_login(cast.supervisor)
    page = staff.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="section-attachments"' in page and page.count("业主网上上传") >= 2
    url = reverse("tickets:attachment", args=[ticket.pk, att.pk])
    assert staff.get(url).status_code == 200
    outsider = Client()
    outsider.force_login(cast.outsider)
    assert outsider.get(url).status_code == 404

    # the owner sees their photo; another household's owner does not
    photo = OwnerPhoto.objects.filter(ticket=ticket).first()
    assert photo is not None
    assert c.get(f"/me/requests/{ticket.pk}/photos/{photo.pk}/").status_code == 200
    other = owner_client(OWNER, homes["1502"])
    assert other.get(f"/me/requests/{ticket.pk}/photos/{photo.pk}/").status_code == 404


def test_bad_photo_added_later_writes_nothing(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    c.post("/me/requests/new/", {"kind": "repair", "content": "门锁坏了"})
    ticket = Ticket.objects.get()
    bad = SimpleUploadedFile("a.jpg", samples.HTML_AS_JPG, content_type="image/jpeg")
    r = c.post(f"/me/requests/{ticket.pk}/", {"text": "", "photos": [bad]})
    assert r.status_code == 400 and "文件类型不允许" in r.content.decode()
    assert not Attachment.objects.exists() and not OwnerPhoto.objects.exists()
