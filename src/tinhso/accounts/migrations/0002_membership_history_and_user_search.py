"""Memberships keep their history (ended rows stay, uniqueness counts active rows only); accounts
get a folded search column; one citizen account per personal identification number."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(
            model_name="membership", name="membership_unique_role_in_department"
        ),
        migrations.RemoveConstraint(
            model_name="membership", name="membership_unique_role_in_agency"
        ),
        migrations.AddField(
            model_name="membership",
            name="ended_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="kết thúc lúc"),
        ),
        migrations.AddField(
            model_name="user",
            name="search_text",
            field=models.CharField(
                blank=True, editable=False, max_length=320, verbose_name="từ khóa tìm kiếm"
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["search_text"], name="user_search_idx"),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                condition=models.Q(("department__isnull", False), ("is_active", True)),
                fields=("user", "agency", "department", "role"),
                name="membership_unique_active_role_in_department",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                condition=models.Q(("department__isnull", True), ("is_active", True)),
                fields=("user", "agency", "role"),
                name="membership_unique_active_role_in_agency",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "citizen"), models.Q(("id_number", ""), _negated=True)),
                fields=("id_number",),
                name="user_unique_citizen_id_number",
            ),
        ),
    ]
