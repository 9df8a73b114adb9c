"""The catalogue's revision row and the triggers that move it (see `CatalogueRevision`)."""

from typing import Any

from django.db import migrations, models

#: The tables a receipt keeps per process (tinhso.dossiers.services._kept).
TABLES = (
    "procedures_procedure",
    "procedures_procedureversion",
    "procedures_processstep",
    "procedures_component",
    "procedures_fee",
    "organizations_agency",
    "organizations_department",
)
TOUCH = 'UPDATE "procedures_cataloguerevision" SET "revision" = "revision" + 1 WHERE "id" = 1'


def create_triggers(apps: Any, schema_editor: Any) -> None:
    apps.get_model("procedures", "CatalogueRevision").objects.get_or_create(id=1)
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(
            "CREATE OR REPLACE FUNCTION procedures_catalogue_touch() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {TOUCH}; RETURN NULL; END $$"
        )
        for table in TABLES:
            # Once per statement: a bulk update of a thousand rows moves the revision once.
            run(
                f'CREATE TRIGGER "{table}_catalogue_touch" '
                f'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION procedures_catalogue_touch()"
            )
    else:  # SQLite has row triggers only
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                run(
                    f'CREATE TRIGGER "{table}_catalogue_touch_{event.lower()}" '
                    f'AFTER {event} ON "{table}" BEGIN {TOUCH}; END'
                )


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            run(f'DROP TRIGGER IF EXISTS "{table}_catalogue_touch" ON "{table}"')
        run("DROP FUNCTION IF EXISTS procedures_catalogue_touch()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                run(f'DROP TRIGGER IF EXISTS "{table}_catalogue_touch_{event}"')


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0001_initial"),
        ("organizations", "0003_fill_search_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueRevision",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("revision", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "phiên bản danh mục thủ tục",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="cataloguerevision_singleton"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
