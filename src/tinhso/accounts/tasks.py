"""Background work of the accounts app: thin Huey wrappers, durable state stays in tables."""

from __future__ import annotations

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="1", minute="30"))
def clear_expired_sessions() -> None:
    """Every night, delete the sessions whose expiry has passed (they can no longer be used)."""
    call_command("clearsessions")
