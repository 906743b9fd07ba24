"""Issue 15: trigram indexes for the ticket list's text search (``icontains`` on number and content,
``startswith`` on the complainant's surname), PostgreSQL only — SQLite migrates without them.

EXPLAIN (ANALYZE) at 200,000 tickets (docs/performance.md "Hot queries"): a selective search went
from a parallel sequential scan of every ticket of the project (362 ms) to a BitmapOr of these
indexes (0.6 ms). Built CONCURRENTLY (non-atomic migration) so intake keeps writing meanwhile.
pg_trgm is a trusted extension (PostgreSQL ≥ 13): the database owner may create it.
"""
from django.db import migrations

INDEXES = (
    ("tickets_content_trgm", "upper(content) gin_trgm_ops"),
    ("tickets_number_trgm", "upper(number) gin_trgm_ops"),
    ("tickets_surname_trgm", "complainant_surname gin_trgm_ops"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expr in INDEXES:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON tickets_ticket USING gin ({expr})")
    schema_editor.execute("ANALYZE tickets_ticket")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expr in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0011_private_files")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
