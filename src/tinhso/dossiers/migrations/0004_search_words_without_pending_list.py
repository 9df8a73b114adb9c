"""The counter's full-text index (`dossier_search_words`) without GIN's pending list.

With `fastupdate` (PostgreSQL's default) a new dossier's words are appended to a pending list
that every search reads in full, until it holds 4 MB; then the receipt that overflows it merges
the whole list into the index — while it holds the day's counter, which every receipt at that
counter waits for (docs/decisions/0006-hot-write-paths.md). A dossier has a dozen words: each
receipt now writes them into the index itself, a steady cost, and searches read no list.
Measured on a million dossiers, 16 counter clients (docs/benchmarks.md): receipts 181 → 221/s,
p99 from over a second in the runs with a merge to 140–200 ms.
"""

from typing import Any

from django.db import migrations


def _without_pending_list(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX IF EXISTS dossier_search_words SET (fastupdate = off)")
        # What the list already holds goes into the index now (ALTER INDEX keeps it).
        schema_editor.execute(
            "SELECT gin_clean_pending_list(to_regclass('dossier_search_words')) "
            "WHERE to_regclass('dossier_search_words') IS NOT NULL"
        )


def _with_pending_list(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX IF EXISTS dossier_search_words RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0003_drop_covered_indexes")]

    operations = [migrations.RunPython(_without_pending_list, _with_pending_list)]
