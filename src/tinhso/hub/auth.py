"""Who is calling: every call under /hub/v1/ is signed by a registered node (never a password).

The request carries `X-Tinhso-Node` and a signature over the method, path, node, time, nonce
and the body's SHA-256 (`tinhso.exchange.httpsig`, decision 0005 §2). The hub checks it against
the certificate registered for that node, refuses a time outside ±HUB_CLOCK_SKEW_SECONDS, and
refuses a nonce it has seen (the nonce table outlives a restart, as phoss-ap keeps message ids
in a table; anchors.md §3a).

Optionally, a TLS-terminating proxy that verified a client certificate passes it in the header
named by ``HUB_MTLS_HEADER`` (PEM, URL-escaped as nginx's ``$ssl_client_escaped_cert``): the
node whose registered certificate has the same fingerprint is the caller. The proxy must then
drop that header from what clients send; leave the setting empty where no such proxy exists.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

from cryptography import x509
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso import rowwrite
from tinhso.exchange.httpsig import SignatureRefused, claimed_node, verify_request
from tinhso.hub import registry
from tinhso.hub.faults import HubFault
from tinhso.hub.registry import NodeEntry


def _refused(detail: str) -> HubFault:
    return HubFault(
        "unauthorised",
        _("Yêu cầu không được xác thực: nút không đăng ký, chữ ký hoặc thời điểm không hợp lệ."),
        [detail],
    )


def _mtls_node(request: HttpRequest) -> NodeEntry | None:
    header = str(getattr(settings, "HUB_MTLS_HEADER", "") or "")
    if not header:
        return None
    value = request.headers.get(header, "")
    if not value:
        return None
    try:
        certificate = x509.load_pem_x509_certificate(unquote(value).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise _refused("bad_client_certificate") from None
    node = registry.current().nodes_by_fingerprint.get(registry.fingerprint_of(certificate))
    if node is None or not node.enabled:
        raise _refused("unknown_client_certificate")
    claimed = claimed_node(request.headers)
    if claimed and claimed != node.code:
        raise _refused("node_mismatch")
    return node


def authenticate(request: HttpRequest, body: bytes, *, now: dt.datetime | None = None) -> NodeEntry:
    """The registered, enabled node that made this request, or `HubFault` ``unauthorised``."""
    node = _mtls_node(request)
    if node is not None:
        return node
    code = claimed_node(request.headers)
    if not code:
        raise _refused("missing")
    node = registry.current().nodes.get(code)
    if node is None or not node.enabled:
        raise _refused("unknown_node")
    try:
        verified = verify_request(
            request.method or "GET",
            request.get_full_path(),
            body,
            request.headers,
            certificate=node.certificate,
            now=now,
            skew_seconds=settings.HUB_CLOCK_SKEW_SECONDS,
        )
    except SignatureRefused as refused:
        raise _refused(refused.code) from None
    # Recorded only once the signature holds, so that noise cannot fill the table.
    if not _record_nonce(node.code, verified.nonce):
        raise _refused("replayed")
    return node


def _record_nonce(node_code: str, nonce: str) -> bool:
    """Remember a nonce; False when it was already seen (a replay).

    One prepared statement in autocommit (PostgreSQL and SQLite both know ON CONFLICT DO
    NOTHING and RETURNING): no transaction of its own, and nothing to roll back when it is a
    replay.
    """
    rows = rowwrite.execute_prepared(
        "INSERT INTO hub_requestnonce (node_code, nonce, seen_at) VALUES (%s, %s, %s) "
        "ON CONFLICT (node_code, nonce) DO NOTHING RETURNING 1",
        [node_code, nonce, rowwrite.time_param(timezone.now())],
    )
    return len(rows) == 1
