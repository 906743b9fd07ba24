"""Demo IC cards and door codes: the card officer and stand-in, owner/parking/staff cards in the register,
unit doors of the first building with a code change each quarter — the latest one notified only 5 days
ahead, so it shows as a nonconformity (AS-29) — and the issuing computer's password changes."""
from __future__ import annotations

import datetime as dt

from apps.cards import actions
from apps.cards.queries import quarter_bounds, quarter_of
from apps.estates.models import Building, Household
from apps.org.models import Company, Project, ProjectKind, User
from linli import clock


def load_demo_cards(company: Company, *, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    made = 0
    for project in Project.objects.filter(company=company, kind=ProjectKind.RESIDENTIAL).order_by("pk"):
        code = project.code.lower()
        desk = User.objects.filter(username=f"desk_{code}").first()
        manager = User.objects.filter(username=f"csmanager_{code}").first()
        stand_in = User.objects.filter(username=f"supervisor_{code}").first()
        if desk is None or manager is None:
            continue
        actions.name_officer(project=project, officer=desk, stand_in=stand_in, acting_user=manager, now=now)
        for i, hh in enumerate(Household.objects.filter(project=project).order_by("pk")[:12]):
            actions.issue_card(project=project, number=f"{project.code}-{i + 1:05d}", kind="owner",
                               holder_name=f"{hh.label}业主", household=hh, acting_user=desk, now=now)
            made += 1
            if i % 4 == 0:
                actions.issue_card(project=project, number=f"{project.code}-P{i + 1:04d}", kind="parking",
                                   holder_name=f"{hh.label}业主", household=hh, plate=f"粤B{10000 + i}",
                                   acting_user=desk, now=now)
                made += 1
        building = Building.objects.filter(project=project).order_by("sort_key", "pk").first()
        if building is None:
            continue
        local = now.astimezone(project.tz).date()
        year, quarter = quarter_of(local)
        this_start = quarter_bounds(year, quarter)[0]
        prev_start = quarter_bounds(*((year - 1, 4) if quarter == 1 else (year, quarter - 1)))[0]
        for unit in building.units.order_by("pk"):
            door = actions.add_door(project=project, building=building, unit=unit, name=f"{building.name}{unit.name}门",
                                    acting_user=desk, now=now)
            for effective, lead in ((prev_start, 8), (this_start, 5)):
                if effective > local:
                    continue
                change = actions.record_code_change(door=door, effective_on=effective, acting_user=desk, now=now)
                when = dt.datetime.combine(effective - dt.timedelta(days=lead), dt.time(10), project.tz)
                actions.record_code_notice(change=change, channel="mailbox", households_reached=0, at=when,
                                           note="信箱通知单", acting_user=desk, now=max(now, when))
        actions.record_password_change(project=project, changed_on=prev_start + dt.timedelta(days=3), changed_by=desk,
                                       acting_user=desk, now=now)
    return made
