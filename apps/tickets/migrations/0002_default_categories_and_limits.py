"""Seed data: the default category tree (issue 4 item 2) and compensation approval limits (R-M2-24,
POLICY P-11 — the seeds give no amount; these defaults are editable in the admin)."""
from __future__ import annotations

from django.db import migrations

TREE = [
    ("security", "安管", []),
    ("engineering", "工程", []),
    ("environment", "环境", [("cleaning", "保洁"), ("greening", "绿化")]),
    ("customer_service", "客服", []),
    ("charges", "收费", []),
    ("developer_legacy", "地产遗留", []),
    ("municipal", "市政配套", []),
    ("other", "其他", []),
]

LIMITS = [
    ("cs_supervisor", "500.00"),
    ("dept_head", "500.00"),
    ("cs_manager", "2000.00"),
    ("project_manager", "5000.00"),
    ("quality", "20000.00"),
    ("leadership", None),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Category = apps.get_model("tickets", "Category")
    Limit = apps.get_model("tickets", "CompensationLimit")
    for sort, (code, name, children) in enumerate(TREE):
        parent, _ = Category.objects.get_or_create(company=None, code=code, defaults={"name": name, "sort": sort * 10})
        for sub_sort, (sub_code, sub_name) in enumerate(children):
            Category.objects.get_or_create(
                company=None, code=sub_code, defaults={"name": sub_name, "parent": parent, "sort": sort * 10 + sub_sort + 1}
            )
    for role, amount in LIMITS:
        Limit.objects.get_or_create(company=None, role=role, defaults={"max_amount": amount})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_ticket_pipeline")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
