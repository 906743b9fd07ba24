"""Reads of staff management (issue 17 item 4): who may manage staff, the company's staff."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.org import access
from apps.org.models import Company, Membership, StaffChange, User
from apps.org.roles import Cap


def may_manage(user: Any, company: Company) -> bool:
    """The company's 系统管理员 (a company-level holder of ``MANAGE_STAFF``)."""
    return access.has_company_cap(user, Cap.MANAGE_STAFF, company.pk)


def staff_of(company: Company) -> QuerySet[User]:
    """Everyone holding (or having held) a role in ``company``, or created for it."""
    ids = Membership.objects.filter(company=company).values("user_id")
    made = StaffChange.objects.filter(company=company).values("user_id")
    return User.objects.filter(pk__in=ids) | User.objects.filter(pk__in=made)
