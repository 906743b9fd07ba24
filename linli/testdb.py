"""A migrated database, made once and copied: the template the test suite's workers start from.

Running every migration costs minutes of CPU, not seconds: Django re-renders the migration state of
the 275 models after each of some 700 operations, on SQLite and PostgreSQL alike. Each pytest-xdist
worker used to migrate its own test database, the API fuzzing its own, and so on. Instead, the
migrations run once into a *template*, and each worker starts from a copy of it:

- SQLite: the template is a file; a worker restores it into its in-memory test database with SQLite's
  backup API (``restore_sqlite``);
- PostgreSQL: the template is a database; a worker's test database is ``CREATE DATABASE … TEMPLATE``.

The copy is then handed to Django's own test set-up as a kept database (``keepdb``): ``migrate`` finds
nothing to apply, and the rest (serialising the migrated rows, the cache table) is unchanged. The
migrations themselves still run, once, on each database the suite runs on, with Django's ``migrate``.

Build a template (CI builds both at its start, beside the lint)::

    python -m linli.testdb sqlite /dev/shm/linli-test-template.sqlite3
    python -m linli.testdb postgres postgres://postgres@127.0.0.1:5432/linli_ci test_linli_ci_template

and name it to pytest with ``LINLI_TEST_SQLITE_TEMPLATE`` / ``LINLI_TEST_PG_TEMPLATE`` (conftest.py).
Without them, a run on several workers builds its own template first and removes it at the end.
"""
from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlparse

SQLITE_ENV = "LINLI_TEST_SQLITE_TEMPLATE"
PG_ENV = "LINLI_TEST_PG_TEMPLATE"


def _admin_url(url: str) -> str:
    """The same server's maintenance database, from which databases are created and dropped."""
    return urlparse(url)._replace(path="/postgres").geturl()


def _quote(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain database name: {name!r}")
    return f'"{name}"'


def _migrate_into(name: str) -> None:
    """Run every migration into the database ``name`` (a SQLite path or a PostgreSQL database name)
    with the test settings, exactly as Django's test set-up would (``run_syncdb`` included)."""
    # the test settings, whatever ``import linli`` (Celery's app) defaulted the module to
    os.environ["DJANGO_SETTINGS_MODULE"] = "linli.settings_test"
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = name  # before any connection is opened
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    connections.close_all()


def build_sqlite(path: str) -> None:
    """Migrate a fresh SQLite file and move it to ``path`` only when complete."""
    target = Path(path)
    building = target.with_name(target.name + ".building")
    building.unlink(missing_ok=True)
    _migrate_into(str(building))
    # one self-contained file (the embedded settings open SQLite in WAL mode): fold the log back in
    with sqlite3.connect(building) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    os.replace(building, target)


def build_postgres(url: str, template: str) -> None:
    """Migrate a fresh PostgreSQL database and rename it to ``template`` only when complete."""
    import psycopg

    building = f"{template[:50]}_building"
    os.environ["LINLI_TEST_DATABASE_URL"] = url
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(building)} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {_quote(building)}")
    _migrate_into(building)
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(template)} WITH (FORCE)")
        conn.execute(f"ALTER DATABASE {_quote(building)} RENAME TO {_quote(template)}")


def restore_sqlite(template: str, memory_name: str) -> sqlite3.Connection:
    """Copy the template file into the shared-cache in-memory database ``memory_name`` (Django's
    ``file:memorydb_default?mode=memory&cache=shared``). The returned connection keeps that database
    alive: hold it for as long as the tests run."""
    if not Path(template).is_file():
        raise FileNotFoundError(f"{SQLITE_ENV}={template} is not a file: build it with python -m linli.testdb sqlite PATH")
    keeper = sqlite3.connect(memory_name, uri=True, check_same_thread=False)
    source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
    try:
        source.backup(keeper)
    finally:
        source.close()
    return keeper


def clone_postgres(settings_dict: dict[str, object], template: str, name: str) -> None:
    """(Re)create the PostgreSQL database ``name`` as a copy of ``template`` on the server of
    ``settings_dict`` (a Django DATABASES entry)."""
    import psycopg

    with psycopg.connect(_admin_conninfo(settings_dict), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template)}")


def drop_postgres(settings_dict: dict[str, object], name: str) -> None:
    import psycopg

    with psycopg.connect(_admin_conninfo(settings_dict), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


def _admin_conninfo(settings_dict: dict[str, object]) -> str:
    """The maintenance database on the server of ``settings_dict`` (a Django DATABASES entry)."""
    from psycopg.conninfo import make_conninfo

    params = {arg: str(settings_dict[key]) for key, arg in
              (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password"))
              if settings_dict.get(key)}
    return make_conninfo(dbname="postgres", **params)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "sqlite":
        build_sqlite(argv[1])
    elif len(argv) == 3 and argv[0] == "postgres":
        build_postgres(argv[1], argv[2])
    else:
        print(__doc__.split("Build a template")[1] if __doc__ else "", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main(sys.argv[1:]))
