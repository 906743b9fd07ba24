"""REST endpoints of the staff records (SPEC M19), mounted at /api/v1/staff-records. Thin: who may see
what from apps.staffrecords.access, writes through apps.staffrecords.actions (refusals answer
``{"error": {code, message, fields}}``)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from apps.core.api_errors import ERRORS, ApiError
from apps.core.validation import SaneDate
from apps.org.models import User
from apps.staffrecords import access, actions, queries
from apps.staffrecords.models import Certificate, ExpiryState
from linli import clock

router = Router(tags=["staff-records"])

KindLiteral = Literal["property_management", "post", "electrician", "special_operation", "fire_safety", "health",
                      "other"]  # CertificateKind


class CertificateOut(Schema):
    id: int
    holder_id: int
    holder: str
    kind: str
    name: str
    number: str
    issuer: str
    issued_on: dt.date
    valid_until: dt.date | None
    note: str
    state: str


class CertificateIn(Schema):
    holder_id: int
    kind: KindLiteral
    name: str
    number: str
    issuer: str
    issued_on: SaneDate
    valid_until: SaneDate | None = None
    note: str = ""


class CertificatePatch(Schema):
    holder_id: int | None = None
    kind: KindLiteral | None = None
    name: str | None = None
    number: str | None = None
    issuer: str | None = None
    issued_on: SaneDate | None = None
    valid_until: SaneDate | None = None
    note: str | None = None
    reason: str = ""


def _out(c: Certificate, today: dt.date) -> dict[str, Any]:
    return {"id": c.pk, "holder_id": c.holder_id, "holder": str(c.holder), "kind": c.kind, "name": c.name,
            "number": c.number, "issuer": c.issuer, "issued_on": c.issued_on, "valid_until": c.valid_until,
            "note": c.note, "state": c.state_on(today)}


def _today() -> dt.date:
    return clock.local(clock.now()).date()


def _holder(request: HttpRequest, holder_id: int) -> User:
    holder = access.staff_in_scope(request.user).filter(pk=holder_id).first()
    if holder is None:
        raise ApiError(422, "invalid", "员工不存在或不在您管理的范围内", {"holder_id": ["员工不存在或不在您管理的范围内"]})
    return holder


@router.get("/certificates", response={200: list[CertificateOut], **ERRORS},
            summary="员工证书（含到期状态：valid / expiring / expired）")
def certificate_list(request: HttpRequest, state: Literal["valid", "expiring", "expired"] | None = None,
                     holder: int | None = None, limit: int = Query(200, ge=1, le=1000)) -> Any:
    today = _today()
    qs = access.visible_certificates(request.user).select_related("holder")
    if state is not None:
        qs = queries.by_state(qs, ExpiryState(state), today)
    if holder is not None:
        qs = qs.filter(holder_id=holder)
    return [_out(c, today) for c in qs.order_by("valid_until", "id")[:limit]]


@router.post("/certificates", response={201: CertificateOut, **ERRORS}, summary="登记员工证书")
def certificate_add(request: HttpRequest, payload: CertificateIn) -> Any:
    if not access.can_manage(request.user):
        raise ApiError(403, "forbidden", "只有办公室主任或管理处经理可以登记员工证书")
    data = payload.model_dump()
    data["holder"] = _holder(request, data.pop("holder_id"))
    cert = actions.add_certificate(acting_user=access.acting_user(request), now=clock.now(), **data)
    return Status(201, _out(cert, _today()))


@router.patch("/certificates/{int:cert_id}", response={200: CertificateOut, **ERRORS}, summary="修改/换证")
def certificate_update(request: HttpRequest, cert_id: int, payload: CertificatePatch) -> Any:
    if not access.can_manage(request.user):
        raise ApiError(403, "forbidden", "只有办公室主任或管理处经理可以修改员工证书")
    cert = access.visible_certificates(request.user).filter(pk=cert_id).first()
    if cert is None:
        raise ApiError(404, "not_found", "证书不存在")
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    if "holder_id" in data:
        data["holder"] = _holder(request, data.pop("holder_id"))
    cert = actions.update_certificate(certificate=cert, acting_user=access.acting_user(request), now=clock.now(),
                                      reason=reason, **data)
    return _out(cert, _today())
