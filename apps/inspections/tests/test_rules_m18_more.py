"""The other checks of SPEC M18 through the page and the API as the roles that make them: patrols
(R-M18-06), problems handed up to the company (R-M18-09), the property-state assessment (R-M18-10),
head-office checks (R-M18-12), electricians' rounds (R-M18-13), upkeep of common parts (R-M18-14),
cleaning checks (R-M18-17) and the steward's building checks (R-M18-18)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.api.actions import issue_token
from apps.inspections import queries
from apps.inspections.models import CheckTemplate, Finding, Inspection
from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member
from apps.tickets.models import Ticket
from linli import clock

pytestmark = pytest.mark.django_db


def _auth(user: Any) -> dict[str, str]:
    _t, raw = issue_token(user, name="t", now=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _api(client: Any, user: Any, **body: Any) -> Any:
    return client.post("/api/v1/inspections/", body, content_type="application/json", **_auth(user))


def _page(client: Any, project: Any, **fields: Any) -> Any:
    data = {"project": project.pk, "inspected_at": "2026-11-23T09:00", "complete": "on", "f-TOTAL_FORMS": "1",
            "f-INITIAL_FORMS": "0", **fields}
    return client.post(f"/inspections/new/?project={project.pk}", data)


def _templates(client: Any, cast: Any) -> dict[str, list[dict[str, Any]]]:
    r = client.get(f"/api/v1/inspections/templates?project={cast.project.pk}", **_auth(cast.project_manager))
    assert r.status_code == 200
    out: dict[str, list[dict[str, Any]]] = {}
    for t in r.json():
        out.setdefault(t["kind"], []).append(t)
    return out


def test_r_m18_06_patrol_findings_are_assigned_to_a_person(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M18-06: equipment rooms are patrolled with records; a finding names the responsible person and is
    tracked until solved; a role without patrol duty is refused."""
    tpl = CheckTemplate.objects.get(kind="equipment_room", company=None)
    client.force_login(cast.worker)
    r = _page(client, cast.project, kind="equipment_room", template=tpl.pk, scope="1号电梯机房",
              **{"f-0-description": "机房温度偏高，排风扇不转", "f-0-cause": "facility"})
    assert r.status_code == 400 and "须落实到责任人" in r.content.decode() and not Inspection.objects.exists()
    r = _page(client, cast.project, kind="equipment_room", template=tpl.pk, scope="1号电梯机房",
              **{"f-0-description": "机房温度偏高，排风扇不转", "f-0-cause": "facility",
                 "f-0-responsible": cast.eng_head.pk})
    assert r.status_code == 302
    finding = Finding.objects.get()
    assert finding.responsible == cast.eng_head and finding.status == "open"
    r = client.post(f"/inspections/findings/{finding.pk}/close/", {"note": "更换排风扇电机，温度恢复正常"})
    assert r.status_code == 302 and Finding.objects.get().status == "closed"
    r = _api(client, cast.quality_inspector, project_id=cast.project.pk, kind="patrol",
             inspected_at="2026-11-23T09:30:00+08:00", scope="垃圾站噪音与固体废弃物",
             findings=[{"description": "垃圾站夜间清运噪音超标"}])
    assert r.status_code == 422 and "findings.0.responsible" in r.json()["error"]["fields"]
    r = _api(client, cast.front_desk, project_id=cast.project.pk, kind="patrol",
             inspected_at="2026-11-23T09:30:00+08:00", scope="垃圾站", all_normal=True)
    assert r.status_code == 404  # the front desk does not see the project's inspections at all
    assert Inspection.objects.count() == 1


