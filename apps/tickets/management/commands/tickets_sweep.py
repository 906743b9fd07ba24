"""``manage.py tickets_sweep [--now 2026-11-23T09:05+08:00]`` — one pass of apps.tickets.sweeps."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.tickets import sweeps
from linli import clock


class Command(BaseCommand):
    help = "记录表投诉标记、日盘点提醒、意见箱漏开检查、告知业主进展提醒"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", help="ISO 8601 moment to run as (default: the clock)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            now = clock.parse_moment(options["now"]) if options.get("now") else clock.now()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = sweeps.run(now)
        self.stdout.write(f"记录表投诉 {result.record_forms} 件；日盘点提醒 {result.reminders} 条；"
                          f"告知业主进展提醒 {result.owner_update_reminders} 件")
        for code, days in result.missing_box_days.items():
            self.stdout.write(f"{code} 意见箱未开箱：{', '.join(d.isoformat() for d in days)}")
