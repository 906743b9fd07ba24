"""Reads of escalation shared by pages, the API, the sweep and reports: thresholds per project, facts
of a ticket, same-complaint candidates (``candidates_for``), explanations (``reasons_for``, which the
tickets API shows), who is told, the working-day calendar of a project and the developer-legacy query
the reports app reuses (``legacy_monthly_counts``).

Writes live in :mod:`apps.escalation.actions`.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from apps.escalation import rules, similarity
from apps.escalation.models import (
    ClusterMember,
    ClusterState,
    ComplaintGram,
    ComplaintSignature,
    EscalationEvent,
    EscalationPolicy,
    EscalationReport,
    EventKind,
    Level,
    ReportKind,
    SimilarityGramFrequency,
    SimilarityIndexState,
    SimilaritySynonym,
)
from apps.org.models import Membership, Project
from apps.org.roles import Role
from apps.tickets.models import Ticket
from apps.tickets.policies import policy_for as ticket_policy_for
from apps.workdays import calendar as wcal
from apps.workdays.queries import calendar_for
from linli import clock

COMPLAINT = "complaint"
VOIDED = "voided"


_EVALUATION_CACHE: ContextVar[dict[tuple[str, int], Any] | None] = ContextVar("escalation_cache", default=None)


@contextmanager
def evaluation_cache() -> Iterator[None]:
    """Inside the block the project's settings the same-complaint check and the evaluation read
    (escalation policy, synonym table, ticket policy, calendar) are read once per project (issue 15:
    one evaluation of a new complaint read them a dozen times). Outside it every call reads them."""
    if _EVALUATION_CACHE.get() is not None:
        yield
        return
    token = _EVALUATION_CACHE.set({})
    try:
        yield
    finally:
        _EVALUATION_CACHE.reset(token)


def _cached(name: str, project_id: int, read: Callable[[], Any]) -> Any:
    cache = _EVALUATION_CACHE.get()
    if cache is None:
        return read()
    key = (name, project_id)
    if key not in cache:
        cache[key] = read()
    return cache[key]


def policy_for(project: Project) -> EscalationPolicy | None:
    def read() -> EscalationPolicy | None:
        rows = {p.project_id: p for p in EscalationPolicy.objects.filter(company_id=project.company_id)
                .filter(Q(project=project) | Q(project=None))}
        return rows.get(project.pk) or rows.get(None)
    return _cached("policy", project.pk, read)


def thresholds_for(project: Project) -> rules.Thresholds:
    """POLICY P-12: the project's row, else the company's, else the SPEC defaults."""
    row = policy_for(project)
    return row.thresholds() if row else rules.Thresholds()


def similarity_threshold_for(project: Project) -> float:
    row = policy_for(project)
    return row.similarity_threshold if row else similarity.DEFAULT_THRESHOLD


# ------------------------------------------------------------------ facts of a ticket


def is_resolved(ticket: Ticket) -> dt.datetime | None:
    """R-M3-05: "resolved" = the handling result was replied and the customer agreed (R-M2-13), or the
    ticket was finished (closed, or set to 未关闭 with the analysis done). The moment, or None."""
    if ticket.closed_at:
        return ticket.closed_at
    agreed = (ticket.replies.filter(owner_response="agree").exclude(sent_at=None)
              .order_by("sent_at").values_list("sent_at", flat=True).first())
    return agreed


def complainant_of(ticket: Ticket, *, marked_distinct: bool = False,
                   internal_counts: bool = True) -> rules.Complainant:
    """``internal_counts``: the project's POLICY P-08 (R-M1-17) — False leaves an internal staff
    member's complaint out of the distinct-complainant count."""
    return rules.Complainant(
        ticket_id=ticket.pk, household_id=ticket.household_id, person_id=ticket.person_id,
        phone=ticket.phone or "", anonymous=bool(ticket.anonymous), marked_distinct=marked_distinct,
        not_a_customer=bool(getattr(ticket, "internal_staff", False)) and not internal_counts,
    )


