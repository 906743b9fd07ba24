"""Issue 19 items 4 and 5: the owner's account shows the household's questionnaires (answered once,
online, counting as a recovered questionnaire R-M10-05), its bills, arrears and receipts (R-M16), its IC
cards and door-code notices (R-M11) — pages and /api/v1/me/; another household's records answer 404."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.cards import actions as card_actions
from apps.fees import actions as fee_actions
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.owners.tests.conftest import OTHER, OWNER
from apps.owners.tests.test_api import get, post
from apps.surveys import actions as survey_actions
from apps.surveys.models import SampledHousehold
from apps.surveys.tests.conftest import build_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(cast: Any, homes: Any, frozen_now: Any) -> Any:
    """A campaign received the week before; 0801 sampled and handed its questionnaire."""
    start = frozen_now - dt.timedelta(days=3)
    q = build_questionnaire(cast.company, cast.supervisor, start)
    campaign = survey_actions.issue_campaign(company=cast.company, title="2026年下半年业主满意度调查", questionnaire=q,
                                             received_on=start.date(), projects=[cast.project],
                                             acting_user=cast.quality_inspector, now=start, sample=False)
    ps = campaign.project_surveys.get()
    survey_actions.add_to_sample(survey=ps, households=[homes["0801"], homes["1502"]], reason="业主要求参加",
                                 acting_user=cast.supervisor, now=start)
    survey_actions.record_distribution(survey=ps, household=homes["0801"], channel="portal",
                                       acting_user=cast.supervisor, now=start)
    return SampledHousehold.objects.get(survey=ps, household=homes["0801"])


ANSWERS = {"q_cs_attitude": "1", "q_eng_speed": "2", "q_security_access": "1", "q_clean_quality": "3",
           "q_overall": "2", "q_advice": "电梯按键失灵", "comment": "谢谢"}


def test_r_m10_05_owner_answers_survey_once_from_the_account(owner_client: Any, homes: Any, survey: Any) -> None:
    c = owner_client(OTHER)
    page = c.get("/me/surveys/").content.decode()
    assert "2026年下半年业主满意度调查" in page and f"/me/surveys/{survey.pk}/" in page
    r = c.post(f"/me/surveys/{survey.pk}/", {**ANSWERS, "q_overall": ""})
    assert r.status_code == 400 and 'id="form-error"' in r.content.decode()
    r = c.post(f"/me/surveys/{survey.pk}/", ANSWERS)
    assert r.status_code == 302
    survey.refresh_from_db()
    assert survey.recovered_at is not None and survey.answered_via == "online" and survey.overall_satisfied is True
    assert survey.answers.count() == 6
    assert "已作答" in c.get("/me/surveys/").content.decode()
    r = c.post(f"/me/surveys/{survey.pk}/", ANSWERS)  # a second answer is refused, nothing changes
    assert r.status_code == 400 and "只能作答一次" in r.content.decode()
    assert survey.answers.count() == 6


def test_survey_of_another_household_is_404(owner_client: Any, homes: Any, survey: Any) -> None:
    c = owner_client(OWNER, homes["1502"])
    assert f"/me/surveys/{survey.pk}/" not in c.get("/me/surveys/").content.decode()
    assert c.get(f"/me/surveys/{survey.pk}/").status_code == 404
    assert c.post(f"/me/surveys/{survey.pk}/", ANSWERS).status_code == 404
    survey.refresh_from_db()
    assert survey.recovered_at is None


def test_r_m10_05_api_answer_survey(api_token: Any, homes: Any, survey: Any, cast: Any) -> None:
    token, c = api_token(), Client()
    base = f"/households/{homes['0801'].pk}/surveys"
    rows = get(c, base, token).json()
    assert [r["id"] for r in rows] == [survey.pk] and rows[0]["answerable"] is True
    detail = get(c, f"{base}/{survey.pk}", token).json()
    assert [i["code"] for i in detail["items"]][-1] == "advice" and len(detail["options"]) == 4
    r = post(c, f"{base}/{survey.pk}/answers", {"answers": {"overall": "9"}}, token)
    assert r.status_code == 422 and "不是有效选项" in r.json()["error"]["message"]
    r = post(c, f"{base}/{survey.pk}/answers", {"answers": {"overall": "1", "advice": "好"}}, token)
    assert r.status_code == 201 and r.json()["answered_at"] and r.json()["answerable"] is False
    r = post(c, f"{base}/{survey.pk}/answers", {"answers": {"overall": "2"}}, token)
    assert r.status_code == 409
    other = api_token(OWNER)
    assert get(c, f"/households/{homes['0801'].pk}/surveys", other).status_code == 404
    assert get(c, f"/households/{homes['1502'].pk}/surveys/{survey.pk}", other).status_code == 404
    r = post(c, f"/households/{homes['1502'].pk}/surveys/{survey.pk}/answers", {"answers": {"overall": "1"}}, other)
    assert r.status_code == 404


@pytest.fixture
def fees(cast: Any, homes: Any, frozen_now: Any) -> Any:
    old = fee_actions.add_charge(project=cast.project, household=homes["0801"], kind="parking",
                                 description="2026年10月停车费", amount="300.00", due_date=dt.date(2026, 10, 31),
                                 acting_user=cast.cs_manager, now=frozen_now)
    fee_actions.add_charge(project=cast.project, household=homes["0801"], kind="decoration_waste",
                           description="装修垃圾清运费", amount="150.00", due_date=dt.date(2026, 12, 31),
                           acting_user=cast.cs_manager, now=frozen_now)
    cashier = UserFactory(username="cashier", display_name="孙收银")
    member(cashier, Role.CASHIER, company=cast.company, project=cast.project)
    fee_actions.record_payment(project=cast.project, household=homes["0801"], amount="100.00",
                               acting_user=cashier, now=frozen_now, bill_ids=[old.pk])
    fee_actions.add_charge(project=cast.project, household=homes["1502"], kind="parking",
                           description="别人家的停车费", amount="999.00", due_date=dt.date(2026, 10, 31),
                           acting_user=cast.cs_manager, now=frozen_now)
    return old


def test_r_m16_owner_sees_arrears_and_receipts(owner_client: Any, homes: Any, fees: Any) -> None:
    page = owner_client(OTHER).get("/me/fees/").content.decode()
    assert "¥350.00" in page and "其中已逾期 ¥200.00" in page and "2026年10月停车费" in page
    assert "别人家的停车费" not in page and "999" not in page
    assert page.count('data-testid="payments"') == 1 and "收款" in page


def test_r_m16_api_fees_and_other_household_404(api_token: Any, homes: Any, fees: Any) -> None:
    token, c = api_token(), Client()
    data = get(c, f"/households/{homes['0801'].pk}/fees", token).json()
    assert data["owed"] == "350.00" and data["overdue"] == "200.00"
    assert {b["description"] for b in data["bills"]} == {"2026年10月停车费", "装修垃圾清运费"}
    assert [p["amount"] for p in data["payments"]] == ["100.00"]
    assert get(c, f"/households/{homes['1502'].pk}/fees", token).status_code == 404


@pytest.fixture
def cards(cast: Any, homes: Any, frozen_now: Any) -> Any:
    card_actions.name_officer(project=cast.project, officer=cast.front_desk, stand_in=cast.butler,
                              acting_user=cast.cs_manager, now=frozen_now)
    mine = card_actions.issue_card(project=cast.project, number="IC-0801-1", kind="owner", holder_name="刘芳",
                                   household=homes["0801"], acting_user=cast.front_desk, now=frozen_now)
    card_actions.issue_card(project=cast.project, number="IC-1502-1", kind="owner", holder_name="王建国",
                            household=homes["1502"], acting_user=cast.front_desk, now=frozen_now)
    return mine


def test_r_m11_owner_sees_own_cards_only(owner_client: Any, homes: Any, cards: Any, api_token: Any) -> None:
    page = owner_client(OTHER).get("/me/cards/").content.decode()
    assert "IC-0801-1" in page and "IC-1502-1" not in page
    token, c = api_token(), Client()
    data = get(c, f"/households/{homes['0801'].pk}/cards", token).json()
    assert [x["number"] for x in data["cards"]] == ["IC-0801-1"] and data["cards"][0]["status_label"] == "使用中"
    assert get(c, f"/households/{homes['1502'].pk}/cards", token).status_code == 404


def test_household_record_pages_query_count_does_not_grow(owner_client: Any, homes: Any, cast: Any, fees: Any,
                                                          cards: Any, frozen_now: Any,
                                                          django_assert_max_num_queries: Any) -> None:
    c = owner_client(OTHER)
    counts = {}
    for url in ("/me/fees/", "/me/cards/", "/me/surveys/"):
        with django_assert_max_num_queries(20) as q:
            assert c.get(url).status_code == 200
        counts[url] = len(q)
    for i in range(4):
        fee_actions.add_charge(project=cast.project, household=homes["0801"], kind="other", description=f"其他{i}",
                               amount="10.00", due_date=dt.date(2026, 12, 31), acting_user=cast.cs_manager,
                               now=frozen_now)
        card_actions.issue_card(project=cast.project, number=f"IC-0801-{i + 2}", kind="resident", holder_name="刘小",
                                household=homes["0801"], acting_user=cast.front_desk, now=frozen_now)
    for url in ("/me/fees/", "/me/cards/"):
        with django_assert_max_num_queries(counts[url]):
            assert c.get(url).status_code == 200
