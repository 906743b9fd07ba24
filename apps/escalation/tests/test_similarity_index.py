"""The same-complaint check at scale (issue 15; R-M3-04): packed vectors, the gram index, the
watermark of complaints still without a signature, the backfill command and the per-evaluation cache.
The index must never lose a pair the full comparison would find (docs/similarity.md "Speed")."""
from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.escalation import jobs, queries, similarity
from apps.escalation.models import ComplaintGram, ComplaintSignature, SimilarityIndexState
from apps.escalation.tests.conftest import household
from linli.clock import SHANGHAI

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def _received(complaint, text: str, at: dt.datetime, **fields):
    """A complaint and its intake job (grouping, signature): the job's on_commit does not run here."""
    ticket = complaint(text, at, **fields)
    jobs.evaluate_complaint(ticket_id=ticket.pk, kind=ticket.kind, now=at.isoformat())
    return ticket


def _settled_signatures() -> dict[str, similarity.Signature]:
    texts = list(dict.fromkeys(t for p in similarity.load_pairs() for t in (p.text_a, p.text_b)))
    df: Counter[str] = Counter()
    for text in texts:
        df.update(similarity.text_features(text)[1].keys())
    idf = similarity.idf_from(df, len(texts))
    out = {}
    for text in texts:
        _n, grams, tps, asp, locs = similarity.text_features(text)
        out[text] = similarity.Signature(similarity.hashed(similarity.weighted(grams, idf)), tps, asp, locs)
    return out


def test_pack_round_trip_keeps_every_gram_and_weight() -> None:
    vec = similarity.hashed({"电梯": 0.8, "坏": 0.6})
    back = similarity.unpack(similarity.pack(vec))
    assert set(back) == set(vec) and all(abs(back[k] - vec[k]) < 1e-6 for k in vec)
    assert similarity.packed_dot(vec, similarity.pack(vec)) == pytest.approx(1.0, abs=1e-6)
    assert similarity.unpack(b"") == {}


def test_r_m3_04_index_grams_never_lose_a_pair_that_reaches_the_threshold() -> None:
    """Prefix filtering is exact: every pair whose cosine reaches the threshold shares an indexed gram
    (all labelled texts against each other, at the default and two other thresholds)."""
    sigs = list(_settled_signatures().values())
    rng = random.Random(15)
    pairs = [(a, b) for a in sigs for b in rng.sample(sigs, 60)]
    checked = 0
    for t in (0.2, similarity.DEFAULT_THRESHOLD, 0.5):
        for a, b in pairs:
            cos = similarity.packed_dot(a.vector, similarity.pack(b.vector))
            if cos >= t:
                checked += 1
                assert set(similarity.index_grams(a.vector, t)) & set(b.vector)
        # the look-up leaves grams out: it is narrower than the whole vector
    assert checked > 500
    lengths = [len(similarity.index_grams(s.vector, similarity.DEFAULT_THRESHOLD)) / len(s.vector)
               for s in sigs if s.vector]
    assert sum(lengths) / len(lengths) < 0.95


def test_r_m3_04_packed_scores_reproduce_the_labelled_figures() -> None:
    """P/R of docs/similarity.md on the stored (hashed, float32) path: all P ≥ 0.868, R ≥ 0.772."""
    sigs = _settled_signatures()
    pairs = similarity.load_pairs()
    scores = [similarity.score_packed(sigs[p.text_b], sigs[p.text_b].vector, similarity.pack(sigs[p.text_a].vector),
                                      sigs[p.text_a].topics, sigs[p.text_a].aspects, sigs[p.text_a].locations,
                                      category_a=None, category_b=None).score for p in pairs]
    e = similarity.evaluate(pairs, scores, similarity.DEFAULT_THRESHOLD)
    assert round(e.precision, 3) >= 0.868 and round(e.recall, 3) >= 0.772


TEXTS = ["5栋楼道灯不亮了", "五号楼走廊照明坏了", "5栋电梯困人", "3栋电梯坏了", "小区门口垃圾没人清运",
         "垃圾桶满了好几天", "5栋楼道灯一直坏着", "楼上装修噪音太吵", "物业费收费不合理", "车库积水严重",
         "地库下雨就积水", "5号楼楼道灯光坏掉"]


