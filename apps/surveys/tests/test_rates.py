"""Rates and verdicts at the scale of the acceptance scenarios (AS-25, AS-27; R-M10-02, R-M10-05) through the
queries, the API and the page, and the dashboard flag."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.org.access import forget
from apps.org.roles import Role
from apps.org.tests.factories import ProjectFactory, member
from apps.surveys import actions, queries
from apps.surveys.models import SampledHousehold
from apps.surveys.tests.conftest import at, make_households
from apps.surveys.tests.test_api import Api
from linli import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_b(sv: Any) -> Any:
    """AS-24 project B: 1,200 households, first delivery 2018-05-01 → 15% → 180."""
    b = ProjectFactory(company=sv.cast.company, code="PB", name="项目B", handover_date=dt.date(2018, 5, 1))
    make_households(b, {"1栋": 400, "2栋": 400, "3栋": 400})
    for user, role in ((sv.cast.butler, Role.BUTLER), (sv.cast.supervisor, Role.CS_SUPERVISOR)):
        member(user, role, company=sv.cast.company, project=b)
        forget(user)
    campaign = actions.issue_campaign(company=sv.cast.company, title="2025下半年", questionnaire=sv.questionnaire,
                                      received_on=dt.date(2025, 9, 26), projects=[b], sample=False,
                                      acting_user=sv.cast.quality_inspector, now=at(2025, 9, 26, 9))
    ps = campaign.project_surveys.get()
    assert ps.minimum == 180
    return actions.draw_sample(survey=ps, size=250, seed=1, acting_user=sv.cast.supervisor, now=at(2025, 9, 26, 10))


def _distribute(sv: Any, ps: Any, rows: list[SampledHousehold]) -> None:
    actions.record_distributions(survey=ps, rows=[{"household": r.household} for r in rows],
                                 acting_user=sv.cast.butler, now=at(2025, 9, 28, 10))


def test_as_25_distribution_and_recovery_verdicts(sv: Any, project_b: Any) -> None:
    """AS-25: distributed 179 → FAIL, 250 → PASS; of 250, recovered 187 → 74.8% FAIL, 188 → 75.2% PASS."""
    ps = project_b
    rows = list(SampledHousehold.objects.filter(survey=ps).select_related("household").order_by("id"))
    _distribute(sv, ps, rows[:179])
    actions.complete_distribution(survey=ps, acting_user=sv.cast.supervisor, now=at(2025, 9, 28, 11))
    ps.refresh_from_db()
    d = queries.rates(ps).verdicts[0]
    assert d.passed is False and "已发放 179 份，少于最低 180 份" in d.reason
    body = Api(sv.cast.quality_inspector).get(f"/{ps.pk}/rates").json()
    assert body["verdicts"][0]["passed"] is False and body["verdicts"][0]["verdict"] == "未达标"
    _distribute(sv, ps, rows[179:])
    r = queries.rates(ps)
    assert r.distributed == 250 and r.verdicts[0].passed is True
    actions.record_recoveries(survey=ps, rows=[{"household": x.household, "answers": {"overall": 1}}
                                               for x in rows[:187]], acting_user=sv.cast.butler, now=at(2025, 10, 5))
    rec = queries.rates(ps).verdicts[1]
    assert str(queries.rates(ps).recovery_rate) == "74.80" and "低于 75%" in rec.reason
    actions.record_recoveries(survey=ps, rows=[{"household": rows[187].household, "answers": {"overall": 1}}],
                              acting_user=sv.cast.butler, now=at(2025, 10, 5))
    r = queries.rates(ps)
    assert str(r.recovery_rate) == "75.20" and r.verdicts[1].passed is True
    # the same verdicts through the API and on the page of 品质部
    body = Api(sv.cast.quality_inspector).get(f"/{ps.pk}/rates").json()
    assert [v["passed"] for v in body["verdicts"][:2]] == [True, True]
    assert Decimal(str(body["recovery_rate"])) == Decimal("75.20")
    c = Client()
    c.force_login(sv.cast.quality_inspector)
    page = c.get(reverse("surveys:detail", args=[ps.pk])).content.decode()
    assert "按时回收 188 份（75.20%），不低于 75%" in page and "已发放 250 份，不少于最低 180 份" in page


@pytest.mark.parametrize(("satisfied", "rate", "passed"), [(179, "95.21", True), (178, "94.68", False)])
def test_as_27_satisfaction_rate_and_dashboard(sv: Any, project_b: Any, satisfied: int, rate: str,
                                               passed: bool) -> None:
    """AS-27: 188 valid, 179 satisfied → 95.21% met; 178 → 94.68% flagged below target on the dashboard."""
    ps = project_b
    rows = list(SampledHousehold.objects.filter(survey=ps).select_related("household").order_by("id"))[:188]
    _distribute(sv, ps, rows)
    actions.record_recoveries(survey=ps, rows=[{"household": x.household,
                                                "answers": {"overall": 1 if i < satisfied else 3}}
                                               for i, x in enumerate(rows)], acting_user=sv.cast.butler,
                              now=at(2025, 10, 5))
    r = queries.rates(ps)
    assert (r.valid, r.satisfied, str(r.satisfaction_rate), r.verdicts[2].passed) == (188, satisfied, rate, passed)
    body = Api(sv.cast.quality_inspector).get(f"/{ps.pk}/rates").json()
    assert Decimal(str(body["satisfaction_rate"])) == Decimal(rate) and body["verdicts"][2]["passed"] is passed
    c = Client()
    c.force_login(sv.cast.quality_inspector)
    with clock.frozen(at(2025, 10, 6)):
        page = c.get(reverse("home")).content.decode()
    assert ("满意率 94.68%，低于目标 95%" in page) is (not passed)
