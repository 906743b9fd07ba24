"""apps.tickets — the one pipeline every owner request flows through (SPEC M1, M2, M4).

Owns: tickets (受理 → 派工 → 处理 → 回复 → 验证 → 回访 → 结案), their timeline events, deadlines, replies and
reviews, verifications, return visits, compensation claims, developer transfers, saved list views, the
日盘点 confirmations, suggestion-box openings, published channels and suggestion decisions.

Layer: above notify, workdays, estates, org and core; below the request modules (escalation, repairs,
visits, quality …), which it never imports.

Furniture: ``models.py``; ``access.py`` (who sees which ticket); ``actions/`` (every write, by sub-domain:
intake, handling, hold, referral, replies, verification, closure, compensation, inventory, channels,
suggestions, saved views); ``queries.py`` (reads shared by pages, API and other modules); ``forms.py``
(forms and form/API data → action keyword arguments); ``views.py`` (one view per next step);
``api.py`` (``/api/v1/tickets``); ``tasks.py`` (``apps.tickets.tasks.tickets_sweep``, the beat's pass of
``manage.py tickets_sweep``); sub-domain helpers: ``choices``, ``transitions``, ``numbering``,
``deadlines``, ``deadline_display``, ``policies``, ``filters``, ``lookup``, ``inventory``, ``channels``,
``suggestions``, ``sweeps``.

Reactions (issue 13):
- published as durable jobs (b), in the same transaction as the write: ``tickets.received``
  (ticket_id, kind, now) after intake, ``tickets.status_changed`` (ticket_id, kind, old, new, now) on every
  status move, ``tickets.escalated_to_quality`` (ticket_id, kind, now); higher modules ``jobs.react``;
- called by higher modules (a): ``actions.hold_handling`` / ``actions.release_handling`` — apps.quality
  holds handling while its NCR awaits the 管理者代表's signature (R-M2-04);
- calls below (a): apps.notify for staff notices (after the commit), apps.workdays for deadline limits;
  the durable job ``workdays.year_confirmed`` → ``tickets.recompute_deadlines_for_year`` recomputes provisional deadlines (apps.tickets.jobs).
"""
