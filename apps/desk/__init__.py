"""Front desk and building services (前台与楼宇服务, SPEC M20).

Owns: ``DecorationPermit`` with ``WorkerPass`` (photo through ``apps.core.files``, validity) and
``DecorationCheck`` (daily worker checks, patrols, stop and resume orders; move-in and decoration
formalities, deposit and its return, R-M20-02/-12), ``HouseKey``/``KeyLoan`` (the key register, overdue
keys flagged, R-M20-03), ``VacantHouseCheck`` (the steward's vacant-house checks, R-M20-04),
``DeskLog`` (signage upkeep R-M20-06, legacy issues and house inspections R-M20-07/-14 with their first
responder, peer-company visits R-M20-11), ``ButlerMeeting`` (the butlers' daily meeting minutes with
attendance, R-M20-13) and ``ConvenienceItem``/``ItemLoan`` (convenience items lent and returned,
R-M20-15).

Mail and newspapers (R-M20-01) are ``apps.notify``'s ``MailItem``; the desk's mail page calls
``apps.notify.mail`` (receive, collect, deliver).

Reactions, all (a) — an explicit call in the same transaction: a patrol or vacant-house finding, and a
neighbour dispute (R-M20-05), become tickets through ``apps.tickets.actions.receive_ticket``.
"""