def test_r_m18_09_company_caused_problem_handed_up_stays_with_the_project(client: Any, cast: Any,
                                                                        frozen_now: dt.datetime) -> None:
    """R-M18-09: a problem the company caused is handed up (故障转呈单); the 管理处 still verifies it, so it
    cannot be closed when handed up, only after the fix is verified."""
    client.force_login(cast.project_manager)
    fields = {"kind": "daily", "level": "director", "scope": "全项目",
              "f-0-description": "公司统一采购的监控硬盘故障，管理处无法自行更换", "f-0-cause": "company",
              "f-0-handed_up": "on", "f-0-closed": "on"}
    r = _page(client, cast.project, **fields)
    assert r.status_code == 400 and "须由管理处验证" in r.content.decode() and not Finding.objects.exists()
    r = _page(client, cast.project, **{**fields, "f-0-closed": ""})
    assert r.status_code == 302
    finding = Finding.objects.get()
    assert finding.handed_up and finding.status == "open"
    r = client.get(f"/inspections/{finding.inspection_id}/")
    assert "公司原因" in r.content.decode()
    client.post(f"/inspections/findings/{finding.pk}/close/", {"note": "公司更换硬盘后管理处验证录像正常"})
    assert Finding.objects.get().status == "closed"
    r = _api(client, cast.project_manager, project_id=cast.project.pk, kind="daily", level="director",
             inspected_at="2026-11-23T09:30:00+08:00", scope="全项目",
             findings=[{"description": "公司统一采购的门禁主板故障", "cause": "company", "handed_up": True,
                        "closed": True}])
    assert r.status_code == 422 and r.json()["error"]["code"] == "verify_first"


def test_r_m18_10_property_state_defect_with_plan_not_a_management_defect(client: Any, cast: Any,
                                                                         frozen_now: dt.datetime) -> None:
    """R-M18-10: the 物业状态评估 by 品质管理部; a property defect management already has a handling plan for
    is recorded but not counted as a management defect in the bulletin; the exemption is refused elsewhere."""
    tpl = CheckTemplate.objects.get(kind="property_state", company=None)
    r = _api(client, cast.quality_inspector, project_id=cast.project.pk, kind="property_state", template_id=tpl.pk,
             inspected_at="2026-11-23T09:30:00+08:00", scope="3栋外墙、设备、环境（业委会委员参加）",
             findings=[{"description": "3栋外墙瓷砖空鼓，已列入维修计划", "exemption": "handling_plan",
                        "specialty": "工程"},
                       {"description": "地下车库照明不足", "specialty": "工程", "responsible_id": cast.eng_head.pk}])
    assert r.status_code == 201, r.content
    assert Finding.objects.count() == 2
    b = queries.bulletin([cast.project], dt.date(2026, 11, 1))
    assert b["total"] == 1 and [f.description for f in b["by_specialty"]["工程"]] == ["地下车库照明不足"]
    r = _api(client, cast.quality_inspector, project_id=cast.project.pk, kind="monthly",
             inspected_at="2026-11-23T09:45:00+08:00", scope="全项目",
             findings=[{"description": "外墙空鼓", "exemption": "handling_plan"}])
    assert r.status_code == 422 and "findings.0.exemption" in r.json()["error"]["fields"]
    client.force_login(cast.quality_inspector)
    r = client.get("/inspections/bulletin/?month=2026-11")
    assert "地下车库照明不足" in r.content.decode() and "瓷砖空鼓" not in r.content.decode()


