"""Issue 15: a trigram index on the household label (``icontains`` in the ticket list's text search
and the household look-up), PostgreSQL only — SQLite migrates without it."""
from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS estates_household_label_trgm "
                          "ON estates_household USING gin (upper(label) gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS estates_household_label_trgm")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("estates", "0009_access_log_print")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
