"""Print the repair measures (on-time arrival / completion, quality pass, return-visit rate).

    manage.py repair_measures [--from 2026-11] [--to 2026-11] [--project YG] [--group worker] [--now ISO]
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.org.models import Project
from apps.repairs import measures as ms
from linli import clock

GROUPS = ms.GROUPS


class Command(BaseCommand):
    help = "维修指标：到场及时率、完成及时率、维修合格率、回访率（按月/部门/人员）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="month_from", help="YYYY-MM (默认本月)")
        parser.add_argument("--to", dest="month_to", help="YYYY-MM (默认同 --from)")
        parser.add_argument("--project", action="append", help="项目代码，可重复；默认全部在管项目")
        parser.add_argument("--group", choices=sorted(GROUPS), default="department")
        parser.add_argument("--now", help="当前时间 (ISO 8601)，用于判定未完成的时限是否已超时")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            now = clock.parse_moment(opts["now"]) if opts["now"] else clock.now()
            today = now.astimezone(clock.SHANGHAI).date()
            start = dt.date.fromisoformat((opts["month_from"] or today.strftime("%Y-%m")) + "-01")
            last = dt.date.fromisoformat((opts["month_to"] or start.strftime("%Y-%m")) + "-01")
        except ValueError as exc:
            raise CommandError(f"参数格式不正确：{exc}") from exc
        projects = Project.objects.filter(active=True)
        if opts["project"]:
            projects = projects.filter(code__in=opts["project"])
            if projects.count() != len(set(opts["project"])):
                raise CommandError("未知的项目代码")
        end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        group_by = GROUPS[opts["group"]]
        rows = ms.repair_measures(projects=projects, start=start, end=end, as_of=now, group_by=group_by)

        def fmt(r: dict[str, Any]) -> str:
            return "—" if r["rate"] is None else f"{r['rate'] * 100:.1f}% ({r['hit']}/{r['total']})"

        self.stdout.write("\t".join([*group_by, "报修数", *(str(ms.LABELS[m]) for m in ms.MEASURES)]))
        for row in rows:
            if "label" in row:
                keys = ["合计"] + [""] * (len(group_by) - 1)
            else:
                keys = [str(row.get(g, "")) for g in group_by]
            self.stdout.write("\t".join([*keys, str(row["count"]), *(fmt(row[m]) for m in ms.MEASURES)]))
