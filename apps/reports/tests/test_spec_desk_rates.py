"""R-M5-10: each month the front desk compiles the complaint validity rate (投诉有效率) and the timely handling
rate (处理及时率) — on the page 前台每月统计 and through ``GET /api/v1/reports/desk-rates`` — with the formulas
the company chose on its settings page (统计指标目标值): by default valid ÷ complaints received in the month,
and of the complaints due in the month, those replied and completed in time."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.org import actions as org_actions
from apps.org import settings_registry
from apps.reports.tests.dataset import NOW, build
from apps.tickets.tests.helpers import at, policies, receive  # noqa: F401 - fixture
from linli import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def ds(cast: Any, policies: Any) -> Any:  # noqa: F811
    data = build(cast)
    # received on 31 October, its reply agreed for 2 November and never sent: due (and late) in November
    data.t["TOCT"] = receive(cast, now=at(2026, 10, 31, 17, 0), agreed_feedback_at=at(2026, 11, 2, 10, 0))
    clock.set_now(NOW)
    return data


def _api(user: Any) -> Client:
    from apps.api.models import ApiToken

    _t, raw = ApiToken.issue(user, name="t", now=NOW)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _marks(rate: dict[str, Any]) -> dict[str, bool]:
    return {t["number"]: t["counted_in_numerator"] for t in rate["tickets"]}


def _choose(cast: Any, **values: str) -> None:
    """The system administrator changes the formulas on the settings page's action (recorded with a reason)."""
    section = settings_registry.get("kpi-targets")
    assert section is not None
    current, _source = section.values(cast.company, None)
    data = settings_registry.form_data(section.form(cast.company, None), {**current, **values})
    org_actions.change_setting(
        section=section,
        company=cast.company,
        project=None,
        data=data,
        reason="按公司统计口径调整",
        by=cast.sysadmin,
        now=NOW,
    )


def test_r_m5_10_front_desk_compiles_the_monthly_rates_on_the_page(client: Any, cast: Any, ds: Any) -> None:
    """The 客服前台 (no access to the statistics pages) opens 前台每月统计 for November: validity 1 of 5
    complaints = 20%; the timely rate counts the complaints due in November — the October complaint whose
    reply fell due on 2 November among them, late — and lists each with whether it was in time."""
    client.force_login(cast.front_desk)
    assert client.get(reverse("reports:dashboard")).status_code == 404
    response = client.get(reverse("reports:desk_rates"), {"project": cast.project.pk, "month": "2026-11"})
    assert response.status_code == 200
    html = response.content.decode()
    rates = response.context["rates"]
    assert (rates.validity.numerator, rates.validity.denominator, rates.validity.value) == (1, 5, 20.0)
    timely = {t.number: good for t, good in rates.timely.rows}
    t = ds.t
    assert timely[t["TOCT"].number] is False and timely[t["T1"].number] is False and timely[t["T3"].number] is False
    assert timely[t["T8"].number] is True and timely[t["T2"].number] is True
    assert t["T4"].number not in timely  # a repair is not a complaint
    assert rates.timely.denominator == len(timely) and rates.timely.numerator == sum(timely.values())
    assert "20.0%" in html and t["TOCT"].number in html and "当月到期的投诉" in html
    bad = client.get(reverse("reports:desk_rates"), {"project": cast.project.pk, "month": "2026-13"})
    assert bad.status_code == 400 and "月份格式应为" in bad.content.decode()


def test_r_m5_10_front_desk_reads_the_same_rates_through_the_api(cast: Any, ds: Any) -> None:
    """The API gives the front desk the same figures and tickets; another project's staff get 404; a bad
    month is a 422 with the field named."""
    body = _api(cast.front_desk).get("/api/v1/reports/desk-rates", {"project": cast.project.pk, "month": "2026-11"})
    assert body.status_code == 200, body.content
    data = body.json()
    assert (data["validity_rate"]["numerator"], data["validity_rate"]["denominator"]) == (1, 5)
    assert data["validity_rate"]["value"] == 20.0
    assert _marks(data["timely_rate"])[ds.t["TOCT"].number] is False
    assert _marks(data["timely_rate"])[ds.t["T8"].number] is True
    assert _api(cast.outsider).get("/api/v1/reports/desk-rates", {"project": cast.project.pk}).status_code == 404
    bad = _api(cast.front_desk).get("/api/v1/reports/desk-rates", {"project": cast.project.pk, "month": "1999-01"})
    assert bad.status_code == 422 and "month" in bad.json()["error"]["fields"]


def test_r_m5_10_formulas_are_the_companys_choice(cast: Any, ds: Any) -> None:
    """The company switches validity to all tickets received (1 of 6) and timeliness to the complaints received
    in the month (the dashboard's 处理及时率, 1 of 5): the October complaint no longer counts."""
    _choose(cast, validity_base="tickets", timely_basis="received")
    data = (
        _api(cast.front_desk).get("/api/v1/reports/desk-rates", {"project": cast.project.pk, "month": "2026-11"}).json()
    )
    assert (data["validity_rate"]["numerator"], data["validity_rate"]["denominator"]) == (1, 6)
    assert "全部诉求" in data["validity_rate"]["formula"]
    assert (data["timely_rate"]["numerator"], data["timely_rate"]["denominator"]) == (1, 5)
    assert ds.t["TOCT"].number not in _marks(data["timely_rate"])


def test_r_m5_10_desk_rates_page_query_count_does_not_grow_with_the_month(
    client: Any, cast: Any, ds: Any, django_assert_max_num_queries: Any
) -> None:
    """Thirty more complaints in the month add no query per row (pinned)."""
    for day in range(30):
        receive(cast, now=at(2026, 11, 1 + day % 20, 9, 0), content=f"楼道灯不亮 {day}")
    clock.set_now(NOW)
    client.force_login(cast.front_desk)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("reports:desk_rates"), {"project": cast.project.pk, "month": "2026-11"})
    assert response.status_code == 200 and response.context["rates"].validity.denominator == 35
