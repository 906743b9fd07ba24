"""``manage.py load_demo``: the demo company with every module's demo data, in layer order
(estates, then tickets, visits, quality, portal). It lives in ``apps.home`` because it gathers
modules from every layer; each module keeps its own ``demo.py``."""
from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.activities.demo import load_demo_activities  # issue 22
from apps.assessments.demo import load_demo_assessments
from apps.audits.demo import load_demo_audits
from apps.cards.demo import load_demo_cards
from apps.desk.demo import load_demo_desk
from apps.escalation.demo import load_demo_escalation
from apps.estates import demo
from apps.fees.demo import load_demo_fees
from apps.improvement.demo import load_demo_improvement
from apps.inspections.demo import load_demo_inspections  # issue 22
from apps.org.models import Company
from apps.owners.demo import load_demo_owners
from apps.portal.demo import load_demo_publications
from apps.quality.demo import load_demo_ncrs
from apps.reports.demo import load_demo_reports
from apps.staffrecords.demo import load_demo_staffrecords  # issue 20: M19 staff records
from apps.tickets.demo import (
    load_demo_open_work,
    load_demo_pipeline_examples,
    load_demo_public_tickets,
    load_demo_tickets,
)
from apps.visits.demo import load_demo_programme, load_demo_visits
from apps.workdays.demo import load_demo_policies


class Command(BaseCommand):
    help = "载入演示公司（3 个项目、约 1,500 户、各岗位员工）。Load the deterministic demo company."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="只在数据库为空时载入")
        parser.add_argument("--no-tickets", action="store_true", help="不生成演示工单")
        parser.add_argument("--force", action="store_true",
                            help="生产模式下仍然载入（演示账号的密码是公开的，只用于试用环境）")

    def handle(self, *args: Any, seed: int, if_empty: bool, no_tickets: bool = False, force: bool = False,
               **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False) and not force:
            raise CommandError(
                "当前是生产模式（LINLI_MODE=production），拒绝载入演示数据：演示账号的密码公开在 README 中。"
                "请用 manage.py createsuperuser 创建管理员，再录入本公司的数据（见 docs/deploy.md）。"
                "只用于试用环境时，可加 --force 强制载入。")
        if not demo.is_empty():
            if if_empty:
                self.stdout.write("数据库已有数据，跳过演示数据。")
                return
            self.stderr.write("数据库已有公司数据；演示数据只能载入空数据库。")
            raise SystemExit(1)
        counts = demo.load_demo(seed)
        company = Company.objects.get(code="wanjia")
        tickets = 0 if no_tickets else load_demo_tickets(company, seed=seed)
        if tickets:  # issue 23 item 3: the public building's staff have work too
            tickets += load_demo_public_tickets(company, seed=seed)
            tickets += load_demo_open_work(company)  # and every department has something in its queue
            tickets += load_demo_pipeline_examples(company)  # issue 16: one of each pipeline record
        visits = 0 if no_tickets else load_demo_visits(company, seed=seed)
        if tickets:
            load_demo_escalation(company)  # staff confirm the suggested same-complaint groups (R-M3-04)
            load_demo_ncrs(company)
        if not no_tickets:
            load_demo_programme(company)  # issue 22: visit plans, cycles, summary
            load_demo_inspections(company)
            load_demo_activities(company)
            # issue 23 item 3: the fixed reports of the recent past (handed in, approved, one awaiting its
            # approver, this month's drafts) and the case library; the notice board then carries the
            # approved bulletins
            load_demo_reports(company)
            load_demo_publications(company)
            load_demo_owners(company)  # issue 19: a 业委会 member with forwarded forms, SMS preferences
            load_demo_improvement(company, seed=seed)  # issue 18: surveys (completed + running) and plans
        # issue 21: IC cards and door codes, half a year of bills with arrears, a decoration and keys out
        load_demo_cards(company)
        load_demo_fees(company, seed=seed)
        load_demo_desk(company)
        # issue 20: last month's staff assessment sheets, one audit per project (pre-checks read the above)
        load_demo_assessments(company)
        load_demo_audits(company)
        load_demo_staffrecords(company)
        load_demo_policies(company)  # issue 17 item 3: the company's own reply policy and compensation limits
        self.stdout.write(self.style.SUCCESS(
            f"演示公司已载入：{counts['projects']} 个项目，{counts['households']} 户，"
            f"{counts['persons']} 位业主/住户，{counts['staff']} 名员工，近三周 {tickets} 张诉求工单，今年 {visits} 次业主走访。"))
