"""Issue 23 item 7: owners' phone numbers are tel: links on staff pages, through one template tag
(``{% phone_link %}`` in apps/core). A masked number never reaches an href; a user whose role may reveal
contact data (R-M7-01; a VIP or a household outside the user's own work needs the department head's
grant, R-M7-03, AS-40) gets a 拨打 button that reveals the number and writes the read-log row."""
from __future__ import annotations

import re
from typing import Any

import pytest
from django.template import Context, Template
from django.urls import reverse

from apps.estates.models import AccessAction, Building, CustomerDataAccessLog

HX = {"HTTP_HX_REQUEST": "true"}


def render(text: str, **context: Any) -> str:
    return Template("{% load linli_phone %}" + text).render(Context(context))


def tel_hrefs(html: str) -> list[str]:
    return re.findall(r'href="(tel:[^"]*)"', html)


# ---------------------------------------------------------------- the tag


def test_a_full_number_is_a_tel_link() -> None:
    html = render("{% phone_link n %}", n="138 1234 5678")
    assert tel_hrefs(html) == ["tel:13812345678"] and "138 1234 5678" in html
    assert tel_hrefs(render("{% phone_link n %}", n="+86 755-8321 1234")) == ["tel:+8675583211234"]


def test_a_masked_number_is_text_without_a_link_even_with_a_call_url() -> None:
    html = render("{% phone_link n %}", n="138****5678")
    assert "138****5678" in html and "tel:" not in html and "<form" not in html
    with_call = render("{% phone_link n url %}", n="138****5678", url="/tickets/1/call/")
    assert "tel:" not in with_call and 'action="/tickets/1/call/"' in with_call
    assert 'data-testid="call-button"' in with_call


def test_a_full_number_ignores_the_call_url_and_an_empty_one_is_a_dash() -> None:
    html = render("{% phone_link n url %}", n="13812345678", url="/tickets/1/call/")
    assert tel_hrefs(html) == ["tel:13812345678"] and "<form" not in html
    assert render("{% phone_link n %}", n="").strip() == "—"


# ---------------------------------------------------------------- household page


def test_r_m7_01_household_page_masked_phone_with_call_button_for_front_desk(cast: Any, estate: Any,
                                                                             client: Any) -> None:
    client.force_login(cast.front_desk)
    html = client.get(reverse("estates:household", args=[estate.hh.pk])).content.decode()
    assert "13812345678" not in html and not tel_hrefs(html)
    assert reverse("estates:person_call", args=[estate.owner.pk, "phone"]) in html
    assert CustomerDataAccessLog.objects.count() == 0  # showing the masked number is no consultation


