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

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.dateparse import parse_datetime

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


def signature_inputs(ticket_id: int, project_id: int,
                     grams: Iterable[str]) -> tuple[tuple[str, int] | None, dict[str, int]]:
    """What :func:`actions.record_signature` reads, in ONE statement (issue 15): the ``(synonyms_key,
    version)`` of the ticket's stored signature (None when it has none) and the project's document
    frequencies of ``grams`` (``""``: the number of documents; absent grams are absent)."""
    keys = sorted({*grams, ""})
    freq, sigs = _table(SimilarityGramFrequency), _table(ComplaintSignature)
    sql = (f"SELECT f.gram, f.df FROM {freq} f WHERE f.project_id = %s "  # noqa: S608 - our tables
           f"AND f.gram IN ({', '.join(['%s'] * len(keys))}) "
           f"UNION ALL SELECT s.synonyms_key, -1 - s.version FROM {sigs} s WHERE s.ticket_id = %s")
    with connection.cursor() as cur:
        cur.execute(sql, [project_id, *keys, ticket_id])
        rows = cur.fetchall()
    stored = next(((gram, -1 - df) for gram, df in rows if df < 0), None)
    return stored, {gram: df for gram, df in rows if df >= 0}


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


def unsigned_complaints(project: Any, key: str) -> QuerySet[Ticket]:
    """The project's complaints without a current signature (synonym table ``key``, current layout):
    what ``manage.py similarity_backfill`` stores."""
    current = ComplaintSignature.objects.filter(ticket_id=OuterRef("pk"), synonyms_key=key,
                                                version=similarity.SIGNATURE_VERSION)
    return Ticket.objects.filter(project_id=project.pk, kind=COMPLAINT).filter(~Exists(current))


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _like_bars(value: str) -> str:
    """The ``LIKE`` pattern of ``|value|`` inside a ``|a|b|`` column (``_`` and ``%`` taken literally)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%|{escaped}|%"


def _bars_overlap(column: str, values: frozenset[str], params: list[Any]) -> str:
    """The ``|a|b|`` column is empty or names one of ``values`` (a gate run by the database)."""
    if not values:
        return ""
    ors = [f"{column} = ''"]
    for v in sorted(values):
        ors.append(f"{column} LIKE %s ESCAPE '\\'")
        params.append(_like_bars(v))
    return f" AND ({' OR '.join(ors)})"


def _window_sql(ticket: Ticket, *, key: str, start: dt.datetime, mine: similarity.Signature,
                category: str | None, lookup: list[int] | None, signature: Any) -> tuple[str, list[Any]]:
    """ONE statement for the whole window (issue 15): the stored signatures of the complaints that share
    one of the ``lookup`` gram-index keys and pass the gates (``1, id, category, received, packed,
    topics, aspects, locations, NULL``), then — ``UNION ALL`` — the complaints of the window still
    without a current signature, above the project's watermark (``0, id, category, received, NULL, …,
    content``). ``lookup`` None: no index look-up (a threshold of 0 matches every complaint); empty:
    no stored signature can match."""
    sig, tickets, grams = _table(ComplaintSignature), _table(Ticket), _table(ComplaintGram)
    state = _table(SimilarityIndexState)
    adapt = connection.ops.adapt_datetimefield_value
    lo, hi = adapt(start), adapt(ticket.received_at)
    version = similarity.SIGNATURE_VERSION
    params: list[Any] = []
    parts: list[str] = []
    if lookup is None or lookup:
        signed = (f"SELECT 1, s.ticket_id, t.category_id, t.received_at, s.packed, s.topics, s.aspects, "  # noqa: S608
                  f"s.locations, NULL FROM {sig} s INNER JOIN {tickets} t ON t.id = s.ticket_id "
                  f"WHERE s.project_id = %s AND s.synonyms_key = %s AND s.version = %s AND t.kind = %s "
                  f"AND t.received_at >= %s AND t.received_at <= %s AND s.ticket_id <> %s AND t.status <> %s")
        params += [ticket.project_id, key, version, COMPLAINT, lo, hi, ticket.pk, VOIDED]
        if category:
            signed += " AND (t.category_id = %s OR t.category_id IS NULL)"
            params.append(ticket.category_id)
        signed += _bars_overlap("s.locations", frozenset(mine.locations), params)
        signed += _bars_overlap("s.topics", frozenset(mine.topics), params)
        if lookup:
            marks = ", ".join(["%s"] * len(lookup))
            signed += (f" AND s.ticket_id IN (SELECT g.ticket_id FROM {grams} g WHERE g.project_id = %s "  # noqa: S608
                       f"AND g.gram IN ({marks}) AND g.received_at >= %s AND g.received_at <= %s)")
            params += [ticket.project_id, *lookup, lo, hi]
        parts.append(signed)
    below = getattr(signature, "signed_below", None) if signature is not None else None
    if below is not None:
        watermark = "%s"
        wparams: list[Any] = [int(below)]
    else:  # the project's watermark read in the same statement
        watermark = (f"COALESCE((SELECT w.signed_below FROM {state} w WHERE w.project_id = %s "  # noqa: S608
                     f"AND w.synonyms_key = %s AND w.version = %s), 0)")
        wparams = [ticket.project_id, key, version]
    parts.append(f"SELECT 0, t.id, t.category_id, t.received_at, NULL, NULL, NULL, NULL, t.content "  # noqa: S608
                 f"FROM {tickets} t WHERE t.project_id = %s AND t.kind = %s AND t.received_at >= %s "
                 f"AND t.received_at <= %s AND t.id >= {watermark} AND t.id <> %s AND t.status <> %s "
                 f"AND NOT EXISTS (SELECT 1 FROM {sig} c WHERE c.ticket_id = t.id AND c.synonyms_key = %s "
                 f"AND c.version = %s)")
    params += [ticket.project_id, COMPLAINT, lo, hi, *wparams, ticket.pk, VOIDED, key, version]
    return " UNION ALL ".join(parts), params


def _moment(value: Any) -> dt.datetime:
    """A ``received_at`` read by raw SQL as the ORM would give it (SQLite returns text)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    parsed = parse_datetime(str(value))
    assert parsed is not None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


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
      each survivor costs one dot product with its packed vector (the gates' part of the score is
      computed once per distinct combination of category, matters, faults and buildings);
    * a complaint of the window without a current signature (recorded before signatures, its intake
      job still queued, or made under another synonym table) is scored from its text, with the
      project's IDF read once for all of them.

    Both kinds are read in ONE statement (:func:`_window_sql`), then the ten best tickets in one more.
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
    lookup = None
    if threshold > similarity.INDEX_MARGIN:  # a threshold of 0 makes every complaint of the window a match
        lookup = [*similarity.index_grams(mine.vector, threshold),
                  *(similarity.topic_id(x) for x in sorted(mine.topics))]
    sql, params = _window_sql(ticket, key=key, start=start, mine=mine, category=category, lookup=lookup,
                              signature=stored if stored is signature else None)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    scored: list[tuple[float, dt.datetime, int, similarity.Match]] = []
    mine_vec = mine.vector
    gates: dict[tuple[Any, str, str, str], tuple[str, float | None]] = {}
    dot, combine = similarity.packed_dot, similarity.gated_score
    unsigned = []
    for signed, pk, cat, received, packed, tps, asp, locs, content in rows:
        if not signed:
            unsigned.append((pk, cat, received, content))
            continue
        part = gates.get((cat, tps, asp, locs))
        if part is None:
            part = gates[(cat, tps, asp, locs)] = similarity.gate_and_agreement(
                mine, _unbar(tps), _unbar(asp), _unbar(locs), category_a=category,
                category_b=str(cat) if cat else None)
        cos = dot(mine_vec, packed)
        score = combine(cos, *part)
        if score >= threshold:  # ranked by the rounded score, as the Match shows it
            rounded = round(score, 4)
            scored.append((rounded, _moment(received), pk,
                           similarity.Match(score=rounded, same=True, gate=part[0], cosine=round(cos, 4))))
    if unsigned:  # scored from their text with the current IDF (one read of the frequencies for all)
        texts = {pk: similarity.apply_synonyms(content or "", synonyms) for pk, _c, _r, content in unsigned}
        features = {pk: similarity.text_features(text) for pk, text in texts.items()}
        idf = project_idf(ticket.project_id, {g for f in features.values() for g in f[1]})
        for pk, cat, received, _content in unsigned:
            _norm, grams, tps, asp, locs = features[pk]
            theirs = similarity.Signature(similarity.hashed(similarity.weighted(grams, idf)), tps, asp, locs)
            m = similarity.score_signatures(mine, theirs, category_a=category,
                                            category_b=str(cat) if cat else None, threshold=threshold)
            if m.same:
                scored.append((m.score, _moment(received), pk, m))
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


