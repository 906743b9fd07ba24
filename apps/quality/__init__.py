"""apps.quality — the 《不合格/纠正、预防措施报告》 (NCR/CAPA; SPEC R-M2-04, R-M19-08).

Owns: non-conformity reports, their events and numbering. Layer: a request module above tickets
(imports tickets, never the other request modules).

Furniture: ``models.py``; ``actions.py`` (raise, update/resubmit, sign, return, verify, withdraw, the
system withdrawal of a voided ticket's report); ``services.py`` (reads and numbering); ``gate.py`` (the
R-M2-04 hold's code and message); ``jobs.py``; ``forms.py``; ``views.py``; ``api.py``
(``/api/v1/quality``); ``admin.py`` (read-only).

Reactions (issue 13):
- explicit calls (a) in the same transaction: raising a report holds handling of its ticket
  (``apps.tickets.actions.hold_handling``); signing or withdrawing it releases the hold
  (``release_handling``);
- durable job (b): ``quality.withdraw_for_voided_ticket`` reacts to ``tickets.status_changed`` when the new
  status is 作废 (registered in ``QualityConfig.ready``); a failure is recorded on the job row and retried.
"""
