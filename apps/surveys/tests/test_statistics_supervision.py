"""Statistics by department with the 《与客户沟通登记表》 (R-M10-06) and the supervision and assignment of
the survey work (R-M10-13), each through the page and the API by the role the SPEC names."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.estates.models import Building
from apps.notify.models import Notification
from apps.org.models import Department, DepartmentKind
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.surveys import actions
from apps.surveys.models import FeedbackEntry, ProjectSurvey, SampledHousehold, SurveySupervision
from apps.surveys.tests.conftest import at
from apps.surveys.tests.test_api import Api, _error
from linli import clock

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _recovered(sv: Any, ps: Any) -> list[SampledHousehold]:
    """15 distributed, 3 recovered: two with opinions (a written answer; a comment), one without; the
    recovery confirmed on 2025-10-09 (statistics due 10-12)."""
    rows = list(SampledHousehold.objects.filter(survey=ps).select_related("household").order_by("id"))
    actions.record_distributions(survey=ps, rows=[{"household": r.household} for r in rows],
                                 acting_user=sv.cast.butler, now=at(2025, 9, 28))
    actions.complete_distribution(survey=ps, acting_user=sv.cast.supervisor, now=at(2025, 9, 29))
    base = {"cs_attitude": 1, "security_access": 2, "clean_quality": 2, "overall": 1}
    actions.record_recoveries(survey=ps, rows=[
        {"household": rows[0].household, "answers": {**base, "eng_speed": 4, "advice": "维修人员上门太慢"}},
        {"household": rows[1].household, "answers": {**base, "eng_speed": 1}, "comment": "夜间进出登记要加强"},
        {"household": rows[2].household, "answers": {**base, "eng_speed": 2}},
    ], acting_user=sv.cast.butler, now=at(2025, 10, 5))
    actions.complete_recovery(survey=ps, acting_user=sv.cast.supervisor, now=at(2025, 10, 9, 17))
    return rows


def test_r_m10_06_statistics_by_department_and_register_through_page(sv: Any, ps: Any) -> None:
    """R-M10-06: the 客服主管 cannot confirm the statistics while an opinion is not logged in the
    《与客户沟通登记表》; logs each opinion under its department (a bad house number or a second line for
    the same department refused); then the statistics complete, the rates show by department (客服部,
    安保部, 工程部, 环境管理部, 开发公司工程部) and the summary goes to the 物业总经理."""
    rows = _recovered(sv, ps)
    c = _client(sv.cast.supervisor)
    detail = reverse("surveys:detail", args=[ps.pk])
    with clock.frozen(at(2025, 10, 10)):
        r = c.post(reverse("surveys:step", args=[ps.pk, "statistics"]))
        assert r.status_code == 409 and "尚有 2 份问卷的业主意见未登记" in r.content.decode()
        assert ProjectSurvey.objects.get(pk=ps.pk).statistics_done_at is None
        page = c.get(detail).content.decode()
        assert 'data-testid="pending-feedback"' in page and "维修人员上门太慢" in page
        url = reverse("surveys:feedback", args=[ps.pk])
        r = c.post(url, {"household": "99栋9999", "department": "engineering"})
        assert r.status_code == 400 and "99栋9999 不在本次调查的样本中" in r.content.decode()
        assert c.post(url, {"household": rows[0].household.label, "department": "engineering"}).status_code == 302
        r = c.post(url, {"household": rows[0].household.label, "department": "engineering"})
        assert r.status_code == 400 and "的意见已登记到工程部" in r.content.decode()
        assert c.post(url, {"household": rows[1].household.label, "department": "security",
                            "opinion": "夜间外来人员进出登记不严"}).status_code == 302
        # the butler records field work but does not keep the register
        r = _client(sv.cast.butler).post(url, {"household": rows[2].household.label, "department": "cs",
                                               "opinion": "无"})
        assert r.status_code == 400 and "只有客服部主管/经理可以登记" in r.content.decode()
        assert FeedbackEntry.objects.count() == 2
        assert FeedbackEntry.objects.get(department="engineering").opinion == "维修人员上门太慢"
        r = c.post(reverse("surveys:step", args=[ps.pk, "statistics"]))
        assert r.status_code == 302
        page = c.get(detail).content.decode()
    ps.refresh_from_db()
    assert ps.statistics_done_at is not None and ps.summary_sent_at is not None
    assert 'data-testid="summary-sent"' in page and 'data-department="environment"' in page
    assert 'data-department="developer"' in page and "夜间外来人员进出登记不严" in page
    note = Notification.objects.get(recipient=sv.gm, kind="survey_summary")
    assert "工程部：满意率 66.67%（2/3），业主意见 1 条" in note.body


def test_r_m10_06_statistics_and_register_through_api(sv: Any, ps: Any) -> None:
    """R-M10-06 via the API: pending opinions listed, the statistics refused (409 feedback_unlogged)
    until they are logged by department; the register and the department rates read back."""
    rows = _recovered(sv, ps)
    sup = Api(sv.cast.supervisor)
    with clock.frozen(at(2025, 10, 10)):
        body = sup.get(f"/{ps.pk}/statistics").json()
        assert {p["household"] for p in body["pending"]} == {rows[0].household.label, rows[1].household.label}
        _error(sup.post(f"/{ps.pk}/steps/statistics"), 409, "feedback_unlogged")
        _error(Api(sv.cast.butler).post(f"/{ps.pk}/feedback", {"household_id": rows[0].household_id,
                                                                "department": "engineering"}), 403, "forbidden")
        _error(sup.post(f"/{ps.pk}/feedback", {"household_id": rows[5].household_id, "department": "cs"}),
               409, "not_recovered")
        r = sup.post(f"/{ps.pk}/feedback", {"household_id": rows[0].household_id, "department": "engineering"})
        assert r.status_code == 201 and r.json()["opinion"] == "维修人员上门太慢"
        _error(sup.post(f"/{ps.pk}/feedback", {"household_id": rows[0].household_id, "department": "engineering"}),
               409, "duplicate")
        assert sup.post(f"/{ps.pk}/feedback", {"household_id": rows[1].household_id,
                                               "department": "security"}).status_code == 201
        assert sup.post(f"/{ps.pk}/steps/statistics").status_code == 200
        body = sup.get(f"/{ps.pk}/statistics").json()
    assert body["pending"] == [] and body["summary_sent_at"] is not None
    assert body["opinions"] == {"cs": 0, "security": 1, "engineering": 1, "environment": 0, "developer": 0}
    eng = next(d for d in body["departments"] if d["key"] == "engineering")
    assert (eng["answered"], eng["satisfied"], eng["passed"]) == (3, 2, False)
    assert [f["department"] for f in body["register_entries"]] == ["engineering", "security"]


@pytest.fixture
def general_admin(sv: Any) -> Any:
    """A member of 阳光花园's 物业综合管理部."""
    dept = Department.objects.create(company=sv.cast.company, project=sv.cast.project, kind=DepartmentKind.GENERAL,
                                     name="综合管理部")
    user = UserFactory(username="general", display_name="综合部主管")
    member(user, Role.DEPT_HEAD, company=sv.cast.company, project=sv.cast.project, department=dept)
    return user


