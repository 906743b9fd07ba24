"""R-M7-07 (录音留存), R-M7-10: call recordings are kept with the household's archive — the front desk
records why an owner has not moved in and keeps the recording of the call, on the page and in the API;
uploads are checked by their content; a recording is personal data (R-M7-01): it opens only for a role
with customer data in its work, with a reason, with the grant for a VIP household, and every read or
refusal is in the read log."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.tests import samples
from apps.estates.models import AccessAction, CallRecording, CustomerDataAccessLog, Household, OccupancyStatus
from apps.estates.tests.conftest import token_for
from linli import clock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_root(settings: Any, tmp_path: Any) -> None:
    settings.LINLI_PRIVATE_ROOT = str(tmp_path)
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _recording(name: str = "call.amr") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.amr(), content_type="audio/amr")


def _api(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}


def test_r_m7_07_front_desk_keeps_the_call_recording_of_an_owner_not_moved_in_on_the_page(
        cast: Any, estate: Any, client: Any, frozen_now: Any) -> None:
    Household.objects.filter(pk=estate.hh.pk).update(status=OccupancyStatus.NOT_MOVED_IN)
    client.force_login(cast.front_desk)
    page = f"/estates/households/{estate.hh.pk}/"
    url = f"/estates/households/{estate.hh.pk}/calls/"
    assert f'href="{url}"' in client.get(page).content.decode()
    assert client.post(f"{page}not-moved-in/", {"reason": "业主在外地工作，明年入住"}).status_code == 302
    # by content: a picture renamed .mp3 is refused, the message beside the field
    r = client.post(url, {"note": "电话了解未入住原因",
                          "file": SimpleUploadedFile("call.mp3", samples.jpeg(), content_type="audio/mpeg")})
    assert r.status_code == 400 and "按文件内容判断" in r.content.decode() and not CallRecording.objects.exists()
    r = client.post(url, {"note": "", "file": _recording()})
    assert r.status_code == 400 and not CallRecording.objects.exists()
    r = client.post(url, {"note": "电话了解未入住原因：在外地工作", "called_at": "2026-11-23T09:30", "file": _recording()})
    assert r.status_code == 302
    rec = CallRecording.objects.get()
    assert (rec.recorded_by, rec.household, (rec.file.name or "").startswith("estates/calls/")) == (
        cast.front_desk, estate.hh, True)
    assert rec.called_at == dt.datetime(2026, 11, 23, 9, 30, tzinfo=clock.SHANGHAI)
    html = client.get(url).content.decode()
    assert "电话了解未入住原因：在外地工作" in html and "2026-11-23 09:30" in html
    assert not CustomerDataAccessLog.objects.exists()  # listing is not a consultation
    # R-M7-10: listening needs a reason and writes the read log
    r = client.post(f"{url}{rec.pk}/open/", {"reason": "核对入住动态"})
    assert r.status_code == 200 and b"".join(r.streaming_content) == samples.amr()
    log = CustomerDataAccessLog.objects.get()
    assert (log.user, log.action, log.fields, log.reason, log.household) == (
        cast.front_desk, AccessAction.VIEW, "call_recording", "核对入住动态", estate.hh)
    r = client.post(f"{url}{rec.pk}/open/", {"reason": ""}, follow=True)
    assert "请填写查阅事由" in r.content.decode() and CustomerDataAccessLog.objects.count() == 1
    # a repair worker neither lists nor hears them
    client.force_login(cast.worker)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}{rec.pk}/open/", {"reason": "看看"}).status_code == 404


def test_r_m7_07_call_recordings_through_the_api(cast: Any, estate: Any, client: Any, frozen_now: Any) -> None:
    Household.objects.filter(pk=estate.hh.pk).update(status=OccupancyStatus.NOT_MOVED_IN)
    api = _api(cast.front_desk)
    base = f"/api/v1/estates/households/{estate.hh.pk}"
    r = client.post(f"{base}/not-moved-in", {"reason": "业主在外地工作，明年入住"}, content_type="application/json",
                    **api)
    assert r.status_code == 200 and r.json()["status"] == "not_moved_in"
    assert Household.objects.get(pk=estate.hh.pk).not_moved_in_reason == "业主在外地工作，明年入住"
    r = client.post(f"{base}/call-recordings", {"note": "电话了解未入住原因",
                                                "file": SimpleUploadedFile("x.amr", samples.jpeg())}, **api)
    assert r.status_code == 422 and r.json()["error"]["fields"]["file"]
    r = client.post(f"{base}/call-recordings", {"note": "电话了解未入住原因",
                                                "called_at": "2026-11-24T09:00:00+08:00", "file": _recording()}, **api)
    assert r.status_code == 422 and r.json()["error"]["fields"]["called_at"] == ["通话时间不能晚于现在"]
    r = client.post(f"{base}/call-recordings", {"note": "x" * 201, "file": _recording()}, **api)
    assert r.status_code == 422
    r = client.post(f"{base}/call-recordings", {"note": "电话了解未入住原因", "file": _recording()}, **api)
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    listed = client.get(f"{base}/call-recordings", **api).json()
    assert [(x["id"], x["note"], x["recorded_by"]) for x in listed] == [(rid, "电话了解未入住原因", str(cast.front_desk))]
    r = client.post(f"/api/v1/estates/call-recordings/{rid}/open", {"reason": "核对入住动态"},
                    content_type="application/json", **api)
    assert r.status_code == 200 and b"".join(r.streaming_content) == samples.amr()
    assert CustomerDataAccessLog.objects.get().screen == "API 通话录音"
    # a repair worker: 404, nothing logged
    worker = _api(cast.worker)
    assert client.get(f"{base}/call-recordings", **worker).status_code == 404
    r = client.post(f"/api/v1/estates/call-recordings/{rid}/open", {"reason": "看看"},
                    content_type="application/json", **worker)
    assert r.status_code == 404 and CustomerDataAccessLog.objects.count() == 1


def test_r_m7_10_a_vip_owners_call_recording_needs_the_grant_page_and_api(
        cast: Any, estate: Any, client: Any, frozen_now: Any, grant_for: Any) -> None:
    client.force_login(cast.front_desk)
    url = f"/estates/households/{estate.vip_hh.pk}/calls/"
    assert client.post(url, {"note": "VIP业主回访", "file": _recording()}).status_code == 302
    rec = CallRecording.objects.get()
    r = client.post(f"{url}{rec.pk}/open/", {"reason": "核对"}, follow=True)
    assert "VIP" in r.content.decode()
    assert CustomerDataAccessLog.objects.get().action == AccessAction.REFUSED
    r = client.post(f"/api/v1/estates/call-recordings/{rec.pk}/open", {"reason": "核对"},
                    content_type="application/json", **_api(cast.front_desk))
    assert r.status_code == 403 and r.json()["error"]["code"] == "grant_required"
    grant = grant_for(cast.front_desk)
    r = client.post(f"/api/v1/estates/call-recordings/{rec.pk}/open", {"reason": "核对"},
                    content_type="application/json", **_api(cast.front_desk))
    assert r.status_code == 200
    assert client.post(f"{url}{rec.pk}/open/", {"reason": "核对"}).status_code == 200
    reads = CustomerDataAccessLog.objects.filter(action=AccessAction.VIEW, fields="call_recording")
    assert [x.grant_id for x in reads] == [grant.pk, grant.pk]


def test_r_m7_07_call_recording_list_queries_do_not_grow_with_rows(cast: Any, estate: Any, client: Any,
                                                                   frozen_now: Any) -> None:
    client.force_login(cast.front_desk)
    url = f"/estates/households/{estate.hh.pk}/calls/"

    def add(n: int) -> None:
        for i in range(n):
            CallRecording.objects.create(project=cast.project, household=estate.hh, called_at=clock.now(),
                                         note=f"通话{i}", file="estates/calls/x.amr", recorded_at=clock.now(),
                                         recorded_by=cast.front_desk)

    add(1)
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add(10)
    with CaptureQueriesContext(connection) as eleven:
        html = client.get(url).content.decode()
    assert html.count('data-testid="call-recording"') == 11
    assert len(eleven.captured_queries) <= len(one.captured_queries)
    api = _api(cast.front_desk)
    with CaptureQueriesContext(connection) as listed:
        assert len(client.get(f"/api/v1/estates/households/{estate.hh.pk}/call-recordings", **api).json()) == 11
    assert len(listed.captured_queries) <= len(one.captured_queries) + 5
