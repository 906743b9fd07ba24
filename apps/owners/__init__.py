"""Owners' own Linli (issue 19): owners and residents sign in with the mobile number registered on
their household and an SMS one-time code, choose among their households, submit requests through the
one ticket pipeline as the online channel, follow them, and manage the household's family members
and tenants.

Owner accounts are not staff users: an owner session is a key in the Django session
(:mod:`apps.owners.access`), never ``request.user``, so an owner never passes a staff page's login
check and a staff session never passes an owner page's check.

Actions (:mod:`apps.owners.actions`): ``request_code``, ``verify_code``, ``add_member``,
``remove_member``, ``submit_request``, ``add_information``, ``confirm_repair``, ``rate_handling``,
``issue_token``, ``revoke_token`` (the API under /api/v1/me/, :mod:`apps.owners.api`).
Reactions: none (tickets' own durable jobs run for the tickets owners submit).
"""
