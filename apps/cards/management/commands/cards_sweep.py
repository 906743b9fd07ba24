"""``manage.py cards_sweep [--now …]`` — open card-retrieval tasks for staff transferred or gone (R-M11-05)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.cards import actions
from linli import clock


class Command(BaseCommand):
    help = "为调岗、离职员工的IC卡开立收回任务"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", help="ISO 8601 moment to run as (default: the clock)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            now = clock.parse_moment(options["now"]) if options.get("now") else clock.now()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():
            n = actions.open_retrieval_tasks(now=now)
        self.stdout.write(f"新开IC卡收回任务 {n} 项")
