"""Who may see and do what in the owner archive (SPEC M7): the visible projects and households, the
grant in force, the reveal and export checks (R-M7-01, R-M7-03, AS-40).

``in_own_work`` needs facts owned by higher modules (the tickets a steward handles or received).
Estates does not import them: a higher module supplies them at start-up through
:func:`provide_own_work` (``apps.home`` wires the tickets pipeline; see ``apps/home/wiring.py``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from apps.estates import masking
from apps.estates.models import (
    ArchiveGrant,
    Building,
    Household,
    Person,
)
from apps.org import access
from apps.org.models import Project
from apps.org.roles import Cap, Role
from linli import clock

if TYPE_CHECKING:
    from apps.org.models import User

MAX_GRANT_DAYS = 366  # a standing consent is renewed at least once a year
REASON_MAX = 200


class RevealDenied(PermissionDenied):
    """The user may not see these data in full; ``message`` is Chinese and shown to the user."""

    def __init__(self, message: str, *, needs_grant: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.needs_grant = needs_grant


# ---------------------------------------------------------------- visibility


def archive_projects(user: User) -> list[Project]:
    """Projects whose owner archive ``user`` may open (VIEW_ARCHIVE there)."""
    return [p for p in access.visible_projects(user).order_by("code") if access.has_cap(user, Cap.VIEW_ARCHIVE, p)]


def visible_households(user: User, project: Project | None = None) -> QuerySet[Household]:
    projects = archive_projects(user)
    if project is not None:
        projects = [p for p in projects if p.pk == project.pk]
    return Household.objects.filter(project__in=projects)


def get_household(user: User, pk: int) -> Household:
    """The household, or Http404 when it does not exist or lies outside the user's projects."""
    household = (visible_households(user).select_related("project", "building", "unit")
                 .prefetch_related(Prefetch("persons", queryset=Person.objects.order_by("-active", "kind", "pk")
                                            .prefetch_related("vehicles")))
                 .filter(pk=pk).first())
    if household is None:
        raise Http404
    return household


# ---------------------------------------------------------------- grants


def active_grant(user: User, project: Project, now: dt.datetime | None = None) -> ArchiveGrant | None:
    """The user's valid department-head grant in ``project`` at ``now`` (latest ending first)."""
    moment = now or clock.now()
    return (ArchiveGrant.objects.filter(grantee=user, project=project, revoked_at__isnull=True,
                                        valid_from__lte=moment, valid_until__gt=moment)
            .order_by("-valid_until").first())


# ---------------------------------------------------------------- reveal


def _check_reveal(user: User, project: Project, fields: set[str], *, is_vip: bool, bulk: bool,
                  reason: str, now: dt.datetime, own_work: bool = True) -> ArchiveGrant | None:
    if not access.has_cap(user, Cap.UNMASK_PERSONAL_DATA, project):
        raise RevealDenied("您的岗位无权查看完整顾客资料")
    if not (reason or "").strip():
        raise RevealDenied("请填写查阅事由")
    unknown = fields - set(masking.ALL_FIELDS)
    if unknown:
        raise RevealDenied("未知字段：" + "、".join(sorted(unknown)))
    need = masking.reveal_need(fields, is_vip=is_vip, bulk=bulk)
    grant = active_grant(user, project, now)
    if need.grant_required and grant is None:
        raise RevealDenied(need.why + "；您目前没有有效的查阅授权", needs_grant=True)
    if not own_work and grant is None:
        raise RevealDenied("该房屋不在您负责的楼栋或您的工单范围内，查阅须经部门负责人授权；"
                           "您目前没有有效的查阅授权", needs_grant=True)
    return grant


def may_reveal(user: User, project: Project) -> bool:
    return access.has_cap(user, Cap.UNMASK_PERSONAL_DATA, project)


def check_export(user: User, project: Project, *, unmasked: bool, reason: str) -> ArchiveGrant | None:
    """Who may export the roster (Cap.EXPORT_ROSTER); unmasked needs the grant (bulk consultation)."""
    if not access.has_cap(user, Cap.EXPORT_ROSTER, project):
        raise RevealDenied("您的岗位无权导出业主名册")
    if not unmasked:
        return None
    return _check_reveal(user, project, set(masking.ALL_FIELDS), is_vip=False, bulk=True, reason=reason,
                         now=clock.now())


def may_maintain(user: User, project: Project, household: Household | None = None) -> bool:
    """Who keeps the owner archive up to date (R-M7-04): the 客服主管 builds and maintains it (the
    roster-import roles, R-M19-02), the front desk manages it (前台 #6), and the building steward helps
    and keeps up with the residents' circumstances (楼宇员 #3) — the roles with customer data in their
    work. A 管家 whose only role in the project is the steward's maintains the households of the
    buildings they steward (the same own-work limit as the reveal, R-M7-01)."""
    if access.has_cap(user, Cap.IMPORT_ROSTER, project):
        return True
    if not access.has_cap(user, Cap.UNMASK_PERSONAL_DATA, project):
        return False
    if household is None or access.roles_in(user, project) != {Role.BUTLER}:
        return True
    return Building.objects.filter(pk=household.building_id, steward=user).exists()


def may_keep_decoration(user: User, project: Project) -> bool:
    """Front desk (decoration formalities), steward (decoration patrols) and CS supervisors: the
    roles whose work includes customer data (R-M7-01)."""
    return access.has_cap(user, Cap.UNMASK_PERSONAL_DATA, project)


OwnWork = Callable[["User", Household], bool]

_own_work_sources: list[OwnWork] = []


def provide_own_work(source: OwnWork) -> None:
    """Register a test "is this household in the user's own work?" from a higher module (once each)."""
    if source not in _own_work_sources:
        _own_work_sources.append(source)


def in_own_work(user: User, household: Household) -> bool:
    """Whether ``household`` lies in the user's own work for tier 2 (R-M7-01 interpretation: "any display
    of personal data outside the user's own tickets" is a consultation). A 管家/客服专员 whose only role in
    the project is ``butler`` works on the buildings they steward and on the tickets they handle or
    received (the registered sources); every other role with UNMASK_PERSONAL_DATA serves the whole
    project (AS-40)."""
    if access.roles_in(user, household.project) != {Role.BUTLER}:
        return True
    if Building.objects.filter(pk=household.building_id, steward=user).exists():
        return True
    return any(source(user, household) for source in _own_work_sources)
