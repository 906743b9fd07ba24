"""Reads of the owners' pages and API: always scoped to the signed-in phone's households."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum

from apps.cards.models import ICCard
from apps.cards.queries import door_code_notices_for_household
from apps.estates.models import Household, Person
from apps.fees.queries import bills_of_household, payments_of_household
from apps.org.access import has_cap, visible_projects
from apps.org.models import Membership, Project
from apps.org.roles import Cap
from apps.owners.models import CommitteeMember
from apps.surveys.queries import surveys_for_household
from apps.tickets.models import Deadline, Ticket, TicketEvent
from apps.workdays.keys import Kind

OWNER_KINDS = (Kind.REPAIR, Kind.COMPLAINT, Kind.SUGGESTION, Kind.CONSULTATION, Kind.PRAISE)


def persons_for_phone(phone: str) -> QuerySet[Person]:
    return Person.objects.filter(phone=phone, active=True)


def households_for_phone(phone: str) -> QuerySet[Household]:
    """The households the phone is registered on (an active occupant)."""
    return (Household.objects.filter(persons__phone=phone, persons__active=True)
            .select_related("project", "building", "unit").distinct().order_by("project__name", "label"))


def household_for_phone(phone: str, household_id: Any) -> Household | None:
    try:
        pk = int(household_id)
    except (TypeError, ValueError):
        return None
    return households_for_phone(phone).filter(pk=pk).first()


def members(household: Household) -> QuerySet[Person]:
    return household.persons.filter(active=True).order_by("kind", "id")


def tickets_for_household(household: Household) -> QuerySet[Ticket]:
    return (Ticket.objects.filter(household=household).exclude(status="voided")
            .select_related("category").order_by("-received_at", "-id"))


def ticket_for_household(household: Household, pk: Any) -> Ticket | None:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    return (Ticket.objects.filter(household=household, pk=number).exclude(status="voided")
            .select_related("category", "handler", "project")
            .prefetch_related(Prefetch("events", queryset=TicketEvent.objects.select_related("acting_user")),
                              Prefetch("deadlines", queryset=Deadline.objects.order_by("start_at", "id")),
                              "owner_photos")
            .first())


# Events an owner sees on the timeline (internal notes, reviews, compensation, levels are left out).
OWNER_VISIBLE_EVENTS = {
    "received": "已受理", "dispatched": "已派工", "accepted": "已接单", "handling": "处理中",
    "reply": "已回复", "verification": "已验证", "return_visit": "已回访", "closed": "已关闭",
    "reopened": "重新处理", "owner_update": "进展告知",
}


def staff_label(user: Any, project: Any) -> str:
    """Role and surname only (never a full name or a phone)."""
    if user is None:
        return ""
    name = (getattr(user, "display_name", "") or getattr(user, "last_name", "") or "").strip()
    surname = name[:1]
    role = (Membership.objects.filter(user=user, project=project).order_by("id").first()
            or Membership.objects.filter(user=user, project=None).order_by("id").first())
    role_name = role.get_role_display() if role is not None else ""
    return f"{role_name} {surname}{'师傅' if role is not None and role.role == 'worker' else ''}".strip()


def timeline(ticket: Ticket) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    labels: dict[int, str] = {}
    for event in ticket.events.all():
        label = OWNER_VISIBLE_EVENTS.get(event.kind)
        if label is None:
            continue
        uid = event.acting_user_id
        if uid is not None and uid not in labels:
            labels[uid] = staff_label(event.acting_user, ticket.project)
        rows.append({"label": label, "at": event.at, "who": labels.get(uid, "") if uid else "",
                     "text": event.message if event.kind in ("reply", "owner_update") else ""})
    return rows


PROMISED_LABELS = {
    "acknowledge": "受理确认", "respond": "响应处理", "arrive": "上门", "reply": "答复", "complete": "完成",
}


def promised(ticket: Ticket) -> list[dict[str, Any]]:
    """The promised times the owner sees (the current cycle's open stages with a due time)."""
    out: dict[str, dict[str, Any]] = {}
    for d in ticket.deadlines.all():
        if d.stage in PROMISED_LABELS and d.due_at is not None and d.cycle == ticket.cycle:
            out[d.stage] = {"stage": d.stage, "label": PROMISED_LABELS[d.stage], "due_at": d.due_at, "met_at": d.met_at}
    return [out[s] for s in PROMISED_LABELS if s in out]


# ---------------------------------------------------------------- surveys, fees, IC cards (read-only)


def surveys(household: Household) -> list[dict[str, Any]]:
    """The questionnaires the household was sampled for, each with whether it may still be answered."""
    out = []
    for row in surveys_for_household(household.pk):
        ps = row.survey
        answerable = (row.distributed_at is not None and row.recovered_at is None and ps.recovery_done_at is None
                      and ps.closed_at is None)
        out.append({"id": row.pk, "title": ps.campaign.title, "questionnaire": ps.campaign.questionnaire.title,
                    "received_on": ps.received_on, "answered_at": row.recovered_at, "answerable": answerable,
                    "row": row})
    return out


def survey_for_household(household: Household, pk: Any) -> Any:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    return surveys_for_household(household.pk).filter(pk=number).first()


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def fees(household: Household, today: Any) -> dict[str, Any]:
    """The household's bills (what is owed, what is overdue) and receipts, newest first."""
    left = ExpressionWrapper(F("amount") - F("paid"), output_field=DecimalField(max_digits=12, decimal_places=2))
    totals = bills_of_household(household.pk).exclude(status="paid").aggregate(
        owed=Sum(left), overdue=Sum(left, filter=Q(due_date__lt=today)))
    return {"bills": list(bills_of_household(household.pk)[:60]), "owed": _money(totals["owed"]),
            "overdue": _money(totals["overdue"]),
            "payments": list(payments_of_household(household.pk)[:60])}


def cards(household: Household) -> dict[str, Any]:
    """The household's IC cards and the door-code notices of the doors it uses (the code itself is
    never stored, so never shown)."""
    return {"cards": list(ICCard.objects.filter(household=household).order_by("status", "number", "id")),
            "notices": list(door_code_notices_for_household(household.pk)[:20])}


# ---------------------------------------------------------------- owners' committee (issue 19 item 7)


def committee_memberships(phone: str) -> QuerySet[CommitteeMember]:
    """The projects whose 业委会 the phone is an active member of."""
    return CommitteeMember.objects.filter(phone=phone, ended_at=None).select_related("project").order_by("project__name", "id")


def committee_membership(phone: str, project_id: Any = None) -> CommitteeMember | None:
    rows = committee_memberships(phone)
    if project_id not in (None, ""):
        try:
            rows = rows.filter(project_id=int(project_id))
        except (TypeError, ValueError):
            return None
    return rows.first()


def committee_tickets(member: CommitteeMember) -> QuerySet[Ticket]:
    """The tickets the project's 业委会 forwarded (what its members follow), newest first."""
    return (Ticket.objects.filter(project_id=member.project_id, committee_forward__isnull=False)
            .select_related("committee_forward", "committee_forward__member")
            .prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("start_at", "id")))
            .order_by("-received_at", "-id"))


