#!/usr/bin/env bash
# CI: every benchmark at the tiny scale (issue 15), so that none can rot. No target is enforced
# (the BENCH lines say PASS or FAIL, at this size only for information); a crash fails the run.
# Database: $LINLI_BENCH_DATABASE_URL when set (e.g. a PostgreSQL database the script may drop and
# create), otherwise a SQLite file per bench in the temp directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export LINLI_BENCH_SCALE=tiny
# BENCH_DB_TEMPLATE: a SQLite file migrated already (python -m linli.testdb sqlite PATH, as CI builds
# it) becomes the benches' own migrated template (bench/benchdb.py), so no bench runs the migrations
if [ -n "${BENCH_DB_TEMPLATE:-}" ]; then
  cp "${BENCH_DB_TEMPLATE}" "$(.venv/bin/python -c 'import sys; sys.path.insert(0, "bench"); import benchdb; print(benchdb._sqlite_template())')"
fi
status=0
for f in bench/*_bench.py; do
  echo "== $f"
  if ! .venv/bin/python "$f" --scale tiny; then
    echo "!! $f crashed"
    status=1
  fi
done
exit "$status"
