"""R-M5-13: the ≤ 1 % goal belongs to valid complaints ÷ households per year, not to the validity rate (valid ÷
complaints). Companies whose stored targets still carry the shipped ≤ 1 % on the validity rate lose that one
entry (any target a company chose itself is kept)."""

from __future__ import annotations

from django.db import migrations

SHIPPED = {"value": 1.0, "op": "<="}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    KpiSettings = apps.get_model("reports", "KpiSettings")
    for row in KpiSettings.objects.order_by("pk"):
        targets = row.targets if isinstance(row.targets, dict) else {}
        if targets.get("valid_complaint_rate") == SHIPPED:
            targets.pop("valid_complaint_rate")
            row.targets = targets
            row.save(update_fields=["targets"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0013_kpi_desk_rate_formulas")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
