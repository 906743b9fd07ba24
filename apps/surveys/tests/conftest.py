"""Survey fixtures on top of the root ``cast``: a 管理者代表 and a 物业总经理, households in buildings of
阳光花园, a published questionnaire built through the actions (STYLE §11)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from apps.estates.models import Building, Household, Person, PersonKind
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.surveys import actions
from apps.surveys.models import Questionnaire
from linli import clock

SH = clock.SHANGHAI


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def make_households(project: Any, buildings: dict[str, int]) -> list[Household]:
    out = []
    for i, (name, n) in enumerate(buildings.items()):
        b = Building.objects.create(project=project, name=name, sort_key=i)
        out += Household.objects.bulk_create([Household(project=project, building=b, room_no=str(1000 + k),
                                                        label=f"{name}{1000 + k}") for k in range(n)])
    return out


@dataclass
class Survey:
    cast: Any
    mgmtrep: Any
    gm: Any
    steward: Any
    questionnaire: Questionnaire
    homes: list[Household]


OPTIONS = [{"label": "非常满意", "satisfied": True}, {"label": "满意", "satisfied": True},
           {"label": "一般", "satisfied": False}, {"label": "不满意", "satisfied": False}]
ITEMS = [("cs_attitude", "cs", "attitude", "客服人员服务态度"), ("eng_speed", "engineering", "efficiency", "维修及时"),
         ("security_access", "security", "quality", "门岗人员出入管理"), ("clean_quality", "cleaning", "quality", "公共区域保洁")]


def build_questionnaire(company: Any, user: Any, now: dt.datetime, code: str = "owner-survey") -> Questionnaire:
    q = actions.create_questionnaire(company=company, code=code, title="业主满意度调查问卷", options=OPTIONS,
                                     acting_user=user, now=now)
    for c, line, aspect, text in ITEMS:
        actions.add_item(questionnaire=q, code=c, line=line, aspect=aspect, text=text, acting_user=user, now=now)
    actions.add_item(questionnaire=q, code="overall", line="overall", aspect="other", text="总体满意度", overall=True,
                     acting_user=user, now=now)
    actions.add_item(questionnaire=q, code="advice", line="overall", aspect="other", text="意见和建议", free_text=True,
                     acting_user=user, now=now)
    return actions.publish_questionnaire(questionnaire=q, acting_user=user, now=now)


@pytest.fixture
def sv(cast: Any) -> Survey:
    now = at(2025, 9, 1)
    mgmtrep = UserFactory(username="mgmtrep", display_name="管代表")
    member(mgmtrep, Role.MANAGEMENT_REP, company=cast.company)
    gm = UserFactory(username="gm", display_name="物业总经理")
    member(gm, Role.GENERAL_MANAGER, company=cast.company)
    steward = UserFactory(username="steward", display_name="楼宇员")
    member(steward, Role.BUILDING_STEWARD, company=cast.company, project=cast.project)
    homes = make_households(cast.project, {"1栋": 40, "2栋": 30, "3栋": 30})
    Person.objects.create(project=cast.project, household=homes[0], name="张业主", phone="13800001111",
                          kind=PersonKind.OWNER)
    q = build_questionnaire(cast.company, cast.supervisor, now)
    return Survey(cast, mgmtrep, gm, steward, q, homes)


@pytest.fixture
def campaign(sv: Survey) -> Any:
    """A campaign received 2025-09-26 by 阳光花园 (delivered 2020-06-01: 5 years → 15%)."""
    return actions.issue_campaign(company=sv.cast.company, title="2025年下半年业主满意度调查", questionnaire=sv.questionnaire,
                                  received_on=dt.date(2025, 9, 26), projects=[sv.cast.project],
                                  acting_user=sv.cast.quality_inspector, now=at(2025, 9, 26, 9))


@pytest.fixture
def ps(campaign: Any) -> Any:
    return campaign.project_surveys.get()
