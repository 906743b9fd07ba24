"""Who may see what in the owner archive (SPEC M7). More rules live in :mod:`apps.estates.services`.

``in_own_work`` (R-M7-01, AS-40) needs facts owned by higher modules (the tickets a steward handles
or received). Estates does not import them: a higher module supplies them at start-up through
:func:`provide_own_work` (``apps.home`` wires the tickets pipeline; see ``apps/home/apps.py``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from apps.estates.models import Building, Household
from apps.org import access
from apps.org.roles import Role

if TYPE_CHECKING:
    from apps.org.models import User

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
