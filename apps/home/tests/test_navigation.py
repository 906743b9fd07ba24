"""Issue 23: the main menu shows only the modules the user's roles may open; every link it shows opens."""
from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import RequestFactory

from apps.home.navigation import nav

pytestmark = pytest.mark.django_db

ROLES = ["front_desk", "butler", "supervisor", "cs_manager", "project_manager", "eng_head", "worker",
         "quality_inspector", "leader", "sysadmin", "nobody"]


def _menu(client: Any, user: Any) -> list[str]:
    client.force_login(user)
    html = client.get("/").content.decode()
    block = re.search(r'<ul class="nav-links">(.*?)</ul>', html, re.S)
    assert block
    return re.findall(r'href="([^"]+)"', block.group(1))


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_link_shown_to_a_role_opens_for_that_role(cast: Any, client: Any, role: str) -> None:
    user = getattr(cast, role)
    links = _menu(client, user)
    assert "/" in links
    refused = [(url, client.get(url).status_code) for url in links if client.get(url).status_code != 200]
    assert refused == []


def test_a_worker_sees_neither_audits_nor_fees(cast: Any, client: Any) -> None:
    links = _menu(client, cast.worker)
    assert not any(u.startswith(("/audits/", "/fees/", "/assessments/", "/cards/", "/desk/")) for u in links)
    assert any(u.startswith("/tickets/") for u in links)


def test_a_cs_manager_sees_the_modules_they_can_open(cast: Any, client: Any) -> None:
    links = _menu(client, cast.cs_manager)
    for prefix in ("/tickets/", "/fees/", "/surveys/", "/assessments/", "/reports/"):
        assert any(u.startswith(prefix) for u in links), prefix
        assert client.get(next(u for u in links if u.startswith(prefix))).status_code == 200


def test_the_menu_is_computed_with_a_fixed_number_of_queries(cast: Any, django_assert_max_num_queries: Any) -> None:
    """No per-module query storm: the memberships and the visible projects, read once each."""
    from apps.org.models import User

    for role in ("cs_manager", "quality_inspector", "leader"):
        request = RequestFactory().get("/")
        request.user = User.objects.get(pk=getattr(cast, role).pk)  # nothing cached on the user yet
        with django_assert_max_num_queries(2):
            shown = nav(request)["nav"]
        assert isinstance(shown, dict) and any(shown.values())
