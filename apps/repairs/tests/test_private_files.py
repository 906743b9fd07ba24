"""Repair photos and owner signatures are private and typed (issue 14 item 3)."""
from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.core.tests import samples
from apps.repairs import actions
from apps.repairs.models import RepairPhoto
from apps.repairs.tests.helpers import assigned, completed, on_site

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_disguised_photo_is_refused_in_chinese_through_the_page(cast: Any, fake_policies: Any, frozen_now: Any) -> None:
    order = on_site(cast, assigned(cast, now=frozen_now), now=frozen_now)
    actions.start_work(order=order, acting_user=cast.worker, now=frozen_now)
    worker = login(cast.worker)
    for data in (samples.HTML_AS_JPG, samples.SVG_AS_JPG, samples.JPEG_HEAD_THEN_HTML):
        r = worker.post(f"/repairs/orders/{order.pk}/photo/",
                        {"phase": "before", "file": SimpleUploadedFile("before.jpg", data, content_type="image/jpeg")},
                        follow=True)
        html = r.content.decode()
        assert "文件类型不允许" in html or "图片已损坏" in html
    assert not RepairPhoto.objects.exists()


def test_photo_stored_privately_shown_as_thumbnail_and_served_only_to_who_may_see(
        cast: Any, fake_policies: Any, frozen_now: Any) -> None:
    order = on_site(cast, assigned(cast, now=frozen_now), now=frozen_now)
    actions.start_work(order=order, acting_user=cast.worker, now=frozen_now)
    worker = login(cast.worker)
    worker.post(f"/repairs/orders/{order.pk}/photo/",
                {"phase": "before", "file": SimpleUploadedFile("before.jpg", samples.jpeg(), content_type="image/jpeg")})
    photo = RepairPhoto.objects.get(order=order)
    assert str(photo.file.name).startswith("repairs/photos/") and order.ticket.number not in str(photo.file.name)
    url = f"/repairs/orders/{order.pk}/photos/{photo.pk}/"
    page = worker.get(f"/repairs/orders/{order.pk}/").content.decode()
    assert f'src="{url}?thumb=1"' in page
    r = worker.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg" and r["X-Content-Type-Options"] == "nosniff"
    assert worker.get(url, {"thumb": "1"})["Content-Type"] == "image/webp"
    assert login(cast.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert Client().get(f"/media/{photo.file.name}").status_code == 404


def test_signature_private_under_uuid_name(cast: Any, fake_policies: Any, frozen_now: Any) -> None:
    order = completed(cast, on_site(cast, assigned(cast, now=frozen_now), now=frozen_now), now=frozen_now)
    name = str(order.signature.name)
    assert name.startswith("repairs/signatures/") and order.ticket.number not in name
    url = f"/repairs/orders/{order.pk}/signature.png"
    r = login(cast.supervisor).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and r["X-Content-Type-Options"] == "nosniff"
    assert r.getvalue().startswith(b"\x89PNG")
    assert login(cast.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 404