@pytest.mark.django_db
def test_r_m3_04_candidates_through_the_index_equal_a_full_comparison(cast, complaint) -> None:
    """The candidates read through the gram index are exactly those a comparison with every stored
    complaint of the window finds (same scores, same order)."""
    made = [_received(complaint, text, T0 + dt.timedelta(minutes=i), household=household(cast, "5栋", f"{100 + i}"))
            for i, text in enumerate(TEXTS)]
    last = made[-1]
    assert ComplaintSignature.objects.filter(version=similarity.SIGNATURE_VERSION).count() == len(TEXTS)
    assert ComplaintGram.objects.filter(ticket=last).exists()
    mine = queries.signature_of_row(ComplaintSignature.objects.get(ticket=last))
    expected = []
    for row in ComplaintSignature.objects.exclude(ticket=last).select_related("ticket"):
        m = similarity.score_packed(mine, mine.vector, row.packed, queries._unbar(row.topics),
                                    queries._unbar(row.aspects), queries._unbar(row.locations),
                                    category_a=None, category_b=None)
        if m.same:
            expected.append((m.score, row.ticket.received_at, row.ticket_id))
    expected.sort(key=lambda s: (-s[0], -s[1].timestamp(), -s[2]))
    found = queries.candidates_for(last, now=T0 + dt.timedelta(hours=1))
    assert [c.ticket.pk for c in found] == [pk for *_x, pk in expected]
    assert len(found) >= 3  # the lighting complaints of 5栋


@pytest.mark.django_db
def test_r_m3_04_check_reads_the_same_queries_for_any_window(cast, complaint, django_assert_max_num_queries) -> None:
    """The same-complaint check's SQL does not grow with the window (no per-complaint query)."""
    for i, text in enumerate(TEXTS):
        _received(complaint, text, T0 + dt.timedelta(minutes=i))
    newest = _received(complaint, "5栋楼道灯坏了好几天", T0 + dt.timedelta(hours=1))
    with queries.evaluation_cache(), CaptureQueriesContext(connection) as ctx:
        queries.candidates_for(newest, now=T0 + dt.timedelta(hours=1))
    for i, text in enumerate(TEXTS * 2):
        _received(complaint, text, T0 + dt.timedelta(hours=2, minutes=i))  # the window triples
    newer = _received(complaint, "5栋楼道灯坏了好几天", T0 + dt.timedelta(hours=3))
    with queries.evaluation_cache(), django_assert_max_num_queries(len(ctx.captured_queries)):
        assert queries.candidates_for(newer, now=T0 + dt.timedelta(hours=3))


@pytest.mark.django_db
def test_r_m3_04_complaints_without_signature_are_scored_from_text_then_backfilled(cast, complaint) -> None:
    """A complaint recorded before signatures existed is still found (scored from its text); the
    backfill command stores it, batched and resumable, and moves the project's watermark past it."""
    first = _received(complaint, "5栋楼道灯不亮了", T0, household=household(cast, "5栋", "101"))
    second = _received(complaint, "5栋电梯困人", T0 + dt.timedelta(minutes=1), household=household(cast, "5栋", "102"))
    ComplaintSignature.objects.all().delete()  # as before issue 15
    ComplaintGram.objects.all().delete()
    SimilarityIndexState.objects.all().delete()
    newest = complaint("五号楼走廊照明坏了", T0 + dt.timedelta(minutes=2), household=household(cast, "5栋", "103"))
    # its intake job has not run either: the check scores the two earlier ones from their text
    assert [c.ticket.pk for c in queries.candidates_for(newest, now=T0 + dt.timedelta(minutes=2))] == [first.pk]

    out = io.StringIO()
    later = T0 + dt.timedelta(days=1)
    call_command("similarity_backfill", "--batch", "1", "--now", later.isoformat(), stdout=out)
    assert "similarity_backfill: 3" in out.getvalue()
    assert set(ComplaintSignature.objects.values_list("ticket_id", flat=True)) == {first.pk, second.pk, newest.pk}
    assert ComplaintGram.objects.filter(ticket=first).exists()
    state = SimilarityIndexState.objects.get(project=cast.project)
    assert state.signed_below > newest.pk  # every complaint is older than the grace period at --now
    call_command("similarity_backfill", "--now", later.isoformat(), stdout=out)  # resumable: nothing left
    assert out.getvalue().strip().endswith("similarity_backfill: 0")
    assert [c.ticket.pk for c in queries.candidates_for(newest, now=later)] == [first.pk]


@pytest.mark.django_db
def test_backfill_refuses_a_bad_batch(cast) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("similarity_backfill", "--batch", "0", stdout=io.StringIO())


@pytest.mark.django_db
def test_evaluation_cache_reads_the_project_settings_once(cast) -> None:
    with CaptureQueriesContext(connection) as plain:
        queries.policy_for(cast.project)
        queries.policy_for(cast.project)
        queries.synonyms_for(cast.project)
        queries.synonyms_for(cast.project)
    with queries.evaluation_cache(), CaptureQueriesContext(connection) as cached:
        queries.policy_for(cast.project)
        queries.policy_for(cast.project)
        queries.synonyms_for(cast.project)
        queries.synonyms_for(cast.project)
    assert len(plain.captured_queries) == 4 and len(cached.captured_queries) == 2
