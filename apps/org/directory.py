"""内部通讯录 (R-M19-12): departments of a project (and the company-level ones) with their phones,
and the managers and staff with their extensions — so the front desk knows whom to call."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from apps.org.models import Department, Membership, Project
from apps.org.roles import ROLE_INFO, Role


@dataclass
class Entry:
    name: str
    role: str
    phone: str
    extension: str


@dataclass
class Section:
    title: str
    phone: str = ""
    people: list[Entry] = field(default_factory=list)


def directory(project: Project) -> list[Section]:
    """Sections in order: the project's leaders, each department of the project, company level."""
    members = (Membership.objects.filter(Q(project=project) | Q(project__isnull=True, company_id=project.company_id))
               .filter(user__is_active=True).select_related("user", "department")
               .order_by("-role", "user__display_name"))
    departments = Department.objects.filter(
        Q(project=project) | Q(project__isnull=True, company_id=project.company_id)).order_by("project_id", "name")
    by_dept: dict[int | None, list[Membership]] = {}
    for m in members:
        by_dept.setdefault(m.department_id, []).append(m)

    def entries(ms: list[Membership]) -> list[Entry]:
        ms = sorted(ms, key=lambda m: (-ROLE_INFO[m.role].rank, str(m.user)))
        return [Entry(str(m.user), str(Role(m.role).label), m.user.phone, m.user.extension) for m in ms]

    sections: list[Section] = []
    leaders = [m for m in by_dept.get(None, []) if m.project_id == project.pk]
    if leaders:
        sections.append(Section(project.name, project.service_phone, entries(leaders)))
    for d in departments:
        sections.append(Section(str(d) if d.project_id is None else d.name, d.phone, entries(by_dept.get(d.pk, []))))
    company = [m for m in by_dept.get(None, []) if m.project_id is None]
    if company:
        sections.append(Section(project.company.name, "", entries(company)))
    return sections
