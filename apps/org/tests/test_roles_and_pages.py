"""Roles decide who may do what (SPEC M19); staff see only their projects, company-level roles
see all (issue 2 item 3) — in the access functions, the pages and the project switcher."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.org import access
from apps.org.models import Membership, Project
from apps.org.roles import ROLE_INFO, SUPERVISOR_RANK, Cap, Role
from apps.org.tests.factories import ProjectFactory, UserFactory, member

PASSWORD = "pw-Linli-2026"


def test_r_m19_07_quality_leadership_and_sysadmin_are_company_level(cast):
    assert {r for r, info in ROLE_INFO.items() if info.company_level} == {Role.QUALITY, Role.LEADERSHIP,
                                                                          Role.SYSADMIN, Role.MANAGEMENT_REP,
                                                                          Role.GENERAL_MANAGER, Role.OFFICE_DIRECTOR}
    for user in (cast.quality_inspector, cast.leader, cast.sysadmin):
        assert access.is_company_level(user)
        assert access.can_see_project(user, cast.project) and access.can_see_project(user, cast.other_project)
    assert not access.is_company_level(cast.project_manager)


def test_company_level_roles_see_new_projects_without_new_memberships(cast):
    new = ProjectFactory(company=cast.company, code="XY", name="新园")
    assert new in access.visible_projects(cast.quality_inspector)
    assert new not in access.visible_projects(cast.project_manager)


def test_company_level_roles_do_not_see_another_company(cast):
    from apps.org.tests.factories import CompanyFactory

    other_company = CompanyFactory(code="other", name="别家物业")
    foreign = ProjectFactory(company=other_company, code="ZZ", name="别家小区")
    assert foreign not in access.visible_projects(cast.leader)
    assert not access.can_see_project(cast.leader, foreign)


@pytest.mark.parametrize("role", [r for r in Role.values if not ROLE_INFO[r].company_level])
def test_every_project_role_sees_only_its_project(cast, role):
    user = UserFactory(username=f"r_{role}")
    member(user, role, company=cast.company, project=cast.project)
    assert list(access.visible_projects(user)) == [cast.project]
    assert not access.can_see_project(user, cast.other_project)


def test_r_m19_09_every_role_has_a_rank_and_verify_needs_supervisor_rank():
    for role, info in ROLE_INFO.items():
        if Cap.VERIFY in info.caps or Cap.APPROVE_EXEMPTION in info.caps:
            assert info.rank >= SUPERVISOR_RANK, role
    assert ROLE_INFO[Role.FRONT_DESK].rank < SUPERVISOR_RANK <= ROLE_INFO[Role.CS_SUPERVISOR].rank


def test_r_m19_03_front_desk_records_dispatches_and_makes_phone_return_visits(cast):
    for cap in (Cap.RECEIVE_TICKETS, Cap.DISPATCH, Cap.RETURN_VISIT, Cap.VIEW_ARCHIVE):
        assert access.has_cap(cast.front_desk, cap, cast.project), cap
    assert not access.has_cap(cast.front_desk, Cap.VERIFY, cast.project)


def test_r_m19_05_butler_makes_return_visits(cast):
    assert access.has_cap(cast.butler, Cap.RETURN_VISIT, cast.project)


def test_r_m19_01_manager_approves_and_supervisor_does_not(cast):
    assert access.has_cap(cast.cs_manager, Cap.APPROVE_COMPENSATION, cast.project)
    assert not access.has_cap(cast.supervisor, Cap.APPROVE_COMPENSATION, cast.project)


def test_worker_handles_but_cannot_see_personal_data(cast):
    assert access.has_cap(cast.worker, Cap.HANDLE, cast.project)
    assert not access.has_cap(cast.worker, Cap.UNMASK_PERSONAL_DATA, cast.project)
    assert not access.has_cap(cast.worker, Cap.VIEW_ARCHIVE, cast.project)


def test_inactive_or_removed_staff_lose_access(cast):
    type(cast.front_desk).objects.filter(pk=cast.front_desk.pk).update(is_active=False)
    cast.front_desk.refresh_from_db()
    assert list(access.visible_projects(cast.front_desk)) == []
    Membership.objects.filter(user=cast.butler).delete()
    access.forget(cast.butler)
    assert list(access.visible_projects(cast.butler)) == []


def test_project_role_needs_a_project(cast):
    m = Membership(user=cast.nobody, company=cast.company, project=None, role=Role.FRONT_DESK)
    with pytest.raises(ValidationError) as exc:
        m.clean()
    assert "project" in exc.value.message_dict


def test_department_must_belong_to_the_project(cast):
    m = Membership(user=cast.nobody, company=cast.company, project=cast.other_project, role=Role.WORKER,
                   department=cast.eng_dept)
    with pytest.raises(ValidationError):
        m.clean()


def test_project_age_in_whole_years(cast):
    p = Project(handover_date=dt.date(2020, 6, 1))
    assert p.age_years(dt.date(2026, 5, 31)) == 5 and p.age_years(dt.date(2026, 6, 1)) == 6
    assert Project().age_years(dt.date(2026, 1, 1)) is None


# ---------------------------------------------------------------- pages


def test_switcher_lists_only_visible_projects(cast, client):
    client.login(username="quality", password=PASSWORD)
    page = client.get("/").content.decode()
    switcher = page.split('data-testid="project-switcher"')[1].split("</select>")[0]
    assert "阳光花园" in switcher and "翠湖苑" in switcher
    client.login(username="desk", password=PASSWORD)
    page = client.get("/").content.decode()
    assert "翠湖苑" not in page and 'data-testid="project-switcher"' not in page  # one project: no switcher


def test_current_project_falls_back_when_membership_ends(cast, client):
    client.login(username="quality", password=PASSWORD)
    client.post("/switch-project/", {"project": cast.other_project.pk})
    assert client.session["linli_project_id"] == cast.other_project.pk
    Membership.objects.filter(user=cast.quality_inspector).update(role=Role.FRONT_DESK, project=cast.project)
    page = client.get("/").content.decode()
    assert 'data-testid="current-project">阳光花园' in page


def test_r_m19_12_internal_directory_lists_departments_and_extensions(cast, client):
    type(cast.eng_head).objects.filter(pk=cast.eng_head.pk).update(extension="8021", phone="13900001111")
    cast.eng_dept.phone = "0755-8888021"
    cast.eng_dept.save()
    client.login(username="desk", password=PASSWORD)
    page = client.get("/org/directory/").content.decode()
    assert "工程部" in page and "0755-8888021" in page and "赵工" in page and "8021" in page
    assert "品质管理部" in page and "钱前台" not in page  # the other project's staff are not listed
