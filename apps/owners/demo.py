"""Demo data of the owners' own Linli (issue 19 items 6 and 7), loaded after the tickets: in each
residential project the first demo owner login (the one ``print_demo_logins`` prints) sits on the
project's 业委会 and has forwarded two 业主投诉意见记录表 — one already handled, one just received —
and the second owner with requests has switched festival greetings and activity invitations off.
Through the real actions; deterministic for a "now"."""
from __future__ import annotations

import datetime as dt

from apps.estates.models import Person, PersonKind
from apps.org.models import Company, Membership, Project, User
from apps.org.roles import Role
from apps.owners import actions
from apps.owners.models import CommitteeMember
from linli import clock

FORMS = (
    ("complaint", "孙丽", "地下车库B2区照明长期不亮，夜间停车存在安全隐患，请尽快维修。", 3),
    ("suggestion", "周强", "建议在3栋和5栋之间的步道增设两张休息座椅，方便老人散步歇脚。", 0),
)


def _owners_with_requests(project: Project) -> list[Person]:
    return list(Person.objects.filter(project=project, kind=PersonKind.OWNER, active=True,
                                      household__tickets__isnull=False)
                .exclude(phone="").select_related("household").order_by("household_id", "pk").distinct()[:2])


def _cs_lead(project: Project) -> User:
    """Who appoints the committee in the demo: the project's 客服主管 (else its 客服经理/管理处经理)."""
    for role in (Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.PROJECT_MANAGER):
        row = Membership.objects.filter(project=project, role=role).select_related("user").order_by("pk").first()
        if row is not None:
            return row.user
    raise LookupError(f"{project} has no customer-service lead")


def load_demo_owners(company: Company, *, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    count = 0
    for project in Project.objects.filter(company=company, kind="residential").order_by("code"):
        owners = _owners_with_requests(project)
        if not owners:
            continue
        chair = owners[0]
        if not CommitteeMember.objects.filter(project=project, phone=chair.phone, ended_at=None).exists():
            member = actions.appoint_committee_member(project=project, phone=chair.phone, name=chair.name,
                                                      title="业委会委员", acting_user=_cs_lead(project),
                                                      now=now - dt.timedelta(days=30))
            account = actions.open_account(phone=chair.phone, now=now - dt.timedelta(days=30))
            for kind, name, content, days_ago in FORMS:
                at = (now - dt.timedelta(days=days_ago)).astimezone(project.tz).replace(hour=10, minute=30)
                with clock.frozen(at):
                    actions.forward_committee_form(account=account, member=member, kind=kind, content=content,
                                                   complainant_name=name, complainant_phone="13511112222",
                                                   room=chair.household.label if chair.household else "",
                                                   filled_on=at.date() - dt.timedelta(days=1), now=at)
                count += 1
        if len(owners) > 1:
            account = actions.open_account(phone=owners[1].phone, now=now)
            actions.set_sms_preferences(account=account, enabled=["requests", "service", "fees", "surveys", "reminders"], now=now)
            count += 1
    return count
