"""The hub client: one interface (`HubClient`) for the calls of the interconnection axis, and
`HttpHubClient` for tinhso's hub (docs/decisions/0005-interconnection.md §3).

The calls are those of the national axis's SDK (vn-eoffice.md §2.5: sendEdoc,
getReceivedEdocList, getEdoc, updateStatus, getSentEdocList, getAgenciesList), so a province may
implement the same protocol against the VDXP SDK or its provincial LGSP instead of our hub.

Errors are typed: `HubUnavailable` (network, timeout, 5xx: try again later) and `HubFault`
(the hub refused the call with a fault code: do not repeat it unchanged).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import http.client
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlencode, urlsplit

from tinhso.exchange import httpsig, takeframe

AckStatus = Literal["done", "fail"]


class HubError(Exception):
    """Any failure of a hub call."""


class HubUnavailable(HubError):
    """The hub did not answer, or answered with a server error: retry later."""


class HubFault(HubError):
    """The hub refused the call (`code`: bad_package, unauthorised, forbidden, wrong_address,
    duplicate, too_large, not_found …); `message` is the hub's (Vietnamese) text."""

    def __init__(
        self, code: str, message: str = "", details: Sequence[Any] = (), status: int = 0
    ) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.details = list(details)
        self.status = status


@dataclass(frozen=True)
class SendResult:
    """The hub's answer to a send; `replayed` when the send id had been sent before."""

    id: str
    send_id: str
    document_id: str
    message_type: str
    recipients: list[dict[str, Any]] = field(default_factory=list)
    replayed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "send_id": self.send_id,
            "document_id": self.document_id,
            "message_type": self.message_type,
            "recipients": self.recipients,
            "replayed": self.replayed,
        }


@dataclass(frozen=True)
class InboxItem:
    """A delivery waiting for this node (pending, or whose lease ran out)."""

    id: str
    message_type: str
    from_code: str = ""
    to_code: str = ""
    document_id: str = ""
    send_id: str = ""
    created_at: dt.datetime | None = None
    attempts: int = 0


@dataclass(frozen=True)
class TakenItem(InboxItem):
    """A delivery taken in a batch (`POST inbox/take`, decision 0005 §5): leased to this node
    until `lease_until` and counted as an attempt, its package bytes with it."""

    body: bytes = b""
    lease_until: dt.datetime | None = None


@dataclass(frozen=True)
class AckItem:
    """One acknowledgement of a batch (`POST inbox/ack`)."""

    id: str
    status: AckStatus
    reason: str = ""


@dataclass(frozen=True)
class AckResult:
    """The hub's answer for one acknowledgement of a batch: its new `state`, or the `fault`
    (not_found, forbidden …) that refused it."""

    id: str
    state: str = ""
    fault: str = ""
    message: str = ""


@dataclass(frozen=True)
class SentItem:
    id: str
    send_id: str
    document_id: str
    message_type: str
    created_at: dt.datetime | None
    recipients: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class HubAgency:
    organ_id: str
    name: str
    node: str = ""


class HubClient(Protocol):
    """The calls of an interconnection axis (docs/decisions/0005-interconnection.md §3)."""

    def send(self, package: bytes, *, message_type: str, send_id: str) -> SendResult: ...

    def inbox(self, *, message_type: str | None = None, limit: int = 50) -> list[InboxItem]: ...

    def fetch(self, delivery_id: str) -> bytes: ...

    def ack(self, delivery_id: str, *, status: AckStatus, reason: str = "") -> str: ...

    def take(self, message_type: str | None = None, limit: int = 50) -> list[TakenItem]:
        """Lease up to `limit` deliveries with their packages in one call (§5). An axis
        without a batch call implements it by looping over `inbox` and `fetch`."""
        ...

    def ack_many(self, items: Sequence[AckItem]) -> list[AckResult]:
        """Acknowledge several deliveries in one call (§5), or by looping over `ack`."""
        ...

    def sent(self, *, since: dt.datetime | None = None, limit: int = 100) -> list[SentItem]: ...

    def agencies(self) -> list[HubAgency]: ...

    def close(self) -> None: ...


def _parse_time(value: Any) -> dt.datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _inbox_fields(row: dict[str, Any], message_type: str | None) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "message_type": str(row.get("message_type") or message_type or "edoc"),
        "from_code": str(row.get("from") or ""),
        "to_code": str(row.get("to") or ""),
        "document_id": str(row.get("document_id") or ""),
        "send_id": str(row.get("send_id") or ""),
        "created_at": _parse_time(row.get("created_at")),
        "attempts": int(row.get("attempts") or 0),
    }


