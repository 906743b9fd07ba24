"""Shared set-up of the PostgreSQL benchmarks: a throw-away database and Django on it.

Not a benchmark itself (``make bench`` runs ``bench/*_bench.py``)."""
from __future__ import annotations

import os
from urllib.parse import urlparse


def prepare_database(url: str) -> None:
    """Drop and create the database named in ``url`` (postgres://…/name)."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str, **env: str) -> None:
    """Point Linli's settings at ``url`` (production-like: DEBUG off), set ``env``, migrate."""
    os.environ["LINLI_DATABASE_URL"] = url
    os.environ.setdefault("LINLI_MODE", "embedded")
    os.environ["LINLI_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    for key, value in env.items():
        os.environ.setdefault(key, value)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
