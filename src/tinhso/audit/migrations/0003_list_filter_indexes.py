"""Indexes for the audit list filters, each ending in -seq for keyset pages (newest first).

Only indexes are added: on SQLite any table rebuild would drop the triggers of 0002.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "base_manager_name": "objects",
                "ordering": ["-seq"],
                "verbose_name": "nhật ký",
                "verbose_name_plural": "nhật ký",
            },
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor_label", "-seq"], name="audit_actor_label_seq_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "-seq"], name="audit_action_seq_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["request_id"], name="audit_request_idx"),
        ),
    ]
