"""Recording, correcting and voiding visits; settling problems; raising tickets (R-M6-06, R-M9-01/-03/-04/-11)."""
from __future__ import annotations

import datetime as dt
from typing import cast as cast_to

import pytest

from apps.core.errors import DomainError
from apps.org.models import Department, DepartmentKind, Membership, Project, User
from apps.org.roles import Role
from apps.org.tests.factories import ProjectFactory, UserFactory
from apps.tickets.choices import Channel
from apps.tickets.models import Ticket
from apps.visits import actions
from apps.visits.models import ProblemStatus, Visit, VisitCategory, VisitMethod, VisitProblem

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- R-M6-06 filing


def test_r_m6_06_visit_is_filed_with_the_projects_cs_department(cast, homes, record, frozen_now):
    visit = record()
    assert visit.filed_department == cast.cs_dept
    assert visit.filed_department.kind == DepartmentKind.CUSTOMER_SERVICE
    assert visit.recorded_by == cast.butler and visit.recorded_at == frozen_now
    assert visit.visited_on == dt.date(2026, 11, 23)


def test_r_m6_06_another_department_in_the_project_is_never_used(cast, homes, record, frozen_now):
    """Even when a department of another kind was created first, the visit goes to the 客服部."""
    assert Department.objects.filter(project=cast.project).order_by("pk").first() == cast.cs_dept
    Department.objects.create(company=cast.company, project=cast.project, kind=DepartmentKind.GENERAL, name="综合部")
    visit = record(acting_user=cast.supervisor)
    assert visit.filed_department == cast.cs_dept


def test_r_m6_06_refused_when_the_project_has_no_cs_department(cast, frozen_now):
    from apps.visits.tests.conftest import _household

    bare = cast_to(Project, ProjectFactory(company=cast.company, code="NO", name="无客服部小区"))
    Department.objects.create(company=cast.company, project=bare, kind=DepartmentKind.ENGINEERING, name="工程部")
    butler = cast_to(User, UserFactory(username="bare_butler"))
    Membership.objects.create(user=butler, company=cast.company, project=bare, role=Role.BUTLER)
    hh = _household(bare, "1栋", "1单元", "101")
    with pytest.raises(actions.VisitError) as err:
        actions.record_visit(project=bare, household=hh, category="periodic", method="phone",
                             visited_at=frozen_now, communicated="介绍", opinions="无", acting_user=butler,
                             now=frozen_now, problems=[{"description": "楼道灯不亮"}])
    assert err.value.code == "no_cs_department" and err.value.status == 409
    assert "没有客服部" in err.value.message and "R-M6-06" not in err.value.message
    assert not Visit.objects.exists() and not VisitProblem.objects.exists()


def test_r_m6_06_the_filing_department_cannot_be_corrected(cast, homes, record, frozen_now):
    visit = record()
    with pytest.raises(actions.VisitError) as err:
        actions.correct_visit(visit=visit, changes={"filed_department": cast.eng_dept}, reason="改部门",
                              acting_user=cast.supervisor, now=frozen_now)
    assert err.value.field == "filed_department"
    visit.refresh_from_db()
    assert visit.filed_department == cast.cs_dept


# ---------------------------------------------------------------- R-M9-01 categories and methods


def test_r_m9_01_every_category_and_method_can_be_recorded(cast, homes, record, frozen_now):
    for cat in VisitCategory.values:
        for method in VisitMethod.values:
            record(category=cat, method=method)
    assert Visit.objects.count() == len(VisitCategory.values) * len(VisitMethod.values) == 20
    assert set(VisitCategory.labels) == {"定期走访", "专项走访", "投诉回访", "有偿服务回访", "维修工单回访"}
    assert set(VisitMethod.labels) == {"电话", "上门面谈", "日常巡视", "网上"}


