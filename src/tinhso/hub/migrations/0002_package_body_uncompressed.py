"""Package bodies kept out of line without compression (PostgreSQL only).

An edXML body is mostly base64 of zipped attachments: PostgreSQL's default pglz compression
scans it on every insert only to find it does not shrink by a quarter and store it as it is.
``STORAGE EXTERNAL`` keeps it out of line (TOAST) as before, without that attempt. Existing
rows are unchanged; SQLite has no such setting.
"""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def forwards(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE hub_package ALTER COLUMN body SET STORAGE EXTERNAL")


def backwards(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE hub_package ALTER COLUMN body SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("hub", "0001_registry_packages_deliveries")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
