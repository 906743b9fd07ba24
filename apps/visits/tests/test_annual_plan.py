"""R-M9-13: the office director puts return visits to residents in the annual work plan with targets;
the 物业总经理 approves it (a change after approval goes back for re-approval); the year-end review sets
the targets against the return visits actually done — through the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.api.actions import issue_token
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.tickets import actions as ticket_actions
from apps.tickets.tests.helpers import receive, to_verified
from apps.visits import actions, annual
from apps.visits.models import AnnualVisitPlan, AnnualVisitTarget, PlanStatus
from apps.visits.tests.conftest import at
from linli import clock

pytestmark = pytest.mark.django_db

DUTIES = "主任每年上门走访1–2次；物业管理员分片区每季度回访一次；工单完成后全部回访。"
TARGETS = [
    {"measure": "ticket_return_visits", "quarter": 0, "value": 4},
    {"measure": "ticket_return_visits", "quarter": 1, "value": 1},
    {"measure": "ticket_return_rate", "quarter": 0, "value": 100},
    {"measure": "resident_visits", "quarter": 0, "value": 2},
    {"measure": "household_coverage", "quarter": 0, "value": 90},
]


def _auth(user):
    _token, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def gm(cast):
    user = UserFactory(username="gm_annual", display_name="总经理")
    member(user, Role.GENERAL_MANAGER, company=cast.company)
    return user


@pytest.fixture
def director(cast):
    user = UserFactory(username="officedir_t", display_name="办公室主任")
    member(user, Role.OFFICE_DIRECTOR, company=cast.company)
    return user


def _approved(cast, director, gm, *, targets=TARGETS, year=2026):
    plan = actions.draw_up_annual_plan(
        project=cast.project, year=year, duties=DUTIES, targets=targets, acting_user=director, now=clock.now()
    )
    actions.submit_annual_plan(plan=plan, acting_user=director, now=clock.now())
    return actions.decide_annual_plan(plan=plan, approve=True, note="同意", acting_user=gm, now=clock.now())


@pytest.fixture
def year_2026(cast, homes, record):
    """2026 in 阳光花园: one ticket return-visited in Q1, one verified but not yet return-visited in Q3,
    visits to 5栋2单元1502 in Q1 and 6栋1单元101 in Q4, a voided visit, a 2025 visit, and another project's
    return visit (none of those three count)."""
    with clock.frozen(at(2026, 2, 10, 10)):
        t1 = receive(cast, now=clock.now())
        to_verified(cast, t1, clock.now())
    with clock.frozen(at(2026, 2, 11, 10)):
        ticket_actions.record_return_visit(
            ticket=t1,
            method="phone",
            reached=True,
            satisfaction="satisfied",
            owner_words="满意",
            acting_user=cast.front_desk,
            now=clock.now(),
        )
    with clock.frozen(at(2026, 8, 10, 10)):
        t2 = receive(cast, now=clock.now())
        to_verified(cast, t2, clock.now())
    with clock.frozen(at(2026, 3, 2, 10)):
        other = receive(cast, now=clock.now(), project=cast.other_project, acting_user=cast.outsider)
    now = at(2026, 11, 23, 10)
    with clock.frozen(now):
        record(visited_at=at(2026, 3, 1, 10), now=now)
        record(visited_at=at(2026, 11, 20, 10), household=homes.hh2, person=None, now=now)
        voided = record(visited_at=at(2026, 6, 1, 10), now=now)
        actions.void_visit(visit=voided, reason="重复录入了", acting_user=cast.supervisor, now=now)
        record(visited_at=at(2025, 12, 31, 23), now=now)
    return {"t1": t1, "t2": t2, "other": other}


def _cell(progress, measure, quarter):
    row = next(m for m in progress if m["measure"] == measure)
    return next(p for p in row["periods"] if p["quarter"] == quarter)


def test_r_m9_13_actual_return_visits_on_a_hand_built_year(cast, director, gm, year_2026, frozen_now):
    """R-M9-13: each measure read from the records, per quarter and for the year (voided, other years and
    other projects left out), set against the plan's targets."""
    values = annual.actuals(cast.project, 2026)
    assert values["ticket_return_visits"] == {0: 1, 1: 1, 2: 0, 3: 0, 4: 0}
    assert values["ticket_return_rate"][0] == 50.0 and values["ticket_return_rate"][1] == 100.0
    assert values["ticket_return_rate"][3] == 0.0
    assert values["resident_visits"] == {0: 2, 1: 1, 2: 0, 3: 0, 4: 1}
    assert values["household_coverage"][0] == 100.0 and values["household_coverage"][1] == 50.0
    plan = _approved(cast, director, gm)
    progress = annual.progress(plan, dt.date(2026, 11, 23))
    assert _cell(progress, "ticket_return_visits", 1)["state"] == "met"
    assert _cell(progress, "ticket_return_visits", 0)["state"] == "running"
    assert _cell(progress, "ticket_return_visits", 0)["percent"] == 25
    assert _cell(progress, "resident_visits", 0)["state"] == "met"  # a count reached early is met already
    assert _cell(progress, "ticket_return_rate", 0)["state"] == "running"  # a rate is judged at the end
    assert _cell(progress, "ticket_return_visits", 2)["target"] is None
    assert _cell(progress, "ticket_return_visits", 2)["state"] == ""


