"""REST endpoints of the owner archive (mounted at /api/v1/estates): households looked up by 房号
so an integration can file a ticket for the right household (issue 4 item 9). Persons are always
masked here; ``POST /households/{id}/reveal`` shows contact data in full under the same rules as
the page (R-M7-01) and writes the access log.
"""
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LimitOffsetPagination, Serialised
from apps.estates import access as archive
from apps.estates import actions, queries
from apps.estates.models import (
    MEDIA_KINDS,
    CallRecording,
    DecorationRecord,
    Household,
    OccupancyStatus,
    Person,
    PersonKind,
)
from apps.org.http import AuthenticatedRequest
from apps.org.models import Project
from linli import clock

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
    email: str = Field("", description="遮蔽后的电子邮箱（如 z*******@e******.com），缴费提醒同时发送")
    fax: str = Field("", description="遮蔽后的传真号码，缴费提醒由前台人工传真")
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
    fields: list[str] = Field(default=["name", "phone", "phone2", "email", "fax"],
                              description="name/phone/phone2/email/fax 按岗位可查看；id_number/vehicles 须部门负责人授权")


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
            "phone2": v.phone2, "email": v.email, "fax": v.fax, "id_number": v.id_number, "tags": v.tags, "is_vip": v.is_vip,
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


# ---------------------------------------------------------------- maintaining the archive (R-M7-04)


class EstatePersonIn(Schema):
    """Add or edit an occupant. Phone, second phone, e-mail, fax and ID number left empty keep the stored
    value (the archive never has to be read in full to be maintained)."""

    name: str = Field(min_length=1, max_length=50)
    kind: str = Field("owner", max_length=20, description="owner/resident/tenant/shop_tenant")
    phone: str = Field("", max_length=30)
    phone2: str = Field("", max_length=30)
    email: str = Field("", max_length=254, description="电子邮箱：每月缴费提醒同时发送")
    fax: str = Field("", max_length=30, description="传真：每月缴费提醒由前台人工传真")
    id_number: str = Field("", max_length=30)
    move_in_date: dt.date | None = None
    tags: str = Field("", max_length=200, description="以逗号分隔，如 空巢老人,VIP")
    needs: str = Field("", max_length=2000)
    active: bool = True


def _save_person(request: AuthenticatedRequest, household: Household, payload: EstatePersonIn,
                 person: Person | None) -> dict:
    if payload.kind not in PersonKind.values:
        raise ApiError(422, "invalid", "身份不正确", {"kind": ["身份不正确"]})
    try:
        saved = actions.save_person(request.user, household, payload.dict(), person)
    except DjangoValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        first = next(iter(fields.values()), ["输入有误"])[0]
        raise ApiError(422, "invalid", first, fields) from None
    return _person_out(queries.person_view(saved))


def _maintained_household(request: AuthenticatedRequest, household_id: int) -> Household:
    household = archive.get_household(request.user, household_id)
    if not archive.may_maintain(request.user, household.project, household):
        raise ApiError(403, "forbidden", "您的岗位不能维护业主档案")
    return household


@router.post("/households/{household_id}/persons", response={201: EstatePersonOut, **ERRORS},
             summary="添加业主/住户（档案维护）")
def add_person(request: AuthenticatedRequest, household_id: int, payload: EstatePersonIn) -> Any:
    household = _maintained_household(request, household_id)
    return Status(201, _save_person(request, household, payload, None))


@router.put("/households/{household_id}/persons/{person_id}", response={200: EstatePersonOut, **ERRORS},
            summary="维护业主/住户（留空的电话、邮箱、传真、证件号码不变）")
def edit_person(request: AuthenticatedRequest, household_id: int, person_id: int, payload: EstatePersonIn) -> Any:
    household = _maintained_household(request, household_id)
    person = household.persons.filter(pk=person_id).first()
    if person is None:
        raise ApiError(404, "not_found", "业主/住户不存在", {"person_id": ["业主/住户不存在"]})
    return _save_person(request, household, payload, person)


# ---------------------------------------------------------------- decoration archive (R-M7-09, R-M7-10)


