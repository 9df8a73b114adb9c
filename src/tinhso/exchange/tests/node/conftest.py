"""The node's tests: the demo province (its e-office), the test PKI's seal keys for Sở Nội vụ
and Phường Phú Xuân registered with a PIN the server holds, and a hub on 127.0.0.1 that speaks
the hub's calls (`hubserver`), to which this installation is one node serving every agency."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import pem

from tinhso.documents.models import Document
from tinhso.exchange import httpsig
from tinhso.exchange.client import HttpHubClient
from tinhso.exchange.tests.hubserver import FakeHub, running_hub
from tinhso.organizations import demo
from tinhso.organizations.models import Agency
from tinhso.signatures.models import SigningKey
from tinhso.signatures.pki import Party
from tinhso.signatures.services import signing_key_register
from tinhso.testing.eoffice import EofficeWorld, upload
from tinhso.testing.signing import LocalPki
from tinhso.testing.signing_db import KeySet, register_test_keys

SEAL_PIN_ENV = "TINHSO_TEST_EXCHANGE_SEAL_PIN"
NODE = "node-test"
#: Outside agencies the hub knows (served by another node).
OUTSIDE = {"H48.02": "Sở Nội vụ tỉnh Quảng Trị", "000.00.00.G12": "Bộ Nội vụ"}
COMMUNE_PARTY = f"agency:{demo.PHU_XUAN_CODE}"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(scope="session")
def commune_pki(test_pki: LocalPki) -> LocalPki:
    """The test PKI with Phường Phú Xuân's agency key as well (made once per process)."""
    if COMMUNE_PARTY not in test_pki.manifest.parties:
        test_pki.add_party(
            Party(COMMUNE_PARTY, "agency", "Phường Phú Xuân", demo.PHU_XUAN_CODE, "Phường Phú Xuân")
        )
    return test_pki


@dataclass
class Seals:
    snv: KeySet
    commune: SigningKey


@pytest.fixture
def seals(
    settings: Any, monkeypatch: pytest.MonkeyPatch, commune_pki: LocalPki, eoffice: EofficeWorld
) -> Seals:
    """Seal keys the server may use unattended for Sở Nội vụ and Phường Phú Xuân."""
    monkeypatch.setenv(SEAL_PIN_ENV, commune_pki.pin)
    keys = register_test_keys(settings, commune_pki, agency=eoffice.snv, seal_pin_env=SEAL_PIN_ENV)
    manifest = commune_pki.manifest
    record = manifest.parties[COMMUNE_PARTY]
    chain = "".join(pem.armor("CERTIFICATE", c.dump()).decode("ascii") for c in commune_pki.chain())
    commune = signing_key_register(
        actor=None,
        agency=eoffice.phu_xuan,
        owner=None,
        certificate_pem=(manifest.directory / record.cert).read_text(),
        chain_pem=chain,
        storage="pkcs11",
        token_label=manifest.token_label,
        key_label=record.key_label,
        key_id=record.key_id,
        pin_env=SEAL_PIN_ENV,
    )
    return Seals(snv=keys, commune=commune)


@dataclass
class Hub:
    state: FakeHub
    url: str
    key: httpsig.PrivateKey

    def client(self) -> HttpHubClient:
        return HttpHubClient(self.url, node=NODE, key=self.key, timeout=5)


@pytest.fixture
def hub(settings: Any, tmp_path: Path, eoffice: EofficeWorld) -> Iterator[Hub]:
    """A hub on 127.0.0.1; this installation is node `node-test`, serving all its agencies."""
    key_pem, cert_pem = httpsig.make_node_credentials(NODE)
    key_file = tmp_path / "node.key"
    key_file.write_bytes(key_pem)
    with running_hub() as (state, url):
        state.register(NODE, cert_pem, list(Agency.objects.values_list("code", flat=True)))
        for code in OUTSIDE:
            state.served[code] = "node-outside"
        settings.TINHSO_HUB_URL = url
        settings.TINHSO_HUB_NODE_CODE = NODE
        settings.TINHSO_HUB_KEY_FILE = str(key_file)
        settings.TINHSO_HUB_TIMEOUT_SECONDS = 5
        yield Hub(state=state, url=url, key=httpsig.load_private_key(key_pem))


@functools.lru_cache(maxsize=1)
def official_pdf() -> bytes:
    """A one-page official decision (a real PDF pyHanko can sign), made once per process."""
    from tinhso.signatures.tests.pdfs import official_document

    return official_document()


def issue(eoffice: EofficeWorld, **overrides: Any) -> Document:
    """Sở Nội vụ issues a document (a real PDF as its draft) to the recipients given."""
    overrides.setdefault("files", (upload(eoffice.specialist, "cong-van.pdf", official_pdf()),))
    overrides.setdefault("recipients", ())
    return eoffice.issued(**overrides)


def sign_as(agency: Agency, data: bytes) -> bytes:
    """`data` with the envelope signature of the agency's seal key (as its node would send)."""
    from django.utils import timezone

    from tinhso.exchange.envelope import EnvelopeSigners

    with EnvelopeSigners(now=timezone.now()) as signers:
        return signers.sign(agency.pk, data)
