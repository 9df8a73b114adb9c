"""Background work of the one-stop dossiers: thin Huey wrappers over the services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tinhso.dossiers.services import dossier_transfer_due


@db_periodic_task(crontab(minute="*"))
def transfer_due_dossiers() -> int:
    """Every minute: hand over the dossiers received after 15:00 whose next working morning
    has come (the transfer time is stored on the dossier, so a late run loses nothing)."""
    return dossier_transfer_due()
