"""Benchmark: monthly summary and dashboard queries of apps.reports.kpis on 2 million tickets (issue 7 item 7).

    .venv/bin/python bench/reports_kpi_bench.py [--tickets 2000000] [--projects 20] [--repeat 3]
        [--db postgres://postgres@127.0.0.1:5432/linli_bench_reports]

Builds a throw-away PostgreSQL database: migrations, the test cast plus extra projects, buildings,
households and categories, one real ticket made through ``receive_ticket`` as a template, then
``INSERT … SELECT generate_series`` clones it into N tickets over two years (kinds, channels,
statuses, validity, levels, categories, departments and households vary), with a respond and a
reply deadline per ticket and a return visit for most finished ones.

Prints the time of each KPI/dashboard call (median of ``--repeat``), and for the monthly summary
the ORM/KPI time against ONE hand-written SQL aggregate of the same figures, as a ratio. Asserts
that both give the same numbers; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import prepare_database as _prepare_database  # noqa: E402
from benchdb import TICKETS, add_bench_args, bench_line, needs_postgres, setup_django  # noqa: E402


def _timed(fn, repeat: int):  # type: ignore[no-untyped-def]
    result = fn()  # warm
    times = []
    for _ in range(repeat):
        s = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - s)
    return statistics.median(times), result


HAND_SQL = """
SELECT
  count(*)                                                             AS received,
  count(*) FILTER (WHERE t.kind = 'complaint')                         AS complaints,
  count(*) FILTER (WHERE t.kind = 'complaint' AND t.valid_complaint)   AS valid,
  count(*) FILTER (WHERE t.status = 'closed')                          AS closed,
  count(*) FILTER (WHERE t.escalation_level = 'hot')                   AS hot,
  count(*) FILTER (WHERE t.escalation_level = 'major')                 AS major,
  count(*) FILTER (WHERE r.id IS NOT NULL AND (r.met_at IS NOT NULL OR r.due_at < %(now)s)) AS resp_den,
  count(*) FILTER (WHERE r.id IS NOT NULL AND (r.met_at IS NOT NULL OR r.due_at < %(now)s)
                   AND r.met_in_time)                                  AS resp_num,
  count(*) FILTER (WHERE p.id IS NOT NULL AND (p.met_at IS NOT NULL OR p.due_at < %(now)s)) AS reply_den,
  count(*) FILTER (WHERE p.id IS NOT NULL AND (p.met_at IS NOT NULL OR p.due_at < %(now)s)
                   AND p.met_in_time)                                  AS reply_num
FROM tickets_ticket t
LEFT JOIN tickets_deadline r ON r.ticket_id = t.id AND r.stage = 'respond' AND r.cycle = 0
     AND r.cancelled_at IS NULL AND r.due_at IS NOT NULL
LEFT JOIN tickets_deadline p ON p.ticket_id = t.id AND p.stage = 'reply' AND p.cycle = 0
     AND p.cancelled_at IS NULL AND p.due_at IS NOT NULL
WHERE t.project_id = ANY(%(projects)s) AND t.received_at >= %(start)s AND t.received_at < %(end)s
  AND t.status <> 'voided'
