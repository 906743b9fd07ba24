"""Fixtures of the repairs tests: a published price list, a stand-in for the policy engine with the
repair rule set A shape (used only while apps.workdays.queries is absent or when a test wants fixed
limits), repair categories by code, PNG signatures."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest

from apps.repairs.queries import CHECKLIST_KEYS
from apps.tickets import deadlines as dl

SITE_OK = dict.fromkeys(CHECKLIST_KEYS, True)  # R-M8-08 f, R-M8-11, R-M8-12, R-M8-14 all done at completion


@dataclasses.dataclass(frozen=True)
class Stamped:
    stage: str
    due_at: dt.datetime | None
    provisional: bool
    rule: str
    policy_id: int | None


class FakeRepairPolicies:
    """Rule set A (P-14) arrival 15 min urgent / 30 min other; completion +1 day; return visit 48 h;
    acknowledge/respond/reply as in the tickets FakePolicies."""

    def __call__(self, ticket: Any, *, start: dt.datetime, stages: Any) -> list[Stamped]:
        urgent = ticket.urgency == "urgent"
        table: dict[str, dt.timedelta | None] = {"acknowledge": None, "respond": dt.timedelta(days=1), "reply": dt.timedelta(days=2),
                 "arrive": dt.timedelta(minutes=15 if urgent else 30), "complete": dt.timedelta(days=1),
                 "return_visit": dt.timedelta(hours=48)}
        return [Stamped(s, None if (limit := table[s]) is None else start + limit, False, f"fake {s}", 1)
                for s in stages if s in table]


@pytest.fixture
def fake_policies(monkeypatch: pytest.MonkeyPatch) -> FakeRepairPolicies:
    fake = FakeRepairPolicies()
    monkeypatch.setattr(dl, "_policy_deadlines", fake)
    return fake


@pytest.fixture
def cat(db: None) -> Any:
    from apps.tickets.models import Category

    def get(code: str) -> Category:
        return Category.objects.get(company=None, code=code)

    return get


@pytest.fixture
def price_list(cast: Any) -> Any:
    """阳光花园's published price list, in force from 2026-01-01."""
    from apps.repairs.models import PriceItem, PriceList
    from linli import clock

    pl = PriceList.objects.create(project=cast.project, effective_from=dt.date(2026, 1, 1),
                                  published_at=dt.datetime(2025, 12, 20, 9, 0, tzinfo=clock.SHANGHAI))
    items = [("tap_replace", "更换水龙头（人工）", "service", "次", "30.00"),
             ("drain_clear", "疏通下水道", "service", "次", "50.00"),
             ("tap", "水龙头", "material", "个", "45.50"),
             ("tube", "T8 灯管", "material", "支", "12.80"),
             ("tape", "绝缘胶布", "material", "卷", "0.33")]
    for i, (code, name, kind, unit, price) in enumerate(items):
        PriceItem.objects.create(price_list=pl, code=code, name=name, kind=kind, unit=unit,
                                 unit_price=Decimal(price), sort=i)
    return pl


def item(price_list: Any, code: str) -> Any:
    return price_list.items.get(code=code)


def png(blank: bool = False) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(img).line([(10, 60), (120, 20), (290, 100)], fill=(0, 0, 0, 255), width=3)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def repair_seed(db: None) -> None:
    """Re-seed the repair categories and rules (migration 0002) when a transactional test ran after
    a flush that could not be rolled back (e.g. after a browser test in the same session)."""
    import importlib

    from django.apps import apps

    importlib.import_module("apps.repairs.migrations.0002_repair_categories").seed(apps, None)
