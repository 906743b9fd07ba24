"""The owners' notice board (业主公告栏, SPEC R-M17-12): a page app above reports, beside home.

Owns: ``Publication`` (an item on a project's public board: a snapshot without personal data, with
its history); the public board ``/portal/<code>/`` and the staff pages ``/portal/manage/``; the
"推送到业主公告栏" box on the approved report page (``{% portal_publish_box report %}``).

Furniture: ``access`` (who may publish), ``actions`` (every write), ``queries`` (the board, the
management list, the approvers, the residents' names to remove), ``views``/``forms``, ``admin``
(read-only). No API. Imports only from below: core, org, estates, notify, reports.

Actions (``apps.portal.actions``), each reachable from a page: ``publish_report`` (report page
button), ``publish_notice`` (/portal/manage/notice/new/), ``withdraw`` (/portal/manage/).

Reactions, all (a) — an explicit call inside the publishing action's transaction:
- pushing a report → ``apps.reports.actions.record_publication`` records the board as one more
  publication place of the report;
- "tell owners by SMS" → ``apps.notify.notices.send_owner_notice``; a refusal rolls the publication
  back.
"""