def cluster_distinct_complainants(ticket: Ticket, *, now: dt.datetime) -> int:
    """Distinct complainants of the ticket's group inside the window that ends at the newest member
    (R-M3-04, P-29). A lone ticket counts as its own complainant. Internal staff complaints are not
    "different complainants" while the project's policy keeps them out of customer complaints
    (R-M1-17, POLICY P-08): they still join the group and are handled, but cannot make it hot."""
    member = ClusterMember.objects.filter(ticket=ticket).select_related("cluster").first()
    if member is None or member.cluster.state == ClusterState.DISSOLVED:
        return 1
    t = thresholds_for(ticket.project)
    internal_counts = _cached("ticket_policy", ticket.project_id,
                              lambda: ticket_policy_for(ticket.project)).count_internal_staff_complaints
    members = list(ClusterMember.objects.filter(cluster_id=member.cluster_id).select_related("ticket"))
    newest = max(m.ticket.received_at for m in members if m.ticket.received_at <= now) if members else now
    start = rules.window_start(newest, mode=t.window, tz=ticket.project.tz)
    inside = [m for m in members if start <= m.ticket.received_at <= newest]
    return rules.distinct_complainants(complainant_of(m.ticket, marked_distinct=m.marked_distinct,
                                                      internal_counts=internal_counts) for m in inside)


def confirmed_distinct_complainants(ticket: Ticket, *, now: dt.datetime) -> int:
    """The count criterion (b) of R-M3-02 uses (R-M3-04): staff link tickets into a group, the system only
    suggests — so only a group staff have confirmed counts its distinct complainants; a ticket in a
    suggested (unconfirmed) group, or in none, counts as its own complainant."""
    member = ClusterMember.objects.filter(ticket=ticket).select_related("cluster").first()
    if member is None or member.cluster.state != ClusterState.CONFIRMED:
        return 1
    return cluster_distinct_complainants(ticket, now=now)


def facts_for(ticket: Ticket, *, now: dt.datetime, distinct_complainants: int | None = None) -> rules.Facts:
    """``distinct_complainants``: the group's count when the caller has just computed it (it is the
    same for every member of a group), so that evaluating a group does not recount it per member; the
    caller passes 1 for a group staff have not confirmed (R-M3-04, :func:`confirmed_distinct_complainants`)."""
    return rules.Facts(
        received_at=ticket.received_at,
        people_count=ticket.people_count or 1,
        collective=bool(ticket.collective),
        litigation=bool(ticket.litigation),
        media_exposed=bool(ticket.media_exposed),
        media_or_litigation_risk=bool(ticket.media_or_litigation_risk),
        our_side=bool(ticket.our_side),
        resolved_at=is_resolved(ticket),
        distinct_complainants=(confirmed_distinct_complainants(ticket, now=now)
                               if distinct_complainants is None else distinct_complainants),
    )


# ------------------------------------------------------------------ same-complaint candidates


def synonyms_for(project: Any) -> dict[str, str]:
    """The company's own wording for the same matter (:class:`SimilaritySynonym`): company rows,
    overridden by the project's rows for the same variant."""
    def read() -> dict[str, str]:
        rows = list(SimilaritySynonym.objects.filter(Q(project__isnull=True) | Q(project_id=project.pk),
                                                     company_id=project.company_id)
                    .values_list("variant", "canonical", "project_id"))
        # company rows first, so a project's row for the same variant wins
        return {variant: canonical for variant, canonical, _ in sorted(rows, key=lambda r: r[2] is not None)}
    return _cached("synonyms", project.pk, read)


def complaint_of(ticket: Ticket, synonyms: dict[str, str] | None = None) -> similarity.Complaint:
    category = getattr(ticket, "category_id", None)
    return similarity.Complaint(text=similarity.apply_synonyms(ticket.content or "", synonyms),
                                project_id=ticket.project_id, category=str(category) if category else None)


@dataclass(frozen=True)
class Candidate:
    ticket: Any
    match: similarity.Match