@pytest.mark.parametrize(("override", "field", "words"), [
    ({"category": "casual"}, "category", "走访类别"),
    ({"method": "letter"}, "method", "走访方式"),
    ({"household": None}, "household", "房屋"),
    ({"communicated": "  "}, "communicated", "沟通内容"),
    ({"opinions": ""}, "opinions", "业主意见"),
    ({"visited_at": None}, "visited_at", "走访时间"),
])
def test_r_m9_01_r_m9_03_bad_input_is_refused_in_chinese(cast, homes, record, frozen_now, override, field, words):
    with pytest.raises(actions.VisitError) as err:
        record(**override)
    assert err.value.field == field and err.value.status == 422 and words in err.value.message
    assert not Visit.objects.exists()


def test_r_m9_03_visit_time_in_the_future_and_foreign_households_are_refused(cast, homes, record, frozen_now):
    with pytest.raises(actions.VisitError, match="不能晚于当前时间"):
        record(visited_at=frozen_now + dt.timedelta(hours=2))
    with pytest.raises(actions.VisitError, match="房屋不属于该项目"):
        record(household=homes.other_hh, person=None)
    with pytest.raises(actions.VisitError, match="被访人不属于所选房屋"):
        record(household=homes.hh2)
    with pytest.raises(actions.VisitError, match="走访人不是本项目员工"):
        record(visitor=cast.outsider)
    assert not Visit.objects.exists()


# ---------------------------------------------------------------- R-M9-03 / R-M9-04 problems


def test_r_m9_03_problems_answered_on_the_spot_and_open_ones_are_recorded(cast, homes, record, frozen_now):
    visit = record(problems=[
        {"description": "询问车位月租价格", "status": "on_spot", "answer": "每月300元，前台办理"},
        {"description": "楼下路灯不亮", "category": homes.cat_eng, "department": cast.eng_dept},
    ])
    on_spot, open_ = visit.problems.order_by("pk")
    assert on_spot.status == ProblemStatus.ON_SPOT and on_spot.answer == "每月300元，前台办理"
    assert on_spot.resolved_at == visit.visited_at
    assert open_.status == ProblemStatus.OPEN and open_.category == homes.cat_eng and open_.resolved_at is None


def test_r_m9_03_on_spot_problem_needs_the_answer_and_nothing_is_half_written(cast, homes, record, frozen_now):
    with pytest.raises(actions.VisitError) as err:
        record(problems=[{"description": "楼道灯不亮"}, {"description": "车位价格", "status": "on_spot"}])
    assert err.value.field == "problems.1.answer" and "当场" in err.value.message
    assert not Visit.objects.exists() and not VisitProblem.objects.exists()


@pytest.mark.parametrize(("problem", "field"), [
    ({"description": ""}, "problems.0.description"),
    ({"description": "灯坏", "status": "solved"}, "problems.0.status"),
])
def test_r_m9_03_bad_problems_are_refused(cast, homes, record, frozen_now, problem, field):
    with pytest.raises(actions.VisitError) as err:
        record(problems=[problem])
    assert err.value.field == field
    assert not Visit.objects.exists()


def test_r_m9_04_department_of_another_project_is_refused(cast, homes, record, frozen_now):
    other = Department.objects.get(project=cast.other_project)
    with pytest.raises(actions.VisitError, match="责任部门不属于该项目"):
        record(problems=[{"description": "灯坏", "department": other}])


def test_r_m9_04_open_problem_notifies_the_responsible_department_head(cast, homes, record, frozen_now,
                                                                       django_capture_on_commit_callbacks):
    from apps.notify.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        visit = record(problems=[{"description": "楼道灯不亮", "department": cast.eng_dept}])
    notice = Notification.objects.get(recipient=cast.eng_head, kind="visit_problem_assigned")
    assert "楼道灯不亮" in notice.body and notice.link == f"/visits/{visit.pk}/"


