"""SPEC gaps of issue 2: role duties (R-M19-02, R-M19-06), training and certificates (R-M19-13,
R-M8-18, R-M19-10)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.org.access import has_cap, rank_in
from apps.org.models import DepartmentKind, Membership, TrainingAttendance, TrainingSession, TrainingTopic
from apps.org.roles import SUPERVISOR_RANK, Cap, Role
from apps.org.tests.factories import CompanyFactory, ProjectFactory
from linli import clock


def test_r_m19_02_cs_supervisor_duties_are_capabilities(cast):
    """R-M19-02 客服主管: verification and return-visit exemptions (supervisor rank), the owner service
    archive (import/export, archive grants), complaints escalation and reports — the front desk
    has none of these."""
    sup, desk, p = cast.supervisor, cast.front_desk, cast.project
    assert rank_in(sup, p) == SUPERVISOR_RANK > rank_in(desk, p)
    for cap in (Cap.VERIFY, Cap.APPROVE_EXEMPTION, Cap.IMPORT_ROSTER, Cap.EXPORT_ROSTER, Cap.ESCALATE,
                Cap.VIEW_REPORTS, Cap.GRANT_ARCHIVE_ACCESS, Cap.RETURN_VISIT):
        assert has_cap(sup, cap, p), cap
    for cap in (Cap.VERIFY, Cap.APPROVE_EXEMPTION, Cap.IMPORT_ROSTER, Cap.VIEW_REPORTS):
        assert not has_cap(desk, cap, p), cap
    assert not has_cap(sup, Cap.VERIFY, cast.other_project)  # only in the project held


def test_r_m19_06_cs_department_holds_the_service_roles(cast):
    """R-M19-06 客服部: each project has a CS department; the front desk, steward, supervisor and CS
    manager belong to it, the repair worker to 工程部."""
    assert cast.cs_dept.kind == DepartmentKind.CUSTOMER_SERVICE and cast.cs_dept.get_kind_display() == "客服部"
    roles = set(Membership.objects.filter(department=cast.cs_dept).values_list("role", flat=True))
    assert roles == {Role.FRONT_DESK, Role.BUTLER, Role.CS_SUPERVISOR, Role.CS_MANAGER}
    assert Membership.objects.get(user=cast.worker).department == cast.eng_dept
    assert cast.other_project.departments.filter(kind=DepartmentKind.CUSTOMER_SERVICE).exists()


def test_r_m19_13_training_session_with_attendance(cast, frozen_now):
    """R-M19-13: the training plan is kept as sessions (etiquette / technical / safety …, planned then
    held) with one attendance row per staff member and session."""
    session = TrainingSession.objects.create(
        company=cast.company, project=cast.project, title="上门服务礼仪", topic=TrainingTopic.ETIQUETTE,
        planned_on=dt.date(2026, 11, 25), trainer="张主管")
    TrainingSession.objects.create(company=cast.company, title="燃气安全", topic=TrainingTopic.SAFETY,
                                   planned_on=dt.date(2026, 12, 2))
    session.held_at = clock.now()
    session.save()
    TrainingAttendance.objects.create(session=session, user=cast.worker, attended=True, passed=True)
    TrainingAttendance.objects.create(session=session, user=cast.front_desk, attended=False)
    assert [s.title for s in TrainingSession.objects.all()] == ["燃气安全", "上门服务礼仪"]  # newest plan first
    assert list(session.attendances.filter(attended=True).values_list("user", flat=True)) == [cast.worker.pk]
    assert cast.worker.training_attendances.get().passed is True
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingAttendance.objects.create(session=session, user=cast.worker)


def test_r_m19_13_session_project_must_belong_to_the_company(cast):
    """R-M19-13: a project training belongs to a project of the same company (Chinese message)."""
    stranger = ProjectFactory(company=CompanyFactory(code="other"), code="ZZ", name="别家小区")
    s = TrainingSession(company=cast.company, project=stranger, title="电梯困人演练",
                        topic=TrainingTopic.SAFETY, planned_on=dt.date(2026, 12, 1))
    with pytest.raises(ValidationError) as err:
        s.full_clean()
    assert "项目不属于该公司" in str(err.value)


def test_r_m8_18_r_m19_10_certificate_validity(cast):
    """R-M8-18 / R-M19-10 持证上岗: no certificate → not valid; valid through its last day; expired after."""
    u = cast.worker
    assert not u.certificate_valid_on(dt.date(2026, 11, 23))
    u.certificate = "电工证 T123"
    assert u.certificate_valid_on(dt.date(2026, 11, 23))  # no end date recorded
    u.certificate_valid_until = dt.date(2026, 11, 23)
    assert u.certificate_valid_on(dt.date(2026, 11, 23))
    assert not u.certificate_valid_on(dt.date(2026, 11, 24))


def test_r_m19_14_takeover_inspection_needs_complete_documents(cast):
    """R-M19-14: a takeover-inspection record per project; the takeover cannot be accepted while the
    acceptance documents are incomplete (Chinese message)."""
    from apps.org.models import TakeoverInspection

    rec = TakeoverInspection(project=cast.project, inspected_on=dt.date(2026, 1, 10),
                             scope="电梯、消防、供水泵房、地下车库", findings="3号电梯缺年检报告",
                             inspected_by="工程部 赵工、开发商 王工", accepted=True)
    with pytest.raises(ValidationError) as err:
        rec.full_clean()
    assert "验收资料不齐全" in str(err.value)
    rec.documents_complete = True
    rec.full_clean()
    rec.save()
    assert list(cast.project.takeover_inspections.values_list("accepted", flat=True)) == [True]
