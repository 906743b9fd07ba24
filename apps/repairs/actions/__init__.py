"""Every write of the repairs app, by sub-domain (SPEC M8, POLICY P-14…P-16; issue 6):

- :mod:`.intake` — receive_repair (ticket intake + work order in one transaction), order_for;
- :mod:`.dispatch` — assign_order, transfer_order, hand_back_order, grab_order, accept_order,
  shift_handover (carried out by the leader's consent);
- :mod:`.consents` — request_consent (worker), decide_consent (leader) for hand-overs and wiring
  changes (R-M8-10, R-M8-11);
- :mod:`.onsite` — record_arrival, diagnose, record_consent, start_work, add_material, add_photo,
  complete_repair, agree_next_visit, sign_acceptance, refuse_acceptance, record_owner_confirmation
  (the owner's own confirmation from their account, issue 19);
- :mod:`.return_visit` — record_repair_return_visit (rework on 不满意);
- :mod:`.requisitions` — request_materials, decide_requisition (材料申购, R-M8-12);
- :mod:`.price_lists` — save_price_list_draft, new_price_list_version (a published list is frozen);
- :mod:`.charges` — publish_price_list, issue_receipt, record_payment, void_receipt, hand_over_cash.

Each takes keyword arguments with the acting user and ``now``, returns the changed object or
raises :class:`~apps.repairs.errors.RepairError`, and runs in ``transaction.atomic()`` (a savepoint
inside the caller's transaction). Steps of the ticket pipeline are called through
``_common.ticket_step`` in the same transaction; a work-order change saves a history row.
"""
from apps.repairs.actions.charges import (
    hand_over_cash,
    issue_receipt,
    publish_price_list,
    record_payment,
    void_receipt,
)
from apps.repairs.actions.consents import decide_consent, request_consent
from apps.repairs.actions.dispatch import (
    accept_order,
    assign_order,
    grab_order,
    hand_back_order,
    shift_handover,
    transfer_order,
)
from apps.repairs.actions.intake import order_for, receive_repair
from apps.repairs.actions.onsite import (
    add_material,
    add_photo,
    agree_next_visit,
    complete_repair,
    diagnose,
    record_arrival,
    record_consent,
    record_owner_confirmation,
    refuse_acceptance,
    sign_acceptance,
    start_work,
)
from apps.repairs.actions.price_lists import new_price_list_version, save_price_list_draft
from apps.repairs.actions.requisitions import decide_requisition, request_materials
from apps.repairs.actions.return_visit import record_repair_return_visit
from apps.repairs.errors import RepairError

__all__ = [
    "RepairError",
    "accept_order",
    "add_material",
    "add_photo",
    "agree_next_visit",
    "assign_order",
    "complete_repair",
    "decide_consent",
    "decide_requisition",
    "diagnose",
    "grab_order",
    "hand_back_order",
    "hand_over_cash",
    "new_price_list_version",
    "issue_receipt",
    "order_for",
    "publish_price_list",
    "receive_repair",
    "record_arrival",
    "record_consent",
    "record_owner_confirmation",
    "record_payment",
    "record_repair_return_visit",
    "refuse_acceptance",
    "request_consent",
    "request_materials",
    "save_price_list_draft",
    "shift_handover",
    "sign_acceptance",
    "start_work",
    "transfer_order",
    "void_receipt",
]