def test_r_m9_04_problem_solved_or_cannot_be_solved_with_reason(cast, homes, record, frozen_now):
    visit = record(problems=[{"description": "楼道灯不亮"}, {"description": "要求建儿童游乐设施"}])
    a, b = visit.problems.order_by("pk")
    later = frozen_now + dt.timedelta(days=2)
    actions.settle_problem(problem=a, outcome="solved", text="已更换灯管", acting_user=cast.supervisor, now=later)
    with pytest.raises(actions.VisitError) as err:
        actions.settle_problem(problem=b, outcome="cannot_solve", text="不行", acting_user=cast.supervisor, now=later)
    assert err.value.field == "text" and "原因" in err.value.message
    actions.settle_problem(problem=b, outcome="cannot_solve", text="属地产遗留问题，物业无法解决",
                           acting_user=cast.supervisor, now=later, department=cast.cs_dept)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.answer, a.resolved_at, a.resolved_by) == ("solved", "已更换灯管", later, cast.supervisor)
    assert (b.status, b.cannot_reason, b.department) == ("cannot_solve", "属地产遗留问题，物业无法解决", cast.cs_dept)
    with pytest.raises(actions.VisitError) as err:
        actions.settle_problem(problem=a, outcome="cannot_solve", text="其实无法解决了", acting_user=cast.supervisor,
                               now=later)
    assert err.value.status == 409
    with pytest.raises(actions.VisitError, match="办结结果"):
        c = record(problems=[{"description": "x问题"}]).problems.get()
        actions.settle_problem(problem=c, outcome="on_spot", text="当场", acting_user=cast.supervisor, now=later)


# ---------------------------------------------------------------- permissions and project scope


@pytest.mark.parametrize("who", ["front_desk", "butler", "supervisor", "cs_manager", "project_manager"])
def test_r_m6_06_cs_staff_of_the_project_may_record(cast, homes, record, frozen_now, who):
    visit = record(acting_user=getattr(cast, who), visitor=None)
    assert visit.visitor == getattr(cast, who)


@pytest.mark.parametrize(("who", "status"), [("worker", 403), ("eng_head", 403), ("quality_inspector", 403),
                                             ("outsider", 404), ("nobody", 404)])
def test_r_m6_06_others_may_not_record(cast, homes, record, frozen_now, who, status):
    with pytest.raises(actions.VisitError) as err:
        record(acting_user=getattr(cast, who), visitor=cast.butler)
    assert err.value.status == status
    assert not Visit.objects.exists()


def test_read_scope_follows_projects(cast, homes, record, frozen_now):
    from apps.visits import access

    mine = record()
    theirs = actions.record_visit(project=cast.other_project, household=homes.other_hh, category="special",
                                  method="phone", visited_at=frozen_now, communicated="介绍", opinions="无",
                                  acting_user=cast.outsider, now=frozen_now)
    assert set(access.visible_visits(cast.worker)) == {mine}
    assert set(access.visible_visits(cast.outsider)) == {theirs}
    assert set(access.visible_visits(cast.quality_inspector)) == {mine, theirs}
    assert not access.visible_visits(cast.nobody).exists()
    with pytest.raises(access.VisitNotFound):
        access.get_visit(cast.outsider, mine.pk)


# ---------------------------------------------------------------- corrections and void keep the trail


def test_correction_keeps_the_old_values_and_the_reason(cast, homes, record, frozen_now):
    visit = record(opinions="希望加强巡逻")
    actions.correct_visit(visit=visit, changes={"opinions": "希望加强夜间巡逻，东门尤其", "method": "phone"},
                          reason="补记遗漏内容", acting_user=cast.supervisor, now=frozen_now)
    visit.refresh_from_db()
    assert visit.opinions == "希望加强夜间巡逻，东门尤其" and visit.method == "phone"
    history = list(visit.history.order_by("history_date"))
    assert [h.opinions for h in history] == ["希望加强巡逻", "希望加强夜间巡逻，东门尤其"]
    assert history[-1].history_change_reason == "更正：补记遗漏内容" and history[-1].history_user == cast.supervisor
    with pytest.raises(actions.VisitError, match="更正原因"):
        actions.correct_visit(visit=visit, changes={"method": "online"}, reason="", acting_user=cast.supervisor,
                              now=frozen_now)
    with pytest.raises(actions.VisitError, match="没有需要更正"):
        actions.correct_visit(visit=visit, changes={"method": "phone"}, reason="再改", acting_user=cast.supervisor,
                              now=frozen_now)


