"""``manage.py similarity_backfill [--now ISO] [--batch N] [--project ID …]`` — store the
same-complaint signatures (packed vectors and the gram index) of complaints that have none yet.

Complaints recorded before signatures existed, or before the company's synonym table changed, are
otherwise scored from their text on every check (correct, only slower: docs/similarity.md "Speed").
Batched (one transaction per batch, under the project's grouping lock, so intake can run meanwhile)
and resumable: a complaint stored by an earlier run is skipped, so an interrupted run continues where it
stopped. ``--now`` replays a moment (T-01) for the watermark's grace period.
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.escalation import actions
from apps.org.models import Project
from linli import clock


class Command(BaseCommand):
    help = "补齐历史投诉的相同投诉特征（分批、可中断后继续）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="以该时刻运行（ISO 8601，如 2026-11-30T09:00+08:00）")
        parser.add_argument("--batch", type=int, default=500, help="每批投诉数（默认 500）")
        parser.add_argument("--project", type=int, nargs="*", help="只处理这些项目（编号）")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            now = clock.parse_moment(opts["now"]) if opts["now"] else clock.now()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if opts["batch"] < 1:
            raise CommandError("--batch 须为正整数")
        projects = Project.objects.order_by("pk")
        if opts["project"]:
            projects = projects.filter(pk__in=opts["project"])
        total = 0
        for project in projects:
            done, last = 0, 0
            while True:
                stored, last_id = actions.backfill_signatures(project, now=now, batch=opts["batch"], after_id=last)
                if last_id is None:
                    break
                done, last = done + stored, last_id
            if done:
                self.stdout.write(f"{project.code}: {done}")
            total += done
        self.stdout.write(f"similarity_backfill: {total}")
