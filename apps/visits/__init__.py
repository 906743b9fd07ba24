"""Owner visits (业主走访/回访, SPEC M9): a request module beside escalation, repairs and quality.

Owns: ``Visit`` (one line of the 业主回访记录表, filed with the project's 客服部, R-M6-06/R-M9-03) and
``VisitProblem`` (problems owners raise during a visit, R-M9-04, and the ticket raised from one,
R-M9-11); the visit archive, the problem list and its Excel export; the year-end figures of the
年度走访统计 (R-M5-12) that ``apps.reports`` reads through :mod:`apps.visits.queries`.

Furniture: ``access`` (who may see and do what), ``actions`` (every write), ``queries`` (the one
filter, the list querysets, the year-end figures), ``api`` (/api/v1/visits), ``views``/``forms``
(/visits/), ``admin`` (read-only).

Actions (``apps.visits.actions``), each reachable from a page and, where marked, the API:
``record_visit`` (page, API), ``correct_visit`` (page), ``void_visit`` (page),
``settle_problem`` (page, API), ``raise_ticket_from_problem`` (page, API).

Reactions, both (a) — an explicit call inside the visit action's transaction:
- an open problem with a responsible department → ``apps.notify.actions.notify_staff`` tells the
  department heads (R-M9-04);
- raising a ticket from a problem → ``apps.tickets.actions.receive_ticket``, then the ticket is
  linked to the problem; a refused intake or a failure while linking rolls back both (R-M9-11).
Nothing reacts to a visit through signals or jobs.
"""
