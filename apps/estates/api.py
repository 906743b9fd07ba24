"""REST endpoints of the owner archive (mounted at /api/v1/estates): households looked up by 房号
so an integration can file a ticket for the right household (issue 4 item 9). Persons are always
masked here; ``POST /households/{id}/reveal`` shows contact data in full under the same rules as
the page (R-M7-01) and writes the access log.
"""
import datetime as dt

from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LimitOffsetPagination, Serialised
from apps.estates import access as archive
from apps.estates import actions, queries
from apps.estates.models import Household, OccupancyStatus
from apps.org.http import AuthenticatedRequest
from apps.org.models import Project

router = Router(tags=["estates"])

LIMIT_MAX = 200


class EstateVehicleOut(Schema):
    plate: str
    parking_space: str


class EstatePersonOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str = Field(description="遮蔽后的姓名（如 张**），显示完整信息后为原文")
    phone: str = Field(description="遮蔽后的手机（如 138****5678）")
    phone2: str
    id_number: str = Field(description="遮蔽后的证件号码（如 1101**********1234）")
    tags: list[str]
    is_vip: bool
    elderly_alone: bool
    active: bool
    move_in_date: dt.date | None
    contract_ref: str = Field("", description="物业服务合同编号（登记合同时自动更新）")
    vehicles: list[EstateVehicleOut]
    masked: bool


class EstateHouseholdOut(Schema):
    id: int
    project_id: int
    label: str = Field(description="完整房号，如 5栋2单元1502")
    building: str
    unit: str
    room_no: str
    status: str
    status_label: str
    area_m2: float | None
    elderly_alone: bool


class EstateHouseholdDetailOut(EstateHouseholdOut):
    move_in_date: dt.date | None
    persons: list[EstatePersonOut]


class EstateRevealIn(Schema):
    reason: str = Field(min_length=1, max_length=200, description="查阅事由（记入顾客资料查阅记录）")
    fields: list[str] = Field(default=["name", "phone", "phone2"],
                              description="name/phone/phone2 按岗位可查看；id_number/vehicles 须部门负责人授权")


class EstateHouseholdFilter(Schema):
    """The list's filters; paging (``limit``, ``offset``) comes from :class:`LimitOffsetPagination`."""

    project: int = Field(description="项目 id（/api/v1/org/projects）")
    label: str = Field("", max_length=100, description="房号，完整（5栋2单元1502）或部分（1502）")
    room: str = Field("", max_length=30, description="房号（精确）")
    building: str = Field("", max_length=50, description="楼栋名称，如 5栋")
    phone_tail: str = Field("", max_length=4, pattern=r"^\d{0,4}$", description="住户手机尾号（4位）")
    q: str = Field("", max_length=50, description="综合查询：房号、姓名或手机尾号")
    status: OccupancyStatus | None = None


def _household_out(h: Household) -> dict:
    return {"id": h.pk, "project_id": h.project_id, "label": h.label, "building": h.building.name,
            "unit": h.unit.name if h.unit else "", "room_no": h.room_no, "status": h.status,
            "status_label": str(h.get_status_display()), "area_m2": float(h.area_m2) if h.area_m2 is not None else None,
            "elderly_alone": h.elderly_alone}


def _person_out(v: queries.PersonView) -> dict:
    return {"id": v.pk, "kind": v.kind, "kind_label": v.kind_label, "name": v.name, "phone": v.phone,
            "phone2": v.phone2, "id_number": v.id_number, "tags": v.tags, "is_vip": v.is_vip,
            "elderly_alone": v.elderly_alone, "active": v.active, "move_in_date": v.move_in_date,
            "contract_ref": v.contract_ref, "vehicles": v.vehicles, "masked": v.masked}


def _detail(h: Household, persons: list[queries.PersonView]) -> dict:
    return {**_household_out(h), "move_in_date": h.move_in_date, "persons": [_person_out(p) for p in persons]}


@router.get("/households", response={200: list[EstateHouseholdOut], **ERRORS}, summary="按房号/楼栋/手机尾号查找房屋")
@paginate(LimitOffsetPagination)
def list_households(request: AuthenticatedRequest, filters: Query[EstateHouseholdFilter]) -> Serialised:
    """``{count, limit, offset, items}``: django-ninja's pagination, 50 a page by default, at most 200."""
    project = Project.objects.filter(pk=filters.project).first()
    if project is None or project not in archive.archive_projects(request.user):
        raise ApiError(404, "not_found", "项目不存在或无权查看", {"project": ["项目不存在或无权查看"]})
    qs = queries.search_households(request.user, project, q=filters.q, building=filters.building,
                                    label=filters.label, phone_tail=filters.phone_tail,
                                    status=filters.status.value if filters.status else "")
    if filters.room:
        qs = qs.filter(room_no=filters.room.strip())
    return Serialised(qs, _household_out)


@router.get("/households/{household_id}", response={200: EstateHouseholdDetailOut, **ERRORS},
            summary="房屋详情与业主/住户（已遮蔽）")
def get_household(request: AuthenticatedRequest, household_id: int) -> dict:
    h = archive.get_household(request.user, household_id)
    return _detail(h, queries.masked_persons(h))


@router.post("/households/{household_id}/reveal", response={200: EstateHouseholdDetailOut, **ERRORS},
             summary="显示完整信息（记入查阅记录）")
def reveal_household(request: AuthenticatedRequest, household_id: int, payload: EstateRevealIn) -> dict:
    h = archive.get_household(request.user, household_id)
    try:
        persons = actions.reveal_household(request.user, h, reason=payload.reason, screen="API",
                                            fields=payload.fields, api=True)
    except archive.RevealDenied as exc:
        raise ApiError(403, "grant_required" if exc.needs_grant else "forbidden", exc.message) from None
    return _detail(h, persons)