#: The most deliveries `take` asks for and acknowledgements `ack_many` sends at once (§5).
TAKE_MAX, ACK_MAX = 100, 500
#: What `take` accepts: the binary form first, JSON from a hub without it.
TAKE_ACCEPT = f"{takeframe.MEDIA_TYPE}, application/json;q=0.5"


class HttpHubClient:
    """tinhso's hub over HTTP(S): requests signed with the node key (`httpsig`), one kept-alive
    connection, reopened when the hub closed it.

    Not thread-safe: one client per thread (the worker has one; each task makes its own).
    """

    API = "/hub/v1/"

    def __init__(
        self,
        base_url: str,
        *,
        node: str,
        key: httpsig.PrivateKey,
        timeout: float = 15.0,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"The hub address must be http(s)://host[:port]: {base_url!r}")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        prefix = parts.path.rstrip("/")
        if prefix.endswith("/hub/v1"):
            prefix = prefix[: -len("/hub/v1")]
        self._prefix = prefix + self.API
        self._node = node
        self._key = key
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    @classmethod
    def from_settings(cls) -> HttpHubClient:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        url = str(settings.TINHSO_HUB_URL)
        node = str(settings.TINHSO_HUB_NODE_CODE)
        key_file = str(settings.TINHSO_HUB_KEY_FILE)
        if not (url and node and key_file):
            raise ImproperlyConfigured(
                "Set TINHSO_HUB_URL, TINHSO_HUB_NODE_CODE and TINHSO_HUB_KEY_FILE to reach the hub."
            )
        key = httpsig.load_private_key(Path(key_file).read_bytes())
        return cls(url, node=node, key=key, timeout=float(settings.TINHSO_HUB_TIMEOUT_SECONDS))

    # --- the calls -------------------------------------------------------------------------

    def send(self, package: bytes, *, message_type: str, send_id: str) -> SendResult:
        status, body = self._call(
            "POST",
            "packages",
            body=package,
            headers={
                "Content-Type": "application/xml",
                "X-Tinhso-Message-Type": message_type,
                "X-Tinhso-Send-Id": send_id,
            },
        )
        data = _json(body)
        return SendResult(
            id=str(data.get("id", "")),
            send_id=str(data.get("send_id", send_id)),
            document_id=str(data.get("document_id", "")),
            message_type=str(data.get("message_type", message_type)),
            recipients=[r for r in data.get("recipients") or [] if isinstance(r, dict)],
            replayed=status == 200,
        )

    def inbox(self, *, message_type: str | None = None, limit: int = 50) -> list[InboxItem]:
        query: dict[str, str] = {"limit": str(limit)}
        if message_type:
            query["message_type"] = message_type
        _status, body = self._call("GET", "inbox", query=query)
        return [
            InboxItem(**_inbox_fields(row, message_type))
            for row in _json(body).get("items") or []
            if isinstance(row, dict) and row.get("id") not in (None, "")
        ]

    def fetch(self, delivery_id: str) -> bytes:
        _status, body = self._call("GET", f"inbox/{delivery_id}")
        return body

    def ack(self, delivery_id: str, *, status: AckStatus, reason: str = "") -> str:
        payload = json.dumps({"status": status, "reason": reason[:2000]}).encode()
        _status, body = self._call(
            "POST",
            f"inbox/{delivery_id}/ack",
            body=payload,
            headers={"Content-Type": "application/json"},
        )
        return str(_json(body).get("state", ""))

    def take(self, message_type: str | None = None, limit: int = 50) -> list[TakenItem]:
        """Lease up to `limit` deliveries with their bodies, in the binary form where the hub
        gives it (`takeframe`), else from the JSON form's base64."""
        payload = json.dumps(
            {"message_type": message_type or None, "limit": max(1, min(limit, TAKE_MAX))}
        ).encode()
        _status, body = self._call(
            "POST",
            "inbox/take",
            body=payload,
            headers={"Content-Type": "application/json", "Accept": TAKE_ACCEPT},
        )
        if takeframe.is_framed(body):
            try:
                rows = takeframe.decode(body)
            except takeframe.TakeFrameError as exc:
                raise HubUnavailable(f"The hub's take answer is damaged: {exc}") from None
        else:
            rows = []
            for row in _json(body).get("items") or []:
                if not isinstance(row, dict):
                    continue
                try:
                    data = base64.b64decode(str(row.get("body") or ""), validate=True)
                except (binascii.Error, ValueError):
                    # Leased but unreadable: left unacknowledged, the hub offers it again.
                    continue
                rows.append((row, data))
        return [
            TakenItem(
                **_inbox_fields(row, message_type),
                body=data,
                lease_until=_parse_time(row.get("lease_until")),
            )
            for row, data in rows
            if row.get("id") not in (None, "")
        ]

    def ack_many(self, items: Sequence[AckItem]) -> list[AckResult]:
        results: list[AckResult] = []
        for start in range(0, len(items), ACK_MAX):
            chunk = items[start : start + ACK_MAX]
            payload = json.dumps(
                {
                    "items": [
                        {"id": _wire_id(i.id), "status": i.status, "reason": i.reason[:2000]}
                        for i in chunk
                    ]
                }
            ).encode()
            _status, body = self._call(
                "POST", "inbox/ack", body=payload, headers={"Content-Type": "application/json"}
            )
            results += [
                AckResult(
                    id=str(row.get("id", "")),
                    state=str(row.get("state") or ""),
                    fault=str(row.get("fault") or ""),
                    message=str(row.get("message") or ""),
                )
                for row in _json(body).get("items") or []
                if isinstance(row, dict)
            ]
        return results

    def sent(self, *, since: dt.datetime | None = None, limit: int = 100) -> list[SentItem]:
        query: dict[str, str] = {"limit": str(limit)}
        if since is not None:
            query["since"] = since.astimezone(dt.UTC).isoformat()
        _status, body = self._call("GET", "sent", query=query)
        return [
            SentItem(
                id=str(row.get("id", "")),
                send_id=str(row.get("send_id", "")),
                document_id=str(row.get("document_id", "")),
                message_type=str(row.get("message_type", "")),
                created_at=_parse_time(row.get("created_at")),
                recipients=[r for r in row.get("recipients") or [] if isinstance(r, dict)],
            )
            for row in _json(body).get("items") or []
            if isinstance(row, dict)
        ]

    def agencies(self) -> list[HubAgency]:
        _status, body = self._call("GET", "agencies")
        return [
            HubAgency(
                organ_id=str(row.get("organ_id", "")),
                name=str(row.get("name", "")),
                node=str(row.get("node", "")),
            )
            for row in _json(body).get("items") or []
            if isinstance(row, dict)
        ]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # --- plumbing --------------------------------------------------------------------------

    def _connect(self) -> http.client.HTTPConnection:
        if self._scheme == "https":
            return http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout)
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)

    def _call(
        self,
        method: str,
        call: str,
        *,
        query: Mapping[str, str] | None = None,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        path = self._prefix + call + (f"?{urlencode(query)}" if query else "")
        # Every call may be repeated safely (a send carries its send id, an ack is idempotent):
        # a kept-alive connection the hub closed in the meantime gets one fresh attempt.
        for attempt in (1, 2):
            reused = self._connection is not None
            if self._connection is None:
                self._connection = self._connect()
            signed = httpsig.sign_request(method, path, body, node=self._node, key=self._key)
            try:
                self._connection.request(
                    method, path, body=body or None, headers={**(headers or {}), **signed}
                )
                response = self._connection.getresponse()
                data = response.read()
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self.close()
                if reused and attempt == 1 and not isinstance(exc, TimeoutError):
                    continue
                raise HubUnavailable(f"{method} {call}: {type(exc).__name__}: {exc}") from None
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return self._answer(method, call, response.status, data)
        raise AssertionError("unreachable")

    @staticmethod
    def _answer(method: str, call: str, status: int, data: bytes) -> tuple[int, bytes]:
        if 200 <= status < 300:
            return status, data
        if status >= 500 or status == 429:
            raise HubUnavailable(f"{method} {call}: HTTP {status}")
        try:
            fault = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            fault = None
        if isinstance(fault, dict) and fault.get("fault"):
            details = fault.get("details")
            raise HubFault(
                str(fault["fault"]),
                str(fault.get("message", "")),
                details if isinstance(details, list) else [],
                status,
            )
        text = data[:200].decode("utf-8", "replace")
        raise HubFault(f"http_{status}", text, [], status)


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise HubUnavailable("The hub answered something that is not JSON") from None
    if not isinstance(data, dict):
        raise HubUnavailable("The hub answered JSON that is not an object")
    return data


def hub_configured() -> bool:
    from django.conf import settings

    return bool(settings.TINHSO_HUB_URL)


def hub_client() -> HubClient:
    """The client for the configured hub: `HttpHubClient` for our hub (`TINHSO_HUB_URL` …),
    or the class named by `TINHSO_HUB_CLIENT` (a dotted path; its `from_settings()` makes it),
    so a province can point the exchange at the national axis or its LGSP through an adapter
    that speaks their protocol behind this same interface."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    dotted = str(getattr(settings, "TINHSO_HUB_CLIENT", "") or "")
    factory = import_string(dotted) if dotted else HttpHubClient
    client: HubClient = factory.from_settings()
    return client


def _wire_id(value: str) -> int | str:
    """A delivery id as the hub wrote it: our hub's are integers (JSON numbers), which its
    batch acknowledgement requires; another hub's opaque ids go back as they came."""
    text = str(value)
    return int(text) if text.isdigit() else text
