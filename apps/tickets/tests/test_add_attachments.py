"""``add_attachments`` (issue 19): files added to a ticket outside a handling record — the owner's
photos from their account — checked by content like every upload and visible on the staff page."""
from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.tests import samples
from apps.tickets import actions
from apps.tickets.models import Attachment

pytestmark = pytest.mark.django_db


def _jpg(data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile("a.jpg", data if data is not None else samples.jpeg(), content_type="image/jpeg")


def test_add_attachments_saves_them_under_the_acting_user(cast: Any, make_ticket: Any, frozen_now: Any) -> None:
    t = make_ticket()
    rows = actions.add_attachments(ticket=t, files=[(_jpg(), "业主网上上传")], acting_user=cast.front_desk,
                                   now=frozen_now)
    assert [a.pk for a in rows] == list(Attachment.objects.filter(ticket=t).values_list("pk", flat=True))
    assert rows[0].uploaded_by == cast.front_desk and rows[0].caption == "业主网上上传" and rows[0].dispatch is None


def test_add_attachments_refuses_disguised_file_nothing_written(cast: Any, make_ticket: Any, frozen_now: Any) -> None:
    t = make_ticket()
    with pytest.raises(actions.TicketError) as err:
        actions.add_attachments(ticket=t, files=[(_jpg(), ""), (_jpg(samples.HTML_AS_JPG), "")],
                                acting_user=cast.front_desk, now=frozen_now)
    assert "文件类型不允许" in err.value.message and err.value.fields == {"attachment": [err.value.message]}
    assert not Attachment.objects.exists()


def test_add_attachments_by_someone_of_another_project_is_not_found(cast: Any, make_ticket: Any,
                                                                     frozen_now: Any) -> None:
    t = make_ticket()
    with pytest.raises(actions.TicketError) as err:
        actions.add_attachments(ticket=t, files=[(_jpg(), "")], acting_user=cast.outsider, now=frozen_now)
    assert err.value.status == 404 and not Attachment.objects.exists()
