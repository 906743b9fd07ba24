"""Issue 19 item 1: the owner adds and removes family members or a tenant on their household."""
from __future__ import annotations

from typing import Any

import pytest

from apps.estates.models import Person
from apps.owners.tests.conftest import OTHER, OWNER

pytestmark = pytest.mark.django_db


def test_owner_adds_and_removes_a_tenant(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    r = c.post("/me/members/", {"name": "陈租户", "phone": "13511112222", "kind": "tenant"})
    assert r.status_code == 302
    tenant = Person.objects.get(household=homes["0801"], name="陈租户")
    assert tenant.kind == "tenant" and tenant.active
    page = c.get("/me/members/").content.decode()
    assert "陈租户" in page and "13511112222" not in page and "2222" in page
    assert c.post("/me/members/", {"remove": tenant.pk}).status_code == 302
    tenant.refresh_from_db()
    assert not tenant.active


def test_the_added_member_can_sign_in(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    c.post("/me/members/", {"name": "刘小芳", "phone": "13511113333", "kind": "resident"})
    member = owner_client("13511113333")
    assert "5栋2单元0801" in member.get("/me/").content.decode()


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "phone": "13511112222", "kind": "tenant"}, "请填写姓名"),
    ({"name": "陈", "phone": "123", "kind": "tenant"}, "请输入11位手机号码"),
    ({"name": "陈", "phone": "13511112222", "kind": "owner"}, "请选择家庭成员或租户"),
    ({"name": "陈", "phone": OTHER, "kind": "tenant"}, "该手机号已登记在本房屋"),
])
def test_bad_member_input_refused(owner_client: Any, homes: Any, data: dict[str, str], message: str) -> None:
    c = owner_client(OTHER)
    before = Person.objects.count()
    r = c.post("/me/members/", data)
    assert r.status_code == 400 and message in r.content.decode()
    assert Person.objects.count() == before


def test_removing_another_households_person_is_404(owner_client: Any, homes: Any) -> None:
    c = owner_client(OTHER)
    stranger = Person.objects.get(household=homes["1502"])
    assert c.post("/me/members/", {"remove": stranger.pk}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.active


def test_owner_cannot_remove_an_owner(owner_client: Any, homes: Any) -> None:
    c = owner_client(OWNER, household=homes["1502"])
    me = Person.objects.get(household=homes["1502"], phone=OWNER)
    r = c.post("/me/members/", {"remove": me.pk})
    assert r.status_code == 400 and "业主本人不能在此移除" in r.content.decode()
    me.refresh_from_db()
    assert me.active


def test_a_tenant_cannot_add_members(owner_client: Any, homes: Any) -> None:
    Person.objects.create(project=homes["0801"].project, household=homes["0801"], name="租客", phone="13522223333",
                          kind="tenant")
    c = owner_client("13522223333")
    r = c.post("/me/members/", {"name": "某", "phone": "13522224444", "kind": "resident"})
    assert r.status_code == 400 and "只有业主本人" in r.content.decode()