def synonyms_key(synonyms: dict[str, str]) -> str:
    """A short fingerprint of a synonym table: a stored signature made with another table is stale."""
    if not synonyms:
        return ""
    blob = json.dumps(sorted(synonyms.items()), ensure_ascii=False).encode()
    return hashlib.sha1(blob).hexdigest()[:16]  # noqa: S324 - a fingerprint, not security


def project_idf(project_id: int, grams: Iterable[str]) -> Callable[[str], float]:
    """The project's IDF (:class:`SimilarityGramFrequency` plus the built-in background) for ``grams``."""
    rows = dict(SimilarityGramFrequency.objects.filter(project_id=project_id, gram__in=[*set(grams), ""])
                .values_list("gram", "df"))
    n_docs = rows.pop("", 0)
    return similarity.idf_from(rows, n_docs)


def compute_signature(ticket: Ticket, synonyms: dict[str, str] | None,
                      df: dict[str, int] | None = None) -> similarity.Signature:
    """The signature of ``ticket`` (vector keyed by gram id, :func:`similarity.hashed`) with the
    project's current IDF — ``df``: the frequencies of its grams when the caller has them (the ``""``
    entry counts the documents), else they are read. Not stored: actions store it."""
    text = similarity.apply_synonyms(ticket.content or "", synonyms)
    _norm, grams, tps, asp, locs = similarity.text_features(text)
    if df is None:
        idf = project_idf(ticket.project_id, grams)
    else:
        rest = dict(df)
        idf = similarity.idf_from(rest, rest.pop("", 0))
    return similarity.Signature(similarity.hashed(similarity.weighted(grams, idf)), tps, asp, locs)


def _bars(values: Iterable[str]) -> str:
    """``|a|b|`` — a set kept in a text column, so that the gates run as ``LIKE '%|a|%'`` in the database."""
    items = sorted(values)
    return f"|{'|'.join(items)}|" if items else ""


@functools.lru_cache(maxsize=4096)
def _unbar(value: str) -> frozenset[str]:
    """The set of a ``|a|b|`` column (cached: a project's complaints repeat a few hundred such sets)."""
    return frozenset(value.strip("|").split("|")) if value else frozenset()


def signature_row(sig: similarity.Signature) -> dict[str, Any]:
    """The stored columns of a :class:`ComplaintSignature` for ``sig`` (vector keyed by gram id)."""
    return {"packed": similarity.pack(sig.vector), "version": similarity.SIGNATURE_VERSION,
            "topics": _bars(sig.topics), "aspects": _bars(sig.aspects), "locations": _bars(sig.locations)}


def index_keys(sig: similarity.Signature) -> list[int]:
    """The gram-index keys of a complaint (:class:`ComplaintGram`): every gram and every matter."""
    return [*sig.vector, *(similarity.topic_id(t) for t in sorted(sig.topics))]


def is_current(row: ComplaintSignature | None, key: str) -> bool:
    return row is not None and row.synonyms_key == key and row.version == similarity.SIGNATURE_VERSION


def signature_of_row(row: ComplaintSignature) -> similarity.Signature:
    return similarity.Signature(similarity.unpack(row.packed), _unbar(row.topics), _unbar(row.aspects),
                                _unbar(row.locations))


def _overlaps(field: str, values: frozenset[str]) -> Q:
    """Rows whose ``field`` set is empty or shares one of ``values`` (empty ``values``: every row)."""
    if not values:
        return Q()
    q = Q(**{field: ""})
    for v in values:
        q |= Q(**{f"{field}__contains": f"|{v}|"})
    return q


def unsigned_complaints(project: Any, key: str) -> QuerySet[Ticket]:
    """The project's complaints without a current signature (synonym table ``key``, current layout):
    what ``manage.py similarity_backfill`` stores."""
    current = ComplaintSignature.objects.filter(ticket_id=OuterRef("pk"), synonyms_key=key,
                                                version=similarity.SIGNATURE_VERSION)
    return Ticket.objects.filter(project_id=project.pk, kind=COMPLAINT).filter(~Exists(current))


