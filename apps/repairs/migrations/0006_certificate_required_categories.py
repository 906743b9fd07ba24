"""持证上岗 (R-M8-18, R-M19-10; issue 17): the shipped repair categories whose work needs a
certificate under the national rules — electrical work (供电, 外部停电, 线路, 照明: 电工证), gas (燃气)
and lifts (电梯: 特种设备作业证) — are marked so on the company-wide default rules. A company or
project row overriding a default keeps its own choice."""
from __future__ import annotations

from django.db import migrations

CERTIFIED = ("repair_power", "repair_power_outage", "repair_wiring", "repair_lighting", "repair_gas", "repair_lift")


def mark(apps, schema_editor):  # type: ignore[no-untyped-def]
    Rule = apps.get_model("repairs", "RepairRule")
    for rule in Rule.objects.filter(company=None, project=None, category__company=None,
                                    category__code__in=CERTIFIED):
        rule.certificate_required = True
        rule.save(update_fields=["certificate_required"])


def unmark(apps, schema_editor):  # type: ignore[no-untyped-def]
    Rule = apps.get_model("repairs", "RepairRule")
    for rule in Rule.objects.filter(company=None, project=None, category__company=None,
                                    category__code__in=CERTIFIED):
        rule.certificate_required = False
        rule.save(update_fields=["certificate_required"])


class Migration(migrations.Migration):
    dependencies = [("repairs", "0005_history")]
    operations = [migrations.RunPython(mark, unmark)]