def test_correcting_the_visit_time_moves_the_local_date(cast, homes, record, frozen_now):
    from apps.visits.tests.conftest import at

    visit = record()
    actions.correct_visit(visit=visit, changes={"visited_at": at(2026, 1, 1, 0, 30)}, reason="时间记错",
                          acting_user=cast.butler, now=frozen_now)
    visit.refresh_from_db()
    assert visit.visited_on == dt.date(2026, 1, 1)


def test_void_needs_a_supervisor_and_a_reason_and_keeps_the_record(cast, homes, record, frozen_now):
    visit = record()
    with pytest.raises(actions.VisitError) as err:
        actions.void_visit(visit=visit, reason="重复录入了", acting_user=cast.butler, now=frozen_now)
    assert err.value.status == 403
    with pytest.raises(actions.VisitError, match="作废原因"):
        actions.void_visit(visit=visit, reason="错", acting_user=cast.supervisor, now=frozen_now)
    actions.void_visit(visit=visit, reason="重复录入了", acting_user=cast.supervisor, now=frozen_now)
    visit.refresh_from_db()
    assert visit.voided and visit.void_reason == "重复录入了" and visit.voided_by == cast.supervisor
    assert Visit.objects.filter(pk=visit.pk).exists()
    with pytest.raises(actions.VisitError, match="已作废"):
        actions.correct_visit(visit=visit, changes={"method": "phone"}, reason="再改", acting_user=cast.supervisor,
                              now=frozen_now)


# ---------------------------------------------------------------- R-M9-11 complaint raised during a visit


def test_r_m9_11_complaint_from_a_visit_problem_enters_the_complaint_procedure(cast, homes, record, frozen_now):
    visit = record(problems=[{"description": "东门保安夜间不在岗", "category": homes.cat_security,
                              "department": cast.security_dept}])
    problem = visit.problems.get()
    ticket = actions.raise_ticket_from_problem(problem=problem, acting_user=cast.butler, now=frozen_now,
                                               agreed_feedback_at=frozen_now + dt.timedelta(days=1))
    problem.refresh_from_db()
    assert problem.ticket == ticket
    assert ticket.kind == "complaint" and ticket.channel == Channel.FIELD_VISIT
    assert ticket.household == homes.hh and ticket.person == homes.owner
    assert ticket.category == homes.cat_security and ticket.department == cast.security_dept
    assert ticket.received_at == visit.visited_at and f"走访记录 #{visit.pk}" in ticket.content
    # the escalation rule for visit problems (R-M3-13) accepts it
    from apps.escalation.actions import report_visit_problem

    report_visit_problem(ticket, reason="责任部门未能及时整改", acting_user=cast.butler, now=frozen_now)
    with pytest.raises(actions.VisitError) as err:
        actions.raise_ticket_from_problem(problem=problem, acting_user=cast.butler, now=frozen_now,
                                          agreed_feedback_at=frozen_now + dt.timedelta(days=1))
    assert err.value.code == "already_raised" and err.value.status == 409
    assert Ticket.objects.count() == 1


