"""Ticket attachments are private and typed (issue 14 item 3): checked by content on upload, stored
under UUID names outside /media, served only to whoever may see the ticket."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as dj_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.core import files
from apps.core.tests import samples
from apps.tickets import actions
from apps.tickets.models import Attachment

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def handled(cast: Any, make_ticket: Any, frozen_now: Any) -> Any:
    """A ticket dispatched to and accepted by the engineering worker."""
    t = make_ticket()
    d = actions.dispatch_ticket(ticket=t, department=cast.eng_dept, assignee=cast.worker,
                                acting_user=cast.front_desk, now=frozen_now)
    actions.accept_dispatch(dispatch=d, acting_user=cast.worker, now=frozen_now)
    return t


def post_handling(client: Client, t: Any, data: bytes, name: str = "site.jpg", **extra: Any) -> Any:
    return client.post(reverse("tickets:action", args=[t.pk, "handling"]),
                       {"investigation": "灯管坏", "caption": "现场照片",
                        "attachment": SimpleUploadedFile(name, data, content_type="image/jpeg"), **extra})


@pytest.mark.parametrize("data", [samples.HTML_AS_JPG, samples.SVG_AS_JPG, samples.SCRIPT_AS_JPG,
                                  samples.JPEG_HEAD_THEN_HTML])
def test_worker_uploading_disguised_file_as_jpg_is_refused_in_chinese(cast: Any, handled: Any, data: bytes) -> None:
    r = post_handling(login(cast.worker), handled, data)
    assert r.status_code == 422
    html = r.content.decode()
    assert "文件类型不允许" in html or "图片已损坏" in html
    assert not Attachment.objects.exists()


def test_action_refuses_disguised_file_too(cast: Any, handled: Any, frozen_now: Any) -> None:
    """The check lives in the action, so every way in (page, API, command) is covered."""
    with pytest.raises(actions.TicketError) as err:
        actions.record_handling(ticket=handled, investigation="x", acting_user=cast.worker, now=frozen_now,
                                attachments=[(SimpleUploadedFile("a.jpg", samples.HTML_AS_JPG), "")])
    assert err.value.fields == {"attachment": [err.value.message]} and "文件类型不允许" in err.value.message


def test_attachment_stored_privately_and_served_only_to_who_may_see_the_ticket(cast: Any, handled: Any) -> None:
    worker = login(cast.worker)
    assert post_handling(worker, handled, samples.jpeg()).status_code == 302
    att = Attachment.objects.get(ticket=handled)
    name = str(att.file.name)
    assert name.startswith("tickets/") and name.endswith(".jpg") and "site" not in name
    assert (Path(dj_settings.LINLI_PRIVATE_ROOT) / name).exists()
    assert not (Path(dj_settings.MEDIA_ROOT) / name).exists()
    url = reverse("tickets:attachment", args=[handled.pk, att.pk])

    page = login(cast.front_desk).get(reverse("tickets:detail", args=[handled.pk])).content.decode()
    assert f'src="{url}?thumb=1"' in page and 'data-testid="thumb"' in page and name not in page

    r = login(cast.front_desk).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert r["X-Content-Type-Options"] == "nosniff" and "attachment" not in r.get("Content-Disposition", "")
    assert r.getvalue() == att.file.open("rb").read()
    thumb = login(cast.front_desk).get(url, {"thumb": "1"})
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/webp" and thumb.content[8:12] == b"WEBP"
    assert thumb["X-Content-Type-Options"] == "nosniff"

    assert login(cast.outsider).get(url).status_code == 404  # front desk of another project
    assert login(cast.nobody).get(url).status_code == 404
    assert Client().get(url).status_code == 404  # anonymous
    assert Client().get(f"/media/{name}").status_code == 404
    other = reverse("tickets:attachment", args=[handled.pk + 1000, att.pk])
    assert login(cast.front_desk).get(other).status_code == 404


def test_pdf_attachment_is_a_download(cast: Any, handled: Any) -> None:
    assert post_handling(login(cast.worker), handled, samples.pdf(), name="scan.jpg").status_code == 302
    att = Attachment.objects.get(ticket=handled)
    assert str(att.file.name).endswith(".pdf")
    r = login(cast.supervisor).get(reverse("tickets:attachment", args=[handled.pk, att.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment;") and r["X-Content-Type-Options"] == "nosniff"
    page = login(cast.supervisor).get(reverse("tickets:detail", args=[handled.pk])).content.decode()
    assert 'data-testid="file-link"' in page


def test_existing_public_file_is_moved_into_private_storage(cast: Any, handled: Any, frozen_now: Any) -> None:
    """A file recorded before this change (under MEDIA_ROOT, guessable name) is kept: the data
    migration's helper moves it under a UUID name and it is served as before."""
    legacy = Path(dj_settings.MEDIA_ROOT) / "tickets/2026/11/site.jpg"
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_bytes(samples.jpeg())
    att = Attachment.objects.create(ticket=handled, file="tickets/2026/11/site.jpg", uploaded_by=cast.worker,
                                    uploaded_at=frozen_now)
    url = reverse("tickets:attachment", args=[handled.pk, att.pk])
    assert login(cast.front_desk).get(url).status_code == 200  # still readable before the move
    assert files.adopt_legacy_files(Attachment, "file", "tickets") == 1
    att.refresh_from_db()
    assert str(att.file.name).startswith("tickets/") and "site" not in str(att.file.name) and not legacy.exists()
    assert login(cast.front_desk).get(url).status_code == 200


def test_too_many_files_in_one_submission(cast: Any, handled: Any, frozen_now: Any, settings: Any) -> None:
    settings.LINLI_UPLOAD_MAX_FILES = 1
    photos = [(SimpleUploadedFile(f"{i}.jpg", samples.jpeg()), "") for i in range(2)]
    with pytest.raises(actions.TicketError) as err:
        actions.record_handling(ticket=handled, investigation="x", acting_user=cast.worker, now=frozen_now,
                                attachments=photos)
    assert "一次最多上传 1 个文件" in err.value.message and not Attachment.objects.exists()
