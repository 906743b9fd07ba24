"""The demo company (issue 2 item 6): deterministic for a given seed, loaded by ``make run``.

万家物业 with three projects — 阳光花园 (residential, large, 2019), 翠湖苑 (residential, handed over
in 2026, phased) and 市民服务中心 (public building) — every department kind, staff for every role,
and ~1,500 households with plausible Chinese names and phones.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from apps.estates.models import Building, Household, OccupancyStatus, Person, PersonKind, Unit
from apps.org.models import Company, Department, DepartmentKind, Membership, Project, ProjectKind, User
from apps.org.roles import Role

DEMO_PASSWORD = "linli-demo-2026"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强红梅海燕丽娟小红文博子涵浩然欣怡宇轩梓萱思远雨桐俊杰晓东春生玉兰建华淑珍"


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    address: str
    kind: str
    handover: dt.date
    area: int
    phased: bool
    buildings: int
    units: int
    floors: int
    per_floor: int


PROJECTS = [
    DemoProject("YG", "阳光花园", "深圳市南山区阳光路1号", ProjectKind.RESIDENTIAL, dt.date(2019, 6, 28), 168000, False, 12, 2, 18, 2),
    DemoProject("CH", "翠湖苑", "深圳市福田区翠湖路8号", ProjectKind.RESIDENTIAL, dt.date(2026, 3, 18), 62000, True, 8, 2, 18, 2),
    DemoProject("SM", "市民服务中心", "深圳市龙岗区中心城龙福路2号", ProjectKind.PUBLIC, dt.date(2015, 9, 1), 45000, False, 2, 1, 6, 4),
]

# username suffix → role, department kind (None = no department)
PROJECT_STAFF = [
    ("desk", Role.FRONT_DESK, DepartmentKind.CUSTOMER_SERVICE, "前台"),
    ("butler", Role.BUTLER, DepartmentKind.CUSTOMER_SERVICE, "管家"),
    ("supervisor", Role.CS_SUPERVISOR, DepartmentKind.CUSTOMER_SERVICE, "主管"),
    ("csmanager", Role.CS_MANAGER, DepartmentKind.CUSTOMER_SERVICE, "经理"),
    ("pm", Role.PROJECT_MANAGER, None, "主任"),
    ("enghead", Role.DEPT_HEAD, DepartmentKind.ENGINEERING, "工程主管"),
    ("worker", Role.WORKER, DepartmentKind.ENGINEERING, "师傅"),
    ("sechead", Role.DEPT_HEAD, DepartmentKind.SECURITY, "安管主管"),
    ("envhead", Role.DEPT_HEAD, DepartmentKind.ENVIRONMENT, "环境主管"),
]
COMPANY_STAFF = [("quality", Role.QUALITY, "品质专员"), ("leader", Role.LEADERSHIP, "总经理"),
                 ("mgmtrep", Role.MANAGEMENT_REP, "管理者代表"), ("sysadmin", Role.SYSADMIN, "系统管理员")]
EXTRA_COMPANY_STAFF = [("gm", Role.GENERAL_MANAGER, "物业总经理"), ("officedir", Role.OFFICE_DIRECTOR, "办公室主任")]
EXTRA_PROJECT_STAFF = [("cashier", Role.CASHIER, "收银员"), ("steward", Role.BUILDING_STEWARD, "楼宇员")]
PROJECT_DEPTS = [DepartmentKind.CUSTOMER_SERVICE, DepartmentKind.ENGINEERING, DepartmentKind.SECURITY,
                 DepartmentKind.ENVIRONMENT, DepartmentKind.GENERAL]


def _name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))] + (GIVEN[rng.randrange(len(GIVEN))] if rng.random() < 0.7 else "")
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "136", "158", "186", "135", "177", "150"]) + f"{rng.randrange(10**8):08d}"


def is_empty() -> bool:
    return not Company.objects.exists()


@transaction.atomic
def load_demo(seed: int = 2026) -> dict[str, int]:
    """Create the demo company. Deterministic for ``seed``. Returns counts."""
    rng = random.Random(seed)
    company = Company.objects.create(name="万家物业服务有限公司", code="wanjia",
                                     confidentiality_policy="顾客资料由客服部专人保管；未经部门负责人同意不得查阅；查阅须登记。")
    Department.objects.create(company=company, project=None, kind=DepartmentKind.QUALITY, name="品质管理部")
    users: list[tuple[User, str, Project | None, Department | None]] = []
    for code, role, title in COMPANY_STAFF:
        u = User(username=code, display_name=f"{_name(rng)}（{title}）", is_staff=role == Role.SYSADMIN)
        users.append((u, role, None, None))
    # 办公室 reviews written replies with 品质管理部 (R-M2-08, POLICY P-09)
    office = Department.objects.create(company=company, project=None, kind=DepartmentKind.OFFICE, name="办公室")
    clerk = User(username="office", display_name=f"{_name(rng)}（办公室文员）")
    hh_count = person_count = 0
    for dp in PROJECTS:
        project = Project.objects.create(
            company=company, code=dp.code, name=dp.name, address=dp.address, kind=dp.kind,
            public_class="A类" if dp.kind == ProjectKind.PUBLIC else "", handover_date=dp.handover,
            takeover_date=dp.handover, phased=dp.phased, floor_area_m2=dp.area,
            service_phone=f"0755-8{rng.randrange(10**6):06d}", repair_phone=f"0755-8{rng.randrange(10**6):06d}",
        )
        depts = {k: Department.objects.create(company=company, project=project, kind=k, name=str(DepartmentKind(k).label))
                 for k in PROJECT_DEPTS}
        for suffix, role, dept_kind, title in PROJECT_STAFF:
            u = User(username=f"{suffix}_{dp.code.lower()}", display_name=f"{_name(rng)}（{title}）")
            users.append((u, role, project, depts.get(dept_kind) if dept_kind else None))
        users.append((clerk, Role.WORKER, project, office))  # the 办公室 clerk sees every project's replies
        households: list[Household] = []
        for b in range(1, dp.buildings + 1):
            building = Building.objects.create(project=project, name=f"{b}栋", sort_key=b)
            for un in range(1, dp.units + 1):
                unit = Unit.objects.create(building=building, name=f"{un}单元")
                for floor in range(1, dp.floors + 1):
                    for door in range(1, dp.per_floor + 1):
                        room = f"{floor}{door:02d}"
                        status = rng.choices([OccupancyStatus.OCCUPIED, OccupancyStatus.NOT_MOVED_IN,
                                              OccupancyStatus.VACANT, OccupancyStatus.DECORATING], [80, 8, 7, 5])[0]
                        households.append(Household(
                            project=project, building=building, unit=unit, room_no=room,
                            label=Household.make_label(building.name, unit.name, room),
                            area_m2=rng.choice([68, 89, 96, 118, 128, 143]), status=status,
                            move_in_date=dp.handover + dt.timedelta(days=rng.randrange(0, 400)),
                            elderly_alone=rng.random() < 0.03,
                        ))
        Household.objects.bulk_create(households, batch_size=1000)
        hh_count += len(households)
        persons: list[Person] = []
        for hh in Household.objects.filter(project=project).only("pk", "project_id", "status", "elderly_alone"):
            if hh.status == OccupancyStatus.VACANT:
                continue
            kinds = [PersonKind.OWNER] + ([PersonKind.RESIDENT] if rng.random() < 0.4 else [])
            if rng.random() < 0.1:
                kinds = [PersonKind.OWNER, PersonKind.TENANT]
            for kind in kinds:
                phone = _phone(rng)
                vip = rng.random() < 0.02
                persons.append(Person(project=project, household=hh, kind=kind, name=_name(rng), phone=phone,
                                      phone_tail=phone[-4:], is_vip=vip, elderly_alone=hh.elderly_alone,
                                      tags=",".join(t for t, on in (("VIP", vip), ("空巢老人", hh.elderly_alone)) if on)))
        Person.objects.bulk_create(persons, batch_size=1000)
        person_count += len(persons)
    # The roles of issue 20 (物业总经理, 办公室主任, 收银员, 客服楼宇员) draw their names from their own
    # generator, so the households and people above stay those of earlier demo versions.
    extra = random.Random(seed + 19)
    for code, role, title in EXTRA_COMPANY_STAFF:
        users.append((User(username=code, display_name=f"{_name(extra)}（{title}）"), role, None, office))
    for project in Project.objects.filter(company=company).order_by("pk"):
        cs = Department.objects.get(project=project, kind=DepartmentKind.CUSTOMER_SERVICE)
        for suffix, role, title in EXTRA_PROJECT_STAFF:
            u = User(username=f"{suffix}_{project.code.lower()}", display_name=f"{_name(extra)}（{title}）")
            users.append((u, role, project, cs))
    for u, role_name, member_project, dept in users:
        u.set_password(DEMO_PASSWORD)
        u.save()
        Membership.objects.create(user=u, company=company, project=member_project, department=dept, role=role_name)
    return {"projects": len(PROJECTS), "households": hh_count, "persons": person_count, "staff": len(users)}


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, where) of every demo staff member."""
    rows = []
    for m in Membership.objects.select_related("user", "project").order_by("project__code", "role"):
        rows.append((m.user.username, m.get_role_display(), m.project.name if m.project else "公司"))
    return rows
