"""The outbox's agency index, covered by notif_agency_id_idx, dropped (DROP INDEX: see the
dossiers' migration 0003)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    ("notifications_notification", "agency_id"),
]


def _names(schema_editor: Any, table: str, column: str) -> list[str]:
    """Django's names of the column's own index (and, on PostgreSQL, of its LIKE index)."""
    name = schema_editor._create_index_name(table, [column], suffix="")
    names = [name]
    if schema_editor.connection.vendor == "postgresql":
        names.append(schema_editor._create_index_name(table, [column], suffix="_like"))
    return names


def drop(apps: Any, schema_editor: Any) -> None:
    for table, column in INDEXES:
        for name in _names(schema_editor, table, column):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create(apps: Any, schema_editor: Any) -> None:
    for table, column in INDEXES:
        name = _names(schema_editor, table, column)[0]
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_outbox"),
        ("organizations", "0003_fill_search_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="agency",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.agency",
                        verbose_name="cơ quan",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create)],
        )
    ]
