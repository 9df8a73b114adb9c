"""Indexes that another index covers, or that only a rare deletion would use, dropped: a
receipt inserts a row into every index of the dossier, hand-over and place tables (see the
models' comments). DROP INDEX rather than Django's AlterField, which on SQLite rebuilds the
tables."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = [
    ("dossiers_dossier", "receiving_agency_id"),
    ("dossiers_dossier", "current_agency_id"),
    ("dossiers_dossier", "current_assignee_id"),
    ("dossiers_handover", "dossier_id"),
    ("dossiers_handover", "step_id"),
    ("dossiers_handover", "from_agency_id"),
    ("dossiers_handover", "from_department_id"),
    ("dossiers_handover", "from_user_id"),
    ("dossiers_handover", "to_agency_id"),
    ("dossiers_handover", "to_department_id"),
    ("dossiers_handover", "to_user_id"),
    ("dossiers_dossieragency", "agency_id"),
    ("dossiers_dossieragency", "department_id"),
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
        ("dossiers", "0002_search_words"),
        ("organizations", "0003_fill_search_text"),
        ("procedures", "0002_catalogue_revision"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dossier",
                    name="current_agency",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="current_assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="receiving_agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.agency",
                        verbose_name="nơi tiếp nhận",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossieragency",
                    name="agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossieragency",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.department",
                    ),
                ),
                migrations.AlterField(
                    model_name="handover",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="handovers",
                        to="dossiers.dossier",
                    ),
                ),
                migrations.AlterField(
                    model_name="handover",
                    name="from_agency",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="handover",
                    name="from_department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.department",
                    ),
                ),
                migrations.AlterField(
                    model_name="handover",
                    name="from_user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="handover",
                    name="step",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="procedures.processstep",
                    ),
                ),
                migrations.AlterField(
                    model_name="handover",
                    name="to_agency",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="handover",
                    name="to_department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organizations.department",
                    ),
                ),
                migrations.AlterField(
                    model_name="handover",
                    name="to_user",
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
