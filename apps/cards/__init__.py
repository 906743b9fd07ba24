"""IC cards and door codes (IC卡与门禁密码, SPEC M11).

Owns: ``CardSettings`` (notice lead of 7 days and the quarterly rotation, as editable policies),
``CardOfficer`` (the project's card officer and stand-in, named by the department head, R-M11-01 —
a per-project assignment, not a role), ``ICCard`` and ``CardRegisterEntry`` (the
《IC卡发放/异常情况登记表》: issued, lost, replaced, retrieved, cancelled; replacement parking cards with
the three proofs for a non-owner, R-M11-04 / AS-30), ``CardRetrievalTask`` (a staff member transferred
or gone: their card is retrieved, R-M11-05), ``CardQuarterlyReview`` (《IC卡季度整理表》, R-M11-02),
``IssuingPasswordChange`` (date and person, never the password, R-M11-03), ``AccessRegistration``
(residents without their card, R-M11-07), ``Door``, ``DoorCodeChange`` and ``DoorCodeNotice``
(R-M11-06 / AS-29: a notice less than 7 days ahead is recorded **and** flagged as a nonconformity).

Reactions: an SMS notice goes to that door's households only through
``apps.notify.actions.notify_owner`` (quiet hours respected) — the code never reaches the public
board: a board notice (``apps.portal.actions.publish_notice``) says only that the code changes. A late
notice publishes the durable event ``cards.door_code_late_notice`` (project, door, change, lead days)
for whatever module tracks nonconformities. The audit pre-checks "door codes changed each quarter",
"issuing computer password changed each quarter" and "IC cards reviewed each quarter" are registered in
:mod:`apps.cards.prechecks`. ``manage.py cards_sweep`` opens card-retrieval tasks for staff whose
status became transferred or left.
"""
