"""Factories for organisation data and the named test cast (password for all: pw-Linli-2026)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import factory

from apps.org.models import Company, Department, DepartmentKind, Membership, Project, User
from apps.org.roles import Role

PASSWORD = "pw-Linli-2026"


class CompanyFactory(factory.django.DjangoModelFactory):
    if TYPE_CHECKING:  # factory_boy has no types: calling the factory builds a Company
        def __new__(cls, *args: Any, **kwargs: Any) -> Company: ...  # type: ignore[misc]

    class Meta:
        model = Company
        django_get_or_create = ("code",)

    name = "万家物业服务有限公司"
    code = "wanjia"


class ProjectFactory(factory.django.DjangoModelFactory):
    if TYPE_CHECKING:  # factory_boy has no types: calling the factory builds a Project
        def __new__(cls, *args: Any, **kwargs: Any) -> Project: ...  # type: ignore[misc]

    class Meta:
        model = Project

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"P{n:02d}")
    name = factory.Sequence(lambda n: f"项目{n}")
    address = "深圳市南山区"
    handover_date = dt.date(2020, 6, 1)
    floor_area_m2 = 80000


class DepartmentFactory(factory.django.DjangoModelFactory):
    if TYPE_CHECKING:  # factory_boy has no types: calling the factory builds a Department
        def __new__(cls, *args: Any, **kwargs: Any) -> Department: ...  # type: ignore[misc]

    class Meta:
        model = Department

    company = factory.SubFactory(CompanyFactory)
    kind = DepartmentKind.CUSTOMER_SERVICE
    name = "客服部"


class UserFactory(factory.django.DjangoModelFactory):
    if TYPE_CHECKING:  # factory_boy has no types: calling the factory builds a User
        def __new__(cls, *args: Any, **kwargs: Any) -> User: ...  # type: ignore[misc]

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:  # noqa: N805
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def member(user: User, role: str, *, company: Company, project: Project | None = None,
           department: Department | None = None) -> Membership:
    return Membership.objects.create(user=user, role=role, company=company, project=project, department=department)


def build_cast():  # -> conftest.Cast
    from conftest import Cast

    company = CompanyFactory()
    yg = ProjectFactory(company=company, code="YG", name="阳光花园", address="深圳市南山区阳光路1号")
    ch = ProjectFactory(company=company, code="CH", name="翠湖苑", address="深圳市福田区翠湖路8号")
    cs = DepartmentFactory(company=company, project=yg, kind=DepartmentKind.CUSTOMER_SERVICE, name="客服部")
    eng = DepartmentFactory(company=company, project=yg, kind=DepartmentKind.ENGINEERING, name="工程部")
    sec = DepartmentFactory(company=company, project=yg, kind=DepartmentKind.SECURITY, name="安管部")
    qd = DepartmentFactory(company=company, project=None, kind=DepartmentKind.QUALITY, name="品质管理部")
    DepartmentFactory(company=company, project=ch, kind=DepartmentKind.CUSTOMER_SERVICE, name="客服部")

    def person(username: str, name: str, role: str, project: Project | None, dept: Department | None) -> User:
        u = UserFactory(username=username, display_name=name)
        member(u, role, company=company, project=project, department=dept)
        return u

    return Cast(
        company=company, project=yg, other_project=ch,
        cs_dept=cs, eng_dept=eng, security_dept=sec, quality_dept=qd,
        front_desk=person("desk", "李前台", Role.FRONT_DESK, yg, cs),
        butler=person("butler", "王管家", Role.BUTLER, yg, cs),
        supervisor=person("supervisor", "张主管", Role.CS_SUPERVISOR, yg, cs),
        cs_manager=person("csmanager", "陈经理", Role.CS_MANAGER, yg, cs),
        project_manager=person("pm", "刘主任", Role.PROJECT_MANAGER, yg, None),
        eng_head=person("enghead", "赵工", Role.DEPT_HEAD, yg, eng),
        worker=person("worker", "孙师傅", Role.WORKER, yg, eng),
        quality_inspector=person("quality", "周品质", Role.QUALITY, None, qd),
        leader=person("leader", "吴总", Role.LEADERSHIP, None, None),
        sysadmin=person("admin1", "郑管理员", Role.SYSADMIN, None, None),
        outsider=person("outsider", "钱前台", Role.FRONT_DESK, ch, None),
        nobody=UserFactory(username="nobody", display_name="无岗位"),
    )
