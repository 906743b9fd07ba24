"""The migrated template the test workers copy (linli/testdb.py, conftest.py)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.db import connection

from linli import testdb


def test_restore_copies_the_template_into_a_shared_memory_database(tmp_path: Path) -> None:
    template = tmp_path / "template.sqlite3"
    with sqlite3.connect(template) as conn:
        conn.execute("CREATE TABLE seeded (name TEXT)")
        conn.execute("INSERT INTO seeded VALUES ('工作日历')")
    conn.close()
    name = "file:linli_testdb_restore?mode=memory&cache=shared"
    keeper = testdb.restore_sqlite(str(template), name)
    try:
        other = sqlite3.connect(name, uri=True)  # what Django opens later, by the same name
        assert other.execute("SELECT name FROM seeded").fetchall() == [("工作日历",)]
        other.close()
    finally:
        keeper.close()
    # the memory database lives only while a connection holds it
    again = sqlite3.connect(name, uri=True)
    assert again.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    again.close()


def test_restore_refuses_a_missing_template(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="linli.testdb"):
        testdb.restore_sqlite(str(tmp_path / "missing.sqlite3"), "file:x?mode=memory&cache=shared")


@pytest.mark.parametrize("name", ["test_linli; DROP DATABASE x", 'a"b', "", "x y"])
def test_database_names_are_plain(name: str) -> None:
    with pytest.raises(ValueError):
        testdb._quote(name)


@pytest.mark.django_db
def test_the_test_database_holds_every_migration() -> None:
    """Whether copied from the template or migrated in place, nothing is left to apply."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
