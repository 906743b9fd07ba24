"""Owner archive pages: search by 房号/name/phone tail (issue 2 item 8), masked everywhere, the
"显示完整信息" action (R-M7-01), import/export pages, grants and the access log."""
import datetime as dt
import re

import pytest

from apps.estates.models import AccessAction, ArchiveGrant, CustomerDataAccessLog, Household, ImportJob, ImportStatus
from apps.estates.tests.conftest import read_xlsx, workbook
from apps.estates.tests.test_roster import BROKEN, GOOD
from linli import clock

FULL_PHONES = ("13812345678", "13900001111", "13711112222")


def _get(client, who, url, **params):
    client.force_login(who)
    return client.get(url, params)


def _no_full_phone(html: str) -> bool:
    return not any(p in html for p in FULL_PHONES) and "110101199003071233" not in html


@pytest.mark.parametrize(("query", "found"), [
    ("1502", "5栋2单元1502"), ("5栋2单元1502", "5栋2单元1502"), ("5678", "5栋2单元1502"),
    ("张三丰", "5栋2单元1502"), ("王五", "6栋1单元101"), ("2222", "6栋1单元101"),
])
def test_search_by_room_name_or_phone_tail_is_masked(cast, estate, client, query, found):
    r = _get(client, cast.front_desk, "/estates/", q=query)
    html = r.content.decode()
    assert r.status_code == 200 and found in html
    assert _no_full_phone(html) and ("138****5678" in html or "137****2222" in html)
    assert CustomerDataAccessLog.objects.count() == 0


def test_search_stays_in_the_users_projects(cast, estate, client):
    html = _get(client, cast.front_desk, "/estates/", q="3333").content.decode()
    assert "赵" not in html and "1栋1单元101" not in html
    assert _get(client, cast.front_desk, "/estates/", project=cast.other_project.pk).status_code == 404
    assert _get(client, cast.worker, "/estates/").status_code == 403
    html = _get(client, cast.quality_inspector, "/estates/", project=cast.other_project.pk, q="3333").content.decode()
    assert "1栋1单元101" in html and "136****3333" in html


