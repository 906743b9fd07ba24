"""The edge of the system (top layer; nothing imports it).

Owns: the one NinjaAPI object mounting every app's router under ``/api/v1/`` (``api.py``), token
authentication (``auth.py``, ``ApiToken``), the profile page with its API tokens (``views.py``,
URL names ``profile``, ``token_create``, ``token_revoke``), and submission idempotency for every
POST (``idempotency.py``, ``IdempotentRequest``): the ``Idempotency-Key`` header on the API and the
pages' one-time ``submission_key`` form field.

Actions (``actions.py``): ``issue_token``, ``revoke_token``.

Reactions: none. Idempotency is a middleware (``apps.api.idempotency.IdempotencyMiddleware``):
no app calls it; it wraps the request, so the endpoint's own action and the stored answer compose
without any import from a lower layer.
"""