"""


def print(*args, **kw):  # noqa: A001 - unbuffered progress when redirected to a file
    import builtins

    kw.setdefault("flush", True)
    builtins.print(*args, **kw)


def seed(args: argparse.Namespace, now: Any) -> list[int]:
    """Seed the database (see the module docstring); returns the project ids."""
    import datetime as dt

    from django.db import connection

    from apps.estates.models import Building, Household
    from apps.org.models import Project
    from apps.org.tests.factories import build_cast
    from apps.tickets import actions
    from apps.tickets.models import Category

    cast = build_cast()
    projects = [cast.project, cast.other_project]
    for i in range(args.projects - 2):
        projects.append(Project.objects.create(company=cast.company, code=f"B{i:02d}", name=f"基准项目{i:02d}"))
    cats = [Category.objects.create(company=cast.company, code=f"bench-{i}", name=n)
            for i, n in enumerate(["工程维修", "环境卫生", "安全管理", "客户服务", "收费", "绿化", "停车", "地产遗留"])]
    for p in projects:
        bs = Building.objects.bulk_create([Building(project=p, name=f"{b}栋") for b in range(1, 11)])
        Household.objects.bulk_create([Household(project=p, building=bs[h % 10], room_no=f"{h:04d}",
                                                 label=f"{h % 10 + 1}栋{h:04d}") for h in range(200)])
    template = actions.receive_ticket(project=cast.project, kind="complaint", channel="phone", content="模板：电梯停运",
                                      complainant_surname="李", phone="13800001111",
                                      agreed_feedback_at=now + dt.timedelta(hours=3), acting_user=cast.front_desk,
                                      now=now)
    t0 = time.perf_counter()
    n = args.tickets
    pids = [p.pk for p in projects]
    cat_ids = [c.pk for c in cats]
    with connection.cursor() as cur:
        # seeding only: skip per-row foreign-key triggers (the generated ids are valid by construction)
        cur.execute("SET session_replication_role = replica")
        # plain (non-constraint) indexes are rebuilt once after the load: faster than row by row
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('tickets_ticket', "
                    "'tickets_deadline', 'tickets_returnvisit') AND indexname NOT IN (SELECT conname FROM pg_constraint)")
        dropped = cur.fetchall()
        for name, _definition in dropped:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET synchronous_commit = off")
        cur.execute("SELECT id, project_id FROM estates_household ORDER BY id")
        hh = cur.fetchall()
        hh_ids = [h for h, _p in hh]
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'tickets_ticket' "
                    "AND table_schema = 'public' ORDER BY ordinal_position")
        tcols = [r[0] for r in cur.fetchall() if r[0] != "id"]
        # g → project g % P; household of that project: households are 200 per project in project order
        override = {
            "number": "'BR-' || lpad(g::text, 8, '0')",
            "received_at": "%(now)s::timestamptz - (g * interval '1 second' * (730 * 86400 / %(n)s::float))",
            "recorded_at": "%(now)s::timestamptz - (g * interval '1 second' * (730 * 86400 / %(n)s::float))",
            "project_id": f"(ARRAY{pids})[1 + g % {len(pids)}]",
            "household_id": f"CASE WHEN g % 7 = 0 THEN NULL ELSE (ARRAY{hh_ids})[1 + (g % {len(pids)}) * 200 "
                            f"+ (g / {len(pids)}) % 200] END",
            "category_id": f"(ARRAY{cat_ids})[1 + (g / 3) % {len(cat_ids)}]",
            "kind": "(ARRAY['complaint','complaint','repair','repair','repair','suggestion','consultation'])[1 + g % 7]",
            "channel": "(ARRAY['phone','visit','letter','email','online','phone'])[1 + (g / 7) % 6]",
            "status": "CASE WHEN g % 50 = 0 THEN 'voided' WHEN g % 10 < 7 THEN 'closed' WHEN g % 10 = 7 "
                      "THEN 'unresolved' ELSE 'handling' END",
            "valid_complaint": "(g % 13 = 0)",
            "escalation_level": "CASE WHEN g % 997 = 0 THEN 'major' WHEN g % 101 = 0 THEN 'hot' ELSE 'none' END",
            "developer_matter": "(g % 17 = 0)",
            "department_id": f"{cast.eng_dept.pk}",
            "closed_at": "CASE WHEN g % 10 < 8 AND g % 50 <> 0 THEN %(now)s::timestamptz - (g * interval '1 second' "
                         "* (730 * 86400 / %(n)s::float)) + ((g % 97) * interval '1 hour') END",
        }
        select = ", ".join(override.get(c, f"t.{c}") for c in tcols).replace(" % ", " %% ")
        cur.execute(f"INSERT INTO tickets_ticket ({', '.join(tcols)}) SELECT {select} "
                    f"FROM generate_series(1, %(n)s) g CROSS JOIN tickets_ticket t WHERE t.id = %(tid)s",
                    {"n": n, "now": now, "tid": template.pk})
        t1 = time.perf_counter()
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'tickets_deadline' "
                    "AND table_schema = 'public' ORDER BY ordinal_position")
        dcols = [r[0] for r in cur.fetchall() if r[0] != "id"]
        for stage, hours in (("respond", 24), ("reply", 48)):
            dl = {
                "ticket_id": "t.id", "stage": f"'{stage}'", "cycle": "0", "start_at": "t.received_at",
                "due_at": f"t.received_at + interval '{hours} hours'",
                "limit_due_at": f"t.received_at + interval '{hours} hours'", "agreed": "false",
                "warn_at": f"t.received_at + interval '{hours * 3 // 4} hours'",
                "met_at": f"CASE WHEN t.status IN ('closed','unresolved') THEN t.received_at + "
                          f"((t.id % {hours + 12}) * interval '1 hour') END",
                "met_in_time": f"CASE WHEN t.status IN ('closed','unresolved') THEN (t.id % {hours + 12}) <= {hours} END",
                "cancelled_at": "NULL", "provisional": "false", "rule": "'bench'", "policy_id": "NULL",
                "warned_at": "NULL", "breach_notified_at": "NULL", "created_at": "t.received_at",
            }
            cur.execute(f"INSERT INTO tickets_deadline ({', '.join(dcols)}) SELECT "
                        f"{', '.join(dl[c] for c in dcols)} FROM tickets_ticket t WHERE t.number LIKE 'BR-%%'")
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'tickets_returnvisit' "
                    "AND table_schema = 'public' ORDER BY ordinal_position")
        rcols = [r[0] for r in cur.fetchall() if r[0] != "id"]
        rv = {"ticket_id": "t.id", "cycle": "0", "outcome": "'done'", "method": "'phone'",
              "satisfaction": "(ARRAY['satisfied','satisfied','satisfied','basic','unsatisfied'])[1 + t.id % 5]",
              "owner_words": "''", "visitor_id": "NULL", "completed_at": "t.closed_at",
              "open_question": "''", "answer_due_at": "NULL", "answered_at": "NULL", "answer": "''"}
        missing = [c for c in rcols if c not in rv]
        assert not missing, f"tickets_returnvisit has new columns, give them a value here: {missing}"
        cur.execute(f"INSERT INTO tickets_returnvisit ({', '.join(rcols)}) SELECT {', '.join(rv[c] for c in rcols)} "
                    "FROM tickets_ticket t WHERE t.number LIKE 'BR-%%' AND t.status = 'closed' AND mod(t.id, 9) <> 0")
        t2 = time.perf_counter()
        for _name, definition in dropped:
            cur.execute(definition)
        print(f"  rebuilt {len(dropped)} indexes in {time.perf_counter() - t2:.0f} s")
        cur.execute("SET session_replication_role = DEFAULT")
        cur.execute("ANALYZE")
        cur.execute("SELECT count(*) FROM tickets_ticket")
        total = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM tickets_deadline")
        n_dl = cur.fetchone()[0]
    print(f"seeded {total:,} tickets ({n_dl:,} deadlines) in {time.perf_counter() - t0:.0f} s "
          f"(tickets {t1 - t0:.0f} s); {len(projects)} projects")

    return pids


def main() -> None:
    parser = argparse.ArgumentParser()
    add_bench_args(parser, "reports")
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database (timings only)")
    args = parser.parse_args()
    args.tickets = args.tickets or TICKETS[args.scale]
    if needs_postgres(args.db, [("dashboard_vs_hand_sql", "≤ 2×"), ("overdue_by_project", "≤ 100 ms")]):
        return
    t_all = time.perf_counter()
    if not args.reuse:
        _prepare_database(args.db)
    setup_django(args.db)

    import datetime as dt

    from django.db import connection

    from apps.org.models import Project
    from apps.reports import dashboard, kpis
    from linli import clock

    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=clock.SHANGHAI)
    clock.set_now(now)
    if not (args.reuse and Project.objects.exists()):
        seed(args, now)
    projects = list(Project.objects.order_by("pk"))
    pids = [p.pk for p in projects]
    first_project = projects[0]

    month = kpis.Scope.for_dates([first_project.pk], dt.date(2026, 10, 1), dt.date(2026, 10, 31), now=now)
    company_month = kpis.Scope.for_dates(pids, dt.date(2026, 10, 1), dt.date(2026, 10, 31), now=now)
    company_year = kpis.Scope.for_dates(pids, dt.date(2025, 11, 1), dt.date(2026, 10, 31), now=now)
    same_codes = ("received", "valid_complaint_rate", "closure_rate", "hot_major", "response_on_time_rate",
                  "reply_on_time_rate")

    def orm_figures(scope: kpis.Scope) -> dict[str, int]:
        r = {k.code: k.counts for k in kpis.all_kpis(scope, same_codes)}
        return {"received": r["received"]["all"], "complaints": r["valid_complaint_rate"]["denominator"],
                "valid": r["valid_complaint_rate"]["numerator"], "closed": r["closure_rate"]["numerator"],
                "hot": r["hot_major"]["hot"], "major": r["hot_major"]["major"],
                "resp_den": r["response_on_time_rate"]["denominator"],
                "resp_num": r["response_on_time_rate"]["numerator"],
                "reply_den": r["reply_on_time_rate"]["denominator"], "reply_num": r["reply_on_time_rate"]["numerator"]}

    def hand_figures(scope: kpis.Scope) -> dict[str, int]:
        with kpis.no_jit(), connection.cursor() as cur:  # same session settings as the KPI code
            cur.execute(HAND_SQL, {"now": scope.now, "projects": list(scope.project_ids), "start": scope.start,
                                   "end": scope.end})
            names = [c.name for c in cur.description]
            return dict(zip(names, cur.fetchone(), strict=True))

    ratios: dict[str, float] = {}
    print(f"\nmonthly summary figures (median of {args.repeat}):")
    for label, scope in (("one project, one month", month), ("all projects, one month", company_month),
                         ("all projects, twelve months", company_year)):
        t_orm, a = _timed(lambda s=scope: orm_figures(s), args.repeat)
        t_sql, b = _timed(lambda s=scope: hand_figures(s), args.repeat)
        assert a == b, (a, b)
        ratios[label] = t_orm / t_sql
        print(f"  {label:<30} KPI functions {t_orm * 1000:8.1f} ms   hand SQL {t_sql * 1000:8.1f} ms   "
              f"ratio {t_orm / t_sql:5.2f}   ({a['received']:,} tickets)")

    print(f"\nfull KPI set and dashboard queries (median of {args.repeat}):")
    calls = [
        ("all 12 KPIs incl. working-hours p90, project-month", lambda: kpis.all_kpis(month)),
        ("all 12 KPIs incl. working-hours p90, company-month", lambda: kpis.all_kpis(company_month)),
        ("handling time avg+p90 (working h), company-month", lambda: kpis.handling_time(company_month)),
        ("trend by month, company, 12 months", lambda: kpis.trend(company_year, unit="month")),
        ("trend by week, company, 12 months", lambda: kpis.trend(company_year, unit="week")),
        ("by category, company-month", lambda: kpis.breakdown(company_month, "category")),
        ("by department, company-month", lambda: kpis.breakdown(company_month, "department")),
        ("heat map by building, project-month", lambda: kpis.breakdown(month, "building")),
        ("overdue now by project, company-12-months", lambda: kpis.breakdown(company_year, "project",
                                                                            code="overdue_now")),
        ("reply on-time rate per channel, company-month", lambda: kpis.rate_by(company_month, "reply_on_time_rate",
                                                                               "channel")),
        ("repeat complaints, project-month", lambda: kpis.compute("repeat_complaints", month)),
        ("whole dashboard JSON, project manager (project-month)", lambda: dashboard.dashboard_data(month)),
        ("whole dashboard JSON, quality dept (company-month)", lambda: dashboard.dashboard_data(company_month)),
    ]
    timings: dict[str, float] = {}
    for label, fn in calls:
        t, _r = _timed(fn, args.repeat)
        timings[label] = t
        print(f"  {label:<52} {t * 1000:9.1f} ms")
    print(f"\ntotal run {time.perf_counter() - t_all:.0f} s")
    worst = max(ratios, key=lambda k: ratios[k])
    bench_line("dashboard_vs_hand_sql", f"{ratios[worst]:.2f}× ({worst}, {args.tickets:,} tickets)", "≤ 2×",
               ratios[worst] <= 2)
    overdue = timings["overdue now by project, company-12-months"]
    bench_line("overdue_by_project", f"{overdue * 1000:.0f} ms ({args.tickets:,} tickets)", "≤ 100 ms",
               overdue <= 0.1)


if __name__ == "__main__":
    main()
