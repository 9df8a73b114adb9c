"""Fixtures of the hub's tests: a registry of three nodes, signed requests, signed packages.

Nodes (each with its own key, made by `httpsig.make_node_credentials`):
    tinh-a  serves H57.02 (Sở Nội vụ, signs with the test PKI's agency seal) and H57.09
    tinh-b  serves H57.05 (Sở Tư pháp, a seal added to the test PKI), 000.00.00.G22 (Bộ Nội vụ)
            and H57.24.10 (a commune)
    tinh-c  serves H58.01
The test PKI's root is the one trust anchor.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from tinhso.exchange import edxml, httpsig
from tinhso.hub import registry, services
from tinhso.signatures.pki import Party
from tinhso.testing.signing import LocalPki

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

AGENCY_B = Party("agency:H57.05", "agency", "Sở Tư pháp", "H57.05", "Sở Tư pháp")

SNV = "H57.02"
VP = "H57.09"
STP = "H57.05"
BNV = "000.00.00.G22"
COMMUNE = "H57.24.10"
OTHER = "H58.01"

ORGAN_NAMES = {
    SNV: "Sở Nội vụ",
    VP: "Văn phòng UBND tỉnh",
    STP: "Sở Tư pháp",
    BNV: "Bộ Nội vụ",
    COMMUNE: "UBND phường Phú Xuân",
    OTHER: "Sở Nội vụ tỉnh Quảng Trị",
}
#: Who signs the envelope of each agency's packages (its seal in the test PKI).
SEAL_OF = {SNV: LocalPki.AGENCY, STP: AGENCY_B.key}


FAST_PATH = "tinhso.hub.api.fastpath.HubApiFastPathMiddleware"


@pytest.fixture(autouse=True)
def _hub_fast_path(settings: Any) -> None:
    # As the hub is deployed: the nodes' calls skip the operator's middleware.
    if FAST_PATH not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [FAST_PATH, *settings.MIDDLEWARE]


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    # The registry snapshot is per process: a previous test's rows were rolled back.
    registry.invalidate()
    yield
    registry.invalidate()


# --- Packages ---------------------------------------------------------------------------------

Signer = Callable[..., bytes]


@pytest.fixture(scope="session")
def seal(test_pki: LocalPki) -> Iterator[Signer]:
    """`seal(data, party=LocalPki.AGENCY)`: the package with the party's envelope signature."""
    if AGENCY_B.key not in test_pki.manifest.parties:
        test_pki.add_party(AGENCY_B)
    chain = [certificate.dump() for certificate in test_pki.chain()]

    def sign(data: bytes, party: str = LocalPki.AGENCY) -> bytes:
        # A token session per call: a session kept open for the whole run would stop the PKI
        # tests that run later in this process from re-initialising the module (keys.py).
        with test_pki.signer(party) as signer:

            def sign_raw(signed_info: bytes) -> bytes:
                return bytes(asyncio.run(signer.async_sign_raw(signed_info, "sha256")))

            return edxml.sign(
                data,
                sign_raw=sign_raw,
                certificates=[test_pki.certificate(party).dump(), *chain],
            )

    yield sign


def document(
    *,
    sender: str = SNV,
    to: tuple[str, ...] = (BNV,),
    number: str = "12",
    notation: str = "QĐ-SNV",
    business: int = 0,
    attachment: bytes = b"%PDF-1.7 test",
    day: dt.date = dt.date(2026, 11, 20),
) -> edxml.DocumentPackage:
    return edxml.DocumentPackage(
        sender=edxml.Organ(sender, ORGAN_NAMES.get(sender, "")),
        recipients=tuple(edxml.Organ(organ, ORGAN_NAMES.get(organ, "")) for organ in to),
        code_number=number,
        code_notation=notation,
        promulgation_place="Huế",
        promulgation_date=day,
        type_code=1,
        type_detail=1,
        type_name="Quyết định",
        subject=f"Về việc thử nghiệm trục liên thông số {number}",
        business=edxml.Business(business_type=business),
        attachments=(edxml.Attachment("van-ban.pdf", "application/pdf", attachment),),
    )


