"""Benchmark and evaluation of the same-complaint matcher (apps/escalation/similarity.py).

Issue 5 item 3. Prints precision / recall / F1 / ROC AUC on the labelled pairs
(apps/escalation/data/complaint_pairs.csv) at several thresholds — all pairs, the development part
and the held-out part written after the lexicon was frozen — and the time to compare one new
complaint with N earlier complaints of its project (what ``ticket_received`` does). Asserts nothing.

    .venv/bin/python bench/similarity_bench.py [--candidates 100 500 2000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.escalation import similarity as s  # noqa: E402


def _report(name: str, pairs: list[s.Pair], scores: list[float]) -> None:
    print(f"\n{name}: {len(pairs)} pairs, {sum(p.same for p in pairs)} same; ROC AUC {s.roc_auc(pairs, scores):.3f}")
    print("  threshold  precision  recall    F1")
    for t in (0.25, 0.30, s.DEFAULT_THRESHOLD, 0.40, 0.45):
        e = s.evaluate(pairs, scores, t)
        mark = "  ← default" if t == s.DEFAULT_THRESHOLD else ""
        print(f"  {t:9.2f}  {e.precision:9.3f}  {e.recall:6.3f}  {e.f1:5.3f}{mark}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=("tiny", "small", "company"), default="small")
    ap.add_argument("--candidates", type=int, nargs="*")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    args.candidates = args.candidates or ([100] if args.scale == "tiny" else [100, 500, 2000])

    pairs = s.load_pairs()
    scores = s.score_pairs(pairs)
    _report("all", pairs, scores)
    dev = [(p, x) for p, x in zip(pairs, scores) if not p.notes.startswith("[holdout]")]
    held = [(p, x) for p, x in zip(pairs, scores) if p.notes.startswith("[holdout]")]
    _report("development", [p for p, _ in dev], [x for _, x in dev])
    _report("held-out", [p for p, _ in held], [x for _, x in held])
    ablation = [s.same_complaint_score(s.Complaint(p.text_a), s.Complaint(p.text_b),
                                       model=s.TfidfModel.fit([*s.BACKGROUND, *(q.text_a for q in pairs),
                                                               *(q.text_b for q in pairs)])).cosine for p in pairs]
    print(f"\nablation, n-gram cosine alone (no gates, no topics): ROC AUC {s.roc_auc(pairs, ablation):.3f}")

    # the stored-signature path of intake (issue 15): per-project document frequencies grown one
    # complaint at a time, each vector weighed with the frequencies of its own moment
    df: Counter[str] = Counter()
    sigs: dict[str, s.Signature] = {}
    for n_docs, text in enumerate(dict.fromkeys(t for p in pairs for t in (p.text_a, p.text_b)), start=1):
        _n, grams, tps, asp, locs = s.text_features(text)
        df.update(grams.keys())
        sigs[text] = s.Signature(s.weighted(grams, s.idf_from(df, n_docs)), tps, asp, locs)
    cold = [s.score_signatures(sigs[p.text_b], sigs[p.text_a], category_a=None, category_b=None).score
            for p in pairs]
    _report("all, stored signatures, cold start (frequencies grown from an empty project)", pairs, cold)
    # a project with history: the frequencies have settled before these complaints arrive
    idf = s.idf_from(df, len(sigs))
    for text in sigs:
        _n, grams, tps, asp, locs = s.text_features(text)
        sigs[text] = s.Signature(s.weighted(grams, idf), tps, asp, locs)
    # as stored since issue 15: gram ids and float32 weights (packed), compared without unpacking
    stored = [s.score_packed(sigs[p.text_b], s.hashed(sigs[p.text_b].vector), s.pack(s.hashed(sigs[p.text_a].vector)),
                             sigs[p.text_a].topics, sigs[p.text_a].aspects, sigs[p.text_a].locations,
                             category_a=None, category_b=None).score for p in pairs]
    _report("all, stored signatures, settled frequencies (intake's path in a project with history)", pairs, stored)
    held_s = [(p, x) for p, x in zip(pairs, stored, strict=True) if p.notes.startswith("[holdout]")]
    _report("held-out, stored signatures", [p for p, _ in held_s], [x for _, x in held_s])
    e_all = s.evaluate(pairs, stored, s.DEFAULT_THRESHOLD)
    e_held = s.evaluate([p for p, _ in held_s], [x for _, x in held_s], s.DEFAULT_THRESHOLD)

    texts = [t for p in pairs for t in (p.text_a, p.text_b)]
    rng = random.Random(7)
    print("\nmatching one new complaint against N earlier ones (fit IDF + score all), pure Python:")
    for n in args.candidates:
        pool = [rng.choice(texts) for _ in range(n)]
        new = rng.choice(texts)
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            model = s.TfidfModel.fit([*s.BACKGROUND, new, *pool])
            mine = s.Complaint(new)
            for other in pool:
                s.same_complaint_score(mine, s.Complaint(other), model=model)
            runs.append(time.perf_counter() - t0)
        print(f"  N={n:5d}: median {statistics.median(runs) * 1000:8.1f} ms  ({statistics.median(runs) / n * 1e6:6.1f} µs per pair)")

    # docs/similarity.md before issue 15: all P 0.868 R 0.772; held-out P 0.783 R 0.600
    ok_all = round(e_all.precision, 3) >= 0.868 and round(e_all.recall, 3) >= 0.772
    ok_held = round(e_held.precision, 3) >= 0.783 and round(e_held.recall, 3) >= 0.600
    print(f"BENCH similarity_quality_all: P {e_all.precision:.3f} R {e_all.recall:.3f} "
          f"(target P ≥ 0.868, R ≥ 0.772) {'PASS' if ok_all else 'FAIL'}")
    print(f"BENCH similarity_quality_heldout: P {e_held.precision:.3f} R {e_held.recall:.3f} "
          f"(target P ≥ 0.783, R ≥ 0.600) {'PASS' if ok_held else 'FAIL'}")


if __name__ == "__main__":
    main()
