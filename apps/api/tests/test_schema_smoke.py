"""Schemathesis smoke test over every GET operation of the OpenAPI document (issue 2 item 7).

In-process (WSGI, the test database), bounded: a few generated cases per operation, run as a
company-level user with a Bearer token so every project's data is reachable. Checks: no 5xx,
status codes and content types declared, responses match their schemas.
"""
from __future__ import annotations

import time

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings

from apps.api.actions import issue_token

EXAMPLES_PER_OPERATION = 6


@pytest.fixture
def schema():
    # The WSGI handler closes "old" connections when a request ends; inside the test's transaction
    # that would close PostgreSQL's connection. Django's test client does the same as this.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _get_operations(schema):
    ops = [result.ok() for result in schema.get_all_operations()]
    return [op for op in ops if op.method.upper() == "GET"]


def test_every_get_operation_conforms_to_the_schema(cast, frozen_now, schema):
    from apps.tickets.tests.helpers import receive

    receive(cast)  # some data behind the list endpoints
    _token, raw = issue_token(cast.quality_inspector, name="schemathesis", now=frozen_now)
    headers = {"Authorization": f"Bearer {raw}"}
    operations = _get_operations(schema)
    assert len(operations) >= 3
    started = time.monotonic()
    failures: list[str] = []
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"GET {op.path}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
    assert time.monotonic() - started < 120


def test_operations_without_credentials_answer_401_in_the_error_shape(db, client):
    r = client.get("/api/v1/org/me")
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "unauthenticated", "message": "未登录或令牌无效", "fields": {}}}


def test_every_operation_documents_its_error_responses(client, db):
    doc = client.get("/api/openapi.json").json()
    missing = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            declared = set(op.get("responses", {}))
            lacking = {"401", "403", "404", "422"} - declared
            if lacking:
                missing.append(f"{method.upper()} {path}: {sorted(lacking)}")
    assert not missing, "\n".join(missing)


def _schema_classes():
    from ninja import Schema

    seen, stack = [], list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return seen


def test_component_names_are_unique_across_apps(client, db):
    """django-ninja names OpenAPI components by class name: two routers with a ``FooOut`` each
    silently share one component, and one of them then documents the wrong response."""
    components = set(client.get("/api/openapi.json").json().get("components", {}).get("schemas", {}))
    by_name: dict[str, set[str]] = {}
    for cls in _schema_classes():
        if cls.__module__.startswith("apps.") and cls.__name__ in components:
            by_name.setdefault(cls.__name__, set()).add(cls.__module__)
    clashes = {name: sorted(mods) for name, mods in by_name.items() if len(mods) > 1}
    assert not clashes, f"rename one of each pair (component names must be unique): {clashes}"
