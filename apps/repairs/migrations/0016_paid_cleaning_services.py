"""Seed data (R-M19-06): the CS department's commissioned paid cleaning and similar paid services are
taken as paid services (有偿服务) on the repair intake, priced from the published list, dispatched to
the 环境管理部 and return-visited like any paid service: categories under 环境 with their rule
(dispatch by the dispatcher, department kind ``environment``)."""
from __future__ import annotations

from django.db import migrations

SERVICES = [
    ("service_paid_cleaning", "委托有偿保洁"),
    ("service_renovation_cleaning", "装修开荒保洁"),
    ("service_pest_control", "有偿消杀灭鼠"),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Category = apps.get_model("tickets", "Category")
    Rule = apps.get_model("repairs", "RepairRule")
    parent = Category.objects.filter(company=None, code="environment").first()
    if parent is None:
        parent = Category.objects.create(company=None, code="environment", name="环境", sort=30)
    for i, (code, name) in enumerate(SERVICES):
        cat, _ = Category.objects.get_or_create(
            company=None, code=code, defaults={"name": name, "parent": parent, "sort": parent.sort + 50 + i})
        Rule.objects.get_or_create(company=None, project=None, category=cat,
                                   defaults={"dispatch_mode": "assign", "urgent_by_default": False,
                                             "department_kind": "environment"})


class Migration(migrations.Migration):
    dependencies = [("repairs", "0015_consent_major_problem")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
