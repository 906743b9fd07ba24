"""Core (the bottom layer): imports only Django, third-party packages and ``linli.clock``.

Owns: the base templates and static files, sign-in with the login lockout (``lockout.py``,
``forms.py``, ``LoginAttempt``), the health check, the domain-error shape (``errors.py``), the API's
error schema and pagination, xlsx/PDF exports, flash helpers, and durable jobs (``jobs.py``).

Actions: the lockout bookkeeping at sign-in; ``purge_login_attempts``; jobs' ``publish`` / ``enqueue``.

Reactions: durable jobs are mechanism (b) for every app: a job enqueued in the writer's transaction,
run after commit, retried with back-off, failures recorded. Core itself reacts to nothing.
"""
