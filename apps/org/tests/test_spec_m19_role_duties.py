"""M19 duties, each done by the role the SPEC names through its page AND the API, with the roles that must not do
it refused (issue 17: the review found tests of capabilities, not of duties).

One test per duty (or per pair of duties sharing a page). The fixtures of the apps that hold the duty are reused.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.api.actions import issue_token
from apps.assessments.models import AssessmentEntry, CatalogueItem, StaffAssessment
from apps.assessments.tests.conftest import catalogue, sheet  # noqa: F401  (fixtures)
from apps.audits.models import Audit
from apps.audits.tests.conftest import standard  # noqa: F401  (fixture)
from apps.desk.models import HouseKey, KeyLoan
from apps.fees.models import Payment
from apps.fees.tests.conftest import at as fee_at
from apps.fees.tests.conftest import cycle, fees  # noqa: F401  (fixtures)
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.quality.models import NcrStatus, NonconformityReport
from apps.quality.tests.conftest import complaint, mrep, raise_for  # noqa: F401  (fixtures)
from apps.surveys.models import OpenLetter, SampledHousehold
from apps.surveys.tests.conftest import at as survey_at
from apps.surveys.tests.conftest import campaign, ps, sv  # noqa: F401  (fixtures)
from apps.tickets.tests.helpers import receive
from apps.visits.models import VisitPlan
from apps.visits.tests.conftest import homes  # noqa: F401  (fixture)
from linli import clock

pytestmark = pytest.mark.django_db


def _auth(user: Any) -> dict[str, Any]:
    _t, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client: Client, url: str, body: dict[str, Any], user: Any) -> Any:
    return client.post(url, body, content_type="application/json", **_auth(user))


def _as(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


# ------------------------------------------------------------------ R-M19-01 客服经理


def test_r_m19_01_cs_manager_signs_off_staff_assessments_on_the_page_and_the_api(
        client: Client, cast: Any, catalogue: Any, sheet: Any, frozen_now: dt.datetime) -> None:  # noqa: F811
    """R-M19-01 (staff assessment): the 客服经理 signs off the 客服主管's monthly sheets — on the page and through the
    API; the 客服主管 who wrote them and the front desk cannot."""
    sup = _auth(cast.supervisor)
    r = client.post("/api/v1/assessments/", {"employee_id": cast.butler.pk, "project_id": cast.project.pk,
                                             "period": "2026-03"}, content_type="application/json", **sup)
    assert r.status_code == 201, r.content
    second = r.json()["id"]
    for pk in (sheet.pk, second):
        assert client.post(f"/api/v1/assessments/{pk}/submit", {}, content_type="application/json",
                           **sup).status_code == 200
    # the supervisor who assessed and the front desk are refused
    assert _post(client, f"/api/v1/assessments/{second}/sign-off", {"note": "同意"}, cast.supervisor).status_code == 403
    assert _post(client, f"/api/v1/assessments/{second}/sign-off", {"note": "同意"},
                 cast.front_desk).status_code in (403, 404)
    page = _as(cast.cs_manager)
    assert page.get(f"/assessments/{sheet.pk}/").status_code == 200
    assert page.post(f"/assessments/{sheet.pk}/sign-off/", {"note": "抽查属实"}).status_code == 302
    r = _post(client, f"/api/v1/assessments/{second}/sign-off", {"note": "同意"}, cast.cs_manager)
    assert r.status_code == 200 and r.json()["status"] == "signed_off"
    assert set(StaffAssessment.objects.values_list("status", flat=True)) == {"signed_off"}


def test_r_m19_01_cs_manager_supervises_the_survey_and_raises_an_ncr(
        client: Client, cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:  # noqa: F811
    """R-M19-01 (important complaints, coordination): the 客服经理 raises the NCR for a complaint beyond the
    department's authority on the page and through the API; the front desk cannot."""
    body = {"nonconformity": "地下车库顶板渗水，三辆车漆面受损", "beyond_authority_reason": "涉及大修与赔偿，须报公司决定"}
    r = _post(client, f"/api/v1/quality/tickets/{complaint.pk}/ncr", {**body, "department_id": cast.eng_dept.pk},
              cast.front_desk)
    assert r.status_code in (403, 404)
    page = _as(cast.cs_manager)
    assert page.get(f"/quality/tickets/{complaint.pk}/ncr/new/").status_code == 200
    r = _post(client, f"/api/v1/quality/tickets/{complaint.pk}/ncr", {**body, "department_id": cast.eng_dept.pk},
              cast.cs_manager)
    assert r.status_code == 201, r.content
    assert NonconformityReport.objects.get().raised_by == cast.cs_manager


