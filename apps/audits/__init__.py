"""Supervision audits (督导, SPEC M13): the scoring standard as versioned data, audits and company
inspections of a project scored in Decimal, pre-checks from Linli's own records (apps.core.prechecks),
NCRs raised from nonconforming items, history, ranking and the report as PDF and Excel.

Actions (apps.audits.actions): load_seed_standard, import_standard, update_row, make_default,
open_audit, answer_item, confirm_suggestions, complete_audit, raise_ncr_for_finding.
Reactions: a completed company inspection suggests entries on the responsible staff's assessment
sheets (an explicit call into apps.assessments, one transaction; R-M13-06 → R-M14-05).
"""
