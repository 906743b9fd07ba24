#!/usr/bin/env bash
# CI: fuzz the API with schemathesis against its own live OpenAPI document (issue 14, item 7).
# A server on a loopback port with the embedded settings, a fresh SQLite database with the demo
# company loaded and an API token of the demo's desk clerk; fails on any server error (5xx) or any
# response outside the documented schema, and on fewer than FUZZ_MIN_CASES cases (default 5,000).
# Tune with FUZZ_MAX_EXAMPLES (per operation) / FUZZ_SEED; FUZZ_DB_TEMPLATE starts from a migrated file.
set -euo pipefail  # pipefail: the tee below keeps schemathesis' own exit status
cd "$(dirname "$0")/.."
PY="${PY:-$PWD/.venv/bin/python}"
ST="${ST:-$PWD/.venv/bin/schemathesis}"
PORT="${FUZZ_PORT:-$((20000 + RANDOM % 20000))}"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-30}"
MIN_CASES="${FUZZ_MIN_CASES:-5000}"
SEED="${FUZZ_SEED:-$RANDOM}"
WORK="$(mktemp -d)"
export LINLI_MODE=embedded LINLI_VAR_DIR="${WORK}/var" LINLI_MEDIA_ROOT="${WORK}/media" LINLI_DEBUG=false
export LINLI_ALLOWED_HOSTS=127.0.0.1,localhost LINLI_LOG_LEVEL=ERROR
# The fuzzer sends thousands of requests a minute from one token: without this most would be answered
# 429 (a documented answer) and test nothing.
export LINLI_API_THROTTLE_USER=off LINLI_API_THROTTLE_IP=off
unset LINLI_DATABASE_URL LINLI_REDIS_URL || true
SERVER_PID=""
cleanup() {
  if [ -n "${SERVER_PID}" ]; then kill "${SERVER_PID}" 2>/dev/null || true; wait "${SERVER_PID}" 2>/dev/null || true; fi
  rm -rf "${WORK}"
}
trap cleanup EXIT

echo "== fresh database with the demo company (${WORK})"
# FUZZ_DB_TEMPLATE: a SQLite file migrated already (python -m linli.testdb sqlite PATH, as CI builds
# it); migrate then finds nothing to apply
if [ -n "${FUZZ_DB_TEMPLATE:-}" ]; then mkdir -p "${WORK}/var" && cp "${FUZZ_DB_TEMPLATE}" "${WORK}/var/linli.sqlite3"; fi
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_demo -v0 >/dev/null
TOKEN="$("$PY" manage.py create_api_token desk_yg --name fuzz | tail -n1)"

echo "== server on 127.0.0.1:${PORT}"
"$PY" manage.py runserver "127.0.0.1:${PORT}" --noreload --nothreading >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/api/openapi.json" 2>/dev/null && break
  sleep 1
done

echo "== schemathesis: ${MAX_EXAMPLES} examples per operation, seed ${SEED}"
status=0
# The document is fetched once with a generous timeout (it is built on the first request, which can
# take longer than schemathesis' own 10 s on a busy machine), then fuzzed from the file.
curl -fsS --max-time 120 -o "${WORK}/openapi.json" "http://127.0.0.1:${PORT}/api/openapi.json"
cd "${WORK}"  # schemathesis keeps its caches in the working directory, not in the repository
"$ST" --no-color run "${WORK}/openapi.json" --url "http://127.0.0.1:${PORT}" \
  --header "Authorization: Bearer ${TOKEN}" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "${MAX_EXAMPLES}" --seed "${SEED}" --workers 1 --suppress-health-check filter_too_much \
  --request-timeout 30 --generation-database none --report junit --report-dir "${FUZZ_REPORT_DIR:-${WORK}/report}" \
  "$@" 2>&1 | tee "${WORK}/schemathesis.out" || status=$?
# "Test cases: N generated, N passed": below FUZZ_MIN_CASES the run proves too little and fails
CASES="$(grep -oE '[0-9]+ generated' "${WORK}/schemathesis.out" | tail -n1 | grep -oE '[0-9]+' || echo 0)"
echo "== ${CASES} cases generated (at least ${MIN_CASES} required)"
if [ "${CASES}" -lt "${MIN_CASES}" ]; then
  echo "!! fewer cases than FUZZ_MIN_CASES=${MIN_CASES}: raise FUZZ_MAX_EXAMPLES"
  [ "${status}" -ne 0 ] || status=1
fi
if [ "${status}" -ne 0 ]; then
  echo "== server log (errors)"; grep -iE "error|traceback" -A3 "${WORK}/server.log" | tail -n 200 || true
fi
exit "${status}"
