"""制度10 "within one week" (R-M8-04) is 7×24 h from the report (T-08, AS-22: 2025-10-10 17:00 →
2025-10-17 17:00), not 7 calendar days ending 23:59:59. Deadlines already stamped keep their value."""
from __future__ import annotations

import secrets

from django.db import migrations


def forwards(apps, schema_editor):
    from apps.workdays.policies import COMPLEX_RULE, WEEK_HOURS, WIRING_RULE

    LimitPolicy = apps.get_model("workdays", "LimitPolicy")
    rows = LimitPolicy.objects.filter(rule_set__code="completion_10", stage="complete")
    rows.filter(category="repair_wiring").update(clock="clock_hours", amount=WEEK_HOURS, rule=WIRING_RULE)
    rows.filter(category="repair_complex").update(clock="clock_hours", amount=WEEK_HOURS, rule=COMPLEX_RULE)
    apps.get_model("workdays", "DataVersion").objects.update_or_create(pk=1, defaults={"version": secrets.randbits(62)})


class Migration(migrations.Migration):
    dependencies = [("workdays", "0003_reply_c_per_class")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