def status(
    answered: edxml.DocumentPackage,
    *,
    sender: str = STP,
    code: str = "01",
    to: tuple[str, ...] | None = None,
    at: dt.datetime = dt.datetime(2026, 11, 21, 8, 0, 0),
) -> edxml.StatusPackage:
    return edxml.StatusPackage(
        sender=edxml.Organ(sender, ORGAN_NAMES.get(sender, "")),
        response_for=edxml.ResponseFor(
            answered.sender.organ_id,
            f"{answered.code_number}/{answered.code_notation}",
            answered.promulgation_date,
            answered.document_id,
        ),
        status_code=code,
        description="Đã tiếp nhận",
        timestamp=at,
        recipients=(
            tuple(edxml.Organ(organ) for organ in to)
            if to is not None
            else (edxml.Organ(answered.sender.organ_id),)
        ),
    )


# --- The registry and signed calls ------------------------------------------------------------


@dataclass
class NodeHandle:
    code: str
    key: httpsig.PrivateKey
    certificate_pem: bytes
    organs: tuple[str, ...]


_CREDENTIALS: dict[str, tuple[bytes, bytes]] = {}


def credentials(code: str) -> tuple[bytes, bytes]:
    """A node key and certificate (PEM), made once per test process."""
    if code not in _CREDENTIALS:
        _CREDENTIALS[code] = httpsig.make_node_credentials(code)
    return _CREDENTIALS[code]


def register_node(code: str, organs: tuple[str, ...], *, push_url: str = "") -> NodeHandle:
    key_pem, certificate_pem = credentials(code)
    services.node_register(
        actor="test",
        code=code,
        name=f"Nút {code}",
        certificate_pem=certificate_pem,
        push_url=push_url,
    )
    for organ in organs:
        services.organ_register(
            actor="test", node_code=code, organ_id=organ, name=ORGAN_NAMES.get(organ, organ)
        )
    return NodeHandle(code, httpsig.load_private_key(key_pem), certificate_pem, organs)


@dataclass
class Hub:
    a: NodeHandle
    b: NodeHandle
    c: NodeHandle
    seal: Signer
    client: Client = field(default_factory=Client)

    def call(
        self,
        node: NodeHandle | None,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        headers: dict[str, str] | None = None,
        now: dt.datetime | None = None,
        signed_headers: dict[str, str] | None = None,
        content_type: str = "application/xml",
    ) -> TestResponse:
        """A request to the hub's API, signed as `node` (unsigned when None)."""
        full = f"/hub/v1/{path}"
        signed = signed_headers
        if signed is None and node is not None:
            signed = httpsig.sign_request(method, full, body, node=node.code, key=node.key, now=now)
        response: TestResponse = self.client.generic(
            method,
            full,
            data=body,
            content_type=content_type,
            headers={**(headers or {}), **(signed or {})},
        )
        return response

    def send(
        self,
        node: NodeHandle,
        data: bytes,
        *,
        message_type: str = "edoc",
        send_id: str | None = None,
    ) -> TestResponse:
        return self.call(
            node,
            "POST",
            "packages",
            data,
            headers={
                "X-Tinhso-Message-Type": message_type,
                "X-Tinhso-Send-Id": send_id or str(uuid.uuid4()),
            },
        )

    def sealed(self, package: edxml.Package) -> bytes:
        """The package built and signed with its sender's seal."""
        return self.seal(edxml.build(package), SEAL_OF[package.sender.organ_id])

    def inbox(self, node: NodeHandle, query: str = "") -> list[dict[str, Any]]:
        response = self.call(node, "GET", f"inbox{query}")
        assert response.status_code == 200, response.content
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def fetch(self, node: NodeHandle, delivery_id: int) -> TestResponse:
        return self.call(node, "GET", f"inbox/{delivery_id}")

    def ack(
        self, node: NodeHandle, delivery_id: int, status: str = "done", reason: str = ""
    ) -> TestResponse:
        import json

        body = json.dumps({"status": status, "reason": reason}).encode()
        return self.call(
            node, "POST", f"inbox/{delivery_id}/ack", body, content_type="application/json"
        )


@pytest.fixture
def hub(db: None, test_pki: LocalPki, seal: Signer) -> Hub:
    services.trust_anchor_add(actor="test", certificate_pem=test_pki.trust_root_pem)
    return Hub(
        a=register_node("tinh-a", (SNV, VP)),
        b=register_node("tinh-b", (STP, BNV, COMMUNE)),
        c=register_node("tinh-c", (OTHER,)),
        seal=seal,
    )
