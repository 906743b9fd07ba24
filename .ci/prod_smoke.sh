#!/usr/bin/env bash
# Production smoke test (issue 14 item 1): Linli with production settings on the local PostgreSQL and
# Redis — check --deploy, migrate, collectstatic (manifest storage), gunicorn, a Celery worker and beat;
# log in, open every top-level page and /api/docs with every static file they reference, file a ticket
# through the page and through the API (token from create_api_token), /healthz 200 with a fresh beat
# heartbeat, beat's sweep and heartbeat run by the worker. Fails on any 5xx, missing static file, dead
# process or periodic task that did not run. Cleans up everything it started (trap).
#
# Needs: PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379.
# Uses its own database (dropped at the end) and Redis databases PROD_SMOKE_REDIS_DB and +1 (flushed).
# PROD_SMOKE_DB_TEMPLATE: a PostgreSQL database migrated already in this run (CI's test template, made by
# Django's migrate: python -m linli.testdb postgres …); the database starts as its copy, and migrate
# then checks that nothing is left to apply. Without it, every migration runs here.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
REDIS_DB=${PROD_SMOKE_REDIS_DB:-12}
CACHE_DB=$((REDIS_DB + 1))
DB="linli_prod_smoke_$$"
WORK=$(mktemp -d -t linli-prod-smoke.XXXXXX)
PORT=$("$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()")
PIDS=()

log() { printf '[%3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
fail() { log "FAIL: $*"; exit 1; }

cleanup() {
  rc=$?
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ]; then
    for f in gunicorn worker beat; do
      [ -f "$WORK/$f.log" ] && { echo "---- last lines of $f.log"; tail -n 40 "$WORK/$f.log"; }
    done
  fi
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -n "$REDIS_DB" flushdb >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -n "$CACHE_DB" flushdb >/dev/null 2>&1 || true
  rm -rf "$WORK"
  log "cleaned up (database ${DB} dropped, Redis DB ${REDIS_DB}/${CACHE_DB} flushed); rc=$rc"
}
trap cleanup EXIT

export LINLI_MODE=production
LINLI_SECRET_KEY=$("$PY" -c "import secrets; print(secrets.token_urlsafe(50))")
export LINLI_SECRET_KEY
export LINLI_ALLOWED_HOSTS=127.0.0.1,localhost
export LINLI_CSRF_TRUSTED_ORIGINS="https://127.0.0.1:${PORT}"
export LINLI_SITE_URL="https://127.0.0.1:${PORT}"
export LINLI_DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB}"
export LINLI_REDIS_URL="redis://127.0.0.1:6379/${REDIS_DB}"
export LINLI_CACHE_URL="redis://127.0.0.1:6379/${CACHE_DB}"
export LINLI_STATIC_ROOT="$WORK/static" LINLI_MEDIA_ROOT="$WORK/media" LINLI_VAR_DIR="$WORK/var"
export LINLI_LOG_LEVEL=WARNING
export LINLI_SMS_BACKEND=none
unset DJANGO_SETTINGS_MODULE LINLI_DEBUG LINLI_EMAIL_BACKEND LINLI_JOBS_INLINE || true
mkdir -p "$WORK/var" "$WORK/static"

log "dependencies: pip check, production entry points import"
"$BIN/pip" check >/dev/null || fail "pip check"
"$PY" -c "import kombu.transport.redis, gunicorn, psycopg, whitenoise, weasyprint, linli.wsgi, linli.celery" \
  || fail "a production entry point does not import"

pg_isready -h 127.0.0.1 -p 5432 -q || fail "PostgreSQL is not reachable on 127.0.0.1:5432"
[ "$(redis-cli -h 127.0.0.1 ping)" = PONG ] || fail "Redis is not reachable on 127.0.0.1:6379"
redis-cli -h 127.0.0.1 -n "$REDIS_DB" flushdb >/dev/null
redis-cli -h 127.0.0.1 -n "$CACHE_DB" flushdb >/dev/null
if [ -n "${PROD_SMOKE_DB_TEMPLATE:-}" ]; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${DB} TEMPLATE ${PROD_SMOKE_DB_TEMPLATE}" >/dev/null
  log "database ${DB}: a copy of ${PROD_SMOKE_DB_TEMPLATE}, migrated earlier in this run"
