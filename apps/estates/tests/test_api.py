"""REST API of the owner archive: projects and households looked up by 房号 (issue 4 item 9),
always masked (R-M7-01), reveal with the same rules as the page, errors documented."""
import pytest

from apps.estates.models import AccessAction, CustomerDataAccessLog
from apps.estates.tests.conftest import token_for


def _api(client, user, method, url, **kwargs):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}
    return getattr(client, method)(url, content_type="application/json", **headers, **kwargs)


def test_projects_the_token_user_can_see(cast, client):
    r = _api(client, cast.front_desk, "get", "/api/v1/org/projects")
    assert r.status_code == 200 and [p["code"] for p in r.json()] == ["YG"]
    r = _api(client, cast.quality_inspector, "get", "/api/v1/org/projects")
    assert [p["code"] for p in r.json()] == ["CH", "YG"]
    r = client.get("/api/v1/org/projects")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(("params", "labels"), [
    ({"label": "5栋2单元1502"}, ["5栋2单元1502"]),
    ({"label": "1502"}, ["5栋2单元1502"]),
    ({"room": "101"}, ["6栋1单元101"]),
    ({"building": "6栋"}, ["6栋1单元101"]),
    ({"phone_tail": "5678"}, ["5栋2单元1502"]),
    ({"q": "王五"}, ["6栋1单元101"]),
    ({}, ["5栋2单元1502", "6栋1单元101"]),
])
def test_households_are_found_by_room_label(cast, estate, client, params, labels):
    r = _api(client, cast.front_desk, "get", "/api/v1/estates/households", data={"project": cast.project.pk, **params})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [h["label"] for h in body["items"]] == labels and body["count"] == len(labels)


def test_household_list_validation_and_cross_project(cast, estate, client):
    r = _api(client, cast.front_desk, "get", "/api/v1/estates/households",
             data={"project": cast.other_project.pk})
    assert r.status_code == 404 and r.json()["error"]["fields"]["project"]
    r = _api(client, cast.front_desk, "get", "/api/v1/estates/households",
             data={"project": cast.project.pk, "phone_tail": "12ab", "limit": 1000})
    assert r.status_code == 422 and {"phone_tail", "limit"} <= set(r.json()["error"]["fields"])
    r = _api(client, cast.front_desk, "get", "/api/v1/estates/households")
    assert r.status_code == 422 and "project" in r.json()["error"]["fields"]


def test_r_m7_01_household_detail_is_masked(cast, estate, client):
    r = _api(client, cast.front_desk, "get", f"/api/v1/estates/households/{estate.hh.pk}")
    body = r.json()
    assert r.status_code == 200 and body["label"] == "5栋2单元1502" and body["building"] == "5栋"
    owner = next(p for p in body["persons"] if p["id"] == estate.owner.pk)
    assert (owner["name"], owner["phone"], owner["id_number"], owner["masked"]) == (
        "张**", "138****5678", "1101**********1233", True)
    assert owner["vehicles"] == [{"plate": "粤B****5", "parking_space": "B2-018"}]
    assert "13812345678" not in r.content.decode()
    assert CustomerDataAccessLog.objects.count() == 0


def test_cross_project_household_is_404(cast, estate, client):
    r = _api(client, cast.front_desk, "get", f"/api/v1/estates/households/{estate.other_hh.pk}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = _api(client, cast.worker, "get", f"/api/v1/estates/households/{estate.hh.pk}")
    assert r.status_code == 404


def test_r_m7_01_reveal_through_the_api_is_logged(cast, estate, client):
    url = f"/api/v1/estates/households/{estate.hh.pk}/reveal"
    r = _api(client, cast.front_desk, "post", url, data={"reason": "回访业主"})
    assert r.status_code == 200
    owner = next(p for p in r.json()["persons"] if p["id"] == estate.owner.pk)
    assert owner["phone"] == "13812345678" and owner["masked"] is False
    assert owner["id_number"] == "1101**********1233"
    logs = CustomerDataAccessLog.objects.all()
    assert logs.count() == 2 and {log.action for log in logs} == {AccessAction.API_VIEW}
    assert {log.screen for log in logs} == {"API"}


def test_r_m7_01_reveal_of_id_without_grant_is_403(cast, estate, client, grant_for):
    url = f"/api/v1/estates/households/{estate.hh.pk}/reveal"
    r = _api(client, cast.front_desk, "post", url, data={"reason": "核实身份", "fields": ["id_number"]})
    assert r.status_code == 403 and r.json()["error"]["code"] == "grant_required"
    r = _api(client, cast.eng_head, "post", url, data={"reason": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = _api(client, cast.front_desk, "post", url, data={"reason": ""})
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    # nothing shown; only the refusal for want of a grant is logged (AS-40)
    assert list(CustomerDataAccessLog.objects.values_list("user_id", "action", "fields")) == [
        (cast.front_desk.pk, AccessAction.REFUSED, "id_number")]
    grant_for(cast.front_desk)
    r = _api(client, cast.front_desk, "post", url, data={"reason": "核实身份", "fields": ["id_number"]})
    assert r.status_code == 200 and "110101199003071233" in r.content.decode()


def test_openapi_documents_the_error_responses(cast, client):
    schema = client.get("/api/openapi.json").json()
    for path, method in (("/api/v1/estates/households", "get"), ("/api/v1/estates/households/{household_id}", "get"),
                         ("/api/v1/estates/households/{household_id}/reveal", "post"), ("/api/v1/org/projects", "get")):
        responses = schema["paths"][path][method]["responses"]
        assert {"200", "401", "403", "404", "422"} <= set(responses), (path, responses.keys())
