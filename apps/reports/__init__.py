"""reports — KPIs, ledgers, fixed reports with their review → approval → frozen lifecycle, and the
complaint case library (SPEC M5, M6). Reads every module below it; nothing below imports it.

Owns: :class:`~apps.reports.models.Report`, :class:`~apps.reports.models.CaseLibraryEntry`,
:class:`~apps.reports.models.ReportSettings`, :class:`~apps.reports.models.KpiSettings`,
:class:`~apps.reports.models.UtilityStatistics`. Handling time in working hours comes from
apps.workdays (its calendar and working-time SQL), not from a calendar of its own.

Reads: :mod:`.kpis` (figures and drill-downs), :mod:`.dashboard`, :mod:`.ledgers`,
:mod:`.generators` (figures and text of a report), :mod:`.schedule` (which report is due when),
:mod:`.queries` (due, done and late duties, year compliance, who prepares a report).

Actions (:mod:`.actions`): ``create_draft``, ``update_draft``, ``submit_for_review``,
``approve_report``, ``record_publication``, ``refresh_figures``, ``reissue_report``,
``generate_draft``, ``create_case``, ``record_utility_statistics`` and the reporting sweep
``generate_due`` (Celery task ``apps.reports.tasks.generate_reports`` in the beat schedule,
``manage.py generate_reports --now``).

Reactions: reminders of due and late reports call ``apps.notify.actions.notify_staff`` directly
in the sweep's transaction (mechanism (a)); the working-day index is filled by a direct call to
``apps.workdays.actions.ensure_working_day_index`` (mechanism (a)). No signal receivers.
"""
