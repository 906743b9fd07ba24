"""Every write of the staff records (SPEC M19): certificates (R-M19-10).

Keyword-only, ``acting_user`` and ``now`` passed in; a refusal is :class:`StaffRecordError` (Chinese
message, ``field``, ``code``, HTTP ``status``); each action is one ``transaction.atomic()``; field
history by django-simple-history with the reason."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.core.errors import DomainError
from apps.org.access import company_of
from apps.staffrecords import access
from apps.staffrecords.models import Certificate, CertificateKind
from linli import clock

if TYPE_CHECKING:
    from apps.org.models import User


class StaffRecordError(DomainError):
    """A refused staff-record action."""


CERT_FIELDS = ("holder", "kind", "name", "number", "issuer", "issued_on", "valid_until", "note")
_LIMITS = {"name": 100, "number": 60, "issuer": 100, "note": 200}
_LABELS = {"name": "证书名称", "number": "证书编号", "issuer": "发证机关"}


def _require_manage(user: User) -> int:
    if not access.can_manage(user):
        raise StaffRecordError("只有办公室主任或管理处经理可以登记员工证书", code="forbidden", status=403)
    company_id = company_of(user)
    if company_id is None:
        raise StaffRecordError("您不属于任何公司", code="forbidden", status=403)
    return company_id


def _clean(values: dict[str, Any], *, acting_user: User, now: dt.datetime) -> dict[str, Any]:
    holder = values.get("holder")
    if holder is None or not access.staff_in_scope(acting_user).filter(pk=holder.pk).exists():
        raise StaffRecordError("员工不存在或不在您管理的范围内", field="holder")
    if values.get("kind") not in CertificateKind.values:
        raise StaffRecordError("请选择证书类型", field="kind")
    for name, limit in _LIMITS.items():
        values[name] = (values.get(name) or "").strip()
        if len(values[name]) > limit:
            raise StaffRecordError(f"最多{limit}个字", field=name)
    for name, label in _LABELS.items():
        if not values[name]:
            raise StaffRecordError(f"请填写{label}", field=name)
    issued_on, valid_until = values.get("issued_on"), values.get("valid_until")
    if not isinstance(issued_on, dt.date):
        raise StaffRecordError("请填写发证日期", field="issued_on")
    if issued_on > clock.local(now).date():
        raise StaffRecordError("发证日期不能晚于今天", field="issued_on")
    if valid_until is not None and valid_until < issued_on:
        raise StaffRecordError("有效期至不能早于发证日期", field="valid_until")
    return values


def _unique(company_id: int, values: dict[str, Any], exclude: int | None = None) -> None:
    qs = Certificate.objects.filter(company_id=company_id, kind=values["kind"], number=values["number"])
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise StaffRecordError(f"证书编号 {values['number']} 已登记过", field="number", code="duplicate", status=409)


@transaction.atomic
def add_certificate(*, acting_user: User, now: dt.datetime, **values: Any) -> Certificate:
    """登记员工证书 (R-M19-10): type, number, issuer and validity on the staff member's record."""
    company_id = _require_manage(acting_user)
    unknown = set(values) - set(CERT_FIELDS)
    if unknown:
        raise StaffRecordError(f"未知字段：{'、'.join(sorted(unknown))}", code="unknown_field")
    values = _clean({k: values.get(k) for k in CERT_FIELDS}, acting_user=acting_user, now=now)
    _unique(company_id, values)
    cert = Certificate(company_id=company_id, created_at=now, updated_at=now, created_by=acting_user, **values)
    cert._history_user = acting_user  # type: ignore[attr-defined]
    cert._change_reason = "登记证书"  # type: ignore[attr-defined]
    cert.save()
    return cert


@transaction.atomic
def update_certificate(*, certificate: Certificate, acting_user: User, now: dt.datetime, reason: str = "",
                       **changes: Any) -> Certificate:
    """Correct or renew a certificate (a renewal moves ``valid_until``); the history keeps the old values."""
    company_id = _require_manage(acting_user)
    cert = Certificate.objects.select_for_update().filter(
        pk=certificate.pk, pk__in=access.visible_certificates(acting_user).values("pk")).first()
    if cert is None:
        raise StaffRecordError("证书不存在", code="not_found", status=404)
    unknown = set(changes) - set(CERT_FIELDS)
    if unknown:
        raise StaffRecordError(f"未知字段：{'、'.join(sorted(unknown))}", code="unknown_field")
    values = {k: changes.get(k, getattr(cert, k)) for k in CERT_FIELDS}
    values = _clean(values, acting_user=acting_user, now=now)
    _unique(company_id, values, exclude=cert.pk)
    for k, v in values.items():
        setattr(cert, k, v)
    cert.updated_at = now
    cert._history_user = acting_user  # type: ignore[attr-defined]
    cert._change_reason = ((reason or "").strip() or "修改证书")[:100]  # type: ignore[attr-defined]
    cert.save()
    return cert
