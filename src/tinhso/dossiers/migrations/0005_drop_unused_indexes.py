"""Two indexes of the dossier table no query uses, dropped: a receipt writes an entry into every
index of the table while it holds the day's counter (docs/decisions/0006-hot-write-paths.md).

- `created_by`: nothing lists dossiers by the account that received them (the counter's lists
  go by agency and status); deleting such an account is refused (PROTECT) after a scan.
- the code's `LIKE` index (PostgreSQL's `varchar_pattern_ops`, made by Django for a unique text
  column): codes are looked up whole (the unique index); the counter's search by code goes
  through the word index.

DROP INDEX rather than Django's AlterField, which on SQLite rebuilds the table."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _created_by_index(schema_editor: Any) -> str:
    return str(schema_editor._create_index_name("dossiers_dossier", ["created_by_id"], suffix=""))


def _code_like_index(schema_editor: Any) -> str:
    return str(schema_editor._create_index_name("dossiers_dossier", ["code"], suffix="_like"))


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f'DROP INDEX IF EXISTS "{_created_by_index(schema_editor)}"')
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_code_like_index(schema_editor)}"')


def create(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{_created_by_index(schema_editor)}" '
        'ON "dossiers_dossier" ("created_by_id")'
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_code_like_index(schema_editor)}" '
            'ON "dossiers_dossier" ("code" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0004_search_words_without_pending_list"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dossier",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create)],
        )
    ]
