"""`manage.py exchange_worker`: send the exchange outbox and pull the inbox, then sleep.

Safe to stop at any moment. SIGTERM or Ctrl-C ends it after the row (or delivery) at hand, and
claimed rows not yet sent are given back. Killed outright (SIGKILL, a power cut), it loses
nothing either: every outcome is committed row by row; a claimed row that was not recorded is
sent again after its lease with the same send id (the hub answers with its first answer), and
a delivery stored but not acknowledged is acknowledged again on the next pass without being
stored twice. Several workers may run side by side (rows are claimed with SKIP LOCKED).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connection

from tinhso.exchange.client import HubClient, HubError, hub_client, hub_configured
from tinhso.exchange.services import inbox_pull, outbox_send_batch

logger = logging.getLogger("tinhso.exchange.worker")


class Command(BaseCommand):
    help = "Gửi gói tin liên thông đang chờ và nhận gói tin từ trục liên thông (vòng lặp)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds to sleep when idle (5)."
        )
        parser.add_argument("--batch", type=int, default=20, help="Rows claimed at a time (20).")
        parser.add_argument("--no-send", action="store_true", help="Do not send the outbox.")
        parser.add_argument("--no-receive", action="store_true", help="Do not pull the inbox.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not hub_configured():
            raise CommandError("TINHSO_HUB_URL is not set: this installation has no hub.")
        self.stopping = threading.Event()
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        client = hub_client()
        try:
            while not self.stopping.is_set():
                busy = self._pass(client, options)
                if options["once"]:
                    break
                if not busy:
                    self.stopping.wait(options["interval"])
        finally:
            client.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        logger.info("exchange.worker.stopping", extra={"signal": signum})
        self.stopping.set()

    def _pass(self, client: HubClient, options: dict[str, Any]) -> bool:
        """One pass; True when there was work (then no sleep before the next)."""
        busy = False
        _fresh_connection()
        try:
            if not options["no_send"]:
                started = time.monotonic()
                # Drain what is due, a batch at a time, but come up for the inbox now and then.
                while not self.stopping.is_set() and time.monotonic() - started < 30:
                    sent = outbox_send_batch(
                        client, limit=options["batch"], stop=self.stopping.is_set
                    )
                    if sent.taken:
                        busy = True
                        self._log("send", sent.__dict__)
                    if sent.taken < options["batch"]:
                        break
            if not options["no_receive"] and not self.stopping.is_set():
                received = inbox_pull(client, stop=self.stopping.is_set)
                if received.handled or received.errors:
                    busy = True
                    self._log("receive", received.__dict__)
        except HubError as exc:
            logger.warning("exchange.worker.hub", extra={"error": str(exc)})
            self.stderr.write(f"hub: {exc}")
            return False
        except DatabaseError as exc:
            logger.exception("exchange.worker.database")
            self.stderr.write(f"database: {exc}")
            _fresh_connection()
            return False
        except Exception as exc:
            # Whatever went wrong is logged; the worker lives on and tries again after a pause
            # (each row and each delivery is committed alone: nothing half-done is left).
            logger.exception("exchange.worker.failed")
            self.stderr.write(f"error: {type(exc).__name__}: {exc}")
            return False
        return busy

    def _log(self, what: str, counts: dict[str, int]) -> None:
        logger.info(f"exchange.worker.{what}", extra=counts)
        shown = ", ".join(f"{k}={v}" for k, v in counts.items() if v)
        self.stdout.write(f"{what}: {shown}")


def _fresh_connection() -> None:
    """Drop a broken or too old database connection between passes (a long-running process;
    never inside a transaction, such as a test's)."""
    if not connection.in_atomic_block:
        close_old_connections()
