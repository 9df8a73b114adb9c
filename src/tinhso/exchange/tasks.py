"""Huey periodic tasks of the node: the same work as `manage.py exchange_worker`, for
installations that run the Huey consumer instead of a worker process. Both may run: rows are
claimed, deliveries stored once."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from tinhso.exchange.client import HubError, hub_client, hub_configured

logger = logging.getLogger(__name__)

#: Work at most this long per run: the next run starts a minute after this one did.
BUDGET_SECONDS = 45


def _node_with_hub() -> bool:
    return settings.TINHSO_ROLE != "hub" and hub_configured()


@db_periodic_task(crontab(minute="*"))
@lock_task("exchange-send")
def exchange_send_due() -> int:
    """Every minute: send the due rows of the exchange outbox."""
    if not _node_with_hub():
        return 0
    from tinhso.exchange.services import outbox_send_batch

    client = hub_client()
    started, total = time.monotonic(), 0
    try:
        while time.monotonic() - started < BUDGET_SECONDS:
            report = outbox_send_batch(client)
            total += report.taken
            if report.taken == 0:
                break
    except HubError as exc:
        logger.warning("exchange.task.send", extra={"error": str(exc)})
    finally:
        client.close()
    return total


@db_periodic_task(crontab(minute="*"))
@lock_task("exchange-receive")
def exchange_pull_inbox() -> int:
    """Every minute: receive what the hub holds for this installation's agencies."""
    if not _node_with_hub():
        return 0
    from tinhso.exchange.services import inbox_pull

    client = hub_client()
    try:
        return inbox_pull(client).handled
    except HubError as exc:
        logger.warning("exchange.task.receive", extra={"error": str(exc)})
        return 0
    finally:
        client.close()
