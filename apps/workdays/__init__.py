"""workdays — the one working calendar of Linli: working days, working hours and deadline arithmetic.

Owns: the official PRC calendar plus override rows (:class:`~apps.workdays.models.CalendarDay`,
:class:`~apps.workdays.models.OfficialYear`, P-25), working hours per project (T-14), the limit
policies (rule sets, policy rows, 时限口径), the pure arithmetic (:mod:`.calendar`: working days,
working hours, working minutes between two moments) and working time in SQL (:mod:`.workhours`
with the materialised :class:`~apps.workdays.models.WorkingDayIndex`). Every other module counts
working days and hours through this app.

Reads (:mod:`.queries`): ``calendar_for`` / ``company_calendar``, ``deadlines_for``, ``compute``,
``settings_for``, ``month_grid``, ``policy_table``, ``uncovered_years``; working time in SQL
(:mod:`.workhours`): ``annotate_handling_minutes``, ``handling_stats_postgres``.

Actions (:mod:`.actions`): ``import_calendar`` (page and ``manage.py import_calendar --now``),
``confirm_year`` / ``mark_official`` (admin), ``ensure_working_day_index`` (derived data, called
before working time is computed in SQL).

Reactions: a confirmed or imported year publishes ``workdays.year_confirmed`` (``year``) as a durable
job event (:mod:`apps.core.jobs`, mechanism (b)); apps.tickets reacts with
``tickets.recompute_deadlines_for_year``. Calendar and policy edits replace the
:class:`~apps.workdays.models.DataVersion` cache token (:mod:`.signals`: no business write).
Periodic work: none.
"""
