"""Roster import (preview, row-level errors, all-or-nothing, re-import updates) and export
(masked unless granted, every export logged) — issue 2 items 4, 5 and 9."""
import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.estates import access as archive
from apps.estates import actions, roster
from apps.estates.models import (
    AccessAction,
    Building,
    CustomerDataAccessLog,
    Household,
    ImportStatus,
    Person,
    Unit,
    Vehicle,
)
from apps.estates.tests.conftest import VALID_ID, read_xlsx, workbook

GOOD: list[list[Any]] = [
    ["1栋", "1单元", 101, 89.5, "已入住", "陈一", "业主", "13800000001", "", VALID_ID, "2024-05-01", "空巢老人", "粤B12345", "B1-001"],
    ["1栋", "1单元", 101, None, None, "陈二", "住户", "13800000002", "0755-83211234", None, None, None, None, None],
    ["1栋", "1单元", 102, 96, "未入住", None, None, None, None, None, None, None, None, None],
    ["2栋", None, "201", 120, "装修中", "林三", "租户", "+86 139 0000 0003", None, None, dt.datetime(2025, 1, 2), "VIP", None, None],  # noqa: DTZ001 - an Excel cell holds a naive date
]


def _import(cast, rows, user=None):
    return roster.create_import_job(user or cast.supervisor, cast.project, workbook(rows), "roster.xlsx")


def test_good_import_previews_then_commits_everything(cast, frozen_now):
    job = _import(cast, GOOD)
    assert job.status == ImportStatus.PREVIEW and job.errors == []
    assert (job.row_count, job.household_count, job.person_count) == (4, 3, 3)
    assert Household.objects.count() == 0  # preview writes nothing to the archive
    counts = roster.commit_import(job, cast.supervisor)
    assert counts["households_created"] == 3 and counts["persons_created"] == 3
    assert counts["buildings_created"] == 2 and counts["units_created"] == 1 and counts["vehicles_created"] == 1
    h = Household.objects.get(label="1栋1单元101")
    assert h.area_m2 == 89.5 and h.status == "occupied" and h.project == cast.project
    chen = Person.objects.get(name="陈一")
    assert (chen.phone, chen.phone_tail, chen.id_number, chen.elderly_alone) == ("13800000001", "0001", VALID_ID, True)
    assert chen.move_in_date == dt.date(2024, 5, 1) and chen.history.count() == 1
    assert Person.objects.get(name="陈二").phone2 == "0755-83211234"
    lin = Person.objects.get(name="林三")
    assert (lin.kind, lin.phone, lin.is_vip, lin.household.label) == ("tenant", "13900000003", True, "2栋201")
    assert Household.objects.get(label="1栋1单元102").status == "not_moved_in"
    assert Vehicle.objects.get().person == chen
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.rows == [] and job.committed_at == frozen_now
    with pytest.raises(ValidationError):  # a job is committed once
        roster.commit_import(job, cast.supervisor)


def test_reimport_updates_by_room_and_phone(cast):
    roster.commit_import(_import(cast, GOOD), cast.supervisor)
    again = [
        ["1栋", "1单元", "101", 90, "空置", "陈一一", "业主", "13800000001", None, None, None, None, None, None],
        ["1栋", "1单元", "101", None, None, "陈二", "住户", None, None, None, "2024-06-01", None, None, None],
        ["1栋", "1单元", "103", 60, None, "新户", "业主", "13800000009", None, None, None, None, None, None],
    ]
    counts = roster.commit_import(_import(cast, again), cast.supervisor)
    assert (counts["households_created"], counts["households_updated"]) == (1, 1)
    assert (counts["persons_created"], counts["persons_updated"]) == (1, 2)
    assert Household.objects.count() == 4 and Person.objects.count() == 4
    h = Household.objects.get(label="1栋1单元101")
    assert (h.area_m2, h.status) == (90, "vacant")
    renamed = Person.objects.get(phone="13800000001")
    assert renamed.name == "陈一一" and renamed.id_number == VALID_ID  # blank cell keeps the old value
    assert Person.objects.get(name="陈二").move_in_date == dt.date(2024, 6, 1)
    assert Person.objects.get(name="陈二").phone == "13800000002"


BROKEN: list[list[Any]] = [
    ["1栋", "1单元", "101", "八十", "已入住", "甲", "业主", "1380000000", None, None, None, None, None, None],  # row 2
    [None, "1单元", "102", 80, "住着", "乙", "房东", "13800000002", None, "110101199003071235", None, None, None, None],  # row 3
    ["1栋", "1单元", "103", 80, None, None, None, "13800000003", None, None, "2024-13-01", None, "ABC", None],  # row 4
    ["1栋", "1单元", "104", 80, None, "丁", None, "13800000004", None, None, None, None, None, None],  # row 5 (good)
    ["1栋", "1单元", "104", 81, None, "丁", None, "13800000004", None, None, None, None, None, None],  # row 6
]


def test_broken_spreadsheet_commits_nothing_and_reports_every_bad_row(cast):
    """Issue 2 item 9: every bad row reported with row number, column and a Chinese reason."""
    job = _import(cast, BROKEN)
    assert job.status == ImportStatus.INVALID and job.rows == []
    got = {(e["row"], e["column"]) for e in job.errors}
    assert {(2, "面积（㎡）"), (2, "手机"), (3, "楼栋"), (3, "房屋状态"), (3, "身份"), (3, "证件号码"),
            (4, "入住日期"), (4, "车牌"), (4, "姓名"), (6, "面积（㎡）"), (6, "手机")} <= got
    assert not any(e["row"] == 5 for e in job.errors)
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert messages[(2, "手机")].startswith("电话号码格式不正确")
    assert messages[(3, "证件号码")] == "身份证号码校验位不正确"
    assert "第5行" in messages[(6, "面积（㎡）")] and "第5行" in messages[(6, "手机")]
    with pytest.raises(ValidationError):
        roster.commit_import(job, cast.supervisor)
    assert Household.objects.count() == Person.objects.count() == Building.objects.count() == 0


