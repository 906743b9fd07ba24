"""The same-complaint check's SQL statements are pinned (issue 15; R-M3-04): recording a complaint's
signature is one read and one write (on PostgreSQL a single data-modifying statement; SQLite, which
has no data-modifying ``WITH``, runs its four writes one after the other), and the check reads the
whole window — stored signatures and complaints still without one — in ONE statement, then the ten
best tickets. Neither grows with the window or with the complaints still to be scored from text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.escalation import actions, jobs, queries, similarity
from apps.escalation.models import ComplaintGram, ComplaintSignature, SimilarityGramFrequency, SimilarityIndexState
from apps.escalation.tests.conftest import household
from linli.clock import SHANGHAI

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
TEXTS = [
    "5栋楼道灯不亮了",
    "五号楼走廊照明坏了",
    "5栋电梯困人",
    "3栋电梯坏了",
    "小区门口垃圾没人清运",
    "垃圾桶满了好几天",
    "5栋楼道灯一直坏着",
    "楼上装修噪音太吵",
    "5号楼楼道灯光坏掉",
]

WRITES = 1 if connection.vendor == "postgresql" else 4
"""record_signature's writes: frequencies, signature, gram index, watermark."""


def _received(complaint, text: str, at: dt.datetime, **fields):
    ticket = complaint(text, at, **fields)
    jobs.evaluate_complaint(ticket_id=ticket.pk, kind=ticket.kind, now=at.isoformat())
    return ticket


def _check(ticket, now: dt.datetime) -> tuple[list[str], list[queries.Candidate]]:
    """Intake's same-complaint check: store the signature, then compare (one evaluation's settings)."""
    with queries.evaluation_cache(), CaptureQueriesContext(connection) as ctx:
        signature = actions.record_signature(ticket)
        found = queries.candidates_for(ticket, now=now, signature=signature)
    return [q["sql"] for q in ctx.captured_queries], found


@pytest.mark.django_db
def test_r_m3_04_record_signature_is_one_read_and_one_write(cast, complaint) -> None:
    _received(complaint, "5栋楼道灯不亮了", T0)
    ticket = complaint("5号楼楼道灯光坏掉", T0 + dt.timedelta(minutes=5))
    documents = SimilarityGramFrequency.objects.get(project=cast.project, gram="").df
    with queries.evaluation_cache():
        queries.synonyms_for(cast.project)  # the evaluation's settings, read once for the whole job
        with CaptureQueriesContext(connection) as ctx:
            row = actions.record_signature(ticket)
    sqls = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    assert len(sqls) == 1 + WRITES
    assert sqls[0].startswith("SELECT")
    assert all(s.startswith(("INSERT", "WITH", "DELETE")) for s in sqls[1:])
    # everything was stored as before: the row, its gram-index rows, one more document, the watermark
    stored = ComplaintSignature.objects.get(ticket=ticket)
    assert (stored.packed, stored.topics, stored.version) == (row.packed, row.topics, similarity.SIGNATURE_VERSION)
    assert ComplaintGram.objects.filter(ticket=ticket).count() == len(
        queries.index_keys(queries.signature_of_row(stored))
    )
    assert SimilarityGramFrequency.objects.get(project=cast.project, gram="").df == documents + 1
    assert row.signed_below == SimilarityIndexState.objects.get(project=cast.project).signed_below  # type: ignore[attr-defined]
    # a retried job: nothing written again, the frequencies are not counted twice
    with queries.evaluation_cache(), CaptureQueriesContext(connection) as again:
        actions.record_signature(ticket)
    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "WITH", "UPDATE")) for q in again.captured_queries)
    assert SimilarityGramFrequency.objects.get(project=cast.project, gram="").df == documents + 1


@pytest.mark.django_db
def test_r_m3_04_check_statements_pinned_and_independent_of_the_window(cast, complaint) -> None:
    """The number of SQL statements of one check is fixed: settings (synonyms, policy) 2, signature
    read 1, signature write 1 (PostgreSQL) / 4 (SQLite), the window 1, the best tickets 1."""
    for i, text in enumerate(TEXTS):
        _received(complaint, text, T0 + dt.timedelta(minutes=i), household=household(cast, "5栋", f"{100 + i}"))
    newest = complaint("5栋楼道灯坏了好几天", T0 + dt.timedelta(hours=1), household=household(cast, "5栋", "201"))
    sqls, found = _check(newest, T0 + dt.timedelta(hours=1))
    assert len(found) >= 3
    assert len(sqls) == 2 + 1 + WRITES + 1 + 1
    window_reads = [s for s in sqls if "UNION ALL" in s.upper() and "escalation_complaintgram" in s.lower()]
    assert len(window_reads) == 1  # stored signatures and unsigned complaints in one statement

    for i, text in enumerate(TEXTS * 3):  # the window quadruples
        _received(
            complaint, text, T0 + dt.timedelta(hours=2, minutes=i), household=household(cast, "5栋", f"{300 + i}")
        )
    newer = complaint("5栋楼道灯坏了好几天", T0 + dt.timedelta(hours=3), household=household(cast, "5栋", "202"))
    sqls_later, found_later = _check(newer, T0 + dt.timedelta(hours=3))
    assert len(found_later) == 10
    assert len(sqls_later) == len(sqls)


@pytest.mark.django_db
def test_r_m3_04_complaints_without_signature_cost_no_query_each(cast, complaint) -> None:
    """Complaints of the window without a signature (before issue 15, or their intake job still queued)
    are scored from their text with ONE read of the frequencies for all of them, not one per complaint."""
    for i, text in enumerate(TEXTS):
        _received(complaint, text, T0 + dt.timedelta(minutes=i))
    newest = complaint("5栋楼道灯坏了好几天", T0 + dt.timedelta(hours=1))
    with queries.evaluation_cache():
        queries.candidates_for(newest, now=T0 + dt.timedelta(hours=1))  # settings read; nothing unsigned
        with CaptureQueriesContext(connection) as signed_only:
            expected = queries.candidates_for(newest, now=T0 + dt.timedelta(hours=1))
    ComplaintSignature.objects.all().delete()
    ComplaintGram.objects.all().delete()
    SimilarityIndexState.objects.all().delete()
    with queries.evaluation_cache():
        queries.candidates_for(newest, now=T0 + dt.timedelta(hours=1))
        with CaptureQueriesContext(connection) as from_text:
            found = queries.candidates_for(newest, now=T0 + dt.timedelta(hours=1))
    # two reads more, whatever the number of unsigned complaints: the frequencies of the ticket's own
    # grams (it has no stored signature either) and those of all the unsigned complaints' grams
    assert len(from_text.captured_queries) <= len(signed_only.captured_queries) + 2
    frequency_reads = [q for q in from_text.captured_queries if "escalation_similaritygramfrequency" in q["sql"]]
    assert len(frequency_reads) == 2, [q["sql"][:120] for q in from_text.captured_queries]
    assert len(found) >= 3 and len(expected) >= 3  # the lighting complaints of 5栋, either way