def signed_below(project_id: int, key: str, signature: Any = None) -> int:
    """The project's watermark (:class:`SimilarityIndexState`): every complaint below it has a current
    signature. ``signature``: a row :func:`actions.record_signature` just stored, which carries it."""
    if signature is not None and getattr(signature, "signed_below", None) is not None:
        return int(signature.signed_below)
    row = (SimilarityIndexState.objects.filter(project_id=project_id, synonyms_key=key,
                                               version=similarity.SIGNATURE_VERSION)
           .values_list("signed_below", flat=True).first())
    return int(row or 0)


def candidates_for(ticket: Ticket, *, now: dt.datetime | None = None, limit: int = 10,
                   signature: Any = None) -> list[Candidate]:
    """Earlier complaints of the same project inside the window that concern the same matter
    (R-M3-04): compared by text, gated by category, location and matter. Every complaint of the
    window can be found (no cap), but only those that can reach the threshold are read (issue 15):

    * the gram index (:class:`ComplaintGram`) gives the complaints of the window that share one of
      the ticket's indexed grams (:func:`similarity.index_grams` — every complaint whose cosine can
      reach the threshold shares one) or one of its recognised matters (a shared matter scores
      without a shared gram);
    * of those, the database keeps the ones whose category, buildings and matters pass the gates;
      each survivor costs one dot product with its packed vector;
    * a complaint of the window without a current signature (recorded before signatures, its intake
      job still queued, or made under another synonym table) is scored from its text.

    ``signature``: the ticket's :class:`ComplaintSignature` when the caller has just stored it."""
    now = now or clock.now()
    t = thresholds_for(ticket.project)
    start = rules.window_start(ticket.received_at, mode=t.window, tz=ticket.project.tz)
    synonyms = synonyms_for(ticket.project)
    key = synonyms_key(synonyms)
    stored = signature if signature is not None and is_current(signature, key) else (
        ComplaintSignature.objects.filter(ticket_id=ticket.pk, synonyms_key=key,
                                          version=similarity.SIGNATURE_VERSION).first())
    mine = signature_of_row(stored) if stored is not None else compute_signature(ticket, synonyms)
    threshold = similarity_threshold_for(ticket.project)
    category = str(ticket.category_id) if getattr(ticket, "category_id", None) else None
    in_window = {"received_at__gte": start, "received_at__lte": ticket.received_at}
    gates = Q()
    if category:
        gates &= Q(ticket__category_id=ticket.category_id) | Q(ticket__category_id=None)
    gates &= _overlaps("locations", mine.locations) & _overlaps("topics", mine.topics)
    rows = (ComplaintSignature.objects.filter(project_id=ticket.project_id, synonyms_key=key,
                                              version=similarity.SIGNATURE_VERSION, ticket__kind=COMPLAINT,
                                              **{f"ticket__{k}": v for k, v in in_window.items()})
            .exclude(ticket_id=ticket.pk).exclude(ticket__status=VOIDED).filter(gates))
    if threshold > similarity.INDEX_MARGIN:  # a threshold of 0 makes every complaint of the window a match
        lookup = [*similarity.index_grams(mine.vector, threshold),
                  *(similarity.topic_id(x) for x in sorted(mine.topics))]
        rows = rows.filter(ticket_id__in=ComplaintGram.objects.filter(
            project_id=ticket.project_id, gram__in=lookup, **in_window).values("ticket_id"))
    scored: list[tuple[float, dt.datetime, int, similarity.Match]] = []
    mine_vec = mine.vector
    for pk, cat, received, packed, tps, asp, locs in rows.values_list(
            "ticket_id", "ticket__category_id", "ticket__received_at", "packed", "topics", "aspects", "locations"):
        m = similarity.score_packed(mine, mine_vec, packed, _unbar(tps), _unbar(asp), _unbar(locs),
                                    category_a=category, category_b=str(cat) if cat else None,
                                    threshold=threshold)
        if m.same:
            scored.append((m.score, received, pk, m))
    # complaints of the window without a current signature: scored from their text with the current IDF.
    # They all lie at or above the project's watermark (SimilarityIndexState), so only that tail is read.
    window = (Ticket.objects.filter(project_id=ticket.project_id, kind=COMPLAINT, **in_window,
                                    pk__gte=signed_below(ticket.project_id, key, signature))
              .exclude(pk=ticket.pk).exclude(status=VOIDED))
    current = ComplaintSignature.objects.filter(ticket_id=OuterRef("pk"), synonyms_key=key,
                                                version=similarity.SIGNATURE_VERSION)
    for other in window.filter(~Exists(current)):
        theirs = compute_signature(other, synonyms)
        other_cat = getattr(other, "category_id", None)
        m = similarity.score_signatures(mine, theirs, category_a=category,
                                        category_b=str(other_cat) if other_cat else None,
                                        threshold=threshold)
        if m.same:
            scored.append((m.score, other.received_at, other.pk, m))
    scored.sort(key=lambda s: (-s[0], -s[1].timestamp(), -s[2]))
    scored = scored[:limit]
    tickets = Ticket.objects.in_bulk([s[2] for s in scored]) if scored else {}
    return [Candidate(tickets[pk], m) for _score, _at, pk, m in scored]


