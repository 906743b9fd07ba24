"""Inspections and facility upkeep (检查与设施维护, SPEC M18).

Owns: check templates as data (``CheckTemplate``/``CheckItem``: the kinds of R-M18-01 and the other
checks of M18, the three levels of daily check R-M18-02, the 日检表 items), scheduled rounds with due
dates (``InspectionRound``), inspections entered on a phone with photos and signatures
(``Inspection``, ``InspectionPhoto``), one nonconformity a line with the responsible employee
(``Finding``, R-M18-03), typhoon/rainstorm warning nights and night post checks (``WarningNight``,
R-M18-04, AS-38), the swimming-pool hygiene log with its limits (``PoolReading``, ``PoolLimits``,
R-M18-16), evaluations and emergency plans (``Evaluation``, ``EmergencyPlan``, R-M18-11, R-M18-15).

Actions (``apps.inspections.actions``): ``record_inspection`` (page, API), ``finding_to_ticket`` and
``finding_to_ncr`` (page, API), ``enter_warning_night`` (page, API), ``record_pool_reading`` (page, API),
``save_pool_limits`` (page), ``schedule_round`` (page, API).

Reactions:
- (a) a finding handed on becomes an internal ticket (``apps.tickets.actions.receive_ticket``) or an
  NCR (``apps.quality.actions.raise_ncr``) in the same transaction;
- (b) a nonconformity with a responsible employee publishes ``staff.performance_event`` (durable job)
  for the staff-assessment module (R-M14-05), which never imports this app;
- (a) an out-of-range pool reading notifies the project's managers at once (``apps.notify``).
"""