# ------------------------------------------------------------------ R-M19-02 客服主管


def test_r_m19_02_supervisor_does_the_monthly_staff_assessment_on_the_page_and_the_api(
        client: Client, cast: Any, catalogue: Any, frozen_now: dt.datetime) -> None:  # noqa: F811
    """R-M19-02 (monthly staff assessment): the 客服主管 opens and fills a sheet on the page and through the API;
    the front desk is refused on both."""
    desk = _as(cast.front_desk)
    assert desk.get("/assessments/new/").status_code == 403
    assert _post(client, "/api/v1/assessments/", {"employee_id": cast.butler.pk, "project_id": cast.project.pk,
                                                  "period": "2026-10"}, cast.front_desk).status_code == 403
    page = _as(cast.supervisor)
    assert page.get("/assessments/new/").status_code == 200
    r = page.post("/assessments/new/", {"project": cast.project.pk, "employee": cast.front_desk.pk, "period": "2026-10"})
    assert r.status_code == 302, r.content.decode()
    r = _post(client, "/api/v1/assessments/", {"employee_id": cast.butler.pk, "project_id": cast.project.pk,
                                               "period": "2026-10"}, cast.supervisor)
    assert r.status_code == 201, r.content
    r = _post(client, f"/api/v1/assessments/{r.json()['id']}/entries",
              {"item": "1.1", "quantity": 1, "source": "department_check", "occurred_on": "2026-10-12", "note": "迟到"},
              cast.supervisor)
    assert r.status_code == 201, r.content
    assert StaffAssessment.objects.filter(project=cast.project).count() == 2


def test_r_m19_02_supervisor_makes_the_visit_plan_on_the_page_and_the_api(
        client: Client, cast: Any, homes: Any, frozen_now: dt.datetime) -> None:  # noqa: F811
    """R-M19-02 (makes visit plans, organises regular visits): the 客服主管 draws up the monthly visit plan on the
    page and through the API; the 客服专员/管家 cannot."""
    body = {"project_id": cast.project.pk, "month": "2027-01-01", "requirements": "春节前走访孤寡老人",
            "household_ids": [homes.hh2.pk]}
    assert _post(client, "/api/v1/visits/programme/plans", body, cast.butler).status_code in (403, 404)
    page = _as(cast.supervisor)
    assert page.get("/visits/plans/").status_code == 200
    r = page.post("/visits/plans/", {"project": cast.project.pk, "month": "2026-12",
                                     "requirements": "第四季度入户走访，了解冬季供暖需求", "households": "5栋2单元1502"})
    assert r.status_code == 302, r.content.decode()[:2000]
    r = _post(client, "/api/v1/visits/programme/plans", body, cast.supervisor)
    assert r.status_code == 201, r.content
    assert VisitPlan.objects.filter(project=cast.project).count() == 2


# ------------------------------------------------------------------ R-M19-03 客服前台