# ------------------------------------------------------------------ explanations


def reasons_for(ticket: Ticket) -> list[dict[str, Any]]:
    """Why the ticket has its level: one dict per escalation event, oldest first (issue 5 item 4).

    Shape: ``{"level", "rule_id", "reason", "raised_at", "report_due_at", "kind", "by"}`` — the
    tickets API shows ``escalation: {level, reasons}``."""
    return [reason_of(e) for e in _events_in_order().filter(ticket=ticket)]


def _events_in_order() -> QuerySet[EscalationEvent]:
    return EscalationEvent.objects.select_related("raised_by").order_by("raised_at", "pk")


def reason_of(e: EscalationEvent) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "level": e.level,
        "level_label": str(Level(e.level).label),
        "rule_id": e.rule_id,
        "reason": e.reason,
        "raised_at": e.raised_at,
        "report_due_at": e.report_due_at,
        "by": str(e.raised_by) if e.raised_by else None,
    }


def escalated_rows(tickets: QuerySet[Ticket], *, limit: int = 100) -> list[dict[str, Any]]:
    """The overview's escalated complaints, newest first: ``{"t", "reason", "due"}`` with the latest
    reason and the next open report's deadline — three queries for any number of rows."""
    rows = (tickets.exclude(escalation_level=Level.NONE).select_related("project").order_by("-received_at")
            .prefetch_related(
                Prefetch("escalation_events", queryset=_events_in_order(), to_attr="events_in_order"),
                Prefetch("escalation_reports", to_attr="due_reports",
                         queryset=EscalationReport.objects.filter(sent_at=None).exclude(due_at=None)
                         .order_by("due_at")))[:limit])
    return [{"t": t, "reason": reason_of(t.events_in_order[-1]) if t.events_in_order else None,
             "due": t.due_reports[0].due_at if t.due_reports else None} for t in rows]


def open_reports(ticket: Ticket) -> QuerySet[EscalationReport]:
    return EscalationReport.objects.filter(ticket=ticket, sent_at=None).order_by("due_at")


def next_report_due(ticket: Ticket) -> dt.datetime | None:
    r = open_reports(ticket).exclude(due_at=None).first()
    return r.due_at if r else None


# ------------------------------------------------------------------ who is told


PROJECT_ROLES = (Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.PROJECT_MANAGER)


def escalation_recipients(project: Project, *, company_quality: bool = True) -> list[Any]:
    """客服主管/经理, 管理处经理 of the project and, for hot/major complaints, 品质管理部 (R-M3-11)."""
    q = Q(project=project, role__in=PROJECT_ROLES)
    if company_quality:
        q |= Q(company_id=project.company_id, project=None, role=Role.QUALITY)
    return users_of(Membership.objects.filter(q))


def deadline_recipients(ticket: Ticket) -> list[Any]:
    """The receiver, the responsible department's head and the project's supervisors."""
    q = Q(project_id=ticket.project_id, role__in=(Role.CS_SUPERVISOR, Role.CS_MANAGER))
    if getattr(ticket, "department_id", None):
        q |= Q(department_id=ticket.department_id, role=Role.DEPT_HEAD)
    users = users_of(Membership.objects.filter(q))
    receiver = getattr(ticket, "receiver", None)
    if receiver is not None and receiver.pk not in {u.pk for u in users}:
        users.append(receiver)
    return users


