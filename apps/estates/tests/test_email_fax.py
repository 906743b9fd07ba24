"""R-M17-07: the monthly fee reminder goes by e-mail and fax where the owner has them, so the owner
archive keeps an e-mail address and a fax number — entered on the archive edit page, through the API
and by the roster import, masked like the phone numbers (R-M7-01) and revealed only under its rules."""

from __future__ import annotations

import json

import pytest

from apps.estates import roster
from apps.estates.masking import mask_email
from apps.estates.models import AccessAction, CustomerDataAccessLog, Person
from apps.estates.tests.conftest import ROSTER_HEADERS, read_xlsx, token_for, workbook

pytestmark = pytest.mark.django_db


def test_r_m17_07_email_is_masked_like_a_phone_number():
    assert mask_email("zhangsan@example.com") == "z*******@e******.com"
    assert mask_email("a@b.cn") == "a*@b*.cn"
    assert mask_email("") == ""


def test_r_m17_07_supervisor_enters_email_and_fax_on_the_archive_page(cast, estate, client, frozen_now):
    client.force_login(cast.supervisor)
    url = f"/estates/households/{estate.hh.pk}/persons/{estate.owner.pk}/edit/"
    base = {"name": "张三丰", "kind": "owner", "active": "on"}
    r = client.post(url, {**base, "email": "不是邮箱", "fax": "12ab"})
    html = r.content.decode()
    assert r.status_code == 400 and "电子邮箱格式不正确" in html and "电话号码格式不正确" in html
    estate.owner.refresh_from_db()
    assert estate.owner.email == "" and estate.owner.fax == ""  # nothing half-written
    r = client.post(url, {**base, "email": "zhangsan@example.com", "fax": "0755-83211234"})
    assert r.status_code == 302
    estate.owner.refresh_from_db()
    assert (estate.owner.email, estate.owner.fax) == ("zhangsan@example.com", "0755-83211234")
    # the edit page never shows them in full; left blank they keep the stored value
    html = client.get(url).content.decode()
    assert "z*******@e******.com" in html and "zhangsan@example.com" not in html
    assert client.post(url, base).status_code == 302
    estate.owner.refresh_from_db()
    assert estate.owner.email == "zhangsan@example.com"
    # the household page masks them; 显示完整信息 shows them and logs the fields
    html = client.get(f"/estates/households/{estate.hh.pk}/").content.decode()
    assert "z*******@e******.com" in html and "0755****1234" in html and "83211234" not in html
    html = client.post(f"/estates/households/{estate.hh.pk}/", {"purpose": "通知业主"}).content.decode()
    assert "zhangsan@example.com" in html and "0755-83211234" in html
    row = CustomerDataAccessLog.objects.filter(person=estate.owner, action=AccessAction.VIEW).get()
    assert "email" in row.fields and "fax" in row.fields


def test_r_m17_07_email_and_fax_through_the_api(cast, estate, client, frozen_now):
    api = {"HTTP_AUTHORIZATION": f"Bearer {token_for(cast.supervisor)}"}
    url = f"/api/v1/estates/households/{estate.hh.pk}/persons/{estate.owner.pk}"
    body = {"name": "张三丰", "kind": "owner", "email": "bad@", "fax": ""}
    r = client.put(url, json.dumps(body), content_type="application/json", **api)
    assert r.status_code == 422 and "email" in r.json()["error"]["fields"]
    r = client.put(
        url,
        json.dumps({**body, "email": "zhangsan@example.com", "fax": "0755-83211234"}),
        content_type="application/json",
        **api,
    )
    assert r.status_code == 200, r.content
    assert r.json()["email"] == "z*******@e******.com" and r.json()["fax"] == "0755****1234"
    detail = client.get(f"/api/v1/estates/households/{estate.hh.pk}", **api).json()
    owner = next(p for p in detail["persons"] if p["id"] == estate.owner.pk)
    assert owner["email"] == "z*******@e******.com"
    r = client.post(
        f"/api/v1/estates/households/{estate.hh.pk}/reveal",
        json.dumps({"reason": "通知业主"}),
        content_type="application/json",
        **api,
    )
    owner = next(p for p in r.json()["persons"] if p["id"] == estate.owner.pk)
    assert (owner["email"], owner["fax"]) == ("zhangsan@example.com", "0755-83211234")
    # a worker cannot maintain the archive
    worker = {"HTTP_AUTHORIZATION": f"Bearer {token_for(cast.worker)}"}
    r = client.put(url, json.dumps(body), content_type="application/json", **worker)
    assert r.status_code in (403, 404)


def test_r_m17_07_roster_import_and_export_carry_email_and_fax(cast, frozen_now):
    headers = [*ROSTER_HEADERS, "电子邮箱", "传真"]
    row = [
        "7栋",
        "1单元",
        "0801",
        98,
        "已入住",
        "陈静",
        "业主",
        "13800000001",
        "",
        "",
        "",
        "",
        "",
        "",
        "chenjing@example.com",
        "0755-83210000",
    ]
    bad = ["7栋", "1单元", "0802", 98, "已入住", "周明", "业主", "13800000002", "", "", "", "", "", "", "周明@", ""]
    job = roster.create_import_job(cast.supervisor, cast.project, workbook([row, bad], headers=headers), "r.xlsx")
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "电子邮箱")]
    assert "电子邮箱格式不正确" in job.errors[0]["message"]
    job = roster.create_import_job(cast.supervisor, cast.project, workbook([row], headers=headers), "r.xlsx")
    roster.commit_import(job, cast.supervisor)
    p = Person.objects.get(name="陈静")
    assert (p.email, p.fax) == ("chenjing@example.com", "0755-83210000")
    import io

    out = io.BytesIO()
    roster.write_roster(out, roster.export_queryset(cast.project), unmasked=False)
    rows = read_xlsx(out.getvalue())
    assert rows[0][-2:] == ["电子邮箱", "传真"]
    assert rows[1][-2:] == ["c*******@e******.com", "0755****0000"]
