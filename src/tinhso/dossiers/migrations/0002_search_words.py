"""The counter's search matches words of the applicant's name (full-text, PostgreSQL) rather
than any substring: a GIN index on the folded text replaces the trigram index, whose estimates
led the planner to walk the date index row by row (hundreds of milliseconds on a million
dossiers). SQLite keeps scanning (the embedded mode holds a commune's dossiers)."""

from typing import Any

from django.db import migrations


def _words_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_search_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_search_words ON dossiers_dossier "
        "USING gin (to_tsvector('simple', search_text))"
    )


def _trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_search_words")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_search_trgm ON dossiers_dossier "
        "USING gin (search_text gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]

    operations = [migrations.RunPython(_words_index, _trigram_index)]
