"""Community activities and publicity (社区文化与宣传, SPEC M12).

Owns: ``ActivityPlan`` (annual or quarterly plan, R-M12-01), ``Activity`` (implementation plan approved
before its notice, R-M12-02; notice ≥ 3 days ahead, R-M12-03 / AS-31; cost approved within the
approver's limit, R-M12-05; the record with photos, participants and feedback, R-M12-04),
``ActivityPhoto``, ``ActivityCostLimit`` (approval limits per role, a setting) and ``Greeting`` (festival
SMS greetings, R-M12-09).

Actions (``apps.activities.actions``), each reachable from a page and the API: ``draw_up_plan``,
``add_activity``, ``approve_implementation``, ``approve_cost``, ``publish_activity_notice``,
``invite_not_moved_in``, ``record_activity``, ``send_greeting``, ``post_board_item``, ``save_cost_limit``.

Reactions (a), in the action's transaction: the activity notice and greetings go to owners through
``apps.notify.notices.send_owner_notice`` (one SMS per owner, quiet hours respected); notice-board
items through ``apps.portal.actions.publish_notice``; invitations to owners not yet moved in through
``apps.notify.actions.notify_owner``.
"""
