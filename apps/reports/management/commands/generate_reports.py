"""``manage.py generate_reports [--now ISO] [--company CODE] [--no-refresh]`` — the reporting sweep.

Creates the drafts of the fixed reports that are due (SPEC M5; idempotent: one draft per duty and
period however often it runs), refreshes the figures of drafts nobody has submitted yet, and
reminds the responsible people before each due date and when a report is late (deduplicated).
``--now`` replays a moment (T-01: a value without offset is read in Asia/Shanghai).
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.org.models import Company
from apps.reports import actions
from linli import clock


class Command(BaseCommand):
    help = "生成到期报告草稿、刷新草稿数据并发送报告提醒（可重复运行，不会重复生成或提醒）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="以该时刻运行（ISO 8601，如 2026-11-25T09:00+08:00）")
        parser.add_argument("--company", help="只处理该公司（代码）")
        parser.add_argument("--no-refresh", action="store_true", help="不刷新已有草稿的数据")

    def handle(self, *args: Any, **opts: Any) -> None:
        now = clock.now()
        if opts["now"]:
            try:
                now = clock.parse_moment(opts["now"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        companies = Company.objects.all().order_by("pk")
        if opts["company"]:
            companies = companies.filter(code=opts["company"])
            if not companies.exists():
                raise CommandError(f"没有代码为 {opts['company']} 的公司")
        for company in companies:
            with transaction.atomic():
                result = actions.generate_due(company, now, refresh=not opts["no_refresh"])
            self.stdout.write(f"{company.name}: 新建草稿 {len(result.created)}，刷新草稿 {len(result.refreshed)}，"
                              f"提醒 {result.reminded}")
            for r in result.created:
                self.stdout.write(f"  + {r.title}")
            for why in result.skipped:
                self.stdout.write(f"  ! {why}")