else
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${DB}" >/dev/null
fi

log "manage.py check --deploy"
"$PY" manage.py check --deploy --fail-level WARNING >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log"; fail "check --deploy"; }
log "manage.py migrate, and collectstatic (manifest storage) beside it"
"$PY" manage.py collectstatic --noinput >"$WORK/collectstatic.log" 2>&1 &
COLLECT=$!
PIDS+=("$COLLECT")
"$PY" manage.py migrate --noinput >"$WORK/migrate.log" 2>&1 || { tail -20 "$WORK/migrate.log"; fail "migrate"; }
log "migrate: $(grep -c '  Applying' "$WORK/migrate.log") migrations applied"

log "celery worker and beat"
"$BIN/celery" -A linli worker -l info --concurrency 2 -n "smoke-$$@%h" >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
"$BIN/celery" -A linli beat -l info -s "$WORK/var/celerybeat-schedule" --pidfile= >"$WORK/beat.log" 2>&1 &
PIDS+=($!)
BEAT_STARTED=$(date +%s)

wait "$COLLECT" || { tail -20 "$WORK/collectstatic.log"; fail "collectstatic"; }
[ -f "$WORK/static/staticfiles.json" ] || fail "collectstatic wrote no staticfiles.json"
log "collectstatic: $(tail -n 1 "$WORK/collectstatic.log")"
# WhiteNoise indexes the static files when a gunicorn worker boots: start it after collectstatic
log "gunicorn on 127.0.0.1:${PORT}"
"$BIN/gunicorn" linli.wsgi -w 2 -b "127.0.0.1:${PORT}" --timeout 120 --access-logfile "$WORK/access.log" \
  >"$WORK/gunicorn.log" 2>&1 &
PIDS+=($!)

log "manage.py load_demo (refused without --force, then forced)"
if "$PY" manage.py load_demo --no-tickets >"$WORK/refused.log" 2>&1; then fail "load_demo ran in production without --force"; fi
grep -q "生产模式" "$WORK/refused.log" || fail "load_demo refusal message"
"$PY" manage.py load_demo --force >"$WORK/demo.log" 2>&1 || { tail -20 "$WORK/demo.log"; fail "load_demo --force"; }
log "$(tail -n 1 "$WORK/demo.log")"
TOKEN=$("$PY" manage.py create_api_token desk_yg --name smoke 2>/dev/null | tail -n 1)
[ ${#TOKEN} -ge 20 ] || fail "create_api_token printed no token"
PROJECT_ID=$("$PY" manage.py shell -c "from apps.org.models import Project; print(Project.objects.get(code='YG').pk)" 2>/dev/null | tail -n 1)

for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/healthz?scope=web" 2>/dev/null && break; sleep 0.5
done

for i in 1 2 3; do kill -0 "${PIDS[$i]}" 2>/dev/null || fail "process ${i} (worker, beat, gunicorn) is not running"; done
"$BIN/celery" -A linli inspect ping -d "smoke-$$@$(hostname)" -t 10 >/dev/null 2>&1 || fail "the worker does not answer inspect ping"

log "pages, static files, API (client as behind a TLS proxy)"
PORT=$PORT TOKEN=$TOKEN PROJECT_ID=$PROJECT_ID BEAT_STARTED=$BEAT_STARTED "$PY" - <<'PYEOF' || fail "HTTP checks"
import http.cookiejar, json, os, re, sys, time, urllib.error, urllib.parse, urllib.request, uuid, datetime as dt

BASE = f"http://127.0.0.1:{os.environ['PORT']}"
ORIGIN = f"https://127.0.0.1:{os.environ['PORT']}"
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
problems: list[str] = []
refused: list[str] = []
seen_static: dict[str, int] = {}
counts: dict[int, int] = {}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


class Client:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()

    def cookies(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)  # Secure cookies returned on the proxy hop

    def request(self, method, path, data=None, headers=None):
        h = {**PROXY, "Referer": ORIGIN + "/", "Origin": ORIGIN, **(headers or {})}
        if self.jar:
            h["Cookie"] = self.cookies()
        req = urllib.request.Request(BASE + path, data=data, method=method, headers=h)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            resp = opener.open(req, timeout=60)
            status, body, hdrs = resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as exc:
            status, body, hdrs = exc.code, exc.read(), exc.headers
        for raw in hdrs.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            self.jar.set_cookie(http.cookiejar.Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/",
                                                      True, False, None, False, None, None, {}))
        counts[status] = counts.get(status, 0) + 1
        if 400 <= status < 500 and status != 422:
            refused.append(f"{path} {status}")
        if status >= 500:
            problems.append(f"{method} {path} → {status}")
        return status, body.decode("utf-8", "replace"), hdrs

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields):
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})


