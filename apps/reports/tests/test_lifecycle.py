"""Report lifecycle: draft → review → approved/frozen; new versions (issue 7 item 3) and the case library (R-M6-01)."""
import datetime as dt

import pytest

from apps.reports import actions, schedule
from apps.reports.anonymise import anonymise
from apps.reports.models import ReportStatus

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def draft(cast):
    return actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                                project=cast.project, figures={"received": 12}, sections={"summary": "本月受理诉求，详见数据。"},
                                acting_user=cast.supervisor, now=NOW)


def test_r_m5_04_draft_due_on_the_28th(draft):
    assert draft.status == ReportStatus.DRAFT and draft.version == 1
    assert draft.due_at == dt.datetime(2026, 11, 28, 15, 59, 59, tzinfo=dt.UTC)
    assert draft.rule_id == "R-M5-04"


def test_frozen_report_never_changes_and_new_version_supersedes(cast, draft):
    actions.submit_for_review(draft, acting_user=cast.supervisor, now=NOW)
    approved = actions.approve_report(draft, acting_user=cast.cs_manager, now=NOW)
    assert approved.frozen
    with pytest.raises(actions.ReportError):
        actions.update_draft(approved, figures={"received": 13}, acting_user=cast.cs_manager, now=NOW)
    approved.refresh_from_db()
    assert approved.figures == {"received": 12}
    v2 = actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                              project=cast.project, figures={"received": 13}, sections={"summary": "更正版本。"},
                              acting_user=cast.supervisor, now=NOW)
    assert v2.version == 2 and v2.supersedes_id == approved.pk
    actions.submit_for_review(v2, acting_user=cast.supervisor, now=NOW)
    actions.approve_report(v2, acting_user=cast.cs_manager, now=NOW)
    approved.refresh_from_db()
    assert approved.status == ReportStatus.SUPERSEDED and approved.figures == {"received": 12}


def test_only_one_open_draft_per_period(cast, draft):
    with pytest.raises(actions.ReportError):
        actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                             project=cast.project, figures={}, acting_user=cast.supervisor, now=NOW)


def test_approval_needs_the_right_role_and_not_the_submitter(cast, draft):
    actions.submit_for_review(draft, acting_user=cast.cs_manager, now=NOW)
    with pytest.raises(actions.ReportError):
        actions.approve_report(draft, acting_user=cast.front_desk, now=NOW)
    with pytest.raises(actions.ReportError):
        actions.approve_report(draft, acting_user=cast.cs_manager, now=NOW)
    assert actions.approve_report(draft, acting_user=cast.leader, now=NOW).frozen


def test_outsider_cannot_generate_for_another_project(cast):
    with pytest.raises(actions.ReportError):
        actions.create_draft(duty=schedule.MONTHLY_SUMMARY, period=schedule.month_period(2026, 11),
                             project=cast.project, figures={}, acting_user=cast.outsider, now=NOW)


def test_publication_needs_approval_r_m5_07(cast, draft):
    with pytest.raises(actions.ReportError):
        actions.record_publication(draft, where="小区公告栏", acting_user=cast.supervisor, now=NOW)


def test_r_m6_01_case_library_entries_are_anonymised(cast):
    case = actions.create_case(
        company=cast.company, project=cast.project, kind="hot", title="张伟投诉5栋2单元1502漏水",
        background="业主张伟（13812345678，身份证440301199001011234）反映5栋2单元1502楼上漏水，王女士称已多次报修。",
        handling="工程部当日到场维修。", personal_names=["张伟"], acting_user=cast.quality_inspector, now=NOW)
    text = case.title + case.background
    for secret in ("张伟", "13812345678", "440301199001011234", "1502", "王女士"):
        assert secret not in text
    assert "5栋某户" in case.title


def test_anonymise_keeps_ordinary_numbers():
    assert anonymise("3号楼电梯停运2小时，共12户受影响") == "3号楼电梯停运2小时，共12户受影响"
