"""Who may see and change improvement plans (R-M15): holders of ``Cap.MANAGE_IMPROVEMENT`` (品质部,
客服经理, 管理处经理, 物业总经理) change them; anyone with a survey or report capability reads them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from apps.org.access import has_cap
from apps.org.roles import Cap
from apps.surveys.access import SURVEY_CAPS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.org.models import User


def can_manage(user: User | AnonymousUser) -> bool:
    return has_cap(user, Cap.MANAGE_IMPROVEMENT)


def can_view(user: User | AnonymousUser) -> bool:
    return can_manage(user) or any(has_cap(user, c) for c in SURVEY_CAPS)