def csrf(html):
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return m.group(1) if m else ""


def check_static(client, html):
    for ref in set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html)):
        if ref not in seen_static:
            seen_static[ref] = client.get(ref)[0]
            if seen_static[ref] != 200:
                problems.append(f"static file {ref} → {seen_static[ref]}")


def login(username):
    c = Client()
    status, html, _ = c.get("/login/")
    assert status == 200, f"/login/ {status}"
    status, _, hdrs = c.post_form("/login/", {"csrfmiddlewaretoken": csrf(html), "username": username,
                                              "password": "linli-demo-2026"})
    if status != 302:
        problems.append(f"login {username} → {status}")
    return c


# plain-HTTP probe (no proxy header): healthz answers, pages redirect to HTTPS
probe = urllib.request.build_opener(NoRedirect)
try:
    probe.open(BASE + "/login/", timeout=10)
    problems.append("plain HTTP /login/ was not redirected")
except urllib.error.HTTPError as exc:
    if exc.code != 301:
        problems.append(f"plain HTTP /login/ → {exc.code}")

opened = 0
for user in ("desk_yg", "quality"):
    c = login(user)
    status, home, _ = c.get("/")
    if status != 200:
        problems.append(f"{user}: home → {status}")
    check_static(c, home)
    nav = re.search(r"<nav.*?</nav>", home, re.S)
    links = sorted({h for h in re.findall(r'href="(/[^"#?]*)"', nav.group(0) if nav else home)
                    if not h.startswith(("/static/", "/logout", "/i18n/"))})
    for path in links + ["/api/docs", "/api/openapi.json", "/notify/deliveries/", "/portal/YG/", "/admin/login/"]:
        status, html, _ = c.get(path)
        opened += 1
        if status == 200 and path != "/api/openapi.json":
            check_static(c, html)
        elif status not in (200, 302, 403, 404):
            problems.append(f"{user}: {path} → {status}")
    print(f"  {user}: {len(links)} navigation links + 5 more pages opened")