def test_commit_is_all_or_nothing_when_the_database_refuses(cast, monkeypatch):
    job = _import(cast, GOOD)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(roster.Vehicle.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        roster.commit_import(job, cast.supervisor)
    assert Household.objects.count() == Person.objects.count() == Building.objects.count() == Unit.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW


def test_missing_columns_and_unknown_headers(cast):
    job = roster.create_import_job(cast.supervisor, cast.project, workbook([["1", "x"]], headers=["单元", "鞋码"]),
                                   "x.xlsx")
    assert {(e["row"], e["column"]) for e in job.errors} == {(1, "鞋码"), (1, "楼栋"), (1, "房号")}


def test_not_an_excel_file_is_a_clear_error(cast):
    import io

    with pytest.raises(roster.RosterError, match="xlsx"):
        roster.create_import_job(cast.supervisor, cast.project, io.BytesIO(b"not a zip"), "x.xlsx")


def test_only_roles_with_import_roster_import(cast):
    with pytest.raises(PermissionDenied):
        _import(cast, GOOD, user=cast.front_desk)


def test_progress_is_reported(cast):
    seen = []
    job = roster.create_import_job(cast.supervisor, cast.project, workbook(GOOD * 1), "r.xlsx",
                                   progress=lambda *a: seen.append(a))
    roster.commit_import(job, cast.supervisor, progress=lambda *a: seen.append(a))
    assert seen[0][0] == "check" and seen[-1] == ("done", 4, 4)


def test_r_m7_01_export_is_masked_and_logged(cast, estate, frozen_now, tmp_path):
    path = tmp_path / "out.xlsx"
    grant = archive.check_export(cast.supervisor, cast.project, unmasked=False, reason="")
    n = roster.write_roster(str(path), roster.export_queryset(cast.project), unmasked=False)
    actions.log_export(cast.supervisor, cast.project, unmasked=False, reason="", screen="t", rows=n, grant=grant)
    rows = read_xlsx(path.read_bytes())
    assert rows[0] == roster.HEADERS and n == 3 == len(rows) - 1
    owner = next(r for r in rows if r[5] == "张**")
    assert owner[:5] == ["5栋", "2单元", "1502", 118, "已入住"]
    assert (owner[7], owner[9], owner[12]) == ("138****5678", "1101**********1233", "粤B****5")
    assert not any("13812345678" in str(c) for r in rows for c in r)
    log = CustomerDataAccessLog.objects.get()
    assert (log.action, log.row_count, log.at, log.fields) == (AccessAction.EXPORT_MASKED, 3, frozen_now, "")


def test_r_m7_01_unmasked_export_needs_grant_and_round_trips(cast, estate, grant_for, tmp_path):
    with pytest.raises(archive.RevealDenied, match="授权"):
        archive.check_export(cast.supervisor, cast.project, unmasked=True, reason="年度核对")
    with pytest.raises(archive.RevealDenied):
        archive.check_export(cast.front_desk, cast.project, unmasked=False, reason="")
    grant_for(cast.supervisor)
    assert archive.check_export(cast.supervisor, cast.project, unmasked=True, reason="年度核对") is not None
    path = tmp_path / "full.xlsx"
    roster.write_roster(str(path), roster.export_queryset(cast.project), unmasked=True)
    rows = read_xlsx(path.read_bytes())
    assert ["13812345678", "110101199003071233", "粤B12345"] == [rows[1][7], rows[1][9], rows[1][12]]
    # the unmasked export imports back into another project unchanged
    job = roster.create_import_job(cast.quality_inspector, cast.other_project, open(path, "rb"), "full.xlsx")
    assert job.errors == [], job.errors
    roster.commit_import(job, cast.quality_inspector)
    copy = Person.objects.get(project=cast.other_project, phone="13812345678")
    assert (copy.name, copy.id_number, copy.household.label) == ("张三丰", "110101199003071233", "5栋2单元1502")


def test_r_m7_08_household_elderly_flag_follows_the_roster_tag(cast):
    roster.commit_import(_import(cast, GOOD), cast.supervisor)
    assert Household.objects.get(label="1栋1单元101").elderly_alone
    assert not Household.objects.get(label="2栋201").elderly_alone
    again = [["1栋", "1单元", "101", None, None, "陈一", "业主", "13800000001", None, None, None, "VIP", None, None]]
    roster.commit_import(_import(cast, again), cast.supervisor)
    assert not Household.objects.get(label="1栋1单元101").elderly_alone
    assert Person.objects.get(name="陈一").is_vip


def test_a_new_upload_drops_the_older_preview_and_its_personal_data(cast):
    first = _import(cast, GOOD)
    second = _import(cast, GOOD)
    first.refresh_from_db()
    assert first.status == ImportStatus.DISCARDED and first.rows == []
    with pytest.raises(ValidationError):
        roster.commit_import(first, cast.supervisor)
    roster.discard_import(second, cast.supervisor)
    second.refresh_from_db()
    assert second.status == ImportStatus.DISCARDED and second.rows == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_confirming_the_same_preview_twice_at_once_imports_once(cast, require_postgres):
    """A double click on 确认导入 (two connections at the same moment): one commit, the other refused."""
    import threading

    from django.db import connection

    job = _import(cast, GOOD)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            roster.commit_import(job, cast.supervisor)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Household.objects.count() == 3 and Person.objects.count() == 3 and Building.objects.count() == 2
