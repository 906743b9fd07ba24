"""Repairs and paid services (报修与有偿服务; SPEC M8, POLICY P-14…P-16; issue 6).

Owns the repair specifics hanging off the ticket pipeline: the work order (RepairOrder: location,
agreed visit, diagnosis, charge, labour, site checklist, acceptance signature or refusal, rework),
repair rules per category, price lists, the owner's charge consent, materials, photos, next visits,
receipts and cash hand-overs, repair return-visit ratings, shift hand-overs, and the repair measures.

Furniture: ``models.py``; ``access.py`` (who may work an order, approve wiring, consent to a shift
hand-over); ``actions/`` (every write, by sub-domain — intake, dispatch, onsite, charges,
return_visit; each keyword-only with the acting user, in ``transaction.atomic()``, with a history
row on the work order, receipt and price list); ``queries.py`` (the queues, rules, charges, cash
on hand, quiet hours shared by pages, API, job and measures); ``measures.py`` (the four measures,
also ``manage.py repair_measures --now``); ``api.py``; ``views.py`` (one view per work-order step);
``forms.py``; ``admin.py``; ``jobs.py``; ``errors.py`` (RepairError).

Reactions:
- receiving a repair (``actions.receive_repair``) calls the ticket intake
  (``apps.tickets.actions.receive_ticket``), creates the work order and dispatches it by the
  category's mode in ONE transaction — mechanism (a); every other repair step that moves the ticket
  (dispatch, accept, arrival, handling, note, return visit, rework) calls the ticket action the same
  way, in the repairs action's transaction;
- a repair or paid-service ticket received through the generic ticket form or API gets its work
  order from the durable job ``repairs.order_for_ticket`` reacting to ``tickets.received`` —
  mechanism (b), registered in ``RepairsConfig.ready()``; idempotent, failures recorded and retried;
- staff notices (the building steward on a new 派工单, department heads on a rework) go to
  ``apps.notify.actions.notify_staff`` in the action's transaction (a).
"""
