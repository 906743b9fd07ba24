"""Survey deadline warnings and breach notices (R-M10-04 … R-M10-08), the same way as the complaint
sweep (apps.escalation.sweep): each step claims one ``SurveyDeadline`` row with a compare-and-set
update, then tells the staff through ``apps.notify.actions.notify_staff`` with a ``dedupe_key`` — so
running it twice, or in two workers at once, notifies once.

- warning at ``warn_at`` (75% of the window) of an unmet stage: the project's 客服部 主管/经理 and
  管理处经理 (``Cap.RUN_SURVEYS``), plus the 客服专员/楼宇员 for distribution and recovery;
- breach when ``due_at`` passed unmet: the same people and 品质部 (``Cap.ISSUE_SURVEYS``).
Pushes wait for the project's working hours (R-M17-11); the in-app notice appears at once.
Called by ``manage.py surveys_sweep [--now]`` and the beat task ``apps.surveys.tasks.surveys_sweep``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from apps.notify.actions import notify_staff
from apps.org.models import Membership, Project, User
from apps.org.roles import ROLE_INFO, Cap
from apps.surveys.models import Stage, SurveyDeadline


def _roles_with(cap: str) -> list[str]:
    return [r for r, info in ROLE_INFO.items() if cap in info.caps]


def recipients(project: Project, stage: str, *, breach: bool) -> list[User]:
    roles = set(_roles_with(Cap.RUN_SURVEYS))
    if stage in (Stage.DISTRIBUTE, Stage.RECOVER):
        roles |= set(_roles_with(Cap.RECORD_SURVEYS))
    q = Q(project=project, role__in=roles)
    if breach:
        q |= Q(company_id=project.company_id, project=None, role__in=_roles_with(Cap.ISSUE_SURVEYS))
    users = {m.user.pk: m.user for m in Membership.objects.filter(q).select_related("user") if m.user.is_active}
    return list(users.values())


def _text(d: SurveyDeadline) -> tuple[str, str, str]:
    ps = d.survey
    due = d.due_at.astimezone(ps.project.tz).strftime("%Y-%m-%d %H:%M")
    return f"{ps.campaign.title}·{ps.project.name}", d.get_stage_display(), due


def _claimed(now: dt.datetime, *, breach: bool) -> SurveyDeadline | None:
    base = SurveyDeadline.objects.filter(met_at=None, survey__closed_at=None)
    if breach:
        d = base.filter(breach_notified_at=None, due_at__lte=now).order_by("due_at").first()
        if d is None:
            return None
        taken = SurveyDeadline.objects.filter(pk=d.pk, breach_notified_at=None).update(breach_notified_at=now)
    else:
        d = base.filter(warned_at=None, warn_at__lte=now).order_by("warn_at").first()
        if d is None:
            return None
        taken = SurveyDeadline.objects.filter(pk=d.pk, warned_at=None).update(warned_at=now)
    return d if taken == 1 else SurveyDeadline(pk=0)


def warn_one(now: dt.datetime) -> bool:
    d = _claimed(now, breach=False)
    if d is None:
        return False
    if not d.pk or d.due_at <= now:
        return True  # another worker took it, or already past due: the breach notice says it
    what, stage, due = _text(d)
    ps = d.survey
    notify_staff(recipients(ps.project, d.stage, breach=False), kind="survey_deadline_warning",
                 subject=f"即将超时：{what} {stage}", body=f"{stage}时限 {due}（{d.rule}）",
                 link=f"/surveys/{ps.pk}/", project=ps.project, dedupe_key=f"survey-warn:{d.pk}", now=now,
                 respect_working_hours=True)
    return True


def breach_one(now: dt.datetime) -> bool:
    d = _claimed(now, breach=True)
    if d is None:
        return False
    if not d.pk:
        return True
    what, stage, due = _text(d)
    ps = d.survey
    notify_staff(recipients(ps.project, d.stage, breach=True), kind="survey_deadline_breach",
                 subject=f"已超时：{what} {stage}", body=f"{stage}时限 {due} 已过（{d.rule}）",
                 link=f"/surveys/{ps.pk}/", project=ps.project, dedupe_key=f"survey-breach:{d.pk}", now=now,
                 respect_working_hours=True)
    return True


@dataclass
class SweepResult:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.counts.items())


def run(now: dt.datetime, *, limit: int = 10_000) -> SweepResult:
    """One pass: every due warning, then every breach (each claim in its own transaction)."""
    result = SweepResult()
    for name, one in (("survey_warnings", warn_one), ("survey_breaches", breach_one)):
        n = 0
        while n < limit:
            with transaction.atomic():
                if not one(now):
                    break
            n += 1
        result.counts[name] = n
    return result
