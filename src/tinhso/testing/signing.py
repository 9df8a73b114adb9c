"""pytest fixtures for digital signatures: a real test PKI on SoftHSM2 with its TSA, OCSP
responder and CRLs served over HTTP on 127.0.0.1, one per test process (xdist worker).

Use them from a conftest.py, either by importing the fixtures::

    from tinhso.testing.signing import softhsm_conf, test_pki  # noqa: F401

or, in the root conftest only (pytest refuses `pytest_plugins` elsewhere)::

    pytest_plugins = [..., "tinhso.testing.signing"]

Fixtures:

- ``softhsm_conf`` (session): the softhsm2.conf of this process. SoftHSM2 reads one
  configuration per process, so every PKI a test builds must pass it:
  ``build_test_pki(dir, ..., softhsm_conf=softhsm_conf, token_label="another")``.
- ``test_pki`` (session): a `LocalPki` — the agency Sở Nội vụ (``LocalPki.AGENCY``, code
  H57.02) and two of its officials, the leader Hoàng Thị Thanh Tâm (``LocalPki.LEADER``) and
  the clerk Lê Thị Mỹ Linh (``LocalPki.CLERK``), keys on a SoftHSM2 token (PIN
  ``test_pki.pin``). Typical use::

      with test_pki.signer(LocalPki.LEADER) as signer:   # pyHanko Signer (PKCS#11)
          signed = sign_pdf(data, signer=signer, timestamper=test_pki.timestamper(), ...)
      context = test_pki.validation_context()            # trusts the root, fetches OCSP/CRLs
      roots = [test_pki.trust_root_pem]                  # for validate_pdf(trust_roots=...)

  The PKI is shared by every test of the process: do not revoke its three parties; make
  one of your own with ``test_pki.add_party(...)`` and revoke that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext

from tinhso.signatures.keys import KeyRef, open_signer
from tinhso.signatures.pki import (
    DEMO_PIN,
    DEMO_SO_PIN,
    Party,
    PartyRecord,
    PkiManifest,
    Revocation,
    build_test_pki,
    revoke,
)
from tinhso.signatures.pki_services import PkiServices, RunningServer, serve_in_thread
from tinhso.signatures.softhsm import ensure_softhsm_conf, softhsm_conf_create

SNV_CODE = "H57.02"
SNV_NAME = "Sở Nội vụ"


@dataclass(frozen=True)
class LocalPki:
    """A test PKI with its services running (see the module docstring)."""

    AGENCY: ClassVar[str] = f"agency:{SNV_CODE}"
    LEADER: ClassVar[str] = "person:lanhdao"
    CLERK: ClassVar[str] = "person:vanthu"
    PARTIES: ClassVar[tuple[Party, ...]] = (
        Party(AGENCY, "agency", SNV_NAME, SNV_CODE, SNV_NAME, email="snv@hue.example"),
        Party(LEADER, "person", "Hoàng Thị Thanh Tâm", SNV_CODE, SNV_NAME, title="Trưởng phòng"),
        Party(CLERK, "person", "Lê Thị Mỹ Linh", SNV_CODE, SNV_NAME, title="Văn thư"),
    )

    manifest: PkiManifest
    server: RunningServer
    pin: str
    so_pin: str

    @property
    def directory(self) -> Path:
        return self.manifest.directory

    @property
    def base_url(self) -> str:
        return self.manifest.base_url

    @property
    def tsa_url(self) -> str:
        return self.manifest.tsa_url

    @property
    def ocsp_url(self) -> str:
        return self.manifest.ocsp_url

    @property
    def trust_root_pem(self) -> bytes:
        """The root certificate (PEM): what an administrator adds to the trust list."""
        return self.manifest.root_pem()

    @property
    def root(self) -> asn1_x509.Certificate:
        return self.manifest.certificate("root")

    @property
    def key_refs(self) -> dict[str, KeyRef]:
        return {key: self.manifest.key_ref(key) for key in self.manifest.parties}

    def key_ref(self, party: str) -> KeyRef:
        return self.manifest.key_ref(party)

    def certificate(self, party: str) -> asn1_x509.Certificate:
        return self.manifest.certificate(party)

    def chain(self) -> list[asn1_x509.Certificate]:
        return self.manifest.chain()

    @contextmanager
    def signer(self, party: str, *, pin: str | None = None) -> Iterator[Signer]:
        """`keys.open_signer` on the party's token key, with its certificate and chain."""
        with open_signer(
            self.key_ref(party),
            pin=self.pin if pin is None else pin,
            certificate=self.certificate(party),
            chain=self.chain(),
        ) as signer:
            yield signer

    def timestamper(self) -> HTTPTimeStamper:
        return HTTPTimeStamper(self.tsa_url)

    def validation_context(self, **kwargs: Any) -> ValidationContext:
        """Trusts the root only; fetches OCSP responses and CRLs from the local services."""
        kwargs.setdefault("allow_fetching", True)
        return ValidationContext(trust_roots=[self.root], **kwargs)

    def add_party(self, party: Party, *, now: dt.datetime | None = None) -> PartyRecord:
        """Issue one more certificate (a new key on the token): ~0.2 s."""
        manifest = build_test_pki(
            self.directory,
            parties=[party],
            base_url=self.base_url,
            now=now or dt.datetime.now(dt.UTC),
            token_label=self.manifest.token_label,
            user_pin=self.pin,
            so_pin=self.so_pin,
            softhsm_conf=self.manifest.softhsm_conf,
            module=self.manifest.module,
        )
        self.manifest.parties.update(manifest.parties)
        self.manifest.issued.update(manifest.issued)
        return manifest.parties[party.key]

    def revoke(
        self, party: str, *, reason: str = "key_compromise", when: dt.datetime | None = None
    ) -> Revocation:
        """Revoke a party's certificate (never one of the three shared parties)."""
        if party in (self.AGENCY, self.LEADER, self.CLERK):
            raise ValueError("The shared parties stay valid: revoke a party of your own")
        return revoke(
            self.directory,
            self.manifest.parties[party].serial,
            reason=reason,
            when=when or dt.datetime.now(dt.UTC),
        )


@pytest.fixture(scope="session")
def softhsm_conf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This process's softhsm2.conf, committed before SoftHSM2 is first loaded."""
    conf = softhsm_conf_create(tmp_path_factory.mktemp("softhsm"))
    ensure_softhsm_conf(conf)
    return conf


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory, softhsm_conf: Path) -> Iterator[LocalPki]:
    # The URLs go into the certificates, so the server listens before the PKI is built.
    server = serve_in_thread()
    try:
        manifest = build_test_pki(
            tmp_path_factory.mktemp("pki"),
            parties=LocalPki.PARTIES,
            base_url=server.url,
            now=dt.datetime.now(dt.UTC),
            token_label="test-pki",
            user_pin=DEMO_PIN,
            so_pin=DEMO_SO_PIN,
            softhsm_conf=softhsm_conf,
        )
        server.app = PkiServices(manifest.directory)
        yield LocalPki(manifest=manifest, server=server, pin=DEMO_PIN, so_pin=DEMO_SO_PIN)
    finally:
        server.stop()
