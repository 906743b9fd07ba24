"""热点/重大投诉 — escalation of complaints (SPEC M3).

Owns: escalation policies (P-12 thresholds), escalation events (why a ticket has its level), the
reports a hot/major complaint calls for and their deadlines, same-complaint groups (clusters and
members, similarity synonyms), the separate archive volume of a major complaint, leadership opinions,
government major-event reports and the monthly developer-legacy forwarding. ``Ticket.escalation_level``
belongs to the tickets app; escalation decides it and writes it through
``apps.tickets.actions.levels.change_escalation_level`` (history row + timeline event).

Actions (``actions.py``; pages in ``views.py``, API in ``api.py``): ``evaluate`` / ``evaluate_complaint``,
``downgrade``, ``flag_ticket``, ``submit_report``, ``on_ticket_closed``, ``close_volume``,
``raise_government_report``, ``report_visit_problem``, ``record_leadership_opinion``,
``attach_to_cluster``, ``confirm_cluster``, ``split_cluster``, ``merge_clusters``, ``add_to_cluster``,
``mark_distinct``, ``forward_legacy``. Reads shared with other apps live in ``queries.py``
(``reasons_for`` for the tickets API, ``legacy_monthly_counts`` for reports, ``candidates_for``).

Reactions:
- a complaint received (``tickets.received``) → durable job ``escalation.evaluate_complaint``
  (mechanism b, ``jobs.py``): grouping and the immediate hot/major criteria at the intake time;
- a complaint closed or set to 未关闭 (``tickets.status_changed``) → durable job
  ``escalation.on_complaint_closed`` (mechanism b): the close-out reports become due;
- escalation → tickets (the level, a field edit, a timeline note) and → notify (staff notices): explicit
  calls from escalation's actions into the lower apps (mechanism a), in the same transaction; the notice
  of a new escalation is sent after the commit.
- Time-based escalation, report and ticket-deadline reminders: the sweep (``sweep.py``), run by the
  Celery beat task ``apps.escalation.tasks.run_sweeps`` and ``manage.py run_sweeps [--now]``.
"""
