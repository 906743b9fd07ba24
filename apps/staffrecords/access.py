"""Who may see and keep staff records (R-M19-10): ``Cap.MANAGE_STAFF_RECORDS`` — the 办公室主任 for the
whole company, a 管理处经理 for the staff of their projects. A holder sees their own certificates."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from apps.org.access import company_of, has_cap, is_company_level, visible_projects
from apps.org.models import AnnualAppraisal, Project, TakeoverInspection, TrainingSession, User
from apps.org.roles import Cap
from apps.staffrecords.models import BuildingPatrol, Certificate, ServiceContract

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest


def acting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def can_manage(user: User | AnonymousUser) -> bool:
    return has_cap(user, Cap.MANAGE_STAFF_RECORDS)


def staff_in_scope(user: User | AnonymousUser) -> QuerySet[User]:
    """The staff whose records ``user`` keeps: the company's (company-level) or their projects' staff."""
    if not can_manage(user):
        return User.objects.none()
    company_id = company_of(user)
    scope = Q(memberships__company_id=company_id, memberships__project__in=visible_projects(user))
    if is_company_level(user):
        scope = Q(memberships__company_id=company_id)
    return User.objects.filter(scope, is_active=True).distinct()


def directory_people(user: User | AnonymousUser) -> QuerySet[User]:
    """内部通讯录 entries ``user`` may keep (R-M19-12): the keepers' staff in scope, anyone else their own."""
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    if can_manage(user):
        return staff_in_scope(user)
    return User.objects.filter(pk=user.pk or 0, is_active=True)


def keeps(user: User | AnonymousUser, person: User) -> bool:
    """Does ``user`` keep ``person``'s records (office director / project manager in scope)?"""
    return can_manage(user) and staff_in_scope(user).filter(pk=person.pk).exists()


def visible_certificates(user: User | AnonymousUser) -> QuerySet[Certificate]:
    if not getattr(user, "is_authenticated", False):
        return Certificate.objects.none()
    if not can_manage(user):
        return Certificate.objects.filter(holder_id=user.pk)
    return Certificate.objects.filter(company_id=company_of(user) or 0,
                                      holder_id__in=staff_in_scope(user).values("pk"))


def kept_projects(user: User | AnonymousUser) -> QuerySet[Project]:
    """The projects whose records ``user`` keeps: the company's (office director) or their own."""
    if not can_manage(user):
        return Project.objects.none()
    qs = Project.objects.filter(company_id=company_of(user) or 0, active=True)
    if not is_company_level(user):
        qs = qs.filter(pk__in=visible_projects(user).values("pk"))
    return qs.order_by("code")


def visible_trainings(user: User | AnonymousUser) -> QuerySet[TrainingSession]:
    """培训 (R-M19-13): keepers see the sessions of their scope (company-level sessions for the office
    director), anyone else the sessions they were asked to attend."""
    if not getattr(user, "is_authenticated", False):
        return TrainingSession.objects.none()
    own = Q(attendances__user_id=user.pk)
    if not can_manage(user):
        return TrainingSession.objects.filter(own).distinct()
    scope = Q(project__in=kept_projects(user))
    if is_company_level(user):
        scope |= Q(project__isnull=True)
    return TrainingSession.objects.filter(scope | own, company_id=company_of(user) or 0).distinct()


def training_keeper(user: User | AnonymousUser) -> Callable[[TrainingSession], bool]:
    """A test "does ``user`` keep this session?" that reads the scope once (for lists)."""
    if not can_manage(user):
        return lambda s: False
    company_id, company_level = company_of(user), is_company_level(user)
    projects = set(kept_projects(user).values_list("pk", flat=True))
    return lambda s: s.company_id == company_id and (
        company_level if s.project_id is None else s.project_id in projects)


def keeps_training(user: User | AnonymousUser, session: TrainingSession) -> bool:
    return training_keeper(user)(session)


def visible_contracts(user: User | AnonymousUser) -> QuerySet[ServiceContract]:
    """物业服务合同 (R-M19-14): kept by the office director (company) and project managers (their projects)."""
    return ServiceContract.objects.filter(company_id=company_of(user) or 0, project__in=kept_projects(user))


def visible_takeovers(user: User | AnonymousUser) -> QuerySet[TakeoverInspection]:
    """接管验收 (R-M19-14): the same keepers, the same scope."""
    return TakeoverInspection.objects.filter(project__in=kept_projects(user))


def patrol_projects(user: User | AnonymousUser) -> QuerySet[Project]:
    """The projects where ``user`` patrols buildings (客服楼宇员 / 管家: ``Cap.BUILDING_PATROL``)."""
    ids = [p.pk for p in visible_projects(user).order_by("code") if has_cap(user, Cap.BUILDING_PATROL, p)]
    return Project.objects.filter(pk__in=ids).order_by("code")


def visible_patrols(user: User | AnonymousUser) -> QuerySet[BuildingPatrol]:
    """楼宇巡查记录 (R-M19-04): keepers see their scope's patrols, a steward their own."""
    if not getattr(user, "is_authenticated", False):
        return BuildingPatrol.objects.none()
    own = Q(steward_id=user.pk)
    if can_manage(user):
        return BuildingPatrol.objects.filter(Q(project__in=kept_projects(user)) | own)
    return BuildingPatrol.objects.filter(own)


def visible_appraisals(user: User | AnonymousUser) -> QuerySet[AnnualAppraisal]:
    """年度考评 (R-M8-18): keepers see their projects' appraisals, anyone else their own."""
    if not getattr(user, "is_authenticated", False):
        return AnnualAppraisal.objects.none()
    own = Q(staff_id=user.pk)
    if can_manage(user):
        return AnnualAppraisal.objects.filter(Q(project__in=kept_projects(user)) | own)
    return AnnualAppraisal.objects.filter(own)