def test_r_m9_13_director_draws_up_gm_approves_and_progress_on_the_page(
    client, cast, director, gm, year_2026, frozen_now
):
    """R-M9-13 through the pages: the office director draws the plan up with targets, submits it, the
    物业总经理 approves; the plan's page shows the targets against the return visits done so far."""
    client.force_login(director)
    page = client.get(f"/visits/annual/?project={cast.project.pk}")
    assert page.status_code == 200 and "编制年度回访工作计划" in page.content.decode()
    assert 'data-testid="nav-annual-visits"' in page.content.decode()  # the main menu leads here
    r = client.post(
        "/visits/annual/",
        {
            "project": cast.project.pk,
            "year": 2026,
            "duties": DUTIES,
            "t_ticket_return_visits_0": "4",
            "t_ticket_return_visits_1": "1",
            "t_ticket_return_rate_0": "100",
            "t_resident_visits_0": "2",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    plan = AnnualVisitPlan.objects.get()
    assert plan.drawn_by == director and plan.status == PlanStatus.DRAFT
    assert sorted(plan.targets.values_list("measure", "quarter", "value")) == [
        ("resident_visits", 0, 2),
        ("ticket_return_rate", 0, 100),
        ("ticket_return_visits", 0, 4),
        ("ticket_return_visits", 1, 1),
    ]
    assert client.post(f"/visits/annual/{plan.pk}/submit/").status_code == 302
    client.force_login(cast.supervisor)  # not the 物业总经理
    client.post(f"/visits/annual/{plan.pk}/decide/", {"decision": "approve"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    client.force_login(gm)
    assert client.post(f"/visits/annual/{plan.pk}/decide/", {"decision": "approve", "note": "同意"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == gm
    body = client.get(f"/visits/annual/{plan.pk}/").content.decode()
    assert "目标与实际回访" in body and "已批准" in body
    assert body.count('data-testid="annual-progress-row"') >= 5
    assert "已达成" in body and "进行中" in body
    assert "R-M9" not in body


def test_r_m9_13_bad_input_refused_beside_the_field(client, cast, director, gm, homes, frozen_now):
    """R-M9-13: a negative target, a second plan for the same project and year, and a change to an approved
    plan without a reason are refused with a Chinese message; nothing is written."""
    client.force_login(director)
    base = {"project": cast.project.pk, "year": 2026, "duties": DUTIES}
    r = client.post("/visits/annual/", {**base, "t_resident_visits_0": "-3"})
    assert r.status_code == 400 and "目标值不能为负数" in r.content.decode()
    assert not AnnualVisitPlan.objects.exists()
    r = client.post("/visits/annual/", {**base, "t_household_coverage_0": "120"})
    assert r.status_code == 400 and "0–100" in r.content.decode()
    r = client.post("/visits/annual/", base)
    assert r.status_code == 400 and "至少包含一项回访目标" in r.content.decode()
    r = client.post("/visits/annual/", {**base, "year": 2025, "t_resident_visits_0": "3"})
    assert r.status_code == 400 and "已过去的年度" in r.content.decode()
    plan = _approved(cast, director, gm)
    r = client.post("/visits/annual/", {**base, "t_resident_visits_0": "3"})
    assert r.status_code == 400 and "年度回访工作计划已存在" in r.content.decode()
    assert AnnualVisitPlan.objects.count() == 1
    r = client.post(f"/visits/annual/{plan.pk}/change/", {"t_resident_visits_0": "8", "t_ticket_return_rate_0": "100"})
    assert r.status_code == 400 and "重新报物业总经理审批" in r.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.version == 1
    assert plan.targets.get(measure="resident_visits", quarter=0).value == 2
    r = client.post(
        f"/visits/annual/{plan.pk}/change/",
        {"t_resident_visits_0": "8", "t_ticket_return_rate_0": "100", "reason": "新增两栋交付楼栋"},
    )
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.changed_after_approval and plan.version == 2
    assert sorted(plan.targets.values_list("measure", "value")) == [("resident_visits", 8), ("ticket_return_rate", 100)]
    assert "批准后已变更，须重新审批" in client.get(f"/visits/annual/{plan.pk}/").content.decode()


def test_r_m9_13_who_may_draw_up_and_see(client, cast, director, gm, frozen_now):
    """R-M9-13: the 客服专员 reads the plan but cannot draw one up; another project's front desk does not see it."""
    client.force_login(cast.butler)
    r = client.post(
        "/visits/annual/", {"project": cast.project.pk, "year": 2026, "duties": DUTIES, "t_resident_visits_0": "3"}
    )
    assert r.status_code == 403 and not AnnualVisitPlan.objects.exists()
    plan = _approved(cast, director, gm)
    assert client.get(f"/visits/annual/{plan.pk}/").status_code == 200
    client.force_login(cast.outsider)
    assert client.get(f"/visits/annual/{plan.pk}/").status_code == 404
    with pytest.raises(actions.VisitError):
        actions.draw_up_annual_plan(
            project=cast.project, year=2027, duties=DUTIES, targets=TARGETS, acting_user=gm, now=clock.now()
        )


def test_r_m9_13_api_plan_approval_change_and_year_end_review(client, cast, director, gm, year_2026, frozen_now):
    """R-M9-13 through /api/v1/visits/annual/plans: structured refusals (negative target, second plan, change
    after approval without re-approval, review before December); the year-end review keeps the figures."""
    h = _auth(director)
    base = {"project_id": cast.project.pk, "year": 2026, "duties": DUTIES}
    r = client.post(
        "/api/v1/visits/annual/plans",
        {**base, "targets": [{"measure": "resident_visits", "value": -1}]},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "negative" and "targets.0.value" in r.json()["error"]["fields"]
    assert not AnnualVisitPlan.objects.exists()
    r = client.post("/api/v1/visits/annual/plans", {**base, "targets": TARGETS}, content_type="application/json", **h)
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert _cell(r.json()["progress"], "ticket_return_visits", 1)["actual"] == 1
    r = client.post("/api/v1/visits/annual/plans", {**base, "targets": TARGETS}, content_type="application/json", **h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "exists"
    assert client.post(f"/api/v1/visits/annual/plans/{pid}/submit", **h).status_code == 200
    r = client.post(
        f"/api/v1/visits/annual/plans/{pid}/decide", {"approve": True}, content_type="application/json", **h
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/visits/annual/plans/{pid}/decide", {"approve": True}, content_type="application/json", **_auth(gm)
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.post(
        f"/api/v1/visits/annual/plans/{pid}/change", {"targets": TARGETS[:2]}, content_type="application/json", **h
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "needs_reapproval"
    assert "reason" in r.json()["error"]["fields"]
    assert AnnualVisitTarget.objects.filter(plan_id=pid).count() == len(TARGETS)
    r = client.post(
        f"/api/v1/visits/annual/plans/{pid}/review",
        {"review": "全年回访工作总结：工单回访全部完成。"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "too_early"
    r = client.get(f"/api/v1/visits/annual/plans?project={cast.project.pk}", **_auth(cast.butler))
    assert r.status_code == 200 and [p["id"] for p in r.json()] == [pid]
    with clock.frozen(at(2026, 12, 2, 10)):
        r = client.post(
            f"/api/v1/visits/annual/plans/{pid}/review",
            {"review": "全年回访工作总结：工单回访完成率偏低，明年按季度督办。"},
            content_type="application/json",
            **_auth(director),
        )
        assert r.status_code == 200 and r.json()["reviewed_at"]
        figures = r.json()["progress"]
        assert _cell(figures, "ticket_return_rate", 0)["actual"] == 50.0
        r = client.post(
            f"/api/v1/visits/annual/plans/{pid}/change",
            {"duties": DUTIES + "补充", "reason": "补充"},
            content_type="application/json",
            **_auth(director),
        )
        assert r.status_code == 409 and r.json()["error"]["code"] == "reviewed"
    plan = AnnualVisitPlan.objects.get()
    assert plan.review_figures == figures and plan.reviewed_by == director


def test_r_m9_13_annual_list_query_count_is_pinned(
    client, cast, director, gm, django_assert_max_num_queries, frozen_now
):
    """The list's queries do not grow with the number of plans and targets."""
    _approved(cast, director, gm, year=2026)
    actions.draw_up_annual_plan(
        project=cast.project, year=2027, duties=DUTIES, targets=TARGETS, acting_user=director, now=clock.now()
    )
    client.force_login(director)
    with django_assert_max_num_queries(16):
        r = client.get(f"/visits/annual/?project={cast.project.pk}")
    assert r.status_code == 200 and r.content.decode().count('data-testid="annual-row"') == 2


def test_r_m9_13_year_end_review_on_the_page(client, cast, director, gm, year_2026, frozen_now):
    """R-M9-13: the review form appears from December; the review keeps the targets against the return
    visits as they stood, and the plan can no longer be changed."""
    plan = _approved(cast, director, gm)
    client.force_login(director)
    assert 'data-testid="annual-review-form"' not in client.get(f"/visits/annual/{plan.pk}/").content.decode()
    with clock.frozen(at(2026, 12, 2, 10)):
        assert 'data-testid="annual-review-form"' in client.get(f"/visits/annual/{plan.pk}/").content.decode()
        r = client.post(f"/visits/annual/{plan.pk}/review/", {"review": "太短"})
        assert r.status_code == 400 and "年终回访工作总结（至少10个字）" in r.content.decode()
        r = client.post(
            f"/visits/annual/{plan.pk}/review/",
            {"review": "全年工单回访率50%，未达100%目标；住户走访覆盖全部在住户。明年按季度督办。"},
        )
        assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.reviewed_by == director and _cell(plan.review_figures, "resident_visits", 0)["actual"] == 2
    body = client.get(f"/visits/annual/{plan.pk}/").content.decode()
    assert "年终总结：目标与实际回访" in body and "明年按季度督办" in body
    assert 'data-testid="annual-change-form"' not in body
