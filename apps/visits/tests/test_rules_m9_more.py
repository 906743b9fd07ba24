"""Who visits and who acts on the results (SPEC M9) through pages and the API: the 客服专员 visits the
owners, records problems and follows them until the owner is satisfied (R-M9-02); views are collected
and counted (R-M9-19); the responsible departments rectify and report back to the CS department
(R-M9-20) — with refusals for roles that may not."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.api.actions import issue_token
from apps.notify.models import Notification
from apps.visits import queries
from apps.visits.models import ProblemStatus, Visit, VisitProblemFollowUp

pytestmark = pytest.mark.django_db


def _auth(user: Any, now: dt.datetime) -> dict[str, str]:
    _t, raw = issue_token(user, name="t", now=now)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _visit_body(cast: Any, homes: Any, **kw: Any) -> dict[str, Any]:
    return {"project_id": cast.project.pk, "household_id": homes.hh.pk, "category": "periodic",
            "method": "face_to_face", "visited_at": "2026-11-23T09:00:00+08:00", "communicated": "介绍近期工作",
            "opinions": "希望加强夜间巡逻", **kw}


def test_r_m9_02_butler_visits_records_problems_and_follows_until_satisfied(client: Any, cast: Any, homes: Any,
                                                                            frozen_now: dt.datetime) -> None:
    """R-M9-02: the 客服专员 visits, records the owner's problem, and follows it until the owner is
    satisfied; a worker (not CS) may not record visits."""
    r = client.post("/api/v1/visits/", _visit_body(cast, homes), content_type="application/json",
                    **_auth(cast.worker, frozen_now))
    assert r.status_code == 403 and not Visit.objects.exists()
    r = client.post("/api/v1/visits/", _visit_body(cast, homes, problems=[
        {"description": "夜间外来车辆进出管理不严", "department_id": cast.security_dept.pk}]),
        content_type="application/json", **_auth(cast.butler, frozen_now))
    assert r.status_code == 201
    visit = Visit.objects.get()
    assert visit.visitor == cast.butler and visit.filed_department == cast.cs_dept
    problem = visit.problems.get()
    client.force_login(cast.butler)
    client.post(f"/visits/problems/{problem.pk}/progress/", {"text": "安管部已加强夜间门岗登记"})
    client.post(f"/visits/problems/{problem.pk}/return-visit/", {"satisfied": "yes", "text": "业主满意"})
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SOLVED and problem.resolved_by == cast.butler
    assert "业主满意" in client.get(f"/visits/{visit.pk}/").content.decode()


def test_r_m9_19_views_collected_counted_and_analysed(client: Any, cast: Any, homes: Any, record: Any,
                                                      frozen_now: dt.datetime) -> None:
    """R-M9-19: visits collect owners' views; they are counted by category and status, and each count
    opens the list it counts (the supervisor's problem list filtered by category)."""
    record(now=frozen_now, problems=[{"description": "楼道灯不亮", "category": homes.cat_eng},
                                     {"description": "电梯异响", "category": homes.cat_eng}])
    record(now=frozen_now, household=homes.hh2, person=None,
           problems=[{"description": "保安不在岗", "category": homes.cat_security}])
    stats = queries.period_statistics(cast.project, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    [by_category] = [t["rows"] for t in stats["visit_tables"] if t["title"] == "问题按分类"]
    counts = {row["key"]: row["count"] for row in by_category}
    assert stats["visit_total"] == 2 and stats["problem_total"] == 3
    assert counts[homes.cat_eng.pk] == 2 and counts[homes.cat_security.pk] == 1
    client.force_login(cast.supervisor)
    r = client.get(f"/visits/problems/?project={cast.project.pk}&problem_category={homes.cat_eng.pk}")
    assert r.status_code == 200
    assert len(r.context["page"].object_list) == 2 and "保安不在岗" not in r.content.decode()
    client.force_login(cast.worker)
    assert client.get(f"/visits/problems/?project={cast.project.pk}").status_code == 403


def test_r_m9_20_responsible_department_rectifies_and_reports_to_cs(client: Any, cast: Any, homes: Any, record: Any,
                                                                    frozen_now: dt.datetime) -> None:
    """R-M9-20: the 工程部 head acts on a visit finding and reports the result to the CS department (page
    and API), who are told; a worker who is not the department's head may not report for it."""
    visit = record(now=frozen_now, problems=[{"description": "楼道灯不亮", "department": cast.eng_dept}])
    problem = visit.problems.get()
    r = client.post(f"/api/v1/visits/problems/{problem.pk}/progress", {"text": "已安排电工明日更换"},
                    content_type="application/json", **_auth(cast.worker, frozen_now))
    assert r.status_code == 403 and not VisitProblemFollowUp.objects.exists()
    r = client.post(f"/api/v1/visits/problems/{problem.pk}/progress", {"text": "已安排电工明日更换灯管"},
                    content_type="application/json", **_auth(cast.eng_head, frozen_now))
    assert r.status_code == 201
    client.force_login(cast.eng_head)
    assert client.post(f"/visits/problems/{problem.pk}/progress/", {"text": "灯管已更换，请客服回访"}).status_code == 302
    assert VisitProblemFollowUp.objects.filter(problem=problem, by=cast.eng_head).count() == 2
    assert Notification.objects.filter(recipient=cast.butler, kind="visit_problem_progress").exists()
