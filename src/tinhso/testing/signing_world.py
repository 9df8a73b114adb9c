"""Signature objects of the access-matrix world: agency A's seal key (in a PKCS#12 file, so
the matrix needs no token), a signed PDF of agency A, a result file on dossier A."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.signatures.models import SigningKey
from tinhso.signatures.services import signing_key_register
from tinhso.testing.access_matrix import World

PASSPHRASE = "matrix-passphrase"


def seal_key_a(w: World) -> SigningKey:
    def build() -> SigningKey:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, w.agency_a.name),
                x509.NameAttribute(NameOID.COMMON_NAME, w.agency_a.name),
            ]
        )
        now = dt.datetime.now(dt.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .sign(key, hashes.SHA256())
        )
        bundle = pkcs12.serialize_key_and_certificates(
            b"seal",
            key,
            certificate,
            None,
            serialization.BestAvailableEncryption(PASSPHRASE.encode()),
        )
        path = Path(tempfile.mkdtemp(prefix="tinhso-matrix-")) / "seal.p12"
        path.write_bytes(bundle)
        return signing_key_register(
            actor=None,
            agency=w.agency_a,
            owner=None,
            certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
            storage="pkcs12",
            pkcs12_path=str(path),
        )

    signing_key: SigningKey = w.make("signatures_seal_key_a", build)
    return signing_key


def pdf_of_agency_a(w: World) -> StoredFile:
    """A PDF uploaded by agency A's clerk (readable by agency A's officials)."""
    from tinhso.signatures.tests.pdfs import official_document

    def build() -> StoredFile:
        clerk = w.user("van_thu_a")
        assert clerk is not None
        return file_store(
            actor=clerk,
            upload=SimpleUploadedFile("van-ban.pdf", official_document(), "application/pdf"),
        )

    stored: StoredFile = w.make("signatures_pdf_a", build)
    return stored