# a ticket through the page (desk_yg)
c = login("desk_yg")
status, html, _ = c.get("/tickets/new/")
key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="submission_key"', html)
feedback = (dt.datetime.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT10:00")
status, body, hdrs = c.post_form("/tickets/new/", {
    "csrfmiddlewaretoken": csrf(html), "submission_key": key.group(1) if key else uuid.uuid4().hex,
    "kind": "complaint", "channel": "phone", "source": "project", "urgency": "normal",
    "complainant_surname": "王", "phone": "13800001234", "address": "阳光花园 5栋 1201",
    "content": "冒烟测试：楼道灯不亮（页面受理）", "agreed_feedback_at": feedback, "people_count": "1"})
if status != 302 or "/tickets/" not in (hdrs.get("Location") or ""):
    problems.append(f"page intake → {status} {re.findall(r'errorlist[^>]*>(.*?)</', body)[:3]}")
else:
    detail = c.get(hdrs["Location"])
    print(f"  page intake: {hdrs['Location']} → {detail[0]}")

# a ticket through the API with the token
payload = {"project": int(os.environ["PROJECT_ID"]), "kind": "complaint", "channel": "phone",
           "content": "冒烟测试：电梯异响（API 受理）", "complainant_surname": "李", "phone": "13800005678",
           "address": "阳光花园 3栋 802",
           "agreed_feedback_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()}
api = Client()
status, body, _ = api.request("POST", "/api/v1/tickets", json.dumps(payload).encode(),
                              {"Authorization": f"Bearer {os.environ['TOKEN']}", "Content-Type": "application/json",
                               "Idempotency-Key": str(uuid.uuid4())})
if status != 201:
    problems.append(f"API intake → {status} {body[:300]}")
else:
    print(f"  API intake: {json.loads(body).get('number') or json.loads(body).get('id')}")

# /healthz with a fresh beat heartbeat (beat's first heartbeat comes 30 s after it starts)
deadline = time.time() + 90
known = len(problems)
while True:
    status, body, _ = Client().get("/healthz")
    if status == 200 or time.time() > deadline:
        break
    time.sleep(2)
del problems[known:]  # 503 while waiting for beat's first heartbeat is expected; judged below
checks = json.loads(body)["checks"] if body.startswith("{") else body
if status != 200 or not isinstance(checks, dict) or "beat" not in checks:
    problems.append(f"/healthz → {status} {checks}")
else:
    print(f"  /healthz 200, beat heartbeat {checks['beat']['age_seconds']} s old, checks {sorted(checks)}")

print(f"  responses {dict(sorted(counts.items()))}; {len(seen_static)} static files, "
      f"{sum(1 for s in seen_static.values() if s == 200)} × 200")
if refused:
    print(f"  4xx (not failures: pages a role may not open): {sorted(set(refused))}")
if problems:
    print("PROBLEMS:\n  " + "\n  ".join(problems))
    sys.exit(1)
PYEOF

log "beat → worker: heartbeat and the escalation sweep ran"
for _ in $(seq 1 90); do
  grep -q "Task core.heartbeat\[.*\] succeeded" "$WORK/worker.log" \
    && grep -q "Task apps.escalation.tasks.run_sweeps\[.*\] succeeded" "$WORK/worker.log" && break
  sleep 1
done
grep -q "Task core.heartbeat\[.*\] succeeded" "$WORK/worker.log" || fail "the worker never ran beat's heartbeat"
grep -q "Task apps.escalation.tasks.run_sweeps\[.*\] succeeded" "$WORK/worker.log" || fail "the worker never ran beat's escalation sweep"
log "tasks succeeded in the worker:$(grep -oE 'Task [a-z_.]+\[[^]]*\] succeeded' "$WORK/worker.log" | cut -d' ' -f2 | cut -d[ -f1 | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
if grep -qE "Traceback|ERROR/|raised unexpected" "$WORK/worker.log" "$WORK/beat.log"; then
  grep -nE "Traceback|ERROR/|raised unexpected" "$WORK/worker.log" "$WORK/beat.log" | head -20
  fail "errors in the worker or beat log"
fi
# (a 503 of /healthz while beat's first heartbeat was still to come is expected; the wait judged it)
if grep -E '" 5[0-9][0-9] ' "$WORK/access.log" | grep -vq '"GET /healthz HTTP/1.1" 503 '; then
  grep -E '" 5[0-9][0-9] ' "$WORK/access.log" | grep -v '"GET /healthz HTTP/1.1" 503 ' | head; fail "5xx in the access log"
fi
if grep -q "Traceback" "$WORK/gunicorn.log"; then grep -n -A5 "Traceback" "$WORK/gunicorn.log" | head -40; fail "a traceback in the gunicorn log"; fi
for i in 1 2 3; do kill -0 "${PIDS[$i]}" 2>/dev/null || fail "process ${i} (worker, beat, gunicorn) died"; done

log "OK: production smoke passed in $(( $(date +%s) - START )) s"
