"""``WorkCalendarDay`` moves to ``workdays.WorkingDayIndex`` (issue 13: one working calendar); its rows
were copied by ``workdays`` 0007."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0007_visit_statistics_due"),
        ("workdays", "0007_copy_reports_work_calendar"),
    ]

    operations = [
        migrations.DeleteModel(name="WorkCalendarDay"),
    ]
