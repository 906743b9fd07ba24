"""Satisfaction improvement plans (满意度提升计划, SPEC M15), one layer above the surveys (apps.surveys).

Owns ``ImprovementPlan`` (yearly, per service line or the customer-lifecycle plan), ``PlanAction`` (its
rows, linked to the survey items, complaint categories and visit problems that motivated them) and
``PlanMeeting`` (improvement-meeting minutes linked to rows).

Actions (:mod:`.actions`, pages at /improvement/, API at /api/v1/improvement in :mod:`.api`): ``create_plan``, ``add_action``, ``update_action``,
``record_meeting``; the 2013 seed plans (R-M15-04, R-M15-05) load through :mod:`.demo` with the same
actions. Reads (:mod:`.queries`): the plan rows with the R-M15-01 flag, and the effect on the linked
survey items between the two latest campaigns (SQL GROUP BY over apps.surveys answers).
Reactions: none.
"""