def committee_ticket(member: CommitteeMember, pk: Any) -> Ticket | None:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    return (committee_tickets(member).filter(pk=number).select_related("project", "category")
            .prefetch_related(Prefetch("events", queryset=TicketEvent.objects.select_related("acting_user")))
            .first())


def reply_due(ticket: Ticket) -> Any:
    """The current cycle's reply due time (the receipt's 答复期限)."""
    for d in ticket.deadlines.all():
        if d.stage == "reply" and d.cycle == ticket.cycle:
            return d.due_at
    return None


def committee_projects(user: Any) -> QuerySet[Project]:
    """Projects whose 业委会成员 ``user`` (staff) may appoint and end (``Cap.MANAGE_COMMITTEE``)."""
    ids = [p.pk for p in visible_projects(user) if has_cap(user, Cap.MANAGE_COMMITTEE, p)]
    return Project.objects.filter(pk__in=ids).order_by("code")


def committee_of(project: Project, *, ended: bool = False) -> QuerySet[CommitteeMember]:
    """The project's current 业委会成员 (by appointment), or those whose appointment ended (latest first)."""
    qs = CommitteeMember.objects.filter(project=project, ended_at__isnull=not ended)
    return qs.order_by("-ended_at", "-pk") if ended else qs.order_by("appointed_at", "pk")