def test_r_m9_11_raising_a_ticket_is_one_transaction_a_failure_rolls_back_both(cast, homes, record, frozen_now,
                                                                               monkeypatch):
    """R-M9-11, reaction (a): the ticket intake runs inside the visit action's transaction. When linking the
    ticket to the problem fails, the ticket is rolled back with it; a refused intake leaves nothing. Inside a
    caller's transaction the action composes (a savepoint), so the caller's rollback undoes both too."""
    from django.db import transaction

    visit = record(problems=[{"description": "东门保安夜间不在岗", "department": cast.security_dept}])
    problem = visit.problems.get()
    with pytest.raises(DomainError):  # refused intake (no feedback time agreed): nothing written
        actions.raise_ticket_from_problem(problem=problem, acting_user=cast.butler, now=frozen_now)
    assert not Ticket.objects.exists()

    real_save = actions._save

    def failing_save(obj, fields, **kw):
        if isinstance(obj, VisitProblem):
            raise RuntimeError("database went away while linking")
        return real_save(obj, fields, **kw)

    monkeypatch.setattr(actions, "_save", failing_save)
    with pytest.raises(RuntimeError):
        actions.raise_ticket_from_problem(problem=problem, acting_user=cast.butler, now=frozen_now,
                                          agreed_feedback_at=frozen_now + dt.timedelta(days=1))
    problem.refresh_from_db()
    assert problem.ticket is None and not Ticket.objects.exists()
    monkeypatch.setattr(actions, "_save", real_save)

    class CallerFailed(Exception):
        pass

    with pytest.raises(CallerFailed), transaction.atomic():
        actions.raise_ticket_from_problem(problem=problem, acting_user=cast.butler, now=frozen_now,
                                          agreed_feedback_at=frozen_now + dt.timedelta(days=1))
        assert Ticket.objects.count() == 1
        raise CallerFailed
    problem.refresh_from_db()
    assert problem.ticket is None and not Ticket.objects.exists()

    ticket = actions.raise_ticket_from_problem(problem=problem, acting_user=cast.butler, now=frozen_now,
                                               agreed_feedback_at=frozen_now + dt.timedelta(days=1))
    problem.refresh_from_db()
    assert problem.ticket == ticket and Ticket.objects.count() == 1
    assert problem.history.first().history_change_reason == f"转投诉工单 {ticket.number}"


def test_r_m9_04_a_failing_notice_rolls_back_the_visit(cast, homes, record, frozen_now, monkeypatch):
    """R-M9-04, reaction (a): telling the department head runs in the visit's transaction; when it fails,
    no visit is left without its notice."""

    def broken(*args, **kw):
        raise RuntimeError("notify failed")

    monkeypatch.setattr(actions, "notify_staff", broken)
    with pytest.raises(RuntimeError):
        record(problems=[{"description": "电梯异响", "department": cast.eng_dept}])
    assert not Visit.objects.exists() and not VisitProblem.objects.exists()


def test_r_m9_11_ticket_intake_rules_apply_and_nothing_is_created_on_refusal(cast, homes, record, frozen_now):
    visit = record(person=None, problems=[{"description": "东门保安夜间不在岗"}])
    problem = visit.problems.get()
    with pytest.raises(DomainError) as err:
        actions.raise_ticket_from_problem(problem=problem, acting_user=cast.butler, now=frozen_now,
                                          agreed_feedback_at=frozen_now + dt.timedelta(days=1))
    assert err.value.field == "complainant_surname"
    with pytest.raises(DomainError) as err:
        actions.raise_ticket_from_problem(problem=problem, acting_user=cast.butler, now=frozen_now,
                                          complainant_surname="张", phone="13812345678")
    assert err.value.field == "agreed_feedback_at" and "反馈时间" in err.value.message
    assert not Ticket.objects.exists()
    problem.refresh_from_db()
    assert problem.ticket is None
    with pytest.raises(actions.VisitError) as err:
        actions.raise_ticket_from_problem(problem=problem, acting_user=cast.worker, now=frozen_now,
                                          complainant_surname="张", phone="13812345678",
                                          agreed_feedback_at=frozen_now + dt.timedelta(days=1))
    assert err.value.status == 403


def test_r_m9_11_only_open_problems_become_tickets(cast, homes, record, frozen_now):
    visit = record(problems=[{"description": "车位价格", "status": "on_spot", "answer": "300元"}])
    with pytest.raises(actions.VisitError) as err:
        actions.raise_ticket_from_problem(problem=visit.problems.get(), acting_user=cast.butler, now=frozen_now,
                                          agreed_feedback_at=frozen_now + dt.timedelta(days=1))
    assert err.value.code == "not_open"
    assert not Ticket.objects.exists()
