"""Document search: the text read from files, one index row per document, and its full-text
part per database.

PostgreSQL: two `tsvector` columns written in SQL by the indexer (absent from the model):
`words` (folded words behind their document's agency, "4|quyet", weighted, GIN-indexed) and
`exact` (accented words, for ranking only); the `unaccent` extension where the server has it. SQLite: the FTS5 table
`documents_search_fts` (rowid = document id; the words arrive folded, so the tokenizer keeps
marks: the `exact` column needs them), emptied with its index row by a trigger.
"""

from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import DatabaseError, migrations, models, transaction

FTS_TABLE = "documents_search_fts"


def _full_text(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
            available = cursor.fetchone() is not None
        if available:
            try:
                with transaction.atomic(using=connection.alias):
                    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
            except DatabaseError:
                # Not allowed for this role: the search folds in Python and does without.
                pass
        schema_editor.execute(
            "ALTER TABLE documents_searchentry "
            "ADD COLUMN words tsvector NOT NULL DEFAULT ''::tsvector, "
            "ADD COLUMN exact tsvector NOT NULL DEFAULT ''::tsvector"
        )
        schema_editor.execute(
            "CREATE INDEX documents_search_words ON documents_searchentry USING gin (words)"
        )
    elif connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "reference, subject, issuer, body, exact, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
        schema_editor.execute(
            "CREATE TRIGGER documents_search_fts_delete AFTER DELETE ON documents_searchentry "
            "BEGIN DELETE FROM documents_search_fts WHERE rowid = old.document_id; END"
        )


def _drop_full_text(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS documents_search_words")
        schema_editor.execute(
            "ALTER TABLE documents_searchentry DROP COLUMN IF EXISTS words, "
            "DROP COLUMN IF EXISTS exact"
        )
    elif connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS documents_search_fts_delete")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("organizations", "0003_fill_search_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FileText",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sha256", models.CharField(max_length=64, unique=True)),
                ("content_type", models.CharField(blank=True, max_length=100)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("ok", "Đã đọc nội dung"),
                            ("empty", "Không có chữ"),
                            ("failed", "Không đọc được"),
                            ("skipped", "Định dạng không đọc nội dung"),
                        ],
                        max_length=10,
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=30)),
                ("detail", models.JSONField(blank=True, default=dict)),
                ("text", models.TextField(blank=True)),
                ("pages", models.PositiveIntegerField(blank=True, null=True)),
                ("truncated", models.BooleanField(default=False)),
                (
                    "ocr_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Không cần nhận dạng chữ"),
                            ("pending", "Chờ nhận dạng chữ"),
                            ("done", "Đã nhận dạng chữ"),
                            ("failed", "Nhận dạng chữ thất bại"),
                            ("timeout", "Nhận dạng chữ quá thời gian"),
                            ("unavailable", "Không có phần mềm nhận dạng chữ"),
                            ("disabled", "Nhận dạng chữ đang tắt"),
                        ],
                        default="",
                        max_length=12,
                    ),
                ),
                ("ocr_text", models.TextField(blank=True)),
                ("ocr_detail", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "nội dung tệp",
                "verbose_name_plural": "nội dung tệp",
                "indexes": [
                    models.Index(
                        condition=models.Q(("ocr_status", "pending")),
                        fields=["ocr_status"],
                        name="file_text_ocr_pending",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="documents.document",
                    ),
                ),
                ("direction", models.CharField(max_length=10)),
                ("doc_type", models.CharField(max_length=4)),
                ("urgency", models.CharField(max_length=16)),
                ("status", models.CharField(max_length=12)),
                ("issued_on", models.DateField(blank=True, null=True)),
                ("registered_on", models.DateField(blank=True, null=True)),
                ("doc_date", models.DateField()),
                ("indexed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "agency",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organizations.agency",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="organizations.department",
                    ),
                ),
                (
                    "signer",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "chỉ mục tìm kiếm văn bản",
                "verbose_name_plural": "chỉ mục tìm kiếm văn bản",
                "indexes": [
                    models.Index(
                        fields=["agency", "-doc_date", "-document"],
                        name="search_entry_agency_date",
                    ),
                    models.Index(fields=["doc_date"], name="search_entry_date"),
                ],
            },
        ),
        migrations.RunPython(_full_text, _drop_full_text),
    ]
