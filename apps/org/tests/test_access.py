"""Permissions follow roles; staff see only their projects (issue 2 item 3, R-M19-09)."""
from apps.org import access
from apps.org.roles import Cap


def test_staff_see_only_their_project(cast):
    assert list(access.visible_projects(cast.front_desk)) == [cast.project]
    assert list(access.visible_projects(cast.outsider)) == [cast.other_project]
    assert list(access.visible_projects(cast.nobody)) == []


def test_company_level_roles_see_every_project(cast):
    for user in (cast.quality_inspector, cast.leader, cast.sysadmin):
        assert set(access.visible_projects(user)) == {cast.project, cast.other_project}


def test_capabilities_are_per_project(cast):
    assert access.has_cap(cast.front_desk, Cap.RECEIVE_TICKETS, cast.project)
    assert not access.has_cap(cast.front_desk, Cap.RECEIVE_TICKETS, cast.other_project)
    assert not access.has_cap(cast.worker, Cap.RECEIVE_TICKETS, cast.project)
    assert access.has_cap(cast.worker, Cap.HANDLE, cast.project)


def test_r_m19_09_verification_needs_supervisor_rank(cast):
    assert not access.has_cap(cast.front_desk, Cap.VERIFY, cast.project)
    assert access.has_cap(cast.supervisor, Cap.VERIFY, cast.project)
    assert access.rank_in(cast.front_desk, cast.project) < 20 <= access.rank_in(cast.supervisor, cast.project)


def test_anonymous_sees_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert not access.has_cap(AnonymousUser(), Cap.VIEW_TICKETS)
