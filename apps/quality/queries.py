"""Queries and numbering of the quality app (no writes of business state here except the counter)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Case, IntegerField, QuerySet, Value, When

from apps.org.models import Membership
from apps.org.roles import Role
from apps.quality import access as ncr_access
from apps.quality.models import NcrCounter, NcrStatus, NonconformityReport

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.org.models import Company, Project, User

PREFIX = "NCR"


def format_number(year: int, seq: int) -> str:
    """NCR-2026-0001: per company and year, at least four digits."""
    return f"{PREFIX}-{year}-{seq:04d}"


def next_seq(company: Company, year: int) -> int:
    """Take the next sequence number for ``company`` and ``year``: one upsert on the counter row inside
    the raising transaction (ARCHITECTURE "Gapless per-day numbers"), so concurrent raises never get
    the same number and a rolled-back raise gives its number back."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_seq() must run inside the raising transaction")
    table = connection.ops.quote_name(NcrCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (company_id, year, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (company_id, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [company.pk, year],
        )
        return int(cursor.fetchone()[0])


def local_year(project: Project, moment: dt.datetime) -> int:
    """The year of ``moment`` in the project's time zone (T-01)."""
    return moment.astimezone(project.tz).year


def management_reps(company_id: int) -> list[User]:
    """Every active 管理者代表 of the company (R-M19-08)."""
    seen: dict[int, Any] = {}
    for m in Membership.objects.filter(company_id=company_id, role=Role.MANAGEMENT_REP).select_related("user"):
        if m.user.is_active:
            seen.setdefault(m.user.pk, m.user)
    return list(seen.values())


def list_for(user: User | AnonymousUser, *, status: str = "", project_id: int | None = None
             ) -> QuerySet[NonconformityReport]:
    """The list page: filtered; a 管理者代表 sees the reports awaiting their signature first."""
    qs = ncr_access.visible_reports(user).select_related("project", "ticket", "department", "raised_by", "signed_by")
    if status:
        qs = qs.filter(status=status)
    if project_id:
        qs = qs.filter(project_id=project_id)
    if ncr_access.signs_somewhere(user):
        qs = qs.annotate(_first=Case(When(status=NcrStatus.AWAITING_SIGNATURE, then=Value(0)),
                                     default=Value(1), output_field=IntegerField()))
        return qs.order_by("_first", "-raised_at", "-id")
    return qs.order_by("-raised_at", "-id")


def awaiting_signature(projects: list[Project]) -> QuerySet[NonconformityReport]:
    return (NonconformityReport.objects.filter(project__in=projects, status=NcrStatus.AWAITING_SIGNATURE)
            .select_related("project", "ticket").order_by("raised_at", "id"))
