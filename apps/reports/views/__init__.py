"""Pages of the reports app (thin: access, parameters, templates; the rules are in actions/queries/kpis).

- :mod:`.reports` — fixed reports (list, compliance, detail, lifecycle buttons, PDF) and the case library.
- :mod:`.stats` — KPI dashboard, drill-down, exports and the printable paper forms.
- :mod:`.ledgers` — ledgers and worklists (R-M5-16, R-M5-11, R-M4-03, R-M4-06).
- :mod:`.printing` — the data of the printable paper records (reads).
"""
