"""Read side of :class:`apps.tickets.models.TicketPolicy` (工单口径): the project's row, else the
company's, else the defaults (R-M2-21 on; POLICY P-08 internal-staff complaints excluded)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from apps.tickets.models import TicketPolicy, Verification


@dataclass(frozen=True)
class Values:
    close_needs_manager_reply: bool = True  # R-M2-21 (interpretation)
    count_internal_staff_complaints: bool = False  # R-M1-17, POLICY P-08 default: excluded (002 篇4)
    no_contact_exemption: str = "any_channel"  # R-M4-05, POLICY P-07 default (002 篇4)
    quality_owns: str = "b4"  # R-M3-11, POLICY P-10 default (002 篇4)
    company_follow_up: str = "verify"  # R-M4-03, POLICY P-13 default (002 篇4)
    owner_update_interval_days: int = 0  # R-M2-03: the seeds give no interval (default off)
    return_visit_min_attempts: int = 3  # R-M4-12: the seeds give no number


DEFAULTS = Values()


def _values(row: TicketPolicy | None) -> Values:
    if row is None:
        return DEFAULTS
    return Values(close_needs_manager_reply=row.close_needs_manager_reply,
                  count_internal_staff_complaints=row.count_internal_staff_complaints,
                  no_contact_exemption=row.no_contact_exemption, quality_owns=row.quality_owns,
                  company_follow_up=row.company_follow_up,
                  owner_update_interval_days=row.owner_update_interval_days,
                  return_visit_min_attempts=row.return_visit_min_attempts)


def policy_for(project: Any) -> Values:
    """The policy values in force for ``project`` (one query)."""
    rows = {r.project_id: r for r in TicketPolicy.objects.filter(company_id=project.company_id)
            .filter(Q(project=None) | Q(project_id=project.pk))}
    return _values(rows.get(project.pk) or rows.get(None))


def customer_complaints_q(prefix: str = "") -> Q:
    """Condition on tickets that leaves out internal-staff complaints where the project's policy
    excludes them (R-M1-17, POLICY P-08): a ticket counts when it is not an internal-staff complaint,
    or when its project's row — else its company's row — counts them. Resolved inside the SQL
    (correlated look-ups on the two unique keys, evaluated only for flagged tickets), so a statistics
    query gains no extra round trip. ``prefix`` applies it through a relation (``"ticket__"``)."""
    own = TicketPolicy.objects.filter(project_id=OuterRef(f"{prefix}project_id"))
    company = TicketPolicy.objects.filter(project=None, company__projects=OuterRef(f"{prefix}project_id"))
    return (Q(**{f"{prefix}internal_staff": False}) | Q(Exists(own.filter(count_internal_staff_complaints=True)))
            | (~Q(Exists(own)) & Q(Exists(company.filter(count_internal_staff_complaints=True)))))


def policy_is_q(field: str, value: Any, prefix: str = "") -> Q:
    """Condition on tickets whose project's policy — its own row, else its company's row, else the
    default — has ``field`` equal to ``value``; resolved inside the SQL like :func:`customer_complaints_q`."""
    own = TicketPolicy.objects.filter(project_id=OuterRef(f"{prefix}project_id"))
    company = TicketPolicy.objects.filter(project=None, company__projects=OuterRef(f"{prefix}project_id"))
    q = Q(Exists(own.filter(**{field: value}))) | (~Q(Exists(own)) & Q(Exists(company.filter(**{field: value}))))
    if getattr(DEFAULTS, field) == value:
        q |= ~Q(Exists(own)) & ~Q(Exists(company))
    return q


def company_level_q() -> Q:
    """:func:`company_level` as a condition on tickets (one SQL condition, no extra query)."""
    return Q(kind="complaint") & (Q(held_by_quality=True) | (Q(channel="online") & policy_is_q("quality_owns", "b4")))


def company_verification_pending_q() -> Q:
    """:func:`company_verification_pending` as a condition on tickets: the 待验证 queue of 品质管理部
    (R-M4-03, POLICY P-13 篇4) — verified by the 管理处 in this cycle, not yet by the company."""
    this_cycle = Verification.objects.filter(ticket_id=OuterRef("pk"), cycle=OuterRef("reopen_count"),
                                                   result="pass")
    return (company_level_q() & policy_is_q("company_follow_up", "verify")
            & Q(status__in=["verified", "return_visited"])
            & Q(Exists(this_cycle.filter(level="project"))) & ~Q(Exists(this_cycle.filter(level="company"))))


# R-M3-11, R-M1-10, POLICY P-10: the sources whose complaints 品质管理部 takes into its own charge, per
# version (both: the group's and the government's forwards; 篇4's online complaints are company level by
# channel, 管理处 escalations by 上报品质管理部).
QUALITY_OWNED_SOURCES: dict[str, frozenset[str]] = {"b4": frozenset({"group_hq", "government"}),
                                                    "b3": frozenset({"group_hq", "government"})}


def quality_owns_source(project: Any, source: str) -> bool:
    """Does 品质管理部 take charge of a complaint that came through ``source`` (POLICY P-10)?"""
    return source in QUALITY_OWNED_SOURCES.get(policy_for(project).quality_owns, frozenset())


def company_level(ticket: Any) -> bool:
    """Is ``ticket`` a company-level complaint (R-M4-03, R-M3-11, POLICY P-10)? Held by 品质管理部 (group or
    government transfer, or escalated by the 管理处), or — under 篇4, the default — an online complaint."""
    if ticket.kind != "complaint":
        return False
    if ticket.held_by_quality:
        return True
    return ticket.channel == "online" and policy_for(ticket.project).quality_owns == "b4"


def company_verification_pending(ticket: Any) -> bool:
    """Does ``ticket`` wait for 品质管理部's own verification (R-M4-03, POLICY P-13 篇4, the default)? A
    company-level complaint whose 管理处 verification of this cycle passed, where the policy has the
    company verify (under 篇3 品质管理部 does the return visit instead), with no company verification yet
    (a failed one reopens the ticket, so a cycle holds at most one)."""
    if ticket.kind != "complaint" or not company_level(ticket):
        return False
    if policy_for(ticket.project).company_follow_up != "verify":
        return False
    rows = list(ticket.verifications.filter(cycle=ticket.cycle, result="pass").values_list("level", flat=True))
    return "project" in rows and "company" not in rows
