"""Issue 23 item 11: the category tree, the urgencies and the channels are listed through the API
(``/api/v1/categories``, ``/api/v1/urgencies``, ``/api/v1/channels``): read-only, for staff who may see
tickets, in the OpenAPI, with the number of queries independent of the rows."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.org.models import Company
from apps.tickets.models import Category

pytestmark = pytest.mark.django_db


def _flatten(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in nodes:
        out.append(n)
        out.extend(_flatten(n["children"]))
    return out


def _queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def _add_branch(company: Any, i: int) -> Category:
    parent = Category.objects.create(company=company, code=f"own-{i}", name=f"自有分类{i}", sort=900 + i)
    Category.objects.create(company=company, parent=parent, code=f"own-{i}-a", name=f"子类{i}甲", sort=1)
    Category.objects.create(company=company, parent=parent, code=f"own-{i}-b", name=f"子类{i}乙", sort=2,
                            class_one=True)
    return parent


def test_categories_are_the_companys_tree_with_children(cast: Any, api: Any) -> None:
    parent = _add_branch(cast.company, 1)
    Category.objects.create(company=cast.company, code="off", name="停用分类", active=False)
    stranger = Company.objects.create(name="别家物业")
    Category.objects.create(company=stranger, code="theirs", name="别家分类")
    r = api(cast.front_desk).get("/api/v1/categories")
    assert r.status_code == 200, r.content
    tree = r.json()
    node = next(n for n in tree if n["id"] == parent.pk)
    assert node["code"] == "own-1" and node["company_id"] == cast.company.pk
    assert [c["name"] for c in node["children"]] == ["子类1甲", "子类1乙"]
    assert node["children"][1]["class_one"] is True and node["children"][0]["children"] == []
    names = {n["name"] for n in _flatten(tree)}
    assert "停用分类" not in names and "别家分类" not in names
    # the shipped default tree (no company) is listed too, parents before children
    assert all(n["company_id"] in (None, cast.company.pk) for n in _flatten(tree))
    by_project = api(cast.front_desk).get("/api/v1/categories", project=cast.project.pk).json()
    assert by_project == tree


def test_categories_of_an_unseen_project_are_404(cast: Any, api: Any) -> None:
    r = api(cast.outsider).get("/api/v1/categories", project=cast.project.pk)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/categories", "/api/v1/urgencies", "/api/v1/channels"])
def test_lists_are_for_signed_in_staff(cast: Any, api: Any, path: str) -> None:
    assert Client().get(path).status_code == 401
    r = api(cast.nobody).get(path)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_urgencies_and_channels_carry_both_labels(cast: Any, api: Any) -> None:
    client = api(cast.front_desk)
    urgencies = client.get("/api/v1/urgencies").json()
    assert {"code": "urgent", "label": "紧急", "label_zh": "紧急", "label_en": "Urgent"} in urgencies
    channels = {c["code"]: c for c in client.get("/api/v1/channels").json()}
    assert channels["phone"]["label_zh"] == "电话" and channels["phone"]["label_en"] == "Phone"
    assert channels["phone"]["label"] == "电话"
    assert {"phone", "online", "suggestion_box", "letter"} <= set(channels)
    # the label in the request's language
    english = {c["code"]: c for c in client.client.get("/api/v1/channels", HTTP_ACCEPT_LANGUAGE="en",
                                                        **client._headers(None)).json()}
    assert english["phone"]["label"] == "Phone" and english["phone"]["label_zh"] == "电话"


def test_lists_are_in_the_openapi_with_their_own_schemas(client: Client, db: None) -> None:
    doc = client.get("/api/openapi.json").json()
    for path in ("/api/v1/categories", "/api/v1/urgencies", "/api/v1/channels",
                 "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}"):
        assert "get" in doc["paths"][path]
    schemas = doc["components"]["schemas"]
    assert {"TicketCategoryNodeOut", "TicketChoiceOut", "TicketDetailOut", "TicketDetailExemptionOfferOut"} <= set(schemas)
    project = doc["paths"]["/api/v1/categories"]["get"]["parameters"][0]
    assert project["name"] == "project" and project["schema"]["anyOf"][0]["minimum"] == 1


def test_query_counts_do_not_grow_with_the_rows(cast: Any, api: Any) -> None:
    client = api(cast.front_desk)
    _add_branch(cast.company, 1)
    client.get("/api/v1/urgencies")  # the token's first use of the day is recorded once
    paths = ("/api/v1/categories", "/api/v1/urgencies", "/api/v1/channels")

    def count(path: str) -> int:
        return _queries(lambda: client.get(path))

    counts = {p: count(p) for p in paths}
    for i in range(2, 8):
        _add_branch(cast.company, i)
    again = {p: count(p) for p in paths}
    assert again == counts
    assert counts["/api/v1/urgencies"] == counts["/api/v1/channels"]
