"""Who may see and do what with IC cards and door codes (R-M11, R-M19).

- Read the card register, door codes, reviews: ``Cap.VIEW_CARDS`` in the project.
- Door-code changes and notices, loss reports, retrievals, access registrations, the quarterly
  review and the password-change record: ``Cap.RECORD_CARDS``.
- Name the card officer and stand-in: ``Cap.NAME_CARD_OFFICER`` (the department head, R-M11-01).
- Issue, replace or cancel a card: only the project's card officer or their stand-in (R-M11-01).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from apps.cards.models import CardOfficer
from apps.org.access import has_cap, visible_projects
from apps.org.models import Project, User
from apps.org.roles import Cap

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest


def acting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def can_view(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.VIEW_CARDS, project)


def can_record(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.RECORD_CARDS, project)


def can_name_officer(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.NAME_CARD_OFFICER, project)


def is_card_officer(user: User | AnonymousUser, project: Project) -> bool:
    """R-M11-01: the named officer or stand-in of the project (nobody else, whatever their role)."""
    if not getattr(user, "is_authenticated", False):
        return False
    officer = CardOfficer.objects.filter(project=project).first()
    return officer is not None and user.pk in (officer.officer_id, officer.stand_in_id)


def card_projects(user: User | AnonymousUser) -> QuerySet[Project]:
    ids = [p.pk for p in visible_projects(user) if can_view(user, p)]
    return Project.objects.filter(pk__in=ids).order_by("code")