class EstateDecorationOut(Schema):
    id: int
    household_id: int
    kind: str
    kind_label: str
    note: str
    has_file: bool = Field(description="照片/视频/录音：用 /decoration/{id}/open 查看（须事由，记入查阅记录）")
    recorded_at: dt.datetime
    recorded_by: str


class EstateDecorationIn(Schema):
    kind: str = Field(max_length=20, description="list/photo/video/recording/progress/problem")
    note: str = Field("", max_length=2000)


class EstateMediaOpenIn(Schema):
    reason: str = Field(min_length=1, max_length=150, description="查阅事由（记入顾客资料查阅记录）")


def _decoration_out(r: DecorationRecord) -> dict:
    return {"id": r.pk, "household_id": r.household_id, "kind": r.kind, "kind_label": str(r.get_kind_display()),
            "note": r.note, "has_file": bool(r.file) and r.kind in MEDIA_KINDS, "recorded_at": r.recorded_at,
            "recorded_by": str(r.recorded_by)}


@router.get("/households/{household_id}/decoration", response={200: list[EstateDecorationOut], **ERRORS},
            summary="装修档案（清单、影像录音、进度与问题）")
def list_decoration(request: AuthenticatedRequest, household_id: int) -> Any:
    household = archive.get_household(request.user, household_id)
    try:
        return [_decoration_out(r) for r in queries.decoration_archive(request.user, household)]
    except PermissionDenied:
        raise ApiError(404, "not_found", "记录不存在或无权查看") from None


@router.post("/households/{household_id}/decoration", response={201: EstateDecorationOut, **ERRORS},
             summary="登记装修档案（multipart；照片、视频、录音须上传文件）")
def add_decoration(request: AuthenticatedRequest, household_id: int, payload: Form[EstateDecorationIn],
                   file: UploadedFile | None = File(None)) -> Any:  # noqa: B008 — ninja's parameter marker
    household = archive.get_household(request.user, household_id)
    if not archive.may_keep_decoration(request.user, household.project):
        raise ApiError(403, "forbidden", "您的岗位不能维护装修档案")
    try:
        record = actions.add_decoration_record(request.user, household, kind=payload.kind, note=payload.note,
                                               file=file, now=clock.now())
    except DjangoValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise ApiError(422, "invalid", next(iter(fields.values()), ["输入有误"])[0], fields) from None
    return Status(201, _decoration_out(record))


@router.post("/decoration/{record_id}/open", response={200: None, **ERRORS},
             summary="查看装修照片/视频/录音（须事由，记入查阅记录；返回文件）")
def open_decoration(request: AuthenticatedRequest, record_id: int, payload: EstateMediaOpenIn) -> Any:
    record = (DecorationRecord.objects.select_related("household", "project")
              .filter(pk=record_id, household__in=archive.visible_households(request.user)).first())
    if record is None:
        raise ApiError(404, "not_found", "记录不存在或无权查看")
    try:
        file = actions.open_decoration_media(request.user, record, reason=payload.reason, screen="API 装修档案")
    except archive.RevealDenied as exc:
        raise ApiError(403, "grant_required" if exc.needs_grant else "forbidden", exc.message) from None
    file.open("rb")
    return FileResponse(file, filename=file.name.rsplit("/", 1)[-1])


# ---------------------------------------------------------------- 入住动态表 and call recordings (R-M7-07, R-M7-10)


class EstateNotMovedInIn(Schema):
    reason: str = Field(min_length=1, max_length=200, description="未入住原因（电话了解后登记）")


@router.post("/households/{household_id}/not-moved-in", response={200: EstateHouseholdOut, **ERRORS},
             summary="登记未入住原因（入住动态表）")
def record_not_moved_in(request: AuthenticatedRequest, household_id: int, payload: EstateNotMovedInIn) -> Any:
    household = archive.get_household(request.user, household_id)
    try:
        saved = actions.record_not_moved_in_reason(request.user, household, payload.reason)
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    except DjangoValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise ApiError(422, "invalid", next(iter(fields.values()), ["输入有误"])[0], fields) from None
    return _household_out(saved)


class EstateCallRecordingOut(Schema):
    id: int
    household_id: int
    called_at: dt.datetime
    note: str = Field(description="通话内容摘要")
    recorded_at: dt.datetime
    recorded_by: str