def major_change_recipients(project: Project) -> list[Any]:
    """Who gets the urgent notice of a major change in a major complaint (R-M3-08): the escalation
    recipients and the company's leaders (the 分管领导 also receive the major report, R-M3-09)."""
    leaders = Q(company_id=project.company_id, role=Role.LEADERSHIP) & (Q(project=None) | Q(project=project))
    return users_of(Membership.objects.filter(
        Q(project=project, role__in=PROJECT_ROLES) | Q(company_id=project.company_id, project=None, role=Role.QUALITY)
        | leaders))


def opinion_givers(project: Project) -> tuple[str, list[Any]]:
    """Who gives the handling opinion on a complaint that could not be resolved (R-M3-12, POLICY P-10):
    篇3 — the 分管领导 (the company's leaders assigned to the project, else every company leader);
    篇4 (default) — the 公司管理层 (the company's leaders and 物业总经理). Returns (label, users)."""
    leaders = Q(company_id=project.company_id, role=Role.LEADERSHIP)
    if ticket_policy_for(project).quality_owns == "b3":
        assigned = users_of(Membership.objects.filter(leaders & Q(project=project)))
        return "分管领导", assigned or users_of(Membership.objects.filter(leaders))
    return "公司管理层", users_of(Membership.objects.filter(
        Q(company_id=project.company_id, role__in=(Role.LEADERSHIP, Role.GENERAL_MANAGER))))


