from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.estates import demo
from apps.estates.models import Person, PersonKind
from apps.owners.models import CommitteeMember


class Command(BaseCommand):
    help = "打印演示账号。Print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo.demo_logins()
        if not rows:
            self.stdout.write("没有演示账号（数据库不是用 load_demo 建的）。")
            return
        site = str(getattr(settings, "LINLI_SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
        self.stdout.write(f"\n邻里 Linli 演示账号（密码均为 {demo.DEMO_PASSWORD}） — {site}/login/")
        for username, role, where in rows:
            self.stdout.write(f"  {username:<18} {role:<12} {where}")
        owners = demo_owner_logins()
        if owners:
            self.stdout.write(f"\n{OWNER_HEADER} — {site}/me/sign-in/")
            self.stdout.write("  （输入手机号获取验证码；演示环境的短信验证码打印在运行 make run 的终端里）")
            for phone, name, where in owners:
                self.stdout.write(f"  {phone:<18} {name:<12} {where}")


OWNER_HEADER = "业主账号（手机号＋短信验证码登录）"


def demo_owner_logins() -> list[tuple[str, str, str]]:
    """(phone, name, house) of one owner per demo project who has requests on record (issue 19): an owner
    signs in with the phone and the code the SMS backend prints."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()
    people = (Person.objects.filter(kind=PersonKind.OWNER, active=True, household__tickets__isnull=False)
              .exclude(phone="").select_related("project", "household").order_by("project__code", "household_id", "pk")
              .distinct())
    for person in people:
        if person.project_id in seen:
            continue
        seen.add(person.project_id)
        where = f"{person.project.name} {person.household.label}"
        if CommitteeMember.objects.filter(project=person.project, phone=person.phone, ended_at=None).exists():
            where += " · 业委会委员（/me/committee/）"
        rows.append((person.phone, person.name, where))
    return rows
