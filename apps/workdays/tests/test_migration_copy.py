"""The working-day index moves from ``reports.WorkCalendarDay`` to ``workdays.WorkingDayIndex`` with
its rows (issue 13: one working calendar; data preserved both ways)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reports", "0007_visit_statistics_due"), ("workdays", "0006_working_day_index")]
AFTER = [("reports", "0008_work_calendar_moves_to_workdays"), ("workdays", "0007_copy_reports_work_calendar")]


def _migrate(targets: list[tuple[str, str]] | None) -> Any:
    """Migrate to ``targets``; ``None`` means every app's latest migration (the test database's state
    before the test: migrating back to AFTER alone would leave later migrations unapplied)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# serialized_rollback: the flush after a transactional test would otherwise drop the seeded rule sets
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_are_copied_forward_and_back(cast: Any) -> None:
    try:
        old_apps = _migrate(BEFORE)
        old = old_apps.get_model("reports", "WorkCalendarDay")
        old.objects.bulk_create([old(company_id=cast.company.pk, day=dt.date(1999, 12, 31), code=42),
                                 old(company_id=cast.company.pk, day=dt.date(2000, 1, 3), code=1),
                                 old(company_id=None, day=dt.date(2000, 1, 3), code=1)])
        new_apps = _migrate(AFTER)
        new = new_apps.get_model("workdays", "WorkingDayIndex")
        assert sorted(new.objects.values_list("company_id", "day", "code"), key=str) == sorted(
            [(cast.company.pk, dt.date(1999, 12, 31), 42), (cast.company.pk, dt.date(2000, 1, 3), 1),
             (None, dt.date(2000, 1, 3), 1)], key=str)
        back = _migrate(BEFORE).get_model("reports", "WorkCalendarDay")
        assert back.objects.count() == 3 and back.objects.get(day=dt.date(1999, 12, 31)).code == 42
    finally:
        _migrate(None)