def test_search_htmx_partial_and_filters(cast, estate, client):
    client.force_login(cast.front_desk)
    r = client.get("/estates/", {"flag": "vip"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert "<html" not in html and "6栋1单元101" in html and "5栋2单元1502" not in html
    html = client.get("/estates/", {"building": "5栋"}).content.decode()
    assert "5栋2单元1502" in html and "6栋1单元101" not in html


def test_household_detail_masked_then_revealed_and_logged(cast, estate, client, frozen_now):
    url = f"/estates/households/{estate.hh.pk}/"
    html = _get(client, cast.front_desk, url).content.decode()
    assert "138****5678" in html and "1101**********1233" in html and "粤B****5" in html and _no_full_phone(html)
    assert f"/tickets/?household={estate.hh.pk}" in html
    r = client.post(url, {"purpose": "回访业主"})
    html = r.content.decode()
    assert r.status_code == 200 and "13812345678" in html and "张三丰" in html
    assert "110101199003071233" not in html  # ID needs a grant and was not asked for
    assert r["Cache-Control"] == "no-store"
    assert CustomerDataAccessLog.objects.filter(user=cast.front_desk, screen="房屋档案页",
                                                action=AccessAction.VIEW).count() == 2
    assert _no_full_phone(client.get(url).content.decode())  # masked again on the next view


def test_reveal_of_id_number_without_grant_is_refused_on_the_page(cast, estate, client):
    client.force_login(cast.front_desk)
    r = client.post(f"/estates/households/{estate.hh.pk}/", {"purpose": "核实业主身份", "id_number": "on"})
    html = r.content.decode()
    assert r.status_code == 403 and "部门负责人授权" in html and _no_full_phone(html)
    assert list(CustomerDataAccessLog.objects.values_list("action", "screen")) == [(AccessAction.REFUSED, "房屋档案页")]
    r = client.post(f"/estates/households/{estate.hh.pk}/", {"purpose": "其他"})
    assert r.status_code == 400 and "请填写说明" in r.content.decode()


def test_worker_cannot_open_a_household_and_other_project_is_404(cast, estate, client):
    assert _get(client, cast.worker, f"/estates/households/{estate.hh.pk}/").status_code == 404
    assert _get(client, cast.front_desk, f"/estates/households/{estate.other_hh.pk}/").status_code == 404
    client.force_login(cast.eng_head)  # sees the masked archive but may not unmask
    html = client.get(f"/estates/households/{estate.hh.pk}/").content.decode()
    assert "138****5678" in html and "reveal-form" not in html
    assert client.post(f"/estates/households/{estate.hh.pk}/", {"purpose": "回访业主"}).status_code == 403


def test_import_pages_preview_errors_and_commit(cast, client):
    client.force_login(cast.supervisor)
    assert client.get("/estates/import/").status_code == 200
    r = client.post("/estates/import/", {"file": workbook(BROKEN), "project": cast.project.pk, "token": "t1"})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and job.status == ImportStatus.INVALID
    html = client.get(r["Location"]).content.decode()
    assert "第 3 行" in html and "身份证号码校验位不正确" in html and "整个文件未导入" in html
    good = workbook(GOOD)
    good.name = "good.xlsx"
    r = client.post("/estates/import/", {"file": good, "token": "t2"})
    job = ImportJob.objects.get(filename="good.xlsx")
    html = client.get(r["Location"]).content.decode()
    assert "陈*" in html and "138****0001" in html and "13800000001" not in html and "确认导入" in html
    progress = client.get("/estates/import/progress/t2/").content.decode()
    assert "4 / 4" in progress
    r = client.post(f"/estates/import/{job.pk}/commit/", {"token": "t3"}, follow=True)
    assert "新建房屋 3 户" in r.content.decode() and Household.objects.count() == 3


def test_import_page_rejects_other_files_and_roles(cast, client):
    import io

    client.force_login(cast.supervisor)
    f = io.BytesIO(b"a,b")
    f.name = "roster.csv"
    r = client.post("/estates/import/", {"file": f})
    assert r.status_code == 400 and ".xlsx" in r.content.decode()
    assert _get(client, cast.front_desk, "/estates/import/").status_code == 403
    assert client.get("/estates/import/template.xlsx").status_code == 200


def test_export_page_masked_by_default_and_logged(cast, estate, client, frozen_now):
    client.force_login(cast.supervisor)
    r = client.post("/estates/export/", {"project": cast.project.pk})
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    rows = read_xlsx(b"".join(r.streaming_content))
    assert len(rows) == 4 and "138****5678" in [row[7] for row in rows]
    log = CustomerDataAccessLog.objects.get()
    assert (log.action, log.row_count, log.user) == (AccessAction.EXPORT_MASKED, 3, cast.supervisor)
    r = client.post("/estates/export/", {"unmasked": "on", "reason": "年度核对"})
    assert r.status_code == 403 and "授权" in r.content.decode()
    assert CustomerDataAccessLog.objects.count() == 1
    ArchiveGrant.objects.create(project=cast.project, grantee=cast.supervisor, granted_by=cast.cs_manager,
                                reason="年度核对", valid_from=frozen_now, valid_until=frozen_now + dt.timedelta(days=1),
                                created_at=frozen_now)
    r = client.post("/estates/export/", {"unmasked": "on", "reason": "年度核对"})
    rows = read_xlsx(b"".join(r.streaming_content))
    assert "13812345678" in [row[7] for row in rows]
    log = CustomerDataAccessLog.objects.filter(action=AccessAction.EXPORT).get()
    assert log.row_count == 3 and log.reason == "年度核对" and log.grant is not None
    assert _get(client, cast.front_desk, "/estates/export/").status_code == 403


def test_grants_page_give_and_revoke(cast, client, frozen_now):
    client.force_login(cast.cs_manager)
    html = client.get("/estates/grants/").content.decode()
    assert "李前台" in html and "孙师傅" not in html  # only roles that may unmask can be granted
    r = client.post("/estates/grants/", {"grantee": cast.front_desk.pk, "reason": "VIP 回访",
                                         "valid_from": "2026-11-23", "valid_until": "2026-11-30"})
    assert r.status_code == 302
    g = ArchiveGrant.objects.get()
    assert g.valid_from == frozen_now and g.valid_until == dt.datetime(2026, 12, 1, tzinfo=clock.SHANGHAI)
    r = client.post("/estates/grants/", {"grantee": cast.front_desk.pk, "reason": "x",
                                         "valid_from": "2026-11-23", "valid_until": "2028-01-01"})
    assert r.status_code == 400 and "授权期限不能超过" in r.content.decode()
    client.force_login(cast.front_desk)
    html = client.get("/estates/grants/").content.decode()
    assert "VIP 回访" in html and "grant-form" not in html
    assert client.post(f"/estates/grants/{g.pk}/revoke/").status_code == 403
    client.force_login(cast.cs_manager)
    client.post(f"/estates/grants/{g.pk}/revoke/")
    g.refresh_from_db()
    assert g.revoked_by == cast.cs_manager


def test_r_m7_01_access_log_page_for_managers_only(cast, estate, client):
    from apps.estates import actions

    actions.reveal_household(cast.front_desk, estate.hh, reason="回访业主", screen="房屋档案页")
    html = _get(client, cast.cs_manager, "/estates/access-log/", user="desk").content.decode()
    assert "回访业主" in html and "李前台" in html and "5栋2单元1502" in html and "张三丰" not in html
    assert "共 2 条" in html
    html = client.get("/estates/access-log/", {"action": "export"}).content.decode()
    assert "共 0 条" in html
    assert "共 2 条" in _get(client, cast.leader, "/estates/access-log/").content.decode()
    assert _get(client, cast.front_desk, "/estates/access-log/").status_code == 403
    # 翠湖苑's staff do not see 阳光花园's log
    from apps.org.roles import Role
    from apps.org.tests.factories import member

    member(cast.outsider, Role.CS_MANAGER, company=cast.company, project=cast.other_project)
    assert "共 0 条" in _get(client, cast.outsider, "/estates/access-log/").content.decode()


def test_nav_and_subnav_link_the_archive(cast, client):
    html = _get(client, cast.front_desk, "/estates/").content.decode()
    assert re.search(r'href="/estates/grants/\?project=\d+"', html)


def test_r_m7_07_not_moved_in_reason_is_recorded_with_history(cast, estate, client):
    Household.objects.filter(pk=estate.hh.pk).update(status="not_moved_in")
    client.force_login(cast.front_desk)
    url = f"/estates/households/{estate.hh.pk}/"
    assert "登记未入住原因" in client.get(url).content.decode()
    client.post(f"{url}not-moved-in/", {"reason": "在外地工作，明年春节后入住"})
    estate.hh.refresh_from_db()
    assert estate.hh.not_moved_in_reason == "在外地工作，明年春节后入住"
    assert estate.hh.history.first().history_change_reason.startswith("未入住原因")
    assert "明年春节后入住" in client.get(url).content.decode()
    assert "未入住（入住动态表）" in client.get("/estates/", {"flag": "not_moved_in"}).content.decode()
    client.force_login(cast.eng_head)
    assert client.post(f"{url}not-moved-in/", {"reason": "x"}).status_code == 403


def test_r_m7_02_confidentiality_policy_is_shown_on_the_archive(cast, client):
    cast.company.confidentiality_policy = "顾客资料由客服部专人保管"
    cast.company.save()
    assert "顾客资料由客服部专人保管" in _get(client, cast.front_desk, "/estates/").content.decode()


def test_r_m7_04_supervisor_maintains_a_person_without_seeing_the_full_phone(cast, estate, client):
    from apps.estates.models import Person

    client.force_login(cast.supervisor)
    url = f"/estates/households/{estate.hh.pk}/persons/{estate.owner.pk}/edit/"
    html = client.get(url).content.decode()
    assert "138****5678" in html and "13812345678" not in html and "110101199003071233" not in html
    r = client.post(url, {"name": "张三丰", "kind": "owner", "phone": "", "id_number": "", "tags": "空巢老人",
                          "needs": "腿脚不便，维修请预约", "active": "on"})
    assert r.status_code == 302
    owner = Person.objects.get(pk=estate.owner.pk)
    assert owner.phone == "13812345678" and owner.id_number == "110101199003071233"  # kept
    assert owner.elderly_alone and owner.needs == "腿脚不便，维修请预约"
    assert owner.history.first().history_change_reason.startswith("档案维护")
    estate.hh.refresh_from_db()
    assert estate.hh.elderly_alone  # R-M7-08 follows the tag
    r = client.post(f"/estates/households/{estate.hh.pk}/persons/new/",
                    {"name": "张小", "kind": "resident", "phone": "1381234", "id_number": "123"})
    html = r.content.decode()
    assert r.status_code == 400 and "电话号码格式不正确" in html and "证件号码格式不正确" in html
    r = client.post(f"/estates/households/{estate.hh.pk}/persons/new/",
                    {"name": "张小", "kind": "resident", "phone": "139 0000 2222", "active": "on"})
    assert r.status_code == 302 and Person.objects.get(name="张小").phone_tail == "2222"
    r = client.post(f"/estates/households/{estate.hh.pk}/edit/", {"status": "decorating", "area_m2": "120.5"})
    estate.hh.refresh_from_db()
    assert r.status_code == 302 and estate.hh.status == "decorating" and float(estate.hh.area_m2) == 120.5
    client.force_login(cast.front_desk)  # R-M7-04: the front desk manages the archive too (test_archive_roles.py)
    assert client.get(url).status_code == 200
    assert client.get(f"/estates/households/{estate.other_hh.pk}/edit/").status_code == 404


def test_r_m7_01_designated_custodian_is_shown_and_must_be_cs_staff(cast, client):
    from django.core.exceptions import ValidationError as DjangoValidationError

    from apps.estates.models import ArchiveCustodian

    keeper = ArchiveCustodian(project=cast.project, custodian=cast.worker, since=dt.date(2026, 1, 1))
    with pytest.raises(DjangoValidationError):
        keeper.full_clean()
    keeper.custodian = cast.supervisor
    keeper.full_clean()
    keeper.save()
    html = _get(client, cast.front_desk, "/estates/").content.decode()
    assert "顾客资料保管人：张主管" in html


def test_r_m7_01_access_log_exports_for_audit_with_filters(cast, estate, client):
    from apps.estates import actions

    actions.reveal_household(cast.front_desk, estate.hh, reason="回访业主", screen="房屋档案页")
    actions.log_export(cast.supervisor, cast.project, unmasked=False, reason="", screen="导出业主名册页", rows=3,
                        grant=None)
    client.force_login(cast.cs_manager)
    r = client.get("/estates/access-log/export.xlsx", {"action": "view"})
    rows = read_xlsx(b"".join(r.streaming_content))
    assert rows[0][:3] == ["时间", "查阅人", "操作"] and len(rows) == 3
    assert {row[5] for row in rows[1:]} == {"张**", "李*"} and rows[1][6] == "姓名、手机、其他电话"
    assert not any("张三丰" in str(c) for row in rows for c in row)
    rows = read_xlsx(b"".join(client.get("/estates/access-log/export.xlsx").streaming_content))
    assert len(rows) == 4 and "3" in [row[7] for row in rows]
    client.force_login(cast.front_desk)
    assert client.get("/estates/access-log/export.xlsx").status_code == 403
