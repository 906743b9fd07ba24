"""``manage.py import_calendar FILE [--year Y] [--source TEXT] [--now ISO]`` — load an official
holiday schedule (format: README "工作日历 · Calendar import"; P-25, T-03). All or nothing: any bad
row aborts the import with every row error listed in Chinese. The years in the file become
official and ``workdays.year_confirmed`` is published, so open provisional deadlines are recomputed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.workdays import actions
from linli import clock


class Command(BaseCommand):
    help = "导入国务院公布的节假日安排（休息日与调休上班日），导入后该年度日历为正式"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="文本/CSV 文件（UTF-8），“-” 表示标准输入")
        parser.add_argument("--year", type=int, help="只允许该年份的日期，并将该年标为正式")
        parser.add_argument("--source", default="", help="来源说明，如 国办发明电〔2026〕X号")
        parser.add_argument("--now", help="以该时刻运行（ISO 8601）")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            now = clock.parse_moment(opts["now"]) if opts["now"] else clock.now()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        path = opts["file"]
        try:
            if path == "-":
                import sys

                text = sys.stdin.read()
            else:
                text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取文件 {path}：{exc}") from exc
        source = opts["source"] or f"导入 {Path(path).name}"
        try:
            result = actions.import_calendar(text, year=opts["year"], source=source, by="manage.py", now=now)
        except actions.CalendarImportError as exc:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(
            f"已导入 {', '.join(map(str, result.years))} 年：休息日 {result.holidays} 天，调休上班日 {result.workdays} 天"
            f"（替换原有 {result.replaced} 条）"
        )