def test_r_m10_13_assignment_and_supervision_through_page(sv: Any, ps: Any, general_admin: Any) -> None:
    """R-M10-13: the 客服部 (主管) assigns the field work by building to a 楼宇员; the 客服部经理 and the
    物业综合管理部 record their supervision and guidance; a butler may not, and a future date is refused."""
    b1 = Building.objects.get(project=sv.cast.project, name="1栋")
    c = _client(sv.cast.supervisor)
    with clock.frozen(at(2025, 9, 27)):
        r = c.post(reverse("surveys:assign", args=[ps.pk]), {"assignee": sv.steward.pk, "buildings": [b1.pk]})
        assert r.status_code == 302
        r = c.post(reverse("surveys:assign", args=[ps.pk]), {"assignee": sv.cast.quality_inspector.pk,
                                                             "buildings": [b1.pk]})
        assert r.status_code == 400  # not one of the project's survey staff
        r = _client(sv.cast.butler).post(reverse("surveys:assign", args=[ps.pk]),
                                         {"assignee": sv.steward.pk, "buildings": [b1.pk]})
        assert r.status_code == 400 and "只有客服部主管/经理可以分配调查任务" in r.content.decode()
    in_b1 = SampledHousehold.objects.filter(survey=ps, building=b1).count()
    assert in_b1 and SampledHousehold.objects.filter(survey=ps, assigned_to=sv.steward).count() == in_b1
    url = reverse("surveys:supervision", args=[ps.pk])
    with clock.frozen(at(2025, 9, 30)):
        r = c.post(url, {"held_on": "2025-09-30", "findings": "检查发放签收单", "guidance": "补齐签收"})
        assert r.status_code == 400 and "调查工作由物业综合管理部和客服部经理督导" in r.content.decode()
        r = _client(sv.cast.cs_manager).post(url, {"held_on": "2025-10-01", "findings": "检查发放签收单",
                                                   "guidance": "补齐签收"})
        assert r.status_code == 400 and "督导日期不能晚于今天" in r.content.decode()
        assert _client(sv.cast.cs_manager).post(url, {"held_on": "2025-09-30", "findings": "抽查5户发放签收单齐全",
                                                      "guidance": "继续按计划回收"}).status_code == 302
        ga = _client(general_admin)
        assert ga.post(url, {"held_on": "2025-09-30", "findings": "1栋回收进度偏慢",
                             "guidance": "楼宇员每日汇报进度"}).status_code == 302
        page = ga.get(reverse("surveys:detail", args=[ps.pk])).content.decode()
    assert SurveySupervision.objects.count() == 2
    assert "1栋回收进度偏慢" in page and "抽查5户发放签收单齐全" in page and sv.steward.display_name in page


