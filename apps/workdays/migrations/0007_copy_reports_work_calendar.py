"""Copy the rows of ``reports.WorkCalendarDay`` into ``workdays.WorkingDayIndex`` (issue 13: one
working calendar). The reverse copies them back (``reports`` 0008 recreates its table first)."""
from django.db import migrations

BATCH = 2000


def forward(apps, schema_editor):
    old = apps.get_model("reports", "WorkCalendarDay")
    new = apps.get_model("workdays", "WorkingDayIndex")
    rows = []
    for company_id, day, code in old.objects.order_by("pk").values_list("company_id", "day", "code").iterator():
        rows.append(new(company_id=company_id, day=day, code=code))
        if len(rows) >= BATCH:
            new.objects.bulk_create(rows)
            rows = []
    new.objects.bulk_create(rows)


def backward(apps, schema_editor):
    old = apps.get_model("reports", "WorkCalendarDay")
    new = apps.get_model("workdays", "WorkingDayIndex")
    rows = []
    for company_id, day, code in new.objects.order_by("pk").values_list("company_id", "day", "code").iterator():
        rows.append(old(company_id=company_id, day=day, code=code))
        if len(rows) >= BATCH:
            old.objects.bulk_create(rows)
            rows = []
    old.objects.bulk_create(rows)
    new.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("workdays", "0006_working_day_index"),
        ("reports", "0007_visit_statistics_due"),
    ]

    operations = [migrations.RunPython(forward, backward)]