def users_of(memberships: QuerySet[Membership]) -> list[Any]:
    seen: dict[int, Any] = {}
    for m in memberships.select_related("user"):
        if m.user.is_active:
            seen.setdefault(m.user_id, m.user)
    return list(seen.values())


# ------------------------------------------------------------------ developer legacy (R-M5-06)


def month_bounds(month: dt.date, tz: Any) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(month.replace(day=1), dt.time(0), tzinfo=tz)
    end = rules.add_months(start, 1)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def legacy_tickets(project: Project, month: dt.date) -> QuerySet[Any]:
    """Developer-legacy (地产遗留) complaints received in ``month`` (project's zone), not voided."""
    start, end = month_bounds(month, project.tz)
    return (Ticket.objects.filter(project=project, kind=COMPLAINT, developer_matter=True,
                                  received_at__gte=start, received_at__lt=end)
            .exclude(status=VOIDED).order_by("received_at"))


def legacy_monthly_counts(projects: Iterable[Project], month: dt.date) -> list[dict[str, Any]]:
    """R-M5-06 / P-05: per project, the month's developer-legacy complaints (total and still open).

    Reusable by the reports app: ``[{"project": Project, "count": int, "open": int}]``. One query per
    time zone among ``projects`` (the month is each project's local month), not one per project."""
    projects = list(projects)
    by_tz: dict[str, list[Project]] = {}
    for project in projects:
        by_tz.setdefault(str(project.tz), []).append(project)
    counts: dict[int, dict[str, int]] = {}
    for group in by_tz.values():
        start, end = month_bounds(month, group[0].tz)
        rows = (Ticket.objects.filter(project__in=group, kind=COMPLAINT, developer_matter=True,
                                      received_at__gte=start, received_at__lt=end)
                .exclude(status=VOIDED).order_by().values("project_id")
                .annotate(count=Count("pk"), open=Count("pk", filter=Q(closed_at=None))))
        counts.update({r["project_id"]: {"count": r["count"], "open": r["open"]} for r in rows})
    return [{"project": p, **counts.get(p.pk, {"count": 0, "open": 0})} for p in projects]


def raise_events(ticket: Ticket) -> QuerySet[EscalationEvent]:
    return EscalationEvent.objects.filter(ticket=ticket, kind=EventKind.RAISE)


def current_level(ticket: Ticket) -> str:
    """The ticket's level as committed (another worker may have raised it since ``ticket`` was read)."""
    return Ticket.objects.filter(pk=ticket.pk).values_list("escalation_level", flat=True).first() or Level.NONE


# ------------------------------------------------------------------ calendar


def add_working_days_for(project: Project) -> Callable[[dt.datetime, int], dt.datetime]:
    """A ``(start, n) -> deadline`` function on the project's working-day calendar (T-03, T-04)."""
    cal = _cached("calendar", project.pk, lambda: calendar_for(project))

    def add(start: dt.datetime, n: int) -> dt.datetime:
        return wcal.add_working_days(start, n, calendar=cal)

    return add


# ------------------------------------------------------------------ archive (R-M3-07, R-M3-10)


def can_archive(ticket: Ticket) -> tuple[bool, str]:
    """R-M3-07/R-M3-10: a hot ticket cannot be archived before its case report exists and is sent."""
    level = current_level(ticket)
    needed = []
    if level in (rules.HOT, rules.MAJOR):
        needed.append(ReportKind.HOT_CASE_REPORT)
    if level == rules.MAJOR:
        needed.append(ReportKind.MAJOR_SPECIAL_REPORT)
    sent = set(EscalationReport.objects.filter(ticket=ticket, kind__in=needed).exclude(sent_at=None)
               .values_list("kind", flat=True))
    missing = [ReportKind(k).label for k in needed if k not in sent]
    return (not missing, "；".join(str(m) for m in missing))