def deadline_recipients(ticket: Ticket) -> list[Any]:
    """The person holding the ticket (R-M17-11: the worker of its current dispatch, else the receiver),
    the responsible department's head and the project's supervisors."""
    q = Q(project_id=ticket.project_id, role__in=(Role.CS_SUPERVISOR, Role.CS_MANAGER))
    if getattr(ticket, "department_id", None):
        q |= Q(department_id=ticket.department_id, role=Role.DEPT_HEAD)
    users = users_of(Membership.objects.filter(q))
    holders = [d.assignee for d in ticket_holders(ticket)]
    receiver = getattr(ticket, "receiver", None)
    for person in [*holders, receiver]:
        if person is not None and person.is_active and person.pk not in {u.pk for u in users}:
            users.append(person)
    return users


def ticket_holders(ticket: Ticket) -> list[Any]:
    """The ticket's current dispatches with a named worker (R-M17-11: who holds the order)."""
    return list(ticket.dispatches.filter(active=True, assignee__isnull=False).select_related("assignee")
                .order_by("dispatched_at", "id"))


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
    """A ``(start, n) -> deadline`` function on the project's working-day calendar (T-03, T-04).
    Inside :func:`evaluation_cache` it answers first from the deadlines :func:`prepare_working_days`
    computed in one batch (the same values: each is ``add_working_days`` of its start)."""
    cal = _cached("calendar", project.pk, lambda: calendar_for(project))
    known: dict[tuple[dt.datetime, int], dt.datetime] = _cached("working_day_dues", project.pk, dict)

    def add(start: dt.datetime, n: int) -> dt.datetime:
        due = known.get((start, n))
        return due if due is not None else wcal.add_working_days(start, n, calendar=cal)

    return add


def prepare_working_days(project: Project, starts: Iterable[dt.datetime], n: int) -> None:
    """Compute the N-working-day deadlines of many starts of one project at once
    (:func:`apps.workdays.calendar.working_day_dues`, issue 15: a sweep evaluating many complaints)
    for :func:`add_working_days_for` to answer from. Only inside :func:`evaluation_cache`."""
    if _EVALUATION_CACHE.get() is None:
        return
    starts = list(dict.fromkeys(starts))
    if not starts:
        return
    cal = _cached("calendar", project.pk, lambda: calendar_for(project))
    known: dict[tuple[dt.datetime, int], dt.datetime] = _cached("working_day_dues", project.pk, dict)
    known.update(zip(((s, n) for s in starts), wcal.working_day_dues(starts, n, cal), strict=True))


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
