"""Benchmark: the same-complaint check and adding a member to a group (issue 15 items 2 and 3).

    .venv/bin/python bench/escalation_bench.py [--scale tiny|small|company] [--db URL]
        [--window 10000] [--probes 200] [--groups 10 100 400]

Data (the generator): the test cast, one complaint received through ``receive_ticket`` as a template,
then ``--window`` complaints of one project cloned from it with ``bulk_create`` over the last 29
days, their texts drawn from the labelled pairs (``apps/escalation/data/complaint_pairs.csv``), and
their stored signatures (``ComplaintSignature``) and the project's n-gram document frequencies
computed as intake would have, one complaint after the other.

Measures
* the same-complaint check of a new complaint against the whole window (``record_signature`` +
  ``candidates_for``): median and p99 over ``--probes`` new complaints; and, for comparison, the
  method before issue 15 (refit TF-IDF on the window, score every pair) on the same texts;
* adding one complaint to a group of n members that is already hot (``attach_to_cluster``): time
  and SQL queries for each n in ``--groups``.
Works on SQLite and PostgreSQL; ends with ``BENCH`` lines.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import add_bench_args, bench_line, prepare_database, scaled, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    add_bench_args(parser, "escalation")
    parser.add_argument("--window", type=int)
    parser.add_argument("--probes", type=int)
    parser.add_argument("--groups", type=int, nargs="*")
    parser.add_argument("--dump", help="write every probe's candidates and scores to this JSON file "
                        "(to compare two versions of the check on the same data)")
    args = parser.parse_args()
    window = args.window or scaled(args.scale, 500, 10_000, 10_000)
    probes = args.probes or scaled(args.scale, 20, 200, 200)
    groups = args.groups or ([5, 40] if args.scale == "tiny" else [10, 100, 400])
    prepare_database(args.db)
    setup_django(args.db)

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from apps.escalation import actions, queries, similarity
    from apps.escalation.models import (
        ClusterMember,
        ComplaintCluster,
        ComplaintGram,
        ComplaintSignature,
        SimilarityGramFrequency,
    )
    from apps.org.tests.factories import build_cast
    from apps.tickets.actions import receive_ticket
    from apps.tickets.models import Ticket
    from linli import clock

    now = clock.now().replace(microsecond=0)
    cast = build_cast()
    project = cast.project
    with clock.frozen(now - dt.timedelta(days=29)):
        template = receive_ticket(project=project, kind="complaint", channel="letter", content="模板投诉",
                                  acting_user=cast.front_desk, now=now - dt.timedelta(days=29),
                                  received_at=now - dt.timedelta(days=29), complainant_surname="王",
                                  phone="13900000000")
    ComplaintSignature.objects.all().delete()
    ComplaintGram.objects.all().delete()
    SimilarityGramFrequency.objects.all().delete()
    rng = random.Random(15)
    texts = [t for p in similarity.load_pairs() for t in (p.text_a, p.text_b)]
    seq = iter(range(1, 10_000_000))

    def clones(contents: list[str], times: list[dt.datetime]) -> list[Ticket]:
        made = []
        for content, at in zip(contents, times, strict=True):
            t = Ticket(**{f.attname: getattr(template, f.attname) for f in Ticket._meta.concrete_fields
                          if not f.primary_key})
            t.number = f"BENCH-{next(seq)}"
            t.content, t.received_at, t.recorded_at = content, at, at
            t.phone = f"139{next(seq):08d}"
            made.append(t)
        return Ticket.objects.bulk_create(made, batch_size=1000)

    # ---- the window: complaints with their signatures, as intake would have stored them
    t0 = time.perf_counter()
    times = sorted(now - dt.timedelta(seconds=rng.randint(3600, 29 * 86400)) for _ in range(window))
    rows = clones([rng.choice(texts) for _ in range(window)], times)
    df: Counter[str] = Counter()
    sigs, postings = [], []
    for n_docs, t in enumerate(rows, start=1):
        _norm, grams, tps, asp, locs = similarity.text_features(t.content)
        df.update(grams.keys())
        sig = similarity.Signature(similarity.hashed(similarity.weighted(grams, similarity.idf_from(df, n_docs))),
                                   tps, asp, locs)
        sigs.append(ComplaintSignature(ticket_id=t.pk, project_id=project.pk, received_at=t.received_at,
                                       synonyms_key="", **queries.signature_row(sig)))
        postings.extend(ComplaintGram(project_id=project.pk, gram=g, ticket_id=t.pk, received_at=t.received_at)
                        for g in queries.index_keys(sig))
    ComplaintSignature.objects.bulk_create(sigs, batch_size=1000)
    ComplaintGram.objects.bulk_create(postings, batch_size=5000)
    df[""] = len(rows)
    SimilarityGramFrequency.objects.bulk_create(
        [SimilarityGramFrequency(project_id=project.pk, gram=g, df=c) for g, c in df.items()], batch_size=2000)
    # complaints without a signature (the template here; in production those recorded before issue 15):
    # the backfill command stores them and moves the project's watermark
    call_command("similarity_backfill", now=now.isoformat(), stdout=io.StringIO())
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans of the gram index
    print(f"{connection.vendor}: {window:,} complaints with signatures in the window, made in "
          f"{time.perf_counter() - t0:.1f} s")

    # ---- the same-complaint check of new complaints against the whole window
    runs, cpu, found, probe_rows, check_queries, dumped = [], [], 0, [], [], []
    for i in range(probes):  # each new complaint arrives after the one before, as at intake
        t = clones([rng.choice(texts)], [now + dt.timedelta(seconds=i)])[0]
        probe_rows.append(t)
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            s, c = time.perf_counter(), time.process_time()
            with queries.evaluation_cache():  # as intake's evaluation: the project's settings read once
                sig = actions.record_signature(t)  # as attach_to_cluster: the stored row goes to the check
                got = queries.candidates_for(t, now=now, signature=sig)
                found += len(got)
            runs.append(time.perf_counter() - s)
            cpu.append(time.process_time() - c)  # this process's CPU: what waiting for a core does not inflate
        check_queries.append(len(ctx.captured_queries))
        dumped.append([t.content, [[c.ticket.pk, c.match.score, c.match.cosine, c.match.gate] for c in got]])
    if args.dump:
        Path(args.dump).write_text(json.dumps(dumped, ensure_ascii=False, indent=0), encoding="utf-8")
    runs.sort()
    median = statistics.median(runs) * 1000
    p99 = runs[min(len(runs) - 1, int(len(runs) * 0.99))] * 1000
    print(f"same-complaint check, {window:,} complaints in the window, {probes} new complaints: "
          f"median {median:.1f} ms, p99 {p99:.1f} ms, {found / probes:.1f} candidates each, "
          f"{statistics.median(check_queries):.0f} SQL queries each (median), "
          f"client CPU {statistics.median(cpu) * 1000:.1f} ms each (median)")
    window_texts = [t.content for t in rows]
    old = []
    for t in probe_rows[:3]:
        s = time.perf_counter()
        model = similarity.TfidfModel.fit([*similarity.BACKGROUND, t.content, *window_texts])
        mine = similarity.Complaint(t.content)
        for other in window_texts:
            similarity.same_complaint_score(mine, similarity.Complaint(other), model=model)
        old.append(time.perf_counter() - s)
    print(f"  before issue 15 (refit TF-IDF on the window, score every pair, no database): "
          f"{statistics.median(old) * 1000:.0f} ms a complaint")

    # ---- adding a complaint to a hot group of n members
    added: dict[int, tuple[float, int]] = {}
    for n in groups:
        text = f"{100 + n}栋电梯坏了困人，请尽快处理"  # one building per group: the groups stay apart
        members = clones([text] * n, [now - dt.timedelta(minutes=5 + i) for i in range(n)])
        for m in members:
            actions.record_signature(m)
        cluster = ComplaintCluster.objects.create(project=project, title=text, created_at=now)
        ClusterMember.objects.bulk_create([ClusterMember(cluster=cluster, ticket=m, score=1, added_at=now)
                                           for m in members])
        at = now + dt.timedelta(hours=1 + len(added))
        first = clones([text], [at])[0]
        actions.attach_to_cluster(first, now=at)  # the group turns hot: every member evaluated once
        runs_n, queries_n, rest = [], [], []
        for i in range(3):
            t = clones([text], [at + dt.timedelta(seconds=1 + i)])[0]
            rest.append(t)
            with CaptureQueriesContext(connection) as ctx:
                s = time.perf_counter()
                member = actions.attach_to_cluster(t, now=t.received_at)
                runs_n.append(time.perf_counter() - s)
            assert member is not None and member.cluster_id == cluster.pk, "the new complaint must join the group"
            queries_n.append(len(ctx.captured_queries))
        added[n] = (statistics.median(runs_n) * 1000, max(queries_n))
        print(f"  add a complaint to a hot group of {n:4d}: {added[n][0]:7.1f} ms, {added[n][1]} SQL queries")

    bench_line("same_complaint_check_median", f"{median:.1f} ms over {window:,} complaints",
               "≤ 5 ms", median <= 5)
    bench_line("same_complaint_check_p99", f"{p99:.1f} ms over {window:,} complaints", "≤ 20 ms", p99 <= 20)
    small_n, big_n = min(added), max(added)
    same_queries = added[small_n][1] == added[big_n][1]
    ratio = added[big_n][0] / added[small_n][0]
    bench_line("cluster_add_member",
               f"n={small_n} {added[small_n][0]:.1f} ms/{added[small_n][1]} queries, "
               f"n={big_n} {added[big_n][0]:.1f} ms/{added[big_n][1]} queries",
               "work independent of n (same queries, time within 2x)", same_queries and ratio <= 2)


if __name__ == "__main__":
    main()
