"""Who may see and do what on a work order (on top of apps.org.access): the worker's rights on
the order, the approvers of a wiring change, the consenting leader of a shift hand-over."""
from __future__ import annotations

from django.db.models import Q

from apps.org.access import can_see_project, has_cap, rank_in
from apps.org.models import Membership, Project, User
from apps.org.roles import SUPERVISOR_RANK, Cap, Role
from apps.repairs.errors import refuse
from apps.repairs.models import RepairOrder
from apps.repairs.queries import current_dispatch


def can_work(user: User, order: RepairOrder) -> bool:
    """The assigned worker, a member of the dispatched department, or a dispatcher."""
    ticket = order.ticket
    if not can_see_project(user, ticket.project):
        return False
    if has_cap(user, Cap.DISPATCH, ticket.project):
        return True
    if not has_cap(user, Cap.HANDLE, ticket.project):
        return False
    dispatch = current_dispatch(order)
    if dispatch is None:
        return False
    if dispatch.assignee_id == user.pk:
        return True
    return dispatch.assignee_id is None and Membership.objects.filter(
        user=user, department_id=dispatch.department_id).exists()


def require_work(user: User, order: RepairOrder) -> None:
    if not can_see_project(user, order.ticket.project):
        raise refuse("工单不存在", code="not_found", status=404)
    if not can_work(user, order):
        raise refuse("只有被派工的维修人员可以操作此工单", code="forbidden", status=403)


def may_approve_wiring(user: User, project: Project) -> bool:
    """R-M8-11: the 工程部经理 (head of an engineering department of the project) or the 管理处经理."""
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user=user, project=project).filter(
        Q(role=Role.DEPT_HEAD, department__kind="engineering") | Q(role=Role.PROJECT_MANAGER)).exists()


def may_consent_to_handover(user: User, project: Project) -> bool:
    """R-M8-10: the leader of the shift (supervisor rank or above in the project)."""
    return rank_in(user, project) >= SUPERVISOR_RANK


def may_request_materials(user: User, project: Project) -> bool:
    """R-M8-12: the project's engineering staff (repair workers and their head) ask for materials."""
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user=user, project=project, department__kind="engineering").exists()


def may_decide_requisition(user: User, project: Project) -> bool:
    """R-M8-12: the 物业管理部 decides — read as the project's 管理处经理 or a member of a 综合管理部
    (general management department) of the project or of the company (interpretation)."""
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user=user, company_id=project.company_id).filter(
        Q(project=project, role=Role.PROJECT_MANAGER)
        | Q(department__kind="general", department__project=project)
        | Q(department__kind="general", department__project=None)).exists()
