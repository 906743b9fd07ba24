"""Issue 19 item 7 (R-M1-13): the project's 客服主管/经理 appoint 业委会成员 — an owner or resident
registered in the project — and end their appointment with a date, on the staff page
(/owners-committee/) and through /api/v1/owners-committee. Whoever lacks the capability, or works in
another project, is refused; bad input gets a Chinese message beside the field or a structured error."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from apps.api.actions import issue_token
from apps.owners import actions
from apps.owners.models import CommitteeMember
from apps.owners.tests.conftest import OTHER, OWNER
from linli import clock

pytestmark = pytest.mark.django_db


def _auth(user: Any) -> dict[str, Any]:
    _token, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_supervisor_appoints_and_ends_a_member_on_the_page(
    client: Any, cast: Any, homes: Any, frozen_now: Any, owner_client: Any, settings: Any
) -> None:
    settings.LINLI_OWNER_CODE_INTERVAL_SECONDS = 0  # the member signs in twice within the minute
    client.force_login(cast.supervisor)
    r = client.get("/owners-committee/")
    assert r.status_code == 200 and "登记业委会成员" in r.content.decode()
    assert 'data-testid="nav-committee"' in r.content.decode()  # the main menu leads here
    r = client.post("/owners-committee/", {"project": cast.project.pk, "phone": OTHER, "title": "主任"})
    assert r.status_code == 302
    member = CommitteeMember.objects.get()
    assert (member.name, member.title, member.phone, member.ended_at) == ("刘芳", "主任", OTHER, None)
    page = client.get(f"/owners-committee/?project={cast.project.pk}").content.decode()
    assert page.count('data-testid="committee-member"') == 1 and "刘芳" in page and OTHER not in page
    # the member now reaches the 业委会 page of the owner portal
    assert owner_client(OTHER).get("/me/committee/").status_code == 200
    r = client.post(f"/owners-committee/{member.pk}/end/", {"project": cast.project.pk, "ended_on": "2026-11-23"})
    assert r.status_code == 302
    member.refresh_from_db()
    assert member.ended_at == frozen_now
    page = client.get(f"/owners-committee/?project={cast.project.pk}").content.decode()
    assert 'data-testid="committee-member"' not in page and page.count('data-testid="committee-ended"') == 1
    assert owner_client(OTHER).get("/me/committee/").status_code == 404


def test_bad_input_refused_beside_the_field(client: Any, cast: Any, homes: Any, frozen_now: Any) -> None:
    client.force_login(cast.cs_manager)
    base = {"project": cast.project.pk}
    r = client.post("/owners-committee/", {**base, "phone": "1381234"})
    assert r.status_code == 400 and "请输入11位手机号码" in r.content.decode()
    r = client.post("/owners-committee/", {**base, "phone": "13700008888"})  # 翠湖苑's owner
    assert r.status_code == 400 and "不是本项目登记的业主或住户" in r.content.decode()
    assert not CommitteeMember.objects.exists()
    assert client.post("/owners-committee/", {**base, "phone": OWNER}).status_code == 302
    r = client.post("/owners-committee/", {**base, "phone": OWNER})
    assert r.status_code == 400 and "已登记为本项目业委会成员" in r.content.decode()
    member = CommitteeMember.objects.get()
    r = client.post(f"/owners-committee/{member.pk}/end/", {**base, "ended_on": "2026-11-30"})
    assert r.status_code == 400 and "卸任日期不能晚于今天" in r.content.decode()
    r = client.post(f"/owners-committee/{member.pk}/end/", {**base, "ended_on": "2026-11-01"})
    assert r.status_code == 400 and "不能早于登记日期" in r.content.decode()
    r = client.post(f"/owners-committee/{member.pk}/end/", {**base, "ended_on": ""})
    assert r.status_code == 400 and "请填写卸任日期" in r.content.decode()
    member.refresh_from_db()
    assert member.ended_at is None


def test_who_may_manage_the_committee(client: Any, cast: Any, homes: Any, frozen_now: Any) -> None:
    member = actions.appoint_committee_member(
        project=cast.project, phone=OTHER, acting_user=cast.supervisor, now=frozen_now
    )
    for user in (cast.butler, cast.front_desk, cast.worker):
        client.force_login(user)
        assert client.get("/owners-committee/").status_code == 403
        assert (
            client.post(
                f"/owners-committee/{member.pk}/end/", {"project": cast.project.pk, "ended_on": "2026-11-23"}
            ).status_code
            == 403
        )
    client.force_login(cast.outsider)  # 翠湖苑's front desk
    assert client.get(f"/owners-committee/?project={cast.project.pk}").status_code == 403
    with pytest.raises(actions.OwnerError) as refused:
        actions.end_committee_member(
            member=member, ended_on=dt.date(2026, 11, 23), acting_user=cast.butler, now=frozen_now
        )
    assert refused.value.status == 403
    member.refresh_from_db()
    assert member.ended_at is None
    client.logout()
    assert client.get("/owners-committee/").status_code == 302  # to the staff sign-in


def test_api_appoint_list_and_end(cast: Any, homes: Any, frozen_now: Any) -> None:
    c, h = Client(), _auth(cast.supervisor)
    r = c.post(
        "/api/v1/owners-committee/members",
        json.dumps({"project_id": cast.project.pk, "phone": OTHER, "title": "委员"}),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 201 and r.json()["name"] == "刘芳" and r.json()["phone_tail"] == OTHER[-4:]
    mid = r.json()["id"]
    r = c.post(
        "/api/v1/owners-committee/members",
        json.dumps({"project_id": cast.project.pk, "phone": OTHER}),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate"
    r = c.post(
        "/api/v1/owners-committee/members",
        json.dumps({"project_id": cast.project.pk, "phone": "13700008888"}),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 422 and "phone" in r.json()["error"]["fields"]
    r = c.get(f"/api/v1/owners-committee/members?project={cast.project.pk}", **h)
    assert [m["id"] for m in r.json()] == [mid]
    r = c.post(
        f"/api/v1/owners-committee/members/{mid}/end",
        json.dumps({"ended_on": "2026-12-01"}),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 422 and "ended_on" in r.json()["error"]["fields"]
    r = c.post(
        f"/api/v1/owners-committee/members/{mid}/end",
        json.dumps({"ended_on": "2026-11-23"}),
        content_type="application/json",
        **_auth(cast.butler),
    )
    assert r.status_code == 404
    r = c.post(
        f"/api/v1/owners-committee/members/{mid}/end",
        json.dumps({"ended_on": "2026-11-23"}),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200 and r.json()["ended_at"]
    assert c.get(f"/api/v1/owners-committee/members?project={cast.project.pk}", **h).json() == []
    ended = c.get(f"/api/v1/owners-committee/members?project={cast.project.pk}&ended=true", **h).json()
    assert [m["id"] for m in ended] == [mid]
    assert c.get(f"/api/v1/owners-committee/members?project={cast.project.pk}", **_auth(cast.butler)).status_code == 404
    assert c.get(f"/api/v1/owners-committee/members?project={cast.project.pk}").status_code == 401


def test_committee_page_query_count_is_pinned(
    client: Any, cast: Any, homes: Any, frozen_now: Any, django_assert_max_num_queries: Any
) -> None:
    from apps.estates.models import Person

    for i in range(6):
        phone = f"1350000{i:04d}"
        Person.objects.create(project=cast.project, household=homes["0801"], name=f"委员{i}", phone=phone)
        actions.appoint_committee_member(project=cast.project, phone=phone, acting_user=cast.supervisor, now=frozen_now)
    client.force_login(cast.supervisor)
    with django_assert_max_num_queries(14):
        r = client.get(f"/owners-committee/?project={cast.project.pk}")
    assert r.content.decode().count('data-testid="committee-member"') == 6
