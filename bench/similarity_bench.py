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
    ap.add_argument("--candidates", type=int, nargs="*", default=[100, 500, 2000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

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


if __name__ == "__main__":
    main()
