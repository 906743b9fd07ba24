"""Staff home: the page that gathers many modules (top layer, beside ``apps.portal``).

Owns: the role home page (``/``, URL name ``home``: one panel per role, built from the ticket
pipeline, escalation levels, the quality module's reports, the workdays calendar and the login
lockout — ``queries.py``), the project switcher (``switch_project``), and the demo-data commands
``load_demo`` / ``print_demo_logins`` that load every module's demo data in order.

Actions: none of its own; the project switcher only changes the session. ``load_demo`` calls each
module's demo loader (estates, tickets, quality, visits, portal) in one transaction.

Reactions: none (home only reads; it calls lower modules' functions, nothing calls it).
"""
