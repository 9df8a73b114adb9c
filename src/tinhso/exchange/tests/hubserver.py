"""A small hub on 127.0.0.1 that speaks the hub's HTTP calls (decision 0005 §3) for the node's
tests: signed requests checked with `httpsig`, packages stored in memory, one delivery per
recipient, the send id and (DocumentId, recipient, business type / status code) de-duplicated,
pull with leases and acknowledgements. It is not the hub (`tinhso.hub`): it checks only what the
node's tests need, and it can be told to fail — answer 503, or a fault, or fail after storing
(a hub that crashed before answering).
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509

from tinhso.exchange import edxml, httpsig


@dataclass
class StoredPackage:
    id: str
    send_id: str
    body: bytes
    message_type: str
    document_id: str
    sender: str
    node: str
    answer: dict[str, Any]


@dataclass
class Delivery:
    id: str
    package: StoredPackage
    to: str
    node: str
    state: str = "pending"
    attempts: int = 0
    reason: str = ""
    acks: int = 0
    lease_until: dt.datetime | None = None


@dataclass
class FakeHub:
    """The hub's state and the knobs the tests turn."""

    #: node code → its certificate (the hub knows a node by it) and the agencies it serves.
    nodes: dict[str, x509.Certificate] = field(default_factory=dict)
    served: dict[str, str] = field(default_factory=dict)  # agency code → node
    packages: dict[str, StoredPackage] = field(default_factory=dict)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    by_send_id: dict[str, StoredPackage] = field(default_factory=dict)
    dedup: dict[tuple[str, str, str], StoredPackage] = field(default_factory=dict)
    #: Answer the next N requests with this HTTP status (503: the hub is unavailable).
    outage: int = 0
    outage_status: int = 503
    #: Answer the next send with this fault (code, status) instead of storing it.
    faults: list[tuple[str, int]] = field(default_factory=list)
    #: Store the next send, then answer 503 as a hub that died before answering would.
    crash_after_store: int = 0
    #: False: the hub predates the batch calls (`inbox/take`, `inbox/ack` answer 404).
    batch_calls: bool = True
    #: How long a taken delivery stays leased (`HUB_LEASE_SECONDS`).
    lease_seconds: float = 300
    #: Answer the next N batch acknowledgements (`inbox/ack`) with 503, acknowledging nothing.
    ack_outage: int = 0
    calls: list[tuple[str, str]] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def register(self, node: str, certificate_pem: bytes, agencies: list[str]) -> None:
        self.nodes[node] = httpsig.load_certificate(certificate_pem)
        for code in agencies:
            self.served[code] = node

    def next_id(self) -> str:
        return str(next(self._ids))

    # --- what a test inspects ---------------------------------------------------------------

    def sends(self) -> list[StoredPackage]:
        return list(self.packages.values())

    def deliveries_to(self, code: str) -> list[Delivery]:
        return [d for d in self.deliveries.values() if d.to == code]

    # --- the calls ----------------------------------------------------------------------------

    def send(
        self, node: str, body: bytes, message_type: str, send_id: str
    ) -> tuple[int, dict[str, Any]]:
        first = self.by_send_id.get(send_id)
        if first is not None:
            return 200, first.answer
        if self.faults:
            code, status = self.faults.pop(0)
            return status, {"fault": code, "message": f"Lỗi thử nghiệm {code}", "details": []}
        try:
            parsed = edxml.parse(body)
        except edxml.EdxmlRefused as exc:
            return 400, {"fault": "bad_package", "message": str(exc), "details": []}
        pkg = parsed.package
        sender = pkg.sender.organ_id
        if self.served.get(sender) != node:
            return 403, {"fault": "forbidden", "message": "From", "details": [sender]}
        if isinstance(pkg, edxml.StatusPackage):
            recipients = [o.organ_id for o in pkg.recipients] or [pkg.response_for.organ_id]
            document_id = pkg.response_for.document_id
            marker = pkg.status_code
        else:
            recipients = [o.organ_id for o in pkg.recipients]
            document_id = pkg.document_id
            marker = str(pkg.business.business_type)
        unknown = [r for r in recipients if r not in self.served]
        if unknown:
            return 422, {
                "fault": "wrong_address",
                "message": "Không có nơi nhận",
                "details": unknown,
            }
        for r in recipients:
            if (document_id, r, marker) in self.dedup:
                return 409, {"fault": "duplicate", "message": "Đã có", "details": [r]}
        stored = StoredPackage(
            id=self.next_id(),
            send_id=send_id,
            body=body,
            message_type=message_type,
            document_id=document_id,
            sender=sender,
            node=node,
            answer={},
        )
        answer_recipients = []
        for r in recipients:
            delivery = Delivery(id=self.next_id(), package=stored, to=r, node=self.served[r])
            self.deliveries[delivery.id] = delivery
            self.dedup[(document_id, r, marker)] = stored
            answer_recipients.append({"organ_id": r, "node": delivery.node, "state": "pending"})
        stored.answer = {
            "id": stored.id,
            "send_id": send_id,
            "document_id": document_id,
            "message_type": message_type,
            "recipients": answer_recipients,
        }
        self.packages[stored.id] = stored
        self.by_send_id[send_id] = stored
        if self.crash_after_store:
            self.crash_after_store -= 1
            return 503, {}
        return 201, stored.answer

    def deliver(
        self, body: bytes, *, to: str, sender: str, message_type: str, document_id: str = ""
    ) -> Delivery:
        """Put a package made by a test in the inbox of `to`'s node."""
        stored = StoredPackage(
            id=self.next_id(),
            send_id=f"test-{self.next_id()}",
            body=body,
            message_type=message_type,
            document_id=document_id,
            sender=sender,
            node="elsewhere",
            answer={},
        )
        self.packages[stored.id] = stored
        delivery = Delivery(id=self.next_id(), package=stored, to=to, node=self.served[to])
        self.deliveries[delivery.id] = delivery
        return delivery

    def take(self, node: str, message_type: str | None, limit: int) -> list[dict[str, Any]]:
        """Lease the available deliveries (pending, or whose lease ran out), oldest first."""
        now = dt.datetime.now(dt.UTC)
        taken = [
            d
            for d in self.deliveries.values()
            if d.node == node
            and (
                d.state == "pending"
                or (d.state == "fetched" and (d.lease_until is None or d.lease_until <= now))
            )
            and (message_type is None or d.package.message_type == message_type)
        ][: max(1, min(limit, 100))]
        items = []
        for d in taken:
            d.attempts += 1
            d.state = "fetched"
            d.lease_until = now + dt.timedelta(seconds=self.lease_seconds)
            items.append(
                {
                    **self._listed(d),
                    "lease_until": d.lease_until.isoformat(),
                    "body": base64.b64encode(d.package.body).decode("ascii"),
                }
            )
        return items

    def acknowledge(self, node: str, delivery_id: str, status: str, reason: str) -> dict[str, Any]:
        delivery = self.deliveries.get(delivery_id)
        if delivery is None or delivery.node != node:
            return {"id": delivery_id, "fault": "not_found", "message": ""}
        delivery.acks += 1
        if delivery.state not in ("done", "failed"):
            delivery.state = "done" if status == "done" else "failed"
            delivery.reason = reason
        return {"id": delivery.id, "state": delivery.state}

    def _listed(self, d: Delivery) -> dict[str, Any]:
        return {
            "id": d.id,
            "package": d.package.id,
            "message_type": d.package.message_type,
            "from": d.package.sender,
            "to": d.to,
            "document_id": d.package.document_id,
            "send_id": d.package.send_id,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "attempts": d.attempts,
        }

    def inbox(self, node: str, message_type: str | None, limit: int) -> list[dict[str, Any]]:
        rows = [
            d
            for d in self.deliveries.values()
            if d.node == node
            and d.state in ("pending", "fetched")
            and (message_type is None or d.package.message_type == message_type)
        ]
        return [self._listed(d) for d in rows[:limit]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _answer(self, status: int, data: dict[str, Any] | bytes) -> None:
        body = data if isinstance(data, bytes) else json.dumps(data).encode()
        self.send_response(status)
        kind = "application/xml" if isinstance(data, bytes) else "application/json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, method: str) -> None:
        hub = self.server.hub
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        with hub.lock:
            hub.calls.append((method, parts.path))
            if hub.outage:
                hub.outage -= 1
                self._answer(hub.outage_status, {})
                return
            headers = {name: value for name, value in self.headers.items()}
            node = httpsig.claimed_node(headers)
            certificate = hub.nodes.get(node)
            if certificate is None:
                self._answer(401, {"fault": "unauthorised", "message": "node", "details": []})
                return
            try:
                verified = httpsig.verify_request(
                    method, self.path, body, headers, certificate=certificate
                )
            except httpsig.SignatureRefused as exc:
                self._answer(401, {"fault": "unauthorised", "message": exc.code, "details": []})
                return
            if verified.nonce in hub.nonces:
                self._answer(401, {"fault": "unauthorised", "message": "replay", "details": []})
                return
            hub.nonces.add(verified.nonce)
            self._route(hub, method, parts.path, parse_qs(parts.query), node, body)

    def _route(
        self,
        hub: FakeHub,
        method: str,
        path: str,
        query: dict[str, list[str]],
        node: str,
        body: bytes,
    ) -> None:
        call = path.removeprefix("/hub/v1/").strip("/").split("/")
        if method == "POST" and call == ["packages"]:
            status, answer = hub.send(
                node,
                body,
                self.headers.get("X-Tinhso-Message-Type", "edoc"),
                self.headers.get("X-Tinhso-Send-Id", ""),
            )
            self._answer(status, answer)
        elif method == "GET" and call == ["inbox"]:
            kind = query.get("message_type", [None])[0]
            limit = int(query.get("limit", ["50"])[0])
            self._answer(200, {"items": hub.inbox(node, kind, limit)})
        elif method == "POST" and call == ["inbox", "take"] and hub.batch_calls:
            data = json.loads(body or b"{}")
            kind = data.get("message_type")
            self._answer(200, {"items": hub.take(node, kind, int(data.get("limit") or 50))})
        elif method == "POST" and call == ["inbox", "ack"] and hub.batch_calls:
            if hub.ack_outage:
                hub.ack_outage -= 1
                self._answer(503, {})
                return
            data = json.loads(body or b"{}")
            answers = [
                hub.acknowledge(node, str(i["id"]), str(i.get("status")), str(i.get("reason", "")))
                for i in data.get("items") or []
            ]
            self._answer(200, {"items": answers})
        elif method == "GET" and len(call) == 2 and call[0] == "inbox":
            delivery = hub.deliveries.get(call[1])
            if delivery is None or delivery.node != node:
                self._answer(404, {"fault": "not_found", "message": "", "details": []})
                return
            delivery.attempts += 1
            delivery.state = "fetched"
            self._answer(200, delivery.package.body)
        elif method == "POST" and len(call) == 3 and call[0] == "inbox" and call[2] == "ack":
            delivery = hub.deliveries.get(call[1])
            if delivery is None or delivery.node != node:
                self._answer(404, {"fault": "not_found", "message": "", "details": []})
                return
            data = json.loads(body or b"{}")
            answer = hub.acknowledge(
                node, call[1], str(data.get("status")), str(data.get("reason", ""))
            )
            self._answer(200, answer)
        elif method == "GET" and call == ["agencies"]:
            self._answer(
                200,
                {"items": [{"organ_id": c, "name": c, "node": n} for c, n in hub.served.items()]},
            )
        elif method == "GET" and call == ["sent"]:
            self._answer(
                200,
                {
                    "items": [
                        {**p.answer, "created_at": None}
                        for p in hub.packages.values()
                        if p.node == node
                    ]
                },
            )
        else:
            self._answer(404, {"fault": "not_found", "message": path, "details": []})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hub: FakeHub


@contextmanager
def running_hub() -> Iterator[tuple[FakeHub, str]]:
    """A fake hub listening on a free port of 127.0.0.1: (its state, its base URL)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.hub = FakeHub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        yield server.hub, f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
