"""价目表 (R-M8-15 明码标价, R-M8-16 公示) kept by the 管理处经理 on a staff page and the API: a draft
is edited freely; a published list is frozen — a change is a new version (a copy, edited and then
published), which ends the previous version the day before it takes effect."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from apps.org.access import can_see_project, has_cap
from apps.org.models import Project, User
from apps.org.roles import Cap
from apps.repairs.actions._common import save_price_list
from apps.repairs.errors import RepairError, refuse
from apps.repairs.models import PriceItem, PriceItemKind, PriceList

MAX_ITEMS = 300


def _require_manager(project: Project, acting_user: User) -> None:
    if not can_see_project(acting_user, project):
        raise refuse("项目不存在", code="not_found", status=404)
    if not has_cap(acting_user, Cap.MANAGE_CONFIG, project):
        raise refuse("只有管理处经理可以编制和公示价目表", code="forbidden", status=403)


def _clean_items(items: Sequence[dict[str, Any]]) -> list[PriceItem]:
    if not items:
        raise refuse("价目表至少要有一个收费项目", field="items")
    if len(items) > MAX_ITEMS:
        raise refuse(f"收费项目最多 {MAX_ITEMS} 项", field="items")
    out: list[PriceItem] = []
    seen: set[str] = set()
    for n, raw in enumerate(items, start=1):
        code = str(raw.get("code") or "").strip()
        name = str(raw.get("name") or "").strip()
        unit = str(raw.get("unit") or "").strip()
        kind = str(raw.get("kind") or PriceItemKind.SERVICE).strip()
        if not code or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii() or len(code) > 40:
            raise refuse(f"第{n}项：编码须为字母、数字、-或_（不超过40位）", field="items")
        if code in seen:
            raise refuse(f"第{n}项：编码 {code} 重复", field="items")
        seen.add(code)
        if not name or len(name) > 100:
            raise refuse(f"第{n}项：请填写项目名称（不超过100字）", field="items")
        if not unit or len(unit) > 20:
            raise refuse(f"第{n}项：请填写单位（不超过20字）", field="items")
        if kind not in PriceItemKind.values:
            raise refuse(f"第{n}项：类别只能是服务项目或材料", field="items")
        try:
            price = Decimal(str(raw.get("unit_price"))).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise refuse(f"第{n}项：单价须为数字", field="items") from None
        if price < 0 or price >= Decimal("100000000"):
            raise refuse(f"第{n}项：单价须在0到99999999.99元之间", field="items")
        out.append(PriceItem(code=code, name=name, unit=unit, kind=kind, unit_price=price, sort=n,
                             note=str(raw.get("note") or "").strip()[:200]))
    return out


@transaction.atomic
def save_price_list_draft(*, project: Project, name: str, effective_from: dt.date, items: Sequence[dict[str, Any]],
                          notes: str = "", price_list: PriceList | None = None, acting_user: User,
                          now: dt.datetime) -> PriceList:
    """Create or edit a draft price list (not yet published). A published list is refused (409
    ``frozen``): make a new version instead."""
    _require_manager(project, acting_user)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise refuse("请填写价目表名称（不超过100字）", field="name")
    rows = _clean_items(items)
    if price_list is None:
        price_list = PriceList(project=project, name=name, effective_from=effective_from, notes=notes.strip())
        reason = "新建价目表"
    else:
        price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
        if price_list.project_id != project.pk:
            raise refuse("价目表不存在", code="not_found", status=404)
        if price_list.published_at is not None:
            raise refuse("已公示的价目表不能修改，请新建版本", code="frozen", status=409)
        price_list.name, price_list.effective_from, price_list.notes = name, effective_from, notes.strip()
        reason = "修改价目表草稿"
    if price_list.previous_id and effective_from <= price_list.previous.effective_from:  # type: ignore[union-attr]
        raise refuse("新版本的生效日期须晚于上一版本的生效日期", field="effective_from")
    price_list._change_reason = reason  # type: ignore[attr-defined]
    price_list._history_user = acting_user  # type: ignore[attr-defined]
    price_list.save()
    price_list.items.all().delete()
    for row in rows:
        row.price_list = price_list
    PriceItem.objects.bulk_create(rows)
    return price_list


@transaction.atomic
def new_price_list_version(*, price_list: PriceList, acting_user: User, now: dt.datetime) -> PriceList:
    """A new draft version of a published list (its items copied), effective from tomorrow by default."""
    _require_manager(price_list.project, acting_user)
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    if price_list.published_at is None:
        raise refuse("草稿可直接修改，无需新建版本", code="not_published", status=409)
    if PriceList.objects.filter(previous=price_list).exists():
        raise refuse("该价目表已有新版本", code="has_next_version", status=409)
    tomorrow = now.astimezone(price_list.project.tz).date() + dt.timedelta(days=1)
    draft = PriceList(project=price_list.project, name=price_list.name, notes=price_list.notes,
                      effective_from=max(tomorrow, price_list.effective_from + dt.timedelta(days=1)),
                      version=price_list.version + 1, previous=price_list)
    draft._change_reason = "新建版本"  # type: ignore[attr-defined]
    draft._history_user = acting_user  # type: ignore[attr-defined]
    draft.save()
    PriceItem.objects.bulk_create([
        PriceItem(price_list=draft, code=i.code, name=i.name, kind=i.kind, unit=i.unit, unit_price=i.unit_price,
                  sort=i.sort, note=i.note) for i in price_list.items.all()])
    return draft


def end_previous_version(price_list: PriceList, *, acting_user: User, now: dt.datetime) -> None:
    """On publication of a new version: the previous one ends the day before (superseded)."""
    previous = price_list.previous
    if previous is None:
        return
    previous = PriceList.objects.select_for_update().get(pk=previous.pk)
    last_day = price_list.effective_from - dt.timedelta(days=1)
    if previous.effective_to is None or previous.effective_to > last_day:
        previous.effective_to = last_day
    previous.superseded_at = now
    save_price_list(previous, ["effective_to", "superseded_at"], acting_user=acting_user,
                    reason=f"由第{price_list.version}版取代")


__all__ = ["RepairError", "end_previous_version", "new_price_list_version", "save_price_list_draft"]
