"""Household look-up for the intake form (房号 or phone tail), read-only over apps.estates.

Adapter: the estates app may grow its own search helper; until then this queries
``estates.Household``/``Person`` directly. Names are masked (R-M7-01): only the surname is shown,
phones never.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from apps.estates.models import Household, Person
from apps.org.models import Project

LIMIT = 8


@dataclass(frozen=True)
class HouseholdHit:
    pk: int
    label: str
    person_id: int | None
    surname: str
    person_masked: str
    open_count: int = 0


def search_households(project: Project, query: str, *, limit: int = LIMIT) -> list[HouseholdHit]:
    """``1502`` / ``5栋1502`` find by 房号; four digits also match a resident's phone tail."""
    text = "".join(query.split())
    if not text:
        return []
    cond = Q(label__icontains=text) | Q(room_no__startswith=text)
    digits_only = text.isdigit()
    person_by_household: dict[int, Person] = {}
    if digits_only and len(text) == 4:
        people = (Person.objects.filter(project=project, phone_tail=text, active=True)
                  .only("id", "name", "household_id")[:limit])
        person_by_household = {p.household_id: p for p in people if p.household_id is not None}
        cond |= Q(pk__in=list(person_by_household))
    households = list(Household.objects.filter(project=project).filter(cond).order_by("label")[:limit])
    missing = [h.pk for h in households if h.pk not in person_by_household]
    if missing:
        for p in (Person.objects.filter(household_id__in=missing, active=True)
                  .order_by("household_id", "kind", "id").only("id", "name", "household_id", "kind")):
            person_by_household.setdefault(p.household_id, p)
    hits = []
    for h in households:
        found = person_by_household.get(h.pk)
        surname = found.name[:1] if found and found.name else ""
        hits.append(HouseholdHit(pk=h.pk, label=h.label, person_id=found.pk if found else None, surname=surname,
                                 person_masked=f"{surname}**" if surname else ""))
    return hits
