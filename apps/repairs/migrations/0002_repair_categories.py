"""Seed data: the repair categories (children of 工程 'engineering') whose codes the workdays policy
engine's named repair rule sets are keyed by (P-14, P-15, P-16), and the default RepairRule rows:
water/power/gas/lift urgent by default (R-M8-03 rule set A), a dispatch mode per category (issue 6
item 2; editable in the admin, a company or project row overrides)."""
from __future__ import annotations

from django.db import migrations

# code, name, urgent_by_default, dispatch mode
CATEGORIES = [
    ("repair_water", "给排水", True, "assign"),
    ("repair_power", "供电", True, "assign"),
    ("repair_gas", "燃气", True, "assign"),
    ("repair_lift", "电梯", True, "assign"),
    ("repair_power_outage", "外部停电", True, "assign"),
    ("repair_lighting", "照明（灯管/镇流器/启辉器/开关）", False, "pool"),
    ("repair_wiring", "线路及复杂电气", False, "assign"),
    ("repair_tap", "阀门/水龙头漏水", False, "pool"),
    ("repair_pipe", "管道故障", False, "round_robin"),
    ("repair_drain", "下水道堵塞", False, "pool"),
    ("repair_drain_complex", "下水道（复杂）", False, "assign"),
    ("repair_doors_furniture", "门锁/桌椅等简单维修", False, "pool"),
    ("repair_public_glass_doors", "公共区域玻璃门窗", False, "round_robin"),
    ("repair_complex", "复杂维修", False, "assign"),
    ("repair_walls", "墙面/天花（月度批量）", False, "assign"),
    ("repair_general", "其他一般维修", False, "pool"),
    ("repair_special", "特殊问题", False, "assign"),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Category = apps.get_model("tickets", "Category")
    Rule = apps.get_model("repairs", "RepairRule")
    parent = Category.objects.filter(company=None, code="engineering").first()
    if parent is None:
        parent = Category.objects.create(company=None, code="engineering", name="工程", sort=10)
    for i, (code, name, urgent, mode) in enumerate(CATEGORIES):
        cat, _ = Category.objects.get_or_create(
            company=None, code=code, defaults={"name": name, "parent": parent, "sort": parent.sort + 1 + i})
        Rule.objects.get_or_create(company=None, project=None, category=cat,
                                   defaults={"dispatch_mode": mode, "urgent_by_default": urgent,
                                             "department_kind": "engineering"})


class Migration(migrations.Migration):
    dependencies = [("repairs", "0001_initial"), ("tickets", "0002_default_categories_and_limits")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
