"""Pushing packages to the nodes that registered a push address, signed with the hub's key.

The hub POSTs the package (``application/xml``) to the node's URL with the signed-request
headers of `tinhso.exchange.httpsig` (node ``hub``), so the node can check it came from the hub.
A 2xx answer counts as delivered (done); anything else is retried after the back-off of
`HUB_PUSH_BACKOFF_SECONDS`, at most `HUB_MAX_ATTEMPTS` times (DHX §7.7: finite, configurable).
Redirects are not followed, and no proxy of the environment is used.
"""

from __future__ import annotations

import datetime as dt
import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from tinhso.exchange.httpsig import PrivateKey, load_private_key, sign_request
from tinhso.hub import services
from tinhso.hub.services import PushJob

PUSH_TIMEOUT_SECONDS = 15
#: Pushes in flight at once: one node that answers slowly does not hold up the others.
PUSH_THREADS = 4
HUB_NODE_CODE = "hub"

_key_lock = threading.Lock()
_key_cache: dict[str, PrivateKey] = {}


def hub_key() -> PrivateKey | None:
    """The hub's private key from `HUB_KEY_FILE`, read once per process; None if unset."""
    path = str(settings.HUB_KEY_FILE or "")
    if not path:
        return None
    with _key_lock:
        if path not in _key_cache:
            _key_cache[path] = load_private_key(Path(path).read_bytes())
        return _key_cache[path]


def push_headers(job: PushJob, body: bytes, *, key: PrivateKey) -> dict[str, str]:
    parts = urlsplit(job.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = sign_request("POST", target, body, node=HUB_NODE_CODE, key=key)
    headers.update(
        {
            "Content-Type": "application/xml",
            "X-Tinhso-Message-Type": job.message_type,
            "X-Tinhso-Delivery-Id": str(job.delivery_id),
            "X-Tinhso-Package-Id": str(job.package_id),
            "X-Tinhso-Send-Id": job.send_id,
            "X-Tinhso-From": quote(job.from_organ, safe=""),
            "X-Tinhso-To": quote(job.organ_id, safe=""),
            # Percent-encoded UTF-8: a notation such as "QĐ-UBND" is not Latin-1.
            "X-Tinhso-Document-Id": quote(job.document_id, safe=""),
        }
    )
    return headers


def push_one(job: PushJob, *, key: PrivateKey) -> tuple[bool, str]:
    """POST one package to its node; (delivered, a note for the receipt)."""
    body = services.package_body(job.package_id)
    parts = urlsplit(job.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    try:
        peer = connection_class(parts.hostname or "", parts.port, timeout=PUSH_TIMEOUT_SECONDS)
        try:
            peer.request("POST", target, body=body, headers=push_headers(job, body, key=key))
            response = peer.getresponse()
            response.read(65536)
            status = int(response.status)
        finally:
            peer.close()
    except (OSError, http.client.HTTPException, ValueError) as error:
        return False, _("Không kết nối được: %(error)s") % {"error": str(error)[:300]}
    # A redirect is not followed: a POST redirected to a GET that answers 2xx delivered nothing.
    return 200 <= status < 300, f"HTTP {status}"


def _push_and_record(job: PushJob, key: PrivateKey) -> bool:
    try:
        delivered, note = push_one(job, key=key)
        services.push_result(job=job, delivered=delivered, note=note)
        return delivered
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()


@dataclass
class CycleCounts:
    returned: int = 0
    dead: int = 0
    pushed: int = 0
    push_failed: int = 0
    purged: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.returned or self.dead or self.pushed or self.push_failed)


def push_due(*, limit: int = 20, now: dt.datetime | None = None) -> tuple[int, int]:
    """Push the deliveries due now; (delivered, failed)."""
    key = hub_key()
    if key is None:
        return 0, 0
    jobs = services.pushes_claim(now=now, limit=limit)
    if not jobs:
        return 0, 0
    if len(jobs) == 1:
        results = [_push_and_record(jobs[0], key)]
    else:
        with ThreadPoolExecutor(max_workers=min(PUSH_THREADS, len(jobs))) as pool:
            results = list(pool.map(lambda job: _push_and_record(job, key), jobs))
    delivered = sum(1 for result in results if result)
    return delivered, len(results) - delivered


def worker_cycle(*, purge: bool = False, now: dt.datetime | None = None) -> CycleCounts:
    """One round of the worker: leases that ran out, pushes due, and (when asked) the purge."""
    counts = CycleCounts()
    expired = services.leases_expire(now=now)
    counts.returned, counts.dead = expired.returned, expired.dead
    counts.pushed, counts.push_failed = push_due(now=now)
    if purge:
        counts.purged = services.packages_purge(now=now).packages
    return counts
