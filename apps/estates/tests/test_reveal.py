"""R-M7-01 (department head's consent, every consultation recorded) and R-M7-03 (VIP)."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.estates import access as archive
from apps.estates import actions, queries
from apps.estates.models import AccessAction, AppendOnlyError, CustomerDataAccessLog
from linli import clock


def test_r_m7_01_masked_view_by_default(cast, estate):
    views = queries.masked_persons(estate.hh)
    owner = next(v for v in views if v.pk == estate.owner.pk)
    assert (owner.name, owner.phone, owner.id_number) == ("张**", "138****5678", "1101**********1233")
    assert owner.vehicles == [{"plate": "粤B****5", "parking_space": "B2-018"}]
    assert owner.masked
    assert CustomerDataAccessLog.objects.count() == 0


def test_r_m7_01_front_desk_reveals_contact_data_with_a_reason_and_it_is_logged(cast, estate, frozen_now):
    views = actions.reveal_household(cast.front_desk, estate.hh, reason="回访业主", screen="房屋档案页")
    owner = next(v for v in views if v.pk == estate.owner.pk)
    assert (owner.name, owner.phone) == ("张三丰", "13812345678")
    assert owner.id_number == "1101**********1233"  # not asked, stays masked
    logs = list(CustomerDataAccessLog.objects.order_by("person_id"))
    assert len(logs) == 2  # one row per person shown
    assert {log.person_id for log in logs} == {estate.owner.pk, estate.resident.pk}
    log = logs[0]
    assert (log.user, log.action, log.reason, log.screen, log.at) == (
        cast.front_desk, AccessAction.VIEW, "回访业主", "房屋档案页", frozen_now)
    assert log.fields == "name,phone,phone2" and log.grant is None and log.household == estate.hh


def test_r_m7_01_reason_is_required(cast, estate):
    with pytest.raises(archive.RevealDenied, match="事由"):
        actions.reveal_household(cast.front_desk, estate.hh, reason="  ", screen="x")
    assert CustomerDataAccessLog.objects.count() == 0


@pytest.mark.parametrize("who", ["worker", "eng_head", "leader", "sysadmin"])
def test_r_m7_01_roles_without_it_in_their_work_never_unmask(cast, estate, grant_for, who):
    with pytest.raises(archive.RevealDenied, match="无权"):
        actions.reveal_household(getattr(cast, who), estate.hh, reason="好奇", screen="x")
    assert CustomerDataAccessLog.objects.count() == 0


def test_r_m7_01_id_number_needs_the_department_heads_grant(cast, estate, grant_for):
    with pytest.raises(archive.RevealDenied) as exc:
        actions.reveal_household(cast.front_desk, estate.hh, reason="核实业主身份", screen="x",
                                  fields={"name", "id_number"})
    assert exc.value.needs_grant and "部门负责人授权" in exc.value.message
    refused = CustomerDataAccessLog.objects.get()  # the refusal is logged (AS-40), nothing shown
    assert refused.action == AccessAction.REFUSED and refused.person is None and refused.grant is None
    grant = grant_for(cast.front_desk)
    views = actions.reveal_household(cast.front_desk, estate.hh, reason="核实业主身份", screen="x",
                                      fields={"name", "id_number", "vehicles"})
    owner = next(v for v in views if v.pk == estate.owner.pk)
    assert owner.id_number == "110101199003071233" and owner.vehicles[0]["plate"] == "粤B12345"
    assert set(CustomerDataAccessLog.objects.exclude(action=AccessAction.REFUSED)
               .values_list("grant_id", flat=True)) == {grant.pk}


def test_r_m7_03_vip_needs_a_grant_even_for_the_phone(cast, estate, grant_for):
    with pytest.raises(archive.RevealDenied, match="VIP"):
        actions.reveal_household(cast.front_desk, estate.vip_hh, reason="回访业主", screen="x")
    grant_for(cast.front_desk)
    views = actions.reveal_household(cast.front_desk, estate.vip_hh, reason="回访业主", screen="x")
    assert views[0].phone == "13711112222"


def test_r_m7_01_expired_grant_does_not_count(cast, estate, grant_for):
    start = dt.datetime(2026, 11, 1, 9, 0, tzinfo=clock.SHANGHAI)
    with clock.frozen(start):
        grant_for(cast.front_desk, days=7)
    with clock.frozen(start + dt.timedelta(days=6, hours=23)):
        assert archive.active_grant(cast.front_desk, cast.project) is not None
    with clock.frozen(start + dt.timedelta(days=7)), pytest.raises(archive.RevealDenied, match="授权"):
        actions.reveal_household(cast.front_desk, estate.vip_hh, reason="回访业主", screen="x")


def test_r_m7_01_revoked_grant_does_not_count(cast, estate, grant_for):
    grant = grant_for(cast.front_desk)
    actions.revoke_grant(by=cast.cs_manager, grant=grant)
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == cast.cs_manager
    with pytest.raises(archive.RevealDenied, match="授权"):
        actions.reveal_household(cast.front_desk, estate.vip_hh, reason="回访业主", screen="x")
    with pytest.raises(ValidationError):
        actions.revoke_grant(by=cast.cs_manager, grant=grant)


def test_r_m7_01_grant_in_another_project_does_not_count(cast, estate, grant_for):
    from apps.org.roles import Role
    from apps.org.tests.factories import member

    member(cast.front_desk, Role.FRONT_DESK, company=cast.company, project=cast.other_project)
    grant_for(cast.front_desk, by=cast.quality_inspector, project=cast.other_project)
    with pytest.raises(archive.RevealDenied):
        actions.reveal_household(cast.front_desk, estate.vip_hh, reason="回访业主", screen="x")


def test_r_m7_01_only_department_heads_grant_and_not_to_themselves(cast, frozen_now):
    until = frozen_now + dt.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        actions.grant_access(granted_by=cast.front_desk, grantee=cast.butler, project=cast.project,
                              reason="x", valid_until=until)
    with pytest.raises(PermissionDenied):  # 翠湖苑's front desk holds nothing in 阳光花园
        actions.grant_access(granted_by=cast.outsider, grantee=cast.butler, project=cast.project,
                              reason="x", valid_until=until)
    with pytest.raises(ValidationError) as exc:
        actions.grant_access(granted_by=cast.cs_manager, grantee=cast.cs_manager, project=cast.project,
                              reason="", valid_until=frozen_now - dt.timedelta(days=1))
    assert set(exc.value.message_dict) == {"grantee", "reason", "valid_until"}
    with pytest.raises(ValidationError) as exc:
        actions.grant_access(granted_by=cast.cs_manager, grantee=cast.worker, project=cast.project,
                              reason="x", valid_until=until)
    assert "grantee" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.grant_access(granted_by=cast.cs_manager, grantee=cast.butler, project=cast.project,
                              reason="x", valid_until=frozen_now + dt.timedelta(days=400))
    assert "valid_until" in exc.value.message_dict
    g = actions.grant_access(granted_by=cast.eng_head, grantee=cast.butler, project=cast.project,
                              reason="空巢老人节日问候", valid_until=until)
    assert g.granted_by == cast.eng_head and g.valid_from == frozen_now


def test_r_m7_01_access_log_cannot_be_edited_or_deleted(cast, estate):
    actions.reveal_household(cast.front_desk, estate.hh, reason="回访业主", screen="x")
    log = CustomerDataAccessLog.objects.first()
    assert log is not None
    log.reason = "改掉"
    with pytest.raises(AppendOnlyError):
        log.save()
    with pytest.raises(AppendOnlyError):
        log.delete()
    assert CustomerDataAccessLog.objects.get(pk=log.pk).reason == "回访业主"


def test_r_m7_01_access_log_admin_is_read_only(cast, estate, rf):
    from django.contrib import admin

    from apps.estates.models import CustomerDataAccessLog as Log

    actions.reveal_household(cast.front_desk, estate.hh, reason="回访业主", screen="x")
    model_admin = admin.site._registry[Log]
    request = rf.get("/")
    request.user = cast.sysadmin
    obj = Log.objects.first()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert model_admin.get_actions(request) == {}


def test_r_m7_01_visibility_is_per_project(cast, estate):
    assert archive.get_household(cast.front_desk, estate.hh.pk) == estate.hh
    with pytest.raises(Exception) as exc:
        archive.get_household(cast.front_desk, estate.other_hh.pk)
    assert exc.typename == "Http404"
    assert archive.get_household(cast.quality_inspector, estate.other_hh.pk) == estate.other_hh
    assert archive.archive_projects(cast.worker) == []
