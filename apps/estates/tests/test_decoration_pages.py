"""R-M7-09, R-M7-10, R-M17-08: the decoration archive on the household's page and in the API — the
front desk and stewards record the list, photos/videos/recordings, progress and problems; media open
only with a reason, under the archive's rules (VIP grant, steward's own buildings) and with a log
row; progress entries reach the owners through the notify to-do (page and API)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.tests import samples
from apps.estates.models import AccessAction, CustomerDataAccessLog, DecorationRecord
from apps.estates.tests.conftest import token_for
from apps.notify.models import Delivery

pytestmark = pytest.mark.django_db


def _photo():
    return SimpleUploadedFile("site.jpg", samples.jpeg(), content_type="image/jpeg")


def test_r_m7_09_front_desk_keeps_the_decoration_archive_on_the_page(
    cast, estate, client, frozen_now, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(cast.front_desk)
    url = f"/estates/households/{estate.hh.pk}/decoration/"
    assert f'href="{url}"' in client.get(f"/estates/households/{estate.hh.pk}/").content.decode()
    r = client.post(url, {"kind": "photo", "note": "水电改造隐蔽工程"})
    assert r.status_code == 400 and "须上传文件" in r.content.decode()
    assert client.post(url, {"kind": "photo", "note": "水电改造隐蔽工程", "file": _photo()}).status_code == 302
    assert client.post(url, {"kind": "list", "note": "装修清单：水电、瓷砖、吊顶"}).status_code == 302
    html = client.get(url).content.decode()
    assert "水电改造隐蔽工程" in html and "装修清单" in html
    photo = DecorationRecord.objects.get(kind="photo")
    # R-M7-10: opening the photo needs a reason and writes the read log
    r = client.post(f"{url}{photo.pk}/open/", {"reason": "核对装修投诉"})
    assert r.status_code == 200 and b"".join(r.streaming_content) == samples.jpeg()
    log = CustomerDataAccessLog.objects.get(fields="decoration_media")
    assert (log.user, log.action, log.reason) == (cast.front_desk, AccessAction.VIEW, "核对装修投诉")
    # a worker neither sees nor adds entries
    client.force_login(cast.worker)
    assert client.get(url).status_code in (403, 404)


def test_r_m7_10_vip_decoration_media_need_the_grant(cast, estate, client, frozen_now, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(cast.front_desk)
    url = f"/estates/households/{estate.vip_hh.pk}/decoration/"
    assert client.post(url, {"kind": "video", "file": SimpleUploadedFile("a.jpg", samples.jpeg())}).status_code == 302
    rec = DecorationRecord.objects.get()
    r = client.post(f"{url}{rec.pk}/open/", {"reason": "核对"}, follow=True)
    assert "VIP" in r.content.decode()
    assert CustomerDataAccessLog.objects.get().action == AccessAction.REFUSED
    api = {"HTTP_AUTHORIZATION": f"Bearer {token_for(cast.front_desk)}"}
    r = client.post(
        f"/api/v1/estates/decoration/{rec.pk}/open",
        json.dumps({"reason": "核对"}),
        content_type="application/json",
        **api,
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "grant_required"


def test_r_m7_09_decoration_archive_through_the_api(cast, estate, client, frozen_now, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    building = estate.hh.building  # the steward opens media of the buildings they steward (own work, R-M7-01)
    building.steward = cast.butler
    building.save()
    api = {"HTTP_AUTHORIZATION": f"Bearer {token_for(cast.butler)}"}
    base = f"/api/v1/estates/households/{estate.hh.pk}/decoration"
    r = client.post(base, {"kind": "photo", "note": "吊顶"}, **api)
    assert r.status_code == 422 and "file" in r.json()["error"]["fields"]
    r = client.post(base, {"kind": "photo", "note": "吊顶", "file": _photo()}, **api)
    assert r.status_code == 201 and r.json()["has_file"] is True
    rid = r.json()["id"]
    assert [d["kind"] for d in client.get(base, **api).json()] == ["photo"]
    r = client.post(
        f"/api/v1/estates/decoration/{rid}/open",
        json.dumps({"reason": "核对装修"}),
        content_type="application/json",
        **api,
    )
    assert r.status_code == 200 and b"".join(r.streaming_content) == samples.jpeg()
    assert CustomerDataAccessLog.objects.filter(fields="decoration_media").count() == 1
    worker = {"HTTP_AUTHORIZATION": f"Bearer {token_for(cast.worker)}"}
    assert client.post(base, {"kind": "list", "note": "x"}, **worker).status_code in (403, 404)


def test_r_m17_08_progress_recorded_on_the_page_reaches_the_owner(cast, estate, client, frozen_now):
    client.force_login(cast.front_desk)
    r = client.post(f"/estates/households/{estate.hh.pk}/decoration/", {"kind": "progress", "note": "水电已验收"})
    assert r.status_code == 302
    rec = DecorationRecord.objects.get()
    assert "水电已验收" in client.get("/notify/decoration/").content.decode()
    api = {"HTTP_AUTHORIZATION": f"Bearer {token_for(cast.front_desk)}"}
    todo = client.get("/api/v1/notifications/decoration-progress", **api).json()
    assert [t["record_id"] for t in todo] == [rec.pk]
    r = client.post(f"/api/v1/notifications/decoration-progress/{rec.pk}/tell", **api)
    assert r.status_code == 200 and r.json()["queued"] == 1
    sms = Delivery.objects.get(kind="decoration_progress")
    assert sms.address == estate.owner.phone and "水电已验收" in sms.body
    assert client.get("/api/v1/notifications/decoration-progress", **api).json() == []
    assert client.post(f"/notify/decoration/{rec.pk}/tell/").status_code == 302  # told once: no second SMS
    assert Delivery.objects.filter(kind="decoration_progress").count() == 1
