"""Fill the folded search column of accounts that existed before 0002 added it."""

from typing import Any

from django.db import migrations

from tinhso.accounts.search import user_search_text


def fill(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")
    users = list(User.objects.only("id", "full_name", "username"))
    for user in users:
        user.search_text = user_search_text(full_name=user.full_name, username=user.username)
    User.objects.bulk_update(users, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_membership_history_and_user_search")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
