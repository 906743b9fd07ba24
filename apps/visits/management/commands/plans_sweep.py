"""``manage.py plans_sweep [--now ISO]`` — remind the people responsible for planned work (inspection
rounds, visit plans and cycles, community activities) before and at the due date. Production runs the
same function from Celery beat (``apps.visits.tasks.plans_sweep``); running it again changes nothing."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.visits.agenda import sweep
from linli import clock


class Command(BaseCommand):
    help = "计划事项巡检：到期前与逾期时提醒负责人（可重复运行，不会重复通知）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="以该时刻运行（ISO 8601，如 2026-11-30T09:00+08:00）")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            moment = clock.parse_moment(opts["now"]) if opts["now"] else clock.now()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(sweep(moment)))
