"""SPEC §5 acceptance scenario AS-40 (customer-data access, R-M7-01): masking, the department head's grant
and the access log, through the services and the household page."""
import datetime as dt

import pytest

from apps.estates import access as archive
from apps.estates import actions, queries
from apps.estates.models import AccessAction, Building, CustomerDataAccessLog
from linli import clock

PHONE = "13812345678"  # 张三丰, 阳光花园 5栋2单元1502 (estate fixture)


def _steward_of_other_building(cast, estate):
    """The 管家 stewards 6栋 only; the owner in 5栋 is outside their buildings and they have no ticket of it."""
    Building.objects.filter(project=cast.project, name="6栋").update(steward=cast.butler)
    Building.objects.filter(project=cast.project, name="5栋").update(steward=None)


def test_as_40_steward_outside_own_buildings_and_tickets_stays_masked_and_refusal_logged(cast, estate,
                                                                                          frozen_now):
    """AS-40: a steward opens the phone number of an owner outside their own buildings and tickets, without
    approval → the number stays masked, and the refusal is logged."""
    _steward_of_other_building(cast, estate)
    with pytest.raises(archive.RevealDenied) as exc:
        actions.reveal_household(cast.butler, estate.hh, reason="联系业主", screen="房屋档案页", fields={"phone"})
    assert exc.value.needs_grant and "部门负责人授权" in exc.value.message
    # the masked view is all the steward gets
    owner = next(v for v in queries.masked_persons(estate.hh) if v.pk == estate.owner.pk)
    assert owner.phone == "138****5678" and PHONE not in str(owner.__dict__)
    log = CustomerDataAccessLog.objects.get()
    assert (log.user, log.action, log.household, log.fields, log.reason, log.at, log.grant) == (
        cast.butler, AccessAction.REFUSED, estate.hh, "phone", "联系业主", frozen_now, None)
    assert log.person is None  # nothing of a person was shown


def test_as_40_after_department_head_approval_phone_shown_and_log_has_approval_reference(cast, estate,
                                                                                          frozen_now):
    """AS-40: after a department head approves the request → the number is shown, and the access log records
    who, what, when and the approval reference."""
    _steward_of_other_building(cast, estate)
    with pytest.raises(archive.RevealDenied):
        actions.reveal_household(cast.butler, estate.hh, reason="联系业主", screen="房屋档案页", fields={"phone"})
    grant = actions.grant_access(granted_by=cast.cs_manager, grantee=cast.butler, project=cast.project,
                                  reason="管家代班，联系5栋业主", valid_until=frozen_now + dt.timedelta(days=7))
    views = actions.reveal_household(cast.butler, estate.hh, reason="联系业主", screen="房屋档案页",
                                      fields={"phone"})
    assert next(v for v in views if v.pk == estate.owner.pk).phone == PHONE
    shown = CustomerDataAccessLog.objects.filter(action=AccessAction.VIEW, person=estate.owner).get()
    assert shown.grant is not None
    assert (shown.user, shown.fields, shown.at, shown.grant, shown.grant.granted_by) == (
        cast.butler, "phone", frozen_now, grant, cast.cs_manager)
    # the earlier refusal stays in the log next to the approved reads
    assert CustomerDataAccessLog.objects.filter(action=AccessAction.REFUSED, user=cast.butler).count() == 1

    # the grant ends → masked again, refusal logged again
    actions.revoke_grant(by=cast.cs_manager, grant=grant)
    with pytest.raises(archive.RevealDenied):
        actions.reveal_household(cast.butler, estate.hh, reason="联系业主", screen="房屋档案页", fields={"phone"})
    assert CustomerDataAccessLog.objects.filter(action=AccessAction.REFUSED, user=cast.butler).count() == 2


def test_as_40_steward_sees_own_buildings_and_own_tickets_without_approval(cast, estate, frozen_now):
    """AS-40 boundary: inside the steward's own buildings, or for an owner of a ticket they received or
    handle, the role is the standing consent — shown without a grant, still logged (no approval reference)."""
    from apps.tickets.tests.helpers import receive

    Building.objects.filter(project=cast.project, name="5栋").update(steward=cast.butler)
    views = actions.reveal_household(cast.butler, estate.hh, reason="楼栋巡查联系", screen="x", fields={"phone"})
    assert next(v for v in views if v.pk == estate.owner.pk).phone == PHONE

    Building.objects.filter(project=cast.project, name="5栋").update(steward=None)
    with pytest.raises(archive.RevealDenied):
        actions.reveal_household(cast.butler, estate.hh, reason="联系业主", screen="x", fields={"phone"})
    receive(cast, household=estate.hh, acting_user=cast.butler, now=frozen_now)  # now the steward's own ticket
    views = actions.reveal_household(cast.butler, estate.hh, reason="工单回访", screen="x", fields={"phone"})
    assert next(v for v in views if v.pk == estate.owner.pk).phone == PHONE
    logs = CustomerDataAccessLog.objects.filter(action=AccessAction.VIEW, user=cast.butler)
    assert logs.count() == 4 and set(logs.values_list("grant_id", flat=True)) == {None}


def test_as_40_front_desk_serves_the_whole_project_and_input_errors_are_not_refusals(cast, estate, frozen_now):
    """AS-40 variant: the front desk's work is calling any owner of the project (R-M19-03), so no grant is
    needed; a missing reason is an input error, not a consultation, and is not logged."""
    _steward_of_other_building(cast, estate)
    views = actions.reveal_household(cast.front_desk, estate.hh, reason="回访", screen="x", fields={"phone"})
    assert next(v for v in views if v.pk == estate.owner.pk).phone == PHONE
    with pytest.raises(archive.RevealDenied, match="事由"):
        actions.reveal_household(cast.butler, estate.hh, reason=" ", screen="x", fields={"phone"})
    assert not CustomerDataAccessLog.objects.filter(action=AccessAction.REFUSED).exists()


def test_as_40_household_page_and_access_log_page(cast, estate, client):
    """AS-40 through the pages: the steward's 显示完整信息 on 房屋档案页 is refused (403, masked), the department
    head grants on 查阅授权, the number is shown, and 顾客资料查阅记录 lists refusal and read with the grant."""
    _steward_of_other_building(cast, estate)
    url = f"/estates/households/{estate.hh.pk}/"
    client.force_login(cast.butler)
    r = client.post(url, {"purpose": "核实业主身份"})
    html = r.content.decode()
    assert r.status_code == 403 and "部门负责人授权" in html and PHONE not in html and "138****5678" in html

    now = clock.now()
    grant = actions.grant_access(granted_by=cast.cs_manager, grantee=cast.butler, project=cast.project,
                                  reason="管家代班", valid_until=now + dt.timedelta(days=1))
    r = client.post(url, {"purpose": "核实业主身份"})
    assert r.status_code == 200 and PHONE in r.content.decode()

    client.force_login(cast.cs_manager)
    html = client.get("/estates/access-log/").content.decode()
    assert "拒绝查看（未经授权）" in html and f"#{grant.pk}" in html and "无授权" in html
    log_actions = list(CustomerDataAccessLog.objects.filter(user=cast.butler).order_by("id")
                   .values_list("action", "grant_id"))
    assert log_actions[0] == (AccessAction.REFUSED, None)
    assert all(a == (AccessAction.VIEW, grant.pk) for a in log_actions[1:]) and len(log_actions) == 3
