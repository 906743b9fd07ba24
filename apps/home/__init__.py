"""Staff home: the page that gathers many modules (top layer, beside ``apps.portal``).

Owns: the role home page (``/``, URL name ``home``: one panel per role, built from the ticket
pipeline, escalation levels, the quality module's reports, the fixed reports to approve, submit or
publish, the cashier's overdue arrears, the workdays calendar and the login lockout — ``queries.py``),
the project switcher (``switch_project``), and the demo-data commands ``load_demo`` / ``print_demo_logins`` that load every module's demo data in order.

Actions: none of its own; the project switcher only changes the session. ``load_demo`` calls each
module's demo loader (estates, tickets, escalation, quality, visits, inspections, activities, reports,
portal, improvement, cards, fees, desk, assessments, audits) in layer order; after it, without any other
command, every list page has rows and every demo login's home page has something to do (issue 23
item 3, ``tests/test_demo_complete.py``).

Reactions: none (home only reads; it calls lower modules' functions, nothing calls it).
"""
