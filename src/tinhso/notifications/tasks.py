"""Background work of the outbox: thin Huey wrappers, the durable state stays in the table."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tinhso.notifications import delivery


@db_task()
def deliver_notification(notification_id: int) -> None:
    """Send one row; queued by the services once the transaction that wrote it commits."""
    delivery.deliver(notification_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_notifications() -> None:
    """Every minute: send the rows that are due (retries, lost wake-ups) and free stuck ones."""
    delivery.deliver_due()