def test_r_m19_03_front_desk_reads_its_monthly_rates_on_the_page_and_the_api(
        client: Client, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M19-03 (3): the front desk reads its monthly validity and timeliness rates; a repair worker cannot."""
    page = _as(cast.front_desk)
    r = page.get(f"/reports/desk-rates/?project={cast.project.pk}&month=2026-11")
    assert r.status_code == 200 and "投诉有效率" in r.content.decode()
    r = client.get(f"/api/v1/reports/desk-rates?project={cast.project.pk}&month=2026-11", **_auth(cast.front_desk))
    assert r.status_code == 200 and {"validity_rate", "timely_rate"} <= set(r.json())
    assert _as(cast.worker).get(f"/reports/desk-rates/?project={cast.project.pk}").status_code in (403, 404)
    r = client.get(f"/api/v1/reports/desk-rates?project={cast.project.pk}", **_auth(cast.worker))
    assert r.status_code in (403, 404)


def test_r_m19_03_front_desk_keeps_keys_on_the_page_and_the_api(
        client: Client, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M19-03 (5) keys: the front desk registers a key through the API and lends it on the page; a repair
    worker cannot register one."""
    body = {"project_id": cast.project.pk, "label": "3栋设备房钥匙"}
    assert _post(client, "/api/v1/desk/keys", body, cast.worker).status_code in (403, 404)
    r = _post(client, "/api/v1/desk/keys", body, cast.front_desk)
    assert r.status_code == 201, r.content
    key = HouseKey.objects.get()
    page = _as(cast.front_desk)
    assert page.get(f"/desk/keys/?project={cast.project.pk}").status_code == 200
    r = page.post(f"/desk/keys/?project={cast.project.pk}", {"op": "lend", "key": key.pk, "borrower": "孙师傅",
                                                            "purpose": "设备检修", "due_at": "2026-11-23T18:00"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert KeyLoan.objects.get().borrower == "孙师傅"


def test_r_m19_03_front_desk_collects_fees_out_of_hours_on_the_page_and_the_api(
        client: Client, cast: Any, fees: Any, cycle: Any) -> None:  # noqa: F811
    """R-M19-03 (7) out-of-hours fee collection: in the evening the front desk takes a payment on the household's
    account page and through the API; during working hours the counter is the cashier's; a worker cannot."""
    with clock.frozen(fee_at(2026, 1, 5, 10)):
        r = _post(client, "/api/v1/fees/payments", {"project_id": cast.project.pk, "household_id": fees.hh.pk,
                                                    "amount": "100.00", "channel": "out_of_hours"}, cast.front_desk)
        assert r.status_code == 422 and r.json()["error"]["code"] == "within_hours"
    with clock.frozen(fee_at(2026, 1, 5, 19, 30)):
        page = _as(cast.front_desk)
        assert page.get(f"/fees/households/{fees.hh.pk}/").status_code == 200
        r = page.post(f"/fees/households/{fees.hh.pk}/", {"amount": "100.00", "method": "cash",
                                                          "channel": "out_of_hours", "payer": "张三丰"})
        assert r.status_code == 302, r.content.decode()[:2000]
        r = _post(client, "/api/v1/fees/payments", {"project_id": cast.project.pk, "household_id": fees.hh2.pk,
                                                    "amount": "50.00", "channel": "out_of_hours"}, cast.front_desk)
        assert r.status_code == 201, r.content
        r = _post(client, "/api/v1/fees/payments", {"project_id": cast.project.pk, "household_id": fees.hh2.pk,
                                                    "amount": "50.00", "channel": "out_of_hours"}, cast.worker)
        assert r.status_code in (403, 404)
    assert set(Payment.objects.values_list("collected_by", flat=True)) == {cast.front_desk.pk}


# ------------------------------------------------------------------ R-M19-05 客服专员 / R-M19-06 客服部


def test_r_m19_05_specialist_distributes_and_collects_the_survey_on_the_page_and_the_api(
        sv: Any, ps: Any) -> None:  # noqa: F811
    """R-M19-05 (survey distribution and collection): the 客服专员 (butler role) records questionnaires handed out
    on the page and through the API, and keys a collected one; the cashier cannot."""
    cashier = UserFactory(username="cashier-s", display_name="收银小钱")
    member(cashier, Role.CASHIER, company=sv.cast.company, project=sv.cast.project)
    ids = list(SampledHousehold.objects.filter(survey=ps).order_by("pk").values_list("household_id", flat=True))
    labels = dict(SampledHousehold.objects.filter(survey=ps).values_list("household_id", "household__label"))
    client = Client()
    with clock.frozen(survey_at(2025, 9, 27, 10)):
        assert _post(client, f"/api/v1/surveys/{ps.pk}/distributions", {"household_id": ids[0]},
                     cashier).status_code in (403, 404)
        page = _as(sv.cast.butler)
        assert page.get(f"/surveys/{ps.pk}/distribute/").status_code == 200
        r = page.post(f"/surveys/{ps.pk}/distribute/", {"labels": labels[ids[0]], "channel": "paper",
                                                        "signed_off": "on"})
        assert r.status_code == 302, r.content.decode()[:2000]
        r = _post(client, f"/api/v1/surveys/{ps.pk}/distributions", {"household_id": ids[1]}, sv.cast.butler)
        assert r.status_code == 200 and r.json()["changed"] is True
    with clock.frozen(survey_at(2025, 9, 28, 10)):
        r = _post(client, f"/api/v1/surveys/{ps.pk}/recoveries", {"household_id": ids[0], "answers": {"overall": 1}},
                  sv.cast.butler)
        assert r.status_code == 200, r.content
    rows = SampledHousehold.objects.filter(survey=ps, household_id__in=ids[:2])
    assert rows.filter(distributed_at__isnull=False).count() == 2
    assert rows.filter(recovered_at__isnull=False).count() == 1


def test_r_m19_06_cs_department_chases_arrears_on_the_page_and_the_api(
        client: Client, cast: Any, fees: Any, cycle: Any) -> None:  # noqa: F811
    """R-M19-06 (fee notices and recovery): the CS department (客服主管) reads the arrears list it chases on the
    page and through the API; a repair worker cannot."""
    with clock.frozen(fee_at(2026, 3, 2)):
        page = _as(cast.supervisor)
        r = page.get(f"/fees/arrears/?project={cast.project.pk}")
        assert r.status_code == 200 and fees.hh.label in r.content.decode()
        r = client.get(f"/api/v1/fees/arrears?project={cast.project.pk}", **_auth(cast.supervisor))
        assert r.status_code == 200, r.content
        assert fees.hh.pk in {row["household_id"] for row in r.json()["results"]}
        assert _as(cast.worker).get(f"/fees/arrears/?project={cast.project.pk}").status_code in (403, 404)
        r = client.get(f"/api/v1/fees/arrears?project={cast.project.pk}", **_auth(cast.worker))
        assert r.status_code in (403, 404)


# ------------------------------------------------------------------ R-M19-07 品质管理部


def test_r_m19_07_quality_department_runs_the_monthly_check_on_the_page_and_the_api(
        client: Client, cast: Any, standard: Any, frozen_now: dt.datetime) -> None:  # noqa: F811
    """R-M19-07 (monthly and quarterly checks): the 品质管理部 opens a supervision audit of a project on the page
    and through the API; the project's 客服经理 cannot audit."""
    body = {"project_id": cast.project.pk, "audited_on": "2026-11-18", "period_start": "2026-10-01",
            "period_end": "2026-11-17"}
    assert _post(client, "/api/v1/audits/", body, cast.cs_manager).status_code == 403
    page = _as(cast.quality_inspector)
    assert page.get("/audits/new/").status_code == 200
    r = page.post("/audits/new/", {"project": cast.project.pk, "kind": "supervision", "audited_on": "2026-11-18",
                                   "period_start": "2026-10-01", "period_end": "2026-11-17"})
    assert r.status_code == 302, r.content.decode()[:2000]
    r = _post(client, "/api/v1/audits/", {**body, "project_id": cast.other_project.pk}, cast.quality_inspector)
    assert r.status_code == 201, r.content
    assert set(Audit.objects.values_list("project_id", flat=True)) == {cast.project.pk, cast.other_project.pk}


def test_r_m19_07_quality_department_runs_the_customer_evaluation(sv: Any) -> None:  # noqa: F811
    """R-M19-07 (customer evaluation ≥ 2 a year): the 品质管理部 issues the satisfaction-survey campaign on the page
    and through the API; the 客服主管 cannot issue one."""
    client = Client()
    body = {"title": "2025年下半年业主满意度调查", "questionnaire_id": sv.questionnaire.pk,
            "received_on": "2025-09-26", "project_ids": [sv.cast.project.pk]}
    with clock.frozen(survey_at(2025, 9, 26, 9)):
        assert _post(client, "/api/v1/surveys/campaigns", body, sv.cast.supervisor).status_code == 403
        page = _as(sv.cast.quality_inspector)
        assert page.get("/surveys/campaigns/new/").status_code == 200
        r = _post(client, "/api/v1/surveys/campaigns", body, sv.cast.quality_inspector)
        assert r.status_code == 201, r.content


# ------------------------------------------------------------------ R-M19-08 管理者代表


def test_r_m19_08_management_rep_signs_the_ncr_on_the_page_and_the_api(
        client: Client, cast: Any, mrep: Any, complaint: Any, frozen_now: dt.datetime) -> None:  # noqa: F811
    """R-M19-08 (signs NCR/CAPA reports): the 管理者代表 signs on the report page and through the API; the 客服经理
    who raised it cannot sign."""
    first = raise_for(cast, complaint, frozen_now)
    second = raise_for(cast, receive(cast, content="电梯困人两小时，业主要求赔偿", department=cast.eng_dept), frozen_now)
    assert _post(client, f"/api/v1/quality/ncr/{first.pk}/sign", {"opinion": "同意"}, cast.cs_manager).status_code == 403
    page = _as(mrep)
    assert page.get(f"/quality/ncr/{first.pk}/").status_code == 200
    r = page.post(f"/quality/ncr/{first.pk}/sign/", {"opinion": "同意先行维修"})
    assert r.status_code == 302, r.content.decode()[:2000]
    r = _post(client, f"/api/v1/quality/ncr/{second.pk}/sign", {"opinion": "同意"}, mrep)
    assert r.status_code == 200, r.content
    assert set(NonconformityReport.objects.values_list("status", flat=True)) == {NcrStatus.SIGNED}


def test_r_m19_08_management_rep_approves_the_open_letter_on_the_page_and_the_api(
        sv: Any, ps: Any) -> None:  # noqa: F811
    """R-M19-08 (approves open letters): the 管理者代表 approves the survey's open letter on the page (and the API
    reports it approved); the 客服主管 who drafted it cannot approve it."""
    client = Client()
    ids = list(SampledHousehold.objects.filter(survey=ps).values_list("household_id", flat=True))
    with clock.frozen(survey_at(2025, 9, 29, 15)):
        _post(client, f"/api/v1/surveys/{ps.pk}/distributions/bulk", {"rows": [{"household_id": i} for i in ids]},
              sv.cast.butler)
        assert _post(client, f"/api/v1/surveys/{ps.pk}/steps/distribution", {}, sv.cast.supervisor).status_code == 200
    with clock.frozen(survey_at(2025, 10, 9, 9)):
        _post(client, f"/api/v1/surveys/{ps.pk}/recoveries/bulk",
              {"rows": [{"household_id": i, "answers": {"overall": 1}} for i in ids]}, sv.cast.butler)
        assert _post(client, f"/api/v1/surveys/{ps.pk}/steps/recovery", {}, sv.cast.supervisor).status_code == 200
    with clock.frozen(survey_at(2025, 10, 15)):
        r = _post(client, f"/api/v1/surveys/{ps.pk}/letter", {
            "title": "致业主的公开信", "issues": ["维修及时率"],
            "body": "感谢您参与本次满意度调查，针对维修及时率我们将增加人手并缩短响应时间。"}, sv.cast.supervisor)
        assert r.status_code == 200, r.content
        assert _post(client, f"/api/v1/surveys/{ps.pk}/letter/approve", {}, sv.cast.supervisor).status_code == 403
        page = _as(sv.mgmtrep)
        assert page.get(f"/surveys/{ps.pk}/letter/").status_code == 200
        assert page.post(f"/surveys/{ps.pk}/letter/", {"op": "approve"}).status_code == 302
    assert OpenLetter.objects.get().approved_by == sv.mgmtrep
    r = client.get(f"/api/v1/surveys/{ps.pk}/letter", **_auth(sv.mgmtrep))
    assert r.status_code == 200, r.content


# ------------------------------------------------------------------ R-M19-11 着装与工牌


def test_r_m19_11_missing_uniform_is_recorded_in_the_monthly_assessment_on_the_page_and_the_api(
        client: Client, cast: Any, catalogue: Any, sheet: Any, frozen_now: dt.datetime) -> None:  # noqa: F811
    """R-M19-11 (uniform and badge, R-M14 section 4 item 5): the 客服主管 records 未按统一式样着工作服 against a CS
    staff member on the sheet page and through the API; the front desk cannot record on a colleague's sheet."""
    uniform = CatalogueItem.objects.get(catalogue=catalogue, code="5.1")
    body = {"item": "5.1", "quantity": 1, "source": "daily_inspection", "occurred_on": "2026-03-12",
            "note": "未穿工作服"}
    assert _post(client, f"/api/v1/assessments/{sheet.pk}/entries", body, cast.butler).status_code in (403, 404)
    page = _as(cast.supervisor)
    r = page.post(f"/assessments/{sheet.pk}/entries/", {"item": uniform.pk, "source": "daily_inspection",
                                                        "quantity": "1", "occurred_on": "2026-03-05",
                                                        "note": "未佩戴工牌"})
    assert r.status_code == 302, r.content.decode()[:2000]
    r = _post(client, f"/api/v1/assessments/{sheet.pk}/entries", body, cast.supervisor)
    assert r.status_code == 201, r.content
    assert AssessmentEntry.objects.filter(sheet=sheet, item=uniform).count() == 2
    assert "未按统一式样着工作服" in page.get(f"/assessments/{sheet.pk}/").content.decode()