def test_r_m7_01_call_reveals_the_number_as_tel_link_and_logs_the_read(cast: Any, estate: Any, client: Any,
                                                                     frozen_now: Any) -> None:
    client.force_login(cast.front_desk)
    response = client.post(reverse("estates:person_call", args=[estate.owner.pk, "phone"]), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and tel_hrefs(html) == ["tel:13812345678"]
    assert "<html" not in html  # htmx gets the fragment that replaces the masked number
    log = CustomerDataAccessLog.objects.get()
    assert (log.user, log.action, log.person, log.household, log.fields, log.reason, log.at) == (
        cast.front_desk, AccessAction.VIEW, estate.owner, estate.hh, "phone", "拨打电话", frozen_now)
    assert log.grant is None  # the role alone suffices for a non-VIP contact number in the project
    # without htmx: a page with the link and the way back
    page = client.post(reverse("estates:person_call", args=[estate.owner.pk, "phone"]))
    assert page.status_code == 200 and "tel:13812345678" in page.content.decode()
    assert CustomerDataAccessLog.objects.count() == 2  # each call is logged


@pytest.mark.parametrize("who", ["worker", "eng_head", "leader"])
def test_r_m7_01_roles_without_unmask_get_no_link_and_no_number(cast: Any, estate: Any, client: Any,
                                                                 who: str) -> None:
    client.force_login(getattr(cast, who))
    page = client.get(reverse("estates:household", args=[estate.hh.pk]))
    if page.status_code == 200:
        html = page.content.decode()
        assert "13812345678" not in html and not tel_hrefs(html) and "call-button" not in html
    response = client.post(reverse("estates:person_call", args=[estate.owner.pk, "phone"]), **HX)
    assert "13812345678" not in response.content.decode()
    assert not tel_hrefs(response.content.decode())
    assert not CustomerDataAccessLog.objects.exclude(action=AccessAction.REFUSED).exists()


def test_r_m7_03_vip_number_needs_the_grant_refusal_logged(cast: Any, estate: Any, client: Any,
                                                          grant_for: Any) -> None:
    client.force_login(cast.front_desk)
    url = reverse("estates:person_call", args=[estate.vip.pk, "phone"])
    refused = client.post(url, **HX).content.decode()
    assert "13711112222" not in refused and not tel_hrefs(refused) and "call-refused" in refused
    assert "137****2222" in refused
    log = CustomerDataAccessLog.objects.get()
    assert log.action == AccessAction.REFUSED and log.person == estate.vip
    grant = grant_for(cast.front_desk)
    shown = client.post(url, **HX).content.decode()
    assert tel_hrefs(shown) == ["tel:13711112222"]
    assert CustomerDataAccessLog.objects.get(action=AccessAction.VIEW).grant == grant


def test_as_40_butler_outside_own_buildings_needs_the_grant(cast: Any, estate: Any, client: Any,
                                                           grant_for: Any) -> None:
    client.force_login(cast.butler)
    url = reverse("estates:person_call", args=[estate.owner.pk, "phone"])
    assert not tel_hrefs(client.post(url, **HX).content.decode())
    assert CustomerDataAccessLog.objects.get().action == AccessAction.REFUSED
    Building.objects.filter(pk=estate.hh.building_id).update(steward=cast.butler)
    assert tel_hrefs(client.post(url, **HX).content.decode()) == ["tel:13812345678"]


def test_call_answers_only_for_phone_fields_and_visible_persons(cast: Any, estate: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    assert client.post(reverse("estates:person_call", args=[estate.owner.pk, "id_number"])).status_code == 404
    assert client.post(reverse("estates:person_call", args=[estate.other_person.pk, "phone"])).status_code == 404
    assert client.get(reverse("estates:person_call", args=[estate.owner.pk, "phone"])).status_code == 405
    assert CustomerDataAccessLog.objects.count() == 0


def test_search_results_mask_phones_without_links(cast: Any, estate: Any, client: Any) -> None:
    client.force_login(cast.front_desk)
    html = client.get(reverse("estates:search"), {"q": "1502"}).content.decode()
    assert "138****5678" in html and not tel_hrefs(html) and "13812345678" not in html
    assert reverse("estates:person_call", args=[estate.owner.pk, "phone"]) in html


# ---------------------------------------------------------------- ticket and work order pages


def test_r_m7_01_ticket_page_phone_masked_and_called_through_the_log(cast: Any, estate: Any, client: Any) -> None:
    from apps.tickets.tests.helpers import receive

    ticket = receive(cast, household=estate.hh)
    client.force_login(cast.front_desk)
    html = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "13800138888" not in html and not tel_hrefs(html) and "138****8888" in html
    call = reverse("tickets:call_phone", args=[ticket.pk])
    assert call in html
    answer = client.post(call, **HX).content.decode()
    assert tel_hrefs(answer) == ["tel:13800138888"]
    log = CustomerDataAccessLog.objects.get()
    assert (log.action, log.household, log.fields, log.reason) == (AccessAction.VIEW, estate.hh, "phone", "拨打电话")
    assert ticket.number in log.screen


def test_r_m7_01_worker_sees_the_ticket_phone_masked_without_call(cast: Any, client: Any, frozen_now: Any,
                                                                  repair_seed: None) -> None:
    from apps.repairs.tests.helpers import assigned

    order = assigned(cast, now=frozen_now)
    client.force_login(cast.worker)
    html = client.get(reverse("repairs:order", args=[order.pk])).content.decode()
    assert "138****8888" in html and "13800138888" not in html and not tel_hrefs(html)
    assert "call-button" not in html
    response = client.post(reverse("tickets:call_phone", args=[order.ticket_id]), **HX)
    assert "13800138888" not in response.content.decode()
    assert not CustomerDataAccessLog.objects.exclude(action=AccessAction.REFUSED).exists()


def test_work_order_page_call_returns_to_the_work_order(cast: Any, client: Any, frozen_now: Any,
                                                        repair_seed: None) -> None:
    from apps.repairs.tests.helpers import assigned

    order = assigned(cast, now=frozen_now)
    client.force_login(cast.front_desk)
    html = client.get(reverse("repairs:order", args=[order.pk])).content.decode()
    call = reverse("tickets:call_phone", args=[order.ticket_id])
    assert call + "?back=" in html and not tel_hrefs(html)
    page = client.post(call + "?back=" + reverse("repairs:order", args=[order.pk])).content.decode()
    assert "tel:13800138888" in page and reverse("repairs:order", args=[order.pk]) in page
    elsewhere = client.post(call + "?back=//evil.example/").content.decode()
    assert 'href="//evil.example/"' not in elsewhere and reverse("tickets:detail", args=[order.ticket_id]) in elsewhere
    assert CustomerDataAccessLog.objects.filter(action=AccessAction.VIEW).count() == 2


@pytest.fixture
def repair_seed(db: None) -> None:
    import importlib

    from django.apps import apps

    importlib.import_module("apps.repairs.migrations.0002_repair_categories").seed(apps, None)
