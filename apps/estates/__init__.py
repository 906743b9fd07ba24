"""Estates (layer 3, above org): buildings, units, households, owners and residents, and the
protection of their personal data (SPEC M7).

Owns: the archive models, the masking rules (``masking.py``), who may see and reveal what
(``access.py``: archive projects, grants in force, the reveal and export checks, the AS-40 own-work
test), reads (``queries.py``: search, masked person views, grants, the access log, decoration
records), the roster import and export (``roster.py``), the pages (``views.py``, ``forms.py``) and the
API (``/api/v1/estates``), the estates demo data (``demo.py``).

Actions (``actions.py``): ``grant_access``, ``revoke_grant``, ``reveal_household`` (writes the
access-log rows), ``log_export``, ``record_not_moved_in_reason``, ``update_household``,
``save_person``, ``add_decoration_record``, ``open_decoration_media``; roster import jobs
(``roster.create_import_job``, ``commit_import``, ``discard_import``).

Reactions: none outgoing. Higher modules plug facts in at start-up: ``access.provide_own_work``
(``apps.home`` supplies "the butler handles or received a ticket on this household", AS-40).
``services.py`` only re-exports the three modules for callers in other apps.
"""
