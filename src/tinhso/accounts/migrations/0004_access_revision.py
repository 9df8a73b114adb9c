"""The API tokens' revision row and the triggers that move it (see `AccessRevision`)."""

from typing import Any

from django.db import migrations, models

TOUCH = 'UPDATE "accounts_accessrevision" SET "revision" = "revision" + 1 WHERE "id" = 1'
#: The token's columns that decide whether it is valid (not `last_used_at`, bookkeeping that
#: authentication refreshes every few minutes).
TOKEN_COLUMNS = ("user_id", "key_hash", "prefix", "created_at", "expires_at", "revoked_at")
#: (table, the columns whose update counts; empty: all)
TABLES = (
    ("accounts_apitoken", TOKEN_COLUMNS),
    ("accounts_user", ()),
    ("accounts_membership", ()),
)


def create_triggers(apps: Any, schema_editor: Any) -> None:
    apps.get_model("accounts", "AccessRevision").objects.get_or_create(id=1)
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(
            "CREATE OR REPLACE FUNCTION accounts_access_touch() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {TOUCH}; RETURN NULL; END $$"
        )
        for table, columns in TABLES:
            update = "UPDATE OF " + ", ".join(f'"{c}"' for c in columns) if columns else "UPDATE"
            run(
                f'CREATE TRIGGER "{table}_access_touch" '
                f'AFTER INSERT OR {update} OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION accounts_access_touch()"
            )
    else:  # SQLite has row triggers only
        for table, columns in TABLES:
            of = " OF " + ", ".join(f'"{c}"' for c in columns) if columns else ""
            for name, event in (
                ("insert", "INSERT"),
                ("update", f"UPDATE{of}"),
                ("delete", "DELETE"),
            ):
                run(
                    f'CREATE TRIGGER "{table}_access_touch_{name}" '
                    f'AFTER {event} ON "{table}" BEGIN {TOUCH}; END'
                )


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table, _columns in TABLES:
            run(f'DROP TRIGGER IF EXISTS "{table}_access_touch" ON "{table}"')
        run("DROP FUNCTION IF EXISTS accounts_access_touch()")
    else:
        for table, _columns in TABLES:
            for name in ("insert", "update", "delete"):
                run(f'DROP TRIGGER IF EXISTS "{table}_access_touch_{name}"')


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_fill_user_search_text")]

    operations = [
        migrations.CreateModel(
            name="AccessRevision",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("revision", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "phiên bản quyền truy cập",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="accessrevision_singleton"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