class EstateCallRecordingIn(Schema):
    note: str = Field(min_length=1, max_length=200, description="通话内容摘要，如 业主在外地工作，明年入住")
    called_at: dt.datetime | None = Field(None, description="通话时间，缺省为现在；不能晚于现在")


def _call_out(r: CallRecording) -> dict:
    return {"id": r.pk, "household_id": r.household_id, "called_at": r.called_at, "note": r.note,
            "recorded_at": r.recorded_at, "recorded_by": str(r.recorded_by)}


@router.get("/households/{household_id}/call-recordings", response={200: list[EstateCallRecordingOut], **ERRORS},
            summary="通话录音（录音留存；收听用 /call-recordings/{id}/open）")
def list_call_recordings(request: AuthenticatedRequest, household_id: int) -> Any:
    household = archive.get_household(request.user, household_id)
    try:
        return [_call_out(r) for r in queries.call_recordings(request.user, household)]
    except PermissionDenied:
        raise ApiError(404, "not_found", "记录不存在或无权查看") from None


@router.post("/households/{household_id}/call-recordings", response={201: EstateCallRecordingOut, **ERRORS},
             summary="上传通话录音（multipart；MP3/M4A/WAV/AMR，按内容判断）")
def add_call_recording(request: AuthenticatedRequest, household_id: int, payload: Form[EstateCallRecordingIn],
                       file: UploadedFile | None = File(None)) -> Any:  # noqa: B008 — ninja's parameter marker
    household = archive.get_household(request.user, household_id)
    try:
        record = actions.add_call_recording(request.user, household, note=payload.note, file=file,
                                            called_at=payload.called_at, now=clock.now())
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    except DjangoValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise ApiError(422, "invalid", next(iter(fields.values()), ["输入有误"])[0], fields) from None
    return Status(201, _call_out(record))


@router.post("/call-recordings/{recording_id}/open", response={200: None, **ERRORS},
             summary="收听通话录音（须事由，VIP 须授权，记入查阅记录；返回文件）")
def open_call_recording(request: AuthenticatedRequest, recording_id: int, payload: EstateMediaOpenIn) -> Any:
    record = (CallRecording.objects.select_related("household", "project")
              .filter(pk=recording_id, household__in=archive.visible_households(request.user)).first())
    if record is None:
        raise ApiError(404, "not_found", "记录不存在或无权查看")
    try:
        file = actions.open_call_recording(request.user, record, reason=payload.reason, screen="API 通话录音")
    except archive.RevealDenied as exc:
        raise ApiError(403, "grant_required" if exc.needs_grant else "forbidden", exc.message) from None
    file.open("rb")
    response = FileResponse(file, filename=file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- the steward's contacts (R-M19-05)


class EstateStewardContactsIn(Schema):
    project_id: int = Field(..., ge=1, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=200, description="查阅事由（记入顾客资料查阅记录）")


def _steward_project(request: AuthenticatedRequest, project_id: int) -> Project:
    project = next((p for p in queries.steward_projects(request.user) if p.pk == project_id), None)
    if project is None:
        raise ApiError(403, "forbidden", "您不是该项目任何楼栋的管家")
    return project


@router.get("/steward-contacts", response={200: list[EstateHouseholdDetailOut], **ERRORS},
            summary="所管楼栋全部住户（遮蔽）")
def steward_contacts(request: AuthenticatedRequest, project_id: int) -> list[dict]:
    project = _steward_project(request, project_id)
    return [_detail(h, [queries.person_view(p) for p in h.persons.all()])
            for h in queries.steward_households(request.user, project)]


@router.post("/steward-contacts/reveal", response={200: list[EstateHouseholdDetailOut], **ERRORS},
             summary="显示所管楼栋全部住户的姓名和电话（回访，记入查阅记录）")
def steward_contacts_reveal(request: AuthenticatedRequest, payload: EstateStewardContactsIn) -> list[dict]:
    project = _steward_project(request, payload.project_id)
    try:
        rows = actions.reveal_steward_contacts(request.user, project, reason=payload.reason, screen="API",
                                               api=True)
    except archive.RevealDenied as exc:
        raise ApiError(403, "grant_required" if exc.needs_grant else "forbidden", exc.message) from None
    return [_detail(h, persons) for h, persons in rows]
