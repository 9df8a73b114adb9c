"""The audit trail's indexes that another one covers, dropped: every audited write inserts one
row into each (see the model). DROP INDEX rather than Django's AlterField, whose SQLite table
rebuild would drop the append-only triggers of migration 0002."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = [
    ("audit_auditevent", "action"),
    ("audit_auditevent", "actor_id"),
    ("audit_auditevent", "agency_id"),
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
    if schema_editor.connection.vendor == "postgresql":
        # The hash is unique and only ever compared whole: its LIKE index serves nothing.
        like = schema_editor._create_index_name("audit_auditevent", ["hash"], suffix="_like")
        schema_editor.execute(f'DROP INDEX IF EXISTS "{like}"')


def create(apps: Any, schema_editor: Any) -> None:
    for table, column in INDEXES:
        name = _names(schema_editor, table, column)[0]
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_chain_head_time"),
        ("organizations", "0003_fill_search_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="action",
                    field=models.CharField(max_length=100, verbose_name="hành động"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người thực hiện",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
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
