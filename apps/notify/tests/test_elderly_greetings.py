"""R-M7-08: the 空巢老人 flag drives the holiday greeting — the front desk sends a festival greeting to the
persons marked elderly living alone only (a tenant included, other owners not), from the page and through
the API; the choice is refused for any other kind of notice."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from apps.estates.models import Person, PersonKind
from apps.notify.models import Delivery, NoticeKind, OwnerNotice
from apps.notify.tests.conftest import sh
from apps.notify.tests.test_spec_owner_notices import owners  # noqa: F401 (fixture)
from linli import clock

pytestmark = pytest.mark.django_db
NOW = sh(2026, 11, 23, 10, 0)


@pytest.fixture
def elderly(cast, owners):  # noqa: F811
    _owner, building = owners
    hh = building.households.first()
    return Person.objects.create(project=cast.project, household=hh, name="独居老人", phone="13800004444",
                                 kind=PersonKind.TENANT, elderly_alone=True)


def _api(user):
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_r_m7_08_festival_greeting_to_the_elderly_living_alone_from_the_page(cast, elderly):
    c = Client()
    c.force_login(cast.front_desk)
    with clock.frozen(NOW):
        assert "仅发给空巢老人" in c.get("/notify/owner-notices/").content.decode()
        r = c.post("/notify/owner-notices/", {"project": cast.project.pk, "kind": NoticeKind.WEATHER,
                                              "body": "明日降温", "elderly_only": "on"})
        assert r.status_code == 200 and "只有节日问候可以只发给空巢老人" in r.content.decode()
        r = c.post("/notify/owner-notices/", {"project": cast.project.pk, "kind": NoticeKind.FESTIVAL,
                                              "body": "重阳节快乐，物业管家将上门看望您", "elderly_only": "on"})
        assert r.status_code == 302
    notice = OwnerNotice.objects.get()
    assert (notice.elderly_only, notice.recipients) == (True, 1)
    assert list(Delivery.objects.filter(kind="notice_festival").values_list("address", flat=True)) == ["13800004444"]


def test_r_m7_08_festival_greeting_to_the_elderly_living_alone_through_the_api(cast, elderly):
    api = _api(cast.front_desk)
    body = {"project_id": cast.project.pk, "kind": NoticeKind.FESTIVAL, "body": "重阳节快乐", "elderly_only": True}
    with clock.frozen(NOW):
        r = api.post("/api/v1/notifications/owner-notices", json.dumps({**body, "kind": NoticeKind.OTHER}),
                     content_type="application/json")
        assert r.status_code == 422 and r.json()["error"]["fields"]["elderly_only"]
        r = api.post("/api/v1/notifications/owner-notices", json.dumps(body), content_type="application/json")
        assert r.status_code == 201 and r.json()["elderly_only"] is True and r.json()["recipients"] == 1
        # without the choice the greeting goes to every owner, not to the elderly tenant
        r = api.post("/api/v1/notifications/owner-notices", json.dumps({**body, "elderly_only": False}),
                     content_type="application/json")
        assert r.status_code == 201 and r.json()["recipients"] == 2
    assert Delivery.objects.filter(kind="notice_festival", address="13800004444").count() == 1
