"""Fees and charges (收费, SPEC M16): the receivable, the receipt and the reminder — not an accounting
system.

Owns: ``FeeSettings`` (per-project fee policies with the SPEC defaults: half-yearly cycle, R-M16-08),
``FeeStandard`` (contract reference, mode, rate; versioned by date; a separate standard for houses
bought but not moved in, R-M16-01/-07), ``BillingCycle`` and ``Bill`` (per household per cycle, made
in one set-based INSERT … SELECT; other charges R-M16-10; shared energy costs R-M16-04; opening
balances), ``ReceiptSeries`` and ``Payment`` (gapless receipt numbers per project and series,
partial payments, explicit prepayments; refunds and voids only as reversal rows), ``Allocation``
(which bill a payment settles), ``LedgerEntry`` (the append-only history row of every money change),
``CashHandover`` (out-of-hours and door-to-door collection handed to the cashier on the next working
day, R-M16-13/-15), ``FeeReminder`` (monthly and arrears reminders, R-M16-12) and ``FeePublication``
(the half-yearly publication on the notice board, R-M16-03/-04).

Furniture: ``access``, ``actions`` (every write), ``queries`` (arrears ageing as one aggregate, the
reconciliation, the owner-side reads ``bills_of_household`` / ``payments_of_household`` /
``receipts_of_household``), ``api`` (/api/v1/fees/), ``views``/``forms`` (/fees/), ``admin``
(read-only), ``tasks``/``management/commands/fees_reminders``, ``demo``.

Reactions, all (a): reminders call ``apps.notify.actions.notify_owner`` (quiet hours respected);
the publication calls ``apps.portal.actions.publish_notice``; hand-over deadlines come from
``apps.workdays``.
"""
