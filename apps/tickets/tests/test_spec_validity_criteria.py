"""R-M1-18: the validity criteria list is company data, kept on a staff page and through the API by the
company's administrators and 品质管理部, and used by the 投诉判定 panel and the judgement endpoint."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.tickets.models import ValidityCriterion

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets"


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_R_M1_18_criteria_kept_on_the_staff_page_by_quality_not_by_the_desk(cast: Any) -> None:
    page_url = reverse("tickets:validity_criteria")
    assert _client(cast.front_desk).get(page_url).status_code == 403
    assert _client(cast.project_manager).get(page_url).status_code == 403  # a project's manager: not company data
    quality = _client(cast.quality_inspector)
    r = quality.post(page_url, {"label": "", "valid": "yes", "position": 1, "active": "on"})
    assert r.status_code == 422 and "errorlist" in r.content.decode()
    r = quality.post(page_url, {"label": "属物业服务范围且经核实", "valid": "yes", "position": 1, "active": "on"})
    assert r.status_code == 302
    r = quality.post(page_url, {"label": "属物业服务范围且经核实", "valid": "no", "position": 2, "active": "on"})
    assert r.status_code == 409 and "已有同名的判定标准" in r.content.decode()
    quality.post(page_url, {"label": "非物业服务范围", "valid": "no", "position": 2, "active": "on"})
    rows = list(ValidityCriterion.objects.filter(company=cast.company).order_by("position"))
    assert [(c.label, c.valid) for c in rows] == [("属物业服务范围且经核实", True), ("非物业服务范围", False)]
    assert rows[0].history.first().history_user_id == cast.quality_inspector.pk
    page = quality.get(page_url).content.decode()
    assert "非物业服务范围" in page and "R-M1" not in page
    edit = reverse("tickets:validity_criterion_edit", args=[rows[1].pk])
    r = quality.post(edit, {f"c{rows[1].pk}-label": "非物业服务范围", f"c{rows[1].pk}-valid": "no",
                            f"c{rows[1].pk}-position": 2})  # the box unticked: retired
    assert r.status_code == 302
    rows[1].refresh_from_db()
    assert rows[1].active is False
    assert "有效投诉判定标准" in _client(cast.quality_inspector).get(reverse("tickets:list")).content.decode()


def test_R_M1_18_criteria_through_the_api(cast: Any, api: Any) -> None:
    admin = api(cast.sysadmin)
    r = admin.post(f"{URL}/validity-criteria", {"label": "业主合理需要未满足", "valid": True})
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert api(cast.front_desk).post(f"{URL}/validity-criteria", {"label": "x", "valid": True}).status_code == 403
    listed = api(cast.front_desk).get(f"{URL}/validity-criteria").json()
    assert [c["label"] for c in listed] == ["业主合理需要未满足"]
    r = admin.client.patch(f"{URL}/validity-criteria/{cid}", '{"active": false}', content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {admin.raw}")
    assert r.status_code == 200 and r.json()["active"] is False
    assert api(cast.front_desk).get(f"{URL}/validity-criteria").json() == []
    assert len(api(cast.front_desk).get(f"{URL}/validity-criteria", include_inactive=True).json()) == 1


def test_R_M1_18_the_judgement_needs_a_criterion_of_the_company_list(cast: Any, api: Any, make_ticket: Any,
                                                                      policies: Any) -> None:
    valid = ValidityCriterion.objects.create(company=cast.company, label="属物业服务范围", valid=True)
    invalid = ValidityCriterion.objects.create(company=cast.company, label="恶意投诉", valid=False)
    t = make_ticket()
    sup = api(cast.supervisor)
    r = sup.post(f"{URL}/{t.pk}/judgement", {"valid_complaint": True})
    assert r.status_code == 422 and "criterion" in r.json()["error"]["fields"]
    r = sup.post(f"{URL}/{t.pk}/judgement", {"valid_complaint": True, "criterion": invalid.pk})
    assert r.status_code == 422 and "criterion" in r.json()["error"]["fields"]
    r = sup.post(f"{URL}/{t.pk}/judgement", {"valid_complaint": False, "criterion": invalid.pk})
    assert r.status_code == 200 and r.json()["validity_criterion_id"] == invalid.pk  # the criterion is the reason
    t.refresh_from_db()
    assert t.events.filter(kind="classified", message__contains="恶意投诉").exists()
    # on the page: the panel offers the company's criteria; the verdict rests on the chosen one
    page = _client(cast.supervisor)
    detail = page.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    assert "有效：属物业服务范围" in detail and "判定依据" in detail
    url = reverse("tickets:action", args=[t.pk, "judge"])
    r = page.post(url, {"valid_complaint": "yes", "criterion": ""})
    assert r.status_code == 422 and "请选择判定依据" in r.content.decode()
    r = page.post(url, {"valid_complaint": "yes", "criterion": str(valid.pk)})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.valid_complaint is True and t.validity_criterion_id == valid.pk
    assert "属物业服务范围" in page.get(reverse("tickets:detail", args=[t.pk])).content.decode()
    # flagging "important" later keeps the verdict and its criterion
    r = page.post(url, {"valid_complaint": "yes", "criterion": "", "important": "on"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.important and t.validity_criterion_id == valid.pk
    # a retired criterion is no longer offered and no longer accepted
    valid.active = False
    valid.save()
    other = make_ticket(content="另一件")
    assert sup.post(f"{URL}/{other.pk}/judgement", {"valid_complaint": True, "criterion": valid.pk}
                    ).status_code == 422
