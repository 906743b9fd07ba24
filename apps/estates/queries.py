"""Reads of the owner archive (SPEC M7): search, masked person views, grants, the access log, the
decoration archive. Views and the API call these; they never read ``Person.phone`` themselves.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from apps.estates import masking
from apps.estates.models import (
    ArchiveGrant,
    CallRecording,
    CustomerDataAccessLog,
    DecorationRecord,
    Household,
    Person,
)
from apps.org import access
from apps.org.models import Project
from apps.org.roles import Cap

if TYPE_CHECKING:
    from apps.org.models import User

from apps.estates.access import archive_projects


def normalise_query(text: str) -> str:
    return "".join((text or "").split())


def search_households(user: User, project: Project, *, q: str = "", building: str = "", label: str = "",
                      phone_tail: str = "", status: str = "", flag: str = "") -> QuerySet[Household]:
    """Owner archive search (issue 2 item 8): 房号 / name / phone tail, within one visible project.

    ``q`` is the free search box: four digits match a resident's phone tail *or* a room number;
    other text matches the full label (``5栋2单元1502``), the room number or a resident's name.
    """
    if not access.has_cap(user, Cap.VIEW_ARCHIVE, project) or not access.can_see_project(user, project):
        raise Http404
    qs = Household.objects.filter(project=project)
    text = normalise_query(q)
    if text:
        cond = Q(label__icontains=text) | Q(room_no=text)
        if text.isdigit() and len(text) == 4:
            cond |= Q(pk__in=Person.objects.filter(project=project, phone_tail=text).values("household_id"))
        elif not text.isdigit():
            cond |= Q(pk__in=Person.objects.filter(project=project, name__contains=text).values("household_id"))
        qs = qs.filter(cond)
    if building:
        qs = qs.filter(building__name=building)
    if label:
        qs = qs.filter(label__icontains=normalise_query(label))
    tail = normalise_query(phone_tail)
    if tail:
        qs = qs.filter(pk__in=Person.objects.filter(project=project, phone_tail__endswith=tail[-4:]).values("household_id"))
    if status:
        qs = qs.filter(status=status)
    if flag == "elderly":
        qs = qs.filter(Q(elderly_alone=True) | Q(persons__elderly_alone=True)).distinct()
    elif flag == "vip":
        qs = qs.filter(persons__is_vip=True).distinct()
    elif flag == "not_moved_in":
        qs = qs.filter(status="not_moved_in")
    return qs.select_related("building", "unit").order_by("building__sort_key", "building__name", "label")


# ---------------------------------------------------------------- person views


@dataclass
class PersonView:
    """A person as shown on a page or in the API: each field already masked or revealed."""

    pk: int
    kind: str
    kind_label: str
    name: str
    phone: str
    phone2: str
    id_number: str
    vehicles: list[dict[str, str]]
    tags: list[str]
    is_vip: bool
    elderly_alone: bool
    active: bool
    move_in_date: dt.date | None
    needs: str = ""
    revealed: frozenset[str] = field(default_factory=frozenset)
    contract_ref: str = ""  # R-M19-14 物业服务合同编号 (not personal data)
    email: str = ""  # R-M17-07: the fee reminder also goes by e-mail and fax, masked like the phones
    fax: str = ""

    @property
    def masked(self) -> bool:
        return not self.revealed


def person_view(person: Person, revealed: Iterable[str] = ()) -> PersonView:
    shown = frozenset(revealed)

    def val(name: str) -> str:
        raw = getattr(person, name) or ""
        return raw if name in shown else masking.MASKERS[name](raw)

    vehicles = [
        {"plate": v.plate if "vehicles" in shown else masking.mask_plate(v.plate),
         "parking_space": v.parking_space}
        for v in person.vehicles.all()
    ]
    return PersonView(
        pk=person.pk, kind=person.kind, kind_label=str(person.get_kind_display()), name=val("name"),
        phone=val("phone"), phone2=val("phone2"), id_number=val("id_number"), vehicles=vehicles,
        tags=[t for t in (person.tags or "").replace("，", ",").split(",") if t.strip()],
        is_vip=person.is_vip, elderly_alone=person.elderly_alone, active=person.active,
        move_in_date=person.move_in_date, needs=person.needs, revealed=shown, contract_ref=person.contract_ref,
        email=val("email"), fax=val("fax"),
    )


def masked_persons(household: Household) -> list[PersonView]:
    return [person_view(p) for p in household.persons.all()]


def grants_for(user: User) -> QuerySet[ArchiveGrant]:
    """Grants the user may manage (GRANT_ARCHIVE_ACCESS in the project) plus their own."""
    manage = [p.pk for p in access.visible_projects(user) if access.has_cap(user, Cap.GRANT_ARCHIVE_ACCESS, p)]
    return (ArchiveGrant.objects.filter(Q(project_id__in=manage) | Q(grantee=user))
            .select_related("project", "grantee", "granted_by", "revoked_by"))


# ---------------------------------------------------------------- access log


def log_projects(user: User) -> list[Project]:
    return [p for p in access.visible_projects(user).order_by("code") if access.has_cap(user, Cap.VIEW_ACCESS_LOG, p)]


def access_logs_for(user: User) -> QuerySet[CustomerDataAccessLog]:
    """顾客资料查阅记录 the user may browse (VIEW_ACCESS_LOG in the project)."""
    return (CustomerDataAccessLog.objects.filter(project__in=log_projects(user))
            .select_related("project", "user", "household", "person", "grant", "grant__granted_by"))


def decoration_archive(user: User, household: Household) -> QuerySet[DecorationRecord]:
    """The household's decoration entries for listing (no file is opened here)."""
    if household.project not in archive_projects(user):
        raise PermissionDenied("您无权查看该房屋的档案")
    return household.decoration_records.select_related("recorded_by").order_by("recorded_at", "id")


def call_recordings(user: User, household: Household) -> QuerySet[CallRecording]:
    """The household's call recordings for listing (R-M7-07; no file is opened here), newest call first."""
    if household.project not in archive_projects(user):
        raise PermissionDenied("您无权查看该房屋的档案")
    return household.call_recordings.select_related("recorded_by").order_by("-called_at", "-id")


def steward_households(user: User, project: Project) -> QuerySet[Household]:
    """所管楼栋的全部住户 (R-M19-05, R-M19-04 (3)): the households of the buildings ``user`` stewards in
    ``project``, with their active persons, in building and room order — the butler's return-visit list."""
    return (Household.objects.filter(project=project, building__steward=user)
            .select_related("building", "unit")
            .prefetch_related(Prefetch("persons", queryset=Person.objects.filter(active=True)
                                       .prefetch_related("vehicles").order_by("kind", "pk")))
            .order_by("building__sort_key", "building__name", "label"))


def steward_projects(user: User) -> list[Project]:
    """The projects where ``user`` stewards a building and may see contact data (R-M19-05)."""
    return [p for p in archive_projects(user)
            if access.has_cap(user, Cap.UNMASK_PERSONAL_DATA, p) and p.buildings.filter(steward=user).exists()]
