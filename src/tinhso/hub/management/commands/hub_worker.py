"""`manage.py hub_worker [--interval S] [--purge-every S] [--once]`: the hub's background work.

In a loop: deliveries whose lease ran out are offered again (or parked as dead), packages are
pushed to the nodes that registered a push address, and every --purge-every seconds finished
packages past HUB_PURGE_DAYS lose their body. SIGTERM and SIGINT end the loop after the
current round, so a deploy never cuts a push half-recorded.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType
from typing import Any

from django import db
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from tinhso.hub import push
from tinhso.hub.models import Node

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Tiến trình nền của trục liên thông: hết hạn giữ, đẩy gói tin, xóa nội dung cũ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Nghỉ giữa hai vòng khi rảnh (giây)."
        )
        parser.add_argument(
            "--purge-every", type=float, default=3600.0, help="Chu kỳ xóa nội dung cũ (giây)."
        )
        parser.add_argument("--once", action="store_true", help="Chạy một vòng rồi dừng.")

    def handle(self, *args: Any, **options: Any) -> None:
        interval, purge_every = options["interval"], options["purge_every"]
        if interval <= 0 or purge_every <= 0:
            raise CommandError(_("--interval và --purge-every phải là số dương."))
        if push.hub_key() is None and Node.objects.exclude(push_url="").exists():
            self.stderr.write(
                _(
                    "Chưa cấu hình khóa của trục (TINHSO_HUB_KEY_FILE): không đẩy gói tin được; các nút vẫn nhận được bằng cách kéo về."
                )
            )
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous: dict[signal.Signals, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, _stop)
        try:
            self._loop(stop, interval=interval, purge_every=purge_every, once=options["once"])
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(_("Đã dừng."))

    def _loop(
        self, stop: threading.Event, *, interval: float, purge_every: float, once: bool
    ) -> None:
        last_purge: float | None = None
        while not stop.is_set():
            now = time.monotonic()
            purge = last_purge is None or now - last_purge >= purge_every
            # A connection the database closed meanwhile is replaced, as a request would.
            db.close_old_connections()
            try:
                counts = push.worker_cycle(purge=purge)
            except DatabaseError:
                # The database went away (a restart, a failover): try again after a pause.
                logger.exception("hub_worker: database error, retrying")
                db.close_old_connections()
                stop.wait(max(interval, 5.0))
                continue
            if purge:
                last_purge = now
            if counts.busy or counts.purged:
                self.stdout.write(
                    _(
                        "Trả lại %(returned)d; ngừng %(dead)d; đẩy được %(pushed)d; "
                        "đẩy lỗi %(failed)d; xóa nội dung %(purged)d."
                    )
                    % {
                        "returned": counts.returned,
                        "dead": counts.dead,
                        "pushed": counts.pushed,
                        "failed": counts.push_failed,
                        "purged": counts.purged,
                    }
                )
            if once:
                break
            if not counts.busy:
                stop.wait(interval)
