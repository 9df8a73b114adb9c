"""Keep the folded search column of accounts current, whoever saves the row.

Accounts are written by our services but also by `createsuperuser`, Django's own auth forms
and test factories; a pre_save receiver is the one place that sees them all. It only refreshes
the search index column (STYLE.md §6): no business rule lives here.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_save
from django.dispatch import receiver

from tinhso.accounts.models import User
from tinhso.accounts.search import user_search_text


@receiver(pre_save, sender=User, dispatch_uid="accounts_user_search_text")
def refresh_user_search_text(sender: type[User], instance: User, **kwargs: Any) -> None:
    # A partial save (`update_fields`) writes the column only when it names it: a caller
    # that changes the name with update_fields must list "search_text" too.
    instance.search_text = user_search_text(
        full_name=instance.full_name, username=instance.username
    )
