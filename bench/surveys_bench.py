"""Benchmark: satisfaction surveys at company scale (issue 18 "Performance").

    .venv/bin/python bench/surveys_bench.py [--scale tiny|small|company] [--db sqlite:///…|postgres://…/name]

Builds a throw-away database with the test cast, then N projects of 1,000 households each in 10
buildings (small/company: 300 projects = 300,000 households; tiny: 10 projects). Measures:

1. issuing one campaign to every project with the stratified sample drawn at once
   (``apps.surveys.actions.issue_campaign``: minimum per project, deadlines, sample rows) — target < 10 s.
   The writes are set-based: the project surveys (with history) and deadlines in bulk, the sample rows
   in multi-row INSERTs (it was one INSERT per sampled household, ~90,000 statements at 300 projects,
   plus four statements per project: 12.8 s under load); the query count is printed;
2. the rates of the whole campaign: every sampled questionnaire distributed and recovered with answers
   (generated in bulk, not timed), then ``queries.rates`` / ``line_rates`` / ``item_rates`` /
   ``building_rates`` of every project plus the home page's ``dashboard_flags`` — counted in SQL
   queries per project survey (must not grow with households) and timed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import add_bench_args, bench_line, prepare_database, scaled, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    add_bench_args(parser, "surveys")
    args = parser.parse_args()
    n_projects = scaled(args.scale, 10, 300, 300)
    per_project = 1000
    prepare_database(args.db)
    setup_django(args.db)

    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from apps.estates.models import Building, Household
    from apps.org.models import Membership, Project
    from apps.org.roles import Role
    from apps.org.tests.factories import build_cast
    from apps.surveys import actions, queries
    from apps.surveys.models import SampledHousehold, SurveyAnswer
    from linli import clock

    cast = build_cast()
    now = dt.datetime(2025, 9, 26, 9, tzinfo=clock.SHANGHAI)
    t0 = time.perf_counter()
    with transaction.atomic():
        projects = Project.objects.bulk_create([
            Project(company=cast.company, code=f"B{i:03d}", name=f"基准项目{i}",
                    handover_date=dt.date(2015 + i % 10, 6, 1)) for i in range(n_projects)])
        buildings = Building.objects.bulk_create([Building(project=p, name=f"{b}栋", sort_key=b)
                                                  for p in projects for b in range(1, 11)])
        batch: list[Household] = []
        for b in buildings:
            for k in range(per_project // 10):
                batch.append(Household(project_id=b.project_id, building=b, room_no=str(1001 + k),
                                       label=f"{b.name}{1001 + k}"))
            if len(batch) >= 20_000:
                Household.objects.bulk_create(batch, batch_size=5000)
                batch = []
        Household.objects.bulk_create(batch, batch_size=5000)
        Membership.objects.bulk_create([Membership(user=cast.supervisor, company=cast.company, project=p,
                                                   role=Role.CS_SUPERVISOR) for p in projects])
    print(f"database: {connection.vendor}; {n_projects} projects, {Household.objects.count():,} households "
          f"(generated in {time.perf_counter() - t0:.1f} s)")

    from apps.surveys.tests.conftest import build_questionnaire

    q = build_questionnaire(cast.company, cast.supervisor, now - dt.timedelta(days=30))
    t0, c0 = time.perf_counter(), time.process_time()
    with transaction.atomic(), CaptureQueriesContext(connection) as issuing:
        campaign = actions.issue_campaign(company=cast.company, title="基准调查", questionnaire=q,
                                          received_on=now.date(), projects=projects,
                                          acting_user=cast.quality_inspector, now=now)
    t_sample, cpu_sample = time.perf_counter() - t0, time.process_time() - c0
    sampled = SampledHousehold.objects.filter(survey__campaign=campaign).count()
    print(f"issue + stratified sample: {n_projects} projects, {sampled:,} questionnaires in {t_sample:.2f} s "
          f"in {len(issuing.captured_queries)} queries (Python CPU {cpu_sample:.2f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")

    # generate the field work in bulk (not timed): all distributed and recovered, two answers each
    options = {o.key: o for o in q.options.all()}
    items = {i.code: i for i in q.items.all()}
    t0 = time.perf_counter()
    with transaction.atomic():
        SampledHousehold.objects.filter(survey__campaign=campaign).update(
            distributed_at=now, channel="paper", recovered_at=now + dt.timedelta(days=3), answered_via="keyed",
            overall_satisfied=(F("id") % 20 != 0))
        answers = []
        for pk in SampledHousehold.objects.filter(survey__campaign=campaign).values_list("id", flat=True).iterator():
            o = options[1 if pk % 20 else 4]
            answers.append(SurveyAnswer(response_id=pk, item=items["overall"], option=o, satisfied=o.satisfied))
            e = options[1 if pk % 4 else 3]
            answers.append(SurveyAnswer(response_id=pk, item=items["eng_speed"], option=e, satisfied=e.satisfied))
            if len(answers) >= 20_000:
                SurveyAnswer.objects.bulk_create(answers, batch_size=5000)
                answers = []
        SurveyAnswer.objects.bulk_create(answers, batch_size=5000)
    print(f"generated {SurveyAnswer.objects.count():,} answers in {time.perf_counter() - t0:.1f} s")

    surveys = list(campaign.project_surveys.select_related("project", "campaign__questionnaire"))
    policy = queries.policy_for(surveys[0].project)
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        for ps in surveys:
            r = queries.rates(ps, policy)
            queries.line_rates(ps, policy)
            queries.item_rates(ps, policy)
            queries.building_rates(ps, policy)
    t_rates = time.perf_counter() - t0
    per_survey = len(ctx.captured_queries) / len(surveys)
    assert r.distributed == r.sampled and r.valid == r.sampled, r
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as whole:
        counts = queries.campaign_counts(campaign.pk)
    t_campaign = time.perf_counter() - t0
    assert len(counts) == n_projects and sum(c["valid"] for c in counts.values()) == sampled
    print(f"campaign counts of {n_projects} projects ({sampled:,} questionnaires): {t_campaign:.2f} s in "
          f"{len(whole.captured_queries)} query")
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as dash:
        flags = queries.dashboard_flags(list(Project.objects.filter(pk__in=[p.pk for p in projects])), now,
                                        clock.SHANGHAI)
    t_dash = time.perf_counter() - t0
    print(f"rates, lines, items, buildings of {len(surveys)} surveys: {t_rates:.2f} s, {per_survey:.1f} queries per "
          f"survey whatever its size; dashboard flags of {n_projects} projects: {t_dash:.2f} s in "
          f"{len(dash.captured_queries)} queries ({len(flags.below_target)} below target)")
    bench_line("surveys_sampling", f"{t_sample:.2f} s (CPU {cpu_sample:.2f} s, {len(issuing.captured_queries)} queries) "
               f"for {n_projects} projects / "
               f"{n_projects * per_project:,} households",
               "< 10 s", t_sample < 10)
    bench_line("surveys_rates", f"campaign of {n_projects} projects in {len(whole.captured_queries)} aggregate query "
               f"({t_campaign:.2f} s for {sampled:,} questionnaires); {per_survey:.0f} per project survey; "
               f"{len(dash.captured_queries)} for the company dashboard",
               "single aggregates (1 per campaign, ≤ 4 per survey, ≤ 5 for the dashboard)",
               len(whole.captured_queries) == 1 and per_survey <= 4 and len(dash.captured_queries) <= 5)


if __name__ == "__main__":
    main()
