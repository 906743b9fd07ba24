"""Notifications (layer 5, above workdays): staff inbox, outgoing messages on every channel, quiet
hours and owner notices (SPEC M17). See README.md for the pieces.

Owns: ``Notification``, ``Delivery`` / ``DeliveryAttempt``, channel configuration and backends
(``channels.py``, checked at start-up by ``checks.py``), quiet-hours policies, owner notices, mail
items and scheduled owner reminders.

Actions (``actions.py``): ``notify_staff`` (the contract other apps call, idempotent by
``dedupe_key``), ``notify_owner``, ``deliver_due``, ``retry_now``, ``mark_read``, ``mark_all_read``;
``notices.send_owner_notice`` / ``tell_decoration_progress``; ``mail.*``; ``reminders.queue_all``.
Reads in ``queries.py`` (quiet hours, call order, inbox, delivery log).

Reactions: other apps call ``notify_staff`` / ``notify_owner`` directly inside their own action's
transaction (mechanism (a)); sending happens later by the periodic ``deliver_due`` (Celery beat in
the settings, ``notify_deliver --loop`` embedded), every attempt recorded and retried. The call list
takes its tickets from the source ``apps.home`` registers (``queries.provide_call_candidates``).
``services.py`` only re-exports actions and queries for callers in other apps.
"""