def test_r_m18_12_head_office_check(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M18-12: head-office checks of office order, equipment, dress, discipline and performance as a
    template; recorded and listed through the API, shown on the page."""
    [tpl] = _templates(client, cast)["head_office"]
    assert tpl["items"] == ["办公秩序", "办公设备", "员工着装", "工作纪律", "工作业绩"]
    r = _api(client, cast.quality_inspector, project_id=cast.project.pk, kind="head_office", template_id=tpl["id"],
             inspected_at="2026-11-23T09:30:00+08:00", scope="总部办公室",
             findings=[{"description": "两名员工未按规定着装", "specialty": "综合"}])
    assert r.status_code == 201 and r.json()["kind_label"] == "总部办公检查"
    r = client.get(f"/api/v1/inspections/?project={cast.project.pk}&kind=head_office", **_auth(cast.quality_inspector))
    assert [x["scope"] for x in r.json()] == ["总部办公室"]
    client.force_login(cast.quality_inspector)
    assert "总部办公室" in client.get(f"/inspections/?project={cast.project.pk}&kind=head_office").content.decode()


def test_r_m18_13_electrician_daily_round_records_how_problems_were_handled(client: Any, cast: Any,
                                                                          frozen_now: dt.datetime) -> None:
    """R-M18-13: the electrician's daily round (巡楼点检) records each problem and how it was handled."""
    [tpl] = _templates(client, cast)["electrician"]
    assert tpl["interval_days"] == 1
    client.force_login(cast.worker)
    fields = {"kind": "electrician", "template": tpl["id"], "scope": "5栋、泵房、备用电源",
              "f-0-description": "5栋12楼楼道灯不亮", "f-0-cause": "facility"}
    r = _page(client, cast.project, **fields)
    assert r.status_code == 400 and "处理情况" in r.content.decode()
    r = _page(client, cast.project, **{**fields, "f-0-closure_note": "更换灯管", "f-0-closed": "on"})
    assert r.status_code == 302
    f = Finding.objects.get()
    assert f.closure_note == "更换灯管" and f.status == "closed" and f.inspection.inspector == cast.worker


def test_r_m18_14_common_parts_upkeep_daily_patrol_yearly_survey_and_lightning(client: Any, cast: Any,
                                                                             frozen_now: dt.datetime) -> None:
    """R-M18-14: unit doors, stairways, doors and glass patrolled daily; a yearly safety survey and a yearly
    lightning test, scheduled as rounds with due dates; illegal building recorded and handed on."""
    kinds = _templates(client, cast)
    assert kinds["common_parts"][0]["interval_days"] == 1
    assert kinds["safety_survey"][0]["interval_days"] == 365 and kinds["lightning"][0]["interval_days"] == 365
    r = client.post("/api/v1/inspections/rounds", {"project_id": cast.project.pk,
                                                   "template_id": kinds["lightning"][0]["id"], "due_on": "2026-12-15",
                                                   "assignee_id": cast.eng_head.pk},
                    content_type="application/json", **_auth(cast.project_manager))
    assert r.status_code == 201
    r = _api(client, cast.eng_head, project_id=cast.project.pk, kind="common_parts",
             template_id=kinds["common_parts"][0]["id"], inspected_at="2026-11-23T09:30:00+08:00",
             scope="5栋单元门、楼梯通道",
             findings=[{"description": "5栋顶楼业主违章搭建阳光房", "cause": "other", "specialty": "安管"}])
    assert r.status_code == 201
    finding = Finding.objects.get()
    r = client.post(f"/api/v1/inspections/findings/{finding.pk}/hand-on", {"to": "ticket"},
                    content_type="application/json", **_auth(cast.eng_head))
    assert r.status_code == 201 and Ticket.objects.filter(number=r.json()["ticket_number"]).exists()


def test_r_m18_17_cleaning_checked_daily_and_weekly(client: Any, cast: Any, frozen_now: dt.datetime) -> None:
    """R-M18-17: the cleaning line has a scheduled check every day and a weekly check every week."""
    cleaning = _templates(client, cast)["cleaning"]
    assert sorted(t["interval_days"] for t in cleaning) == [1, 7]
    weekly = next(t for t in cleaning if t["interval_days"] == 7)
    client.force_login(cast.project_manager)
    r = client.post(f"/inspections/rounds/?project={cast.project.pk}",
                    {"project": cast.project.pk, "template": weekly["id"], "due_on": "2026-11-27",
                     "assignee": cast.eng_head.pk})
    assert r.status_code == 302
    r = _api(client, cast.eng_head, project_id=cast.project.pk, kind="cleaning", template_id=weekly["id"],
             inspected_at="2026-11-23T09:30:00+08:00", scope="全项目保洁", all_normal=True)
    assert r.status_code == 201 and r.json()["kind"] == "cleaning"


def test_r_m18_18_steward_building_check_gets_problems_to_the_department(client: Any, cast: Any,
                                                                          frozen_now: dt.datetime) -> None:
    """R-M18-18: the 客服楼宇员 patrols the building every day and gets problems to the relevant department
    (an internal ticket for 工程部)."""
    steward = UserFactory(username="steward_t", display_name="楼宇员小周")
    member(steward, Role.BUILDING_STEWARD, company=cast.company, project=cast.project, department=cast.cs_dept)
    [tpl] = _templates(client, cast)["steward"]
    assert tpl["interval_days"] == 1
    client.force_login(steward)
    r = _page(client, cast.project, kind="steward", template=tpl["id"], scope="5栋",
              **{"f-0-description": "5栋有线电视信号箱门损坏", "f-0-cause": "facility",
                 "f-0-department": cast.eng_dept.pk})
    assert r.status_code == 302
    finding = Finding.objects.get()
    r = client.post(f"/inspections/findings/{finding.pk}/hand-on/", {"to": "ticket"})
    assert r.status_code == 302
    finding.refresh_from_db()
    assert finding.ticket is not None and finding.ticket.department == cast.eng_dept