def test_r_m10_13_assignment_and_supervision_through_api(sv: Any, ps: Any, general_admin: Any) -> None:
    """R-M10-13 via the API: assignment by the 客服部 with the progress per assignee; supervision by
    the 物业综合管理部 and the 客服部经理; the others refused (403), bad input 422, nothing written."""
    b2 = Building.objects.get(project=sv.cast.project, name="2栋")
    sup = Api(sv.cast.supervisor)
    with clock.frozen(at(2025, 9, 27)):
        _error(sup.post(f"/{ps.pk}/assignments", {"assignee_id": sv.cast.quality_inspector.pk,
                                                  "building_ids": [b2.pk]}), 422, "invalid")
        _error(Api(sv.cast.butler).post(f"/{ps.pk}/assignments", {"assignee_id": sv.steward.pk,
                                                                  "building_ids": [b2.pk]}), 403, "forbidden")
        assert not SampledHousehold.objects.filter(survey=ps, assigned_to__isnull=False).exists()
        r = sup.post(f"/{ps.pk}/assignments", {"assignee_id": sv.steward.pk, "building_ids": [b2.pk]})
        assert r.status_code == 200, r.content
        mine = next(a for a in r.json() if a["user_id"] == sv.steward.pk)
        assert mine["sampled"] == SampledHousehold.objects.filter(survey=ps, building=b2).count()
    with clock.frozen(at(2025, 9, 30)):
        _error(Api(sv.cast.butler).post(f"/{ps.pk}/supervisions", {"held_on": "2025-09-30", "findings": "检查进度",
                                                                   "guidance": "加快"}), 403, "forbidden")
        _error(Api(general_admin).post(f"/{ps.pk}/supervisions", {"held_on": "2025-09-30", "findings": "无",
                                                                  "guidance": "加快"}), 422, "invalid")
        assert not SurveySupervision.objects.exists()
        r = Api(general_admin).post(f"/{ps.pk}/supervisions", {"held_on": "2025-09-30", "findings": "2栋回收进度偏慢",
                                                               "guidance": "楼宇员每日汇报进度"})
        assert r.status_code == 201 and r.json()["supervisor"]
        assert Api(sv.cast.cs_manager).post(f"/{ps.pk}/supervisions", {
            "held_on": "2025-09-30", "findings": "检查签收单", "guidance": "补齐签收"}).status_code == 201
    listed = Api(general_admin).get(f"/{ps.pk}/supervisions").json()
    assert [v["findings"] for v in listed] == ["检查签收单", "2栋回收进度偏慢"]  # newest first


def test_r_m10_09_r_m10_10_follow_ups_through_api(sv: Any, ps: Any) -> None:
    """R-M10-09 via the API: the 物业总经理's special meeting (nobody else records it), a department's
    rectification report (needs the department) by the 客服部; R-M10-10: 品质部's verification and spot
    check with the owners' satisfaction with the result."""
    _recovered(sv, ps)
    eng = Department.objects.get(project=sv.cast.project, kind=DepartmentKind.ENGINEERING)
    sup = Api(sv.cast.supervisor)
    with clock.frozen(at(2025, 10, 12)):
        _error(sup.post(f"/{ps.pk}/follow-ups", {"kind": "gm_meeting", "held_on": "2025-10-12",
                                                 "summary": "专题会议布置整改"}), 403, "forbidden")
        assert Api(sv.gm).post(f"/{ps.pk}/follow-ups", {"kind": "gm_meeting", "held_on": "2025-10-12",
                                                        "summary": "专题会议布置整改"}).status_code == 201
        _error(sup.post(f"/{ps.pk}/follow-ups", {"kind": "rectification", "held_on": "2025-10-12",
                                                 "summary": "工程部整改报告"}), 422, "invalid")
        assert sup.post(f"/{ps.pk}/follow-ups", {"kind": "rectification", "held_on": "2025-10-12",
                                                 "department_id": eng.pk,
                                                 "summary": "工程部整改报告：增加万能工"}).status_code == 201
        _error(sup.post(f"/{ps.pk}/follow-ups", {"kind": "verification", "held_on": "2025-10-12",
                                                 "summary": "电话回访已解决"}), 403, "forbidden")
        quality = Api(sv.cast.quality_inspector)
        for kind in ("verification", "spot_check"):
            assert quality.post(f"/{ps.pk}/follow-ups", {"kind": kind, "held_on": "2025-10-12", "satisfied": True,
                                                         "summary": "电话回访10户，问题已解决"}).status_code == 201
    assert sorted(ps.follow_ups.values_list("kind", flat=True)) == ["gm_meeting", "rectification", "spot_check",
                                                                   "verification"]
