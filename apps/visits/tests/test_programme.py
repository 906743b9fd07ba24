"""The visit programme (SPEC M9): cycles P-17/P-18 (AS-36), the elderly living alone (R-M9-18), monthly
plans approved by the 物业总经理 (R-M9-10), the three-signature summary (R-M9-07), rectification
follow-up (R-M9-06/-08/-20), coverage and its audit pre-check — through pages and the API."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.api.actions import issue_token
from apps.core import prechecks
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.visits import actions, cycles, programme
from apps.visits.models import PlanStatus, ProblemStatus, VisitPlan, VisitProgrammeSettings, VisitRoundSummary
from apps.visits.tests.conftest import at
from linli import clock

pytestmark = pytest.mark.django_db
D = dt.date


def _auth(user, now=None):
    _token, raw = issue_token(user, name="t", now=now or clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def gm(cast):
    user = UserFactory(username="gm_t", display_name="总经理")
    member(user, Role.GENERAL_MANAGER, company=cast.company)
    return user


# ---------------------------------------------------------------- AS-36 arithmetic


def test_as_36_cycle_due_dates():
    """AS-36: last periodic visit 2025-07-15 → quarter default due 2025-12-31; every 3 months → 2025-10-15."""
    assert cycles.cycle_due(D(2025, 7, 15), mode="calendar_quarter", months=3) == D(2025, 12, 31)
    assert cycles.cycle_due(D(2025, 7, 15), mode="every_n_months", months=3) == D(2025, 10, 15)
    assert cycles.end_of_day(D(2025, 12, 31), clock.SHANGHAI) == at(2025, 12, 31, 23, 59, 59)
    assert cycles.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)  # T-08 clamp


def test_as_36_new_owner_first_visit():
    """AS-36: moved in 2025-09-29 → P-18 default 3 days: 2025-10-02; one week (003): 2025-10-06."""
    assert cycles.first_visit_due(D(2025, 9, 29), 3) == D(2025, 10, 2)
    assert cycles.first_visit_due(D(2025, 9, 29), 7) == D(2025, 10, 6)


@pytest.mark.parametrize("mode", ["calendar_quarter", "every_n_months"])
def test_r_m9_12_overdue_threshold_matches_due_dates(mode):
    """The set-based threshold splits households exactly as their due dates do (every day of two years)."""
    today = D(2026, 3, 31)
    threshold = cycles.cycle_overdue_before(today, mode=mode, months=3)
    day = D(2025, 1, 1)
    while day < D(2027, 1, 1):
        assert (cycles.cycle_due(day, mode=mode, months=3) < today) == (day < threshold), day
        day += dt.timedelta(days=1)


# ---------------------------------------------------------------- set-based due dates


def _visit_on(record, homes, day, **kw):
    with clock.frozen(at(day.year, day.month, day.day, 12)):
        return record(visited_at=at(day.year, day.month, day.day, 10), now=clock.now(), **kw)


def test_as_36_household_due_and_overdue_quarter_default(cast, homes, record):
    """AS-36: last visited 2025-07-15 → due by 2025-12-31 (not overdue on 2025-12-31, overdue on 2026-01-01)."""
    _visit_on(record, homes, D(2025, 7, 15))
    hh = programme.households_due(cast.project, D(2025, 12, 31)).get(pk=homes.hh.pk)
    assert programme.due_date(hh, programme.DEFAULTS) == (D(2025, 12, 31), "定期走访") and not hh.overdue
    assert programme.households_due(cast.project, D(2026, 1, 1)).get(pk=homes.hh.pk).overdue


def test_as_36_household_due_every_three_months(cast, homes, record):
    """AS-36: P-17 = every 3 months from the last visit → due 2025-10-15, overdue from 2025-10-16."""
    _visit_on(record, homes, D(2025, 7, 15))
    VisitProgrammeSettings.objects.create(company=cast.company, project=cast.project, cycle_mode="every_n_months")
    prog = programme.settings_for(cast.project)
    hh = programme.households_due(cast.project, D(2025, 10, 15), prog).get(pk=homes.hh.pk)
    assert programme.due_date(hh, prog)[0] == D(2025, 10, 15) and not hh.overdue
    assert programme.households_due(cast.project, D(2025, 10, 16), prog).get(pk=homes.hh.pk).overdue


def test_as_36_new_owner_and_r_m9_18_elderly(cast, homes, record):
    """AS-36 new owner (P-18 3 days) and the elderly living alone on their own interval (R-M9-18)."""
    homes.hh2.move_in_date = D(2025, 9, 29)
    homes.hh2.save()
    hh = programme.households_due(cast.project, D(2025, 10, 2)).get(pk=homes.hh2.pk)
    assert hh.new_owner and programme.due_date(hh, programme.DEFAULTS) == (D(2025, 10, 2), "新业主首次走访")
    assert not hh.overdue
    assert programme.households_due(cast.project, D(2025, 10, 3)).get(pk=homes.hh2.pk).overdue
    homes.hh.elderly_alone = True
    homes.hh.save()
    _visit_on(record, homes, D(2025, 10, 1))
    hh = programme.households_due(cast.project, D(2025, 10, 31)).get(pk=homes.hh.pk)
    assert programme.due_date(hh, programme.DEFAULTS) == (D(2025, 10, 31), "空巢老人走访") and not hh.overdue
    assert programme.households_due(cast.project, D(2025, 11, 1)).get(pk=homes.hh.pk).overdue


def test_r_m9_12_programme_page_and_api_list_overdue(client, cast, homes, record, django_assert_max_num_queries):
    """The overdue list and coverage per building and butler: page (bounded queries) and API."""
    _visit_on(record, homes, D(2026, 7, 15))  # 5栋: due by 2026-12-31
    with clock.frozen(at(2027, 1, 5, 10)):
        client.force_login(cast.supervisor)
        with django_assert_max_num_queries(20):
            r = client.get(f"/visits/programme/?project={cast.project.pk}&overdue=1")
        assert r.status_code == 200
        body = r.content.decode()
        assert "5栋2单元1502" in body and "逾期" in body and "R-M" not in body
        r = client.get(f"/api/v1/visits/programme/due?project={cast.project.pk}&overdue=true", **_auth(cast.supervisor))
        assert r.status_code == 200
        rows = {x["household"]: x for x in r.json()}
        assert rows["5栋2单元1502"]["due_on"] == "2026-12-31" and rows["5栋2单元1502"]["overdue"]
        r = client.get(f"/api/v1/visits/programme/coverage?project={cast.project.pk}", **_auth(cast.supervisor))
        assert r.status_code == 200 and {b["label"] for b in r.json()["by_building"]} == {"5栋", "6栋"}
        r = client.get(f"/visits/programme/?project={cast.project.pk}&format=xlsx")
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
        r = client.get(f"/api/v1/visits/programme/due?project={cast.other_project.pk}", **_auth(cast.supervisor))
        assert r.status_code == 404


def test_p_17_settings_page_and_api_refuse_bad_values(client, cast, frozen_now):
    """P-17/P-18 are settings the 管理处经理 edits; impossible values are refused, nothing is written."""
    client.force_login(cast.project_manager)
    url = f"/visits/programme/settings/?project={cast.project.pk}"
    r = client.post(url, {"project": cast.project.pk, "cycle_mode": "every_n_months", "cycle_months": 0,
                          "new_owner_days": 3, "elderly_interval_days": 30, "warn_days": 7})
    assert r.status_code == 400 and "errorlist" in r.content.decode()
    assert not VisitProgrammeSettings.objects.exists()
    r = client.post(url, {"project": cast.project.pk, "cycle_mode": "every_n_months", "cycle_months": 3,
                          "new_owner_days": 7, "elderly_interval_days": 30, "warn_days": 7})
    assert r.status_code == 302 and programme.settings_for(cast.project).new_owner_days == 7
    r = client.put(f"/api/v1/visits/programme/settings?project={cast.project.pk}",
                   {"cycle_mode": "calendar_quarter", "new_owner_days": 99}, content_type="application/json",
                   **_auth(cast.project_manager))
    assert r.status_code == 422 and "new_owner_days" in r.json()["error"]["fields"]
    r = client.put(f"/api/v1/visits/programme/settings?project={cast.project.pk}", {"cycle_mode": "calendar_quarter"},
                   content_type="application/json", **_auth(cast.butler))
    assert r.status_code == 403
    assert programme.settings_for(cast.project).new_owner_days == 7


# ---------------------------------------------------------------- plans (R-M9-10)


def test_r_m9_10_plan_drawn_submitted_approved_by_gm_on_pages(client, cast, homes, gm, frozen_now):
    """The 客服部主管 draws up the plan, the 物业总经理 approves it; a change after approval needs a reason
    and sends it back for re-approval."""
    client.force_login(cast.supervisor)
    r = client.post("/visits/plans/", {"project": cast.project.pk, "month": "2026-12",
                                       "requirements": "第四季度入户走访，了解冬季供暖需求", "households": "5栋2单元1502"})
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = VisitPlan.objects.get()
    assert client.post(f"/visits/plans/{plan.pk}/submit/").status_code == 302
    client.force_login(cast.cs_manager)  # not the 物业总经理
    client.post(f"/visits/plans/{plan.pk}/decide/", {"decision": "approve"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    client.force_login(gm)
    assert client.post(f"/visits/plans/{plan.pk}/decide/", {"decision": "approve"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == gm
    client.force_login(cast.supervisor)
    r = client.post(f"/visits/plans/{plan.pk}/change/", {"add": "6栋1单元101"})  # no reason
    assert r.status_code == 400 and "重新报物业总经理审批" in r.content.decode()
    assert plan.items.count() == 1
    r = client.post(f"/visits/plans/{plan.pk}/change/", {"add": "6栋1单元101", "reason": "新增新入住业主"})
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.changed_after_approval and plan.version == 2
    assert plan.items.count() == 2
    assert "批准后已变更，须重新审批" in client.get(f"/visits/plans/{plan.pk}/").content.decode()


def test_r_m9_10_plan_api_refuses_bad_input(client, cast, homes, gm, frozen_now):
    """API: a household of another project refused; approval only by the 物业总经理; change after approval
    without a reason refused (nothing written)."""
    h = _auth(cast.supervisor)
    base = {"project_id": cast.project.pk, "month": "2026-12-01", "requirements": "季度走访计划"}
    r = client.post("/api/v1/visits/programme/plans", {**base, "household_ids": [homes.other_hh.pk]},
                    content_type="application/json", **h)
    assert r.status_code == 422 and "household_ids" in r.json()["error"]["fields"]
    assert not VisitPlan.objects.exists()
    r = client.post("/api/v1/visits/programme/plans", {**base, "household_ids": [homes.hh.pk]}, content_type="application/json",
                    **h)
    assert r.status_code == 201
    pid = r.json()["id"]
    assert client.post(f"/api/v1/visits/programme/plans/{pid}/submit", **h).status_code == 200
    r = client.post(f"/api/v1/visits/programme/plans/{pid}/decide", {"approve": True}, content_type="application/json", **h)
    assert r.status_code == 403
    r = client.post(f"/api/v1/visits/programme/plans/{pid}/decide", {"approve": True}, content_type="application/json",
                    **_auth(gm))
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.post(f"/api/v1/visits/programme/plans/{pid}/change", {"add_household_ids": [homes.hh2.pk]},
                    content_type="application/json", **h)
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    assert VisitPlan.objects.get().status == PlanStatus.APPROVED
    r = client.post(f"/api/v1/visits/programme/plans/{pid}/change", {"add_household_ids": [homes.hh2.pk], "reason": "补充"},
                    content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["changed_after_approval"]


def test_r_m9_09_plan_compliance_counts_visited_households(cast, homes, gm, record):
    """R-M9-09 / R-M14-04: planned vs visited per visitor, for the approved plan only."""
    with clock.frozen(at(2026, 12, 1, 9)):
        plan = actions.draw_up_plan(project=cast.project, month=D(2026, 12, 1), requirements="十二月走访",
                                    household_ids=[homes.hh.pk, homes.hh2.pk], visitor=cast.butler,
                                    acting_user=cast.supervisor, now=clock.now())
        assert programme.plan_compliance(cast.project, D(2026, 12, 1)) == []
        actions.submit_plan(plan=plan, acting_user=cast.supervisor, now=clock.now())
        actions.decide_plan(plan=plan, approve=True, note="", acting_user=gm, now=clock.now())
    _visit_on(record, homes, D(2026, 12, 3))
    [row] = programme.plan_compliance(cast.project, D(2026, 12, 1))
    assert (row["visitor_id"], row["planned"], row["done"]) == (cast.butler.pk, 2, 1)


# ---------------------------------------------------------------- summary (R-M9-07)


def test_r_m9_07_three_signatures_in_order(client, cast, homes, gm, record, frozen_now):
    """The 客服专员 summarises; 客服部主管, then 经理 sign, then the 物业总经理 reviews — out of order refused."""
    record()
    r = client.post("/api/v1/visits/programme/summaries", {"project_id": cast.project.pk, "month": "2026-11-01",
                                                 "summary": "十一月走访汇总：共走访1户"},
                    content_type="application/json", **_auth(cast.butler))
    assert r.status_code == 201 and r.json()["visit_count"] == 1
    sid = r.json()["id"]
    r = client.post(f"/api/v1/visits/programme/summaries/{sid}/sign/gm", **_auth(gm))
    assert r.status_code == 409
    r = client.post(f"/api/v1/visits/programme/summaries/{sid}/sign/supervisor", **_auth(cast.butler))
    assert r.status_code == 403
    assert client.post(f"/api/v1/visits/programme/summaries/{sid}/sign/supervisor", **_auth(cast.supervisor)).status_code == 200
    client.force_login(cast.cs_manager)
    assert client.post(f"/visits/summaries/{sid}/sign/manager/").status_code == 302
    client.force_login(gm)
    client.post(f"/visits/summaries/{sid}/sign/gm/")
    s = VisitRoundSummary.objects.get()
    assert s.supervisor_signed_by == cast.supervisor and s.manager_signed_by == cast.cs_manager
    assert s.gm_signed_by == gm


# ---------------------------------------------------------------- rectification (R-M9-06/-08/-20)


def test_r_m9_08_r_m9_06_rectification_followed_until_satisfied(client, cast, homes, record, frozen_now):
    visit = record(problems=[{"description": "楼道灯不亮", "department": cast.eng_dept}])
    problem = visit.problems.get()
    r = client.post(f"/api/v1/visits/problems/{problem.pk}/return-visit", {"text": "已回访", "satisfied": True},
                    content_type="application/json", **_auth(cast.butler))
    assert r.status_code == 409  # nothing reported back yet
    client.force_login(cast.eng_head)  # R-M9-08: the department head reports progress on the page
    assert client.post(f"/visits/problems/{problem.pk}/progress/", {"text": "已更换灯管，明日复查"}).status_code == 302
    r = client.post(f"/api/v1/visits/problems/{problem.pk}/return-visit", {"text": "业主仍不满意", "satisfied": False},
                    content_type="application/json", **_auth(cast.butler))
    assert r.status_code == 201
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN  # R-M9-06: continues until satisfied
    client.force_login(cast.butler)
    client.post(f"/visits/problems/{problem.pk}/return-visit/", {"satisfied": "yes", "text": "业主满意"})
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SOLVED
    assert "业主满意" in client.get(f"/visits/{visit.pk}/").content.decode()


def test_r_m9_03_visit_against_household_of_another_project_refused(client, cast, homes, frozen_now):
    """Bad input (issue 22): a visit recorded against a household of another project → refused, nothing written."""
    r = client.post("/api/v1/visits/", {"project_id": cast.project.pk, "household_id": homes.other_hh.pk,
                                        "category": "periodic", "method": "phone",
                                        "visited_at": "2026-11-23T09:00:00+08:00", "communicated": "介绍",
                                        "opinions": "无"}, content_type="application/json", **_auth(cast.butler))
    assert r.status_code == 422 and "household_id" in r.json()["error"]["fields"]


# ---------------------------------------------------------------- audit pre-check (R-M13-04)


def test_r_m13_04_visit_coverage_precheck(cast, homes, record):
    _visit_on(record, homes, D(2026, 2, 10))
    finding = prechecks.run("visits.coverage", cast.project, D(2026, 1, 1), D(2026, 3, 31))
    assert finding.verdict == prechecks.Verdict.NONCONFORM and "1/2" in finding.summary
    _visit_on(record, homes, D(2026, 3, 1), household=homes.hh2, person=None)
    finding = prechecks.run("visits.coverage", cast.project, D(2026, 1, 1), D(2026, 3, 31))
    assert finding.verdict == prechecks.Verdict.CONFORM
    assert prechecks.run("visits.coverage", cast.project, D(2026, 1, 1), D(2026, 2, 1)).verdict == "unknown"


def test_r_m9_15_welcome_sms_after_move_in(client, cast, homes, frozen_now):
    """R-M9-15: after the move-in formalities the owner gets an SMS with the butler's phone (page and API);
    a household without a move-in date is refused."""
    from apps.notify.models import Delivery

    r = client.post(f"/api/v1/visits/programme/welcome/{homes.hh.pk}", **_auth(cast.butler))
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_moved_in"
    homes.hh.move_in_date = D(2026, 11, 21)
    homes.hh.save()
    cast.butler.phone = "13700001111"
    cast.butler.save()
    homes.hh.building.steward = cast.butler
    homes.hh.building.save()
    client.force_login(cast.butler)
    r = client.post(f"/visits/programme/welcome/{homes.hh.pk}/")
    assert r.status_code == 302
    d = Delivery.objects.get(kind="welcome_new_owner")
    assert "13700001111" in d.body and d.address == "13812345678"
    r = client.post(f"/api/v1/visits/programme/welcome/{homes.other_hh.pk}", **_auth(cast.butler))
    assert r.status_code == 404
