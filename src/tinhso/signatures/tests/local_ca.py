"""A small certificate authority for validation tests, built with `cryptography` in memory.

Root → intermediate → end-entity certificates (agency seals and people, with the agency code
as organizationIdentifier), a timestamp authority, and CRLs. The certificates declare CRL
distribution points (never fetched: validation runs offline and gets the CRLs from the PDF or
the test), so that pyHanko checks revocation when the data is there. Software keys: for the
validator's tests only; the platform's keys live on a PKCS#11 token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign import signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

CRL_BASE = "http://127.0.0.1:9/crl"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.der)

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    @property
    def serial(self) -> int:
        return self.certificate.serial_number


@dataclass
class LocalCA:
    """Root, intermediate and timestamp authority, valid from `start` for ten years."""

    start: dt.datetime
    root: Issued
    intermediate: Issued
    tsa: Issued
    name: str = "tinhso test"
    crl_base: str = CRL_BASE
    _serial: list[int] = field(default_factory=lambda: [1000])

    @classmethod
    def build(
        cls, *, start: dt.datetime, name: str = "tinhso test", crl_base: str = CRL_BASE
    ) -> LocalCA:
        """`crl_base`: where the certificates say their CRLs are (`/root.crl`,
        `/intermediate.crl`); by default a closed port, for tests that work offline."""
        end = start + dt.timedelta(days=3650)
        root_key = _key()
        root_name = _name(f"{name} Root CA")
        root_cert = (
            x509.CertificateBuilder()
            .subject_name(root_name)
            .issuer_name(root_name)
            .public_key(root_key.public_key())
            .serial_number(1)
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(sign=False, ca=True), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
            )
            .sign(root_key, hashes.SHA256())
        )
        root = Issued(root_cert, root_key)
        intermediate = _issue(
            issuer=root,
            subject=_name(f"{name} Intermediate CA"),
            key=_key(),
            serial=2,
            not_before=start,
            not_after=end,
            ca=True,
            crl_url=f"{crl_base}/root.crl",
        )
        tsa = _issue(
            issuer=root,
            subject=_name(f"{name} Time Stamping Authority"),
            key=_key(),
            serial=3,
            not_before=start,
            not_after=end,
            ca=False,
            crl_url=f"{crl_base}/root.crl",
            timestamping=True,
        )
        return cls(
            start=start,
            root=root,
            intermediate=intermediate,
            tsa=tsa,
            name=name,
            crl_base=crl_base,
        )

    def issue(
        self,
        common_name: str,
        *,
        agency_code: str | None = None,
        agency_name: str = "Ủy ban nhân dân tỉnh (thử nghiệm)",
        uid: str | None = None,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        key_usage: bool = True,
    ) -> Issued:
        """An end-entity signing certificate from the intermediate."""
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
        if agency_code is not None:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, agency_code))
        if uid is not None:
            attributes.append(x509.NameAttribute(NameOID.USER_ID, uid))
        self._serial[0] += 1
        return _issue(
            issuer=self.intermediate,
            subject=x509.Name(attributes),
            key=_key(),
            serial=self._serial[0],
            not_before=not_before or self.start,
            not_after=not_after or self.start + dt.timedelta(days=730),
            ca=False,
            crl_url=f"{self.crl_base}/intermediate.crl",
            sign=key_usage,
        )

    def crl(
        self,
        *,
        issuer: Issued | None = None,
        revoked: Sequence[tuple[int, dt.datetime]] = (),
        this_update: dt.datetime,
        next_update: dt.datetime | None = None,
    ) -> asn1_crl.CertificateList:
        """A CRL of the intermediate (default) or the root listing `revoked` (serial, when)."""
        authority = issuer or self.intermediate
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(authority.certificate.subject)
            .last_update(this_update)
            .next_update(next_update or this_update + dt.timedelta(days=7))
        )
        for serial, when in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
            )
        der = builder.sign(authority.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
        return asn1_crl.CertificateList.load(der)

    def crls(self, *, this_update: dt.datetime) -> list[asn1_crl.CertificateList]:
        """Empty CRLs of both CAs: nothing revoked."""
        return [
            self.crl(this_update=this_update),
            self.crl(issuer=self.root, this_update=this_update),
        ]

    def signer(self, person: Issued) -> signers.SimpleSigner:
        return signers.SimpleSigner(
            signing_cert=person.asn1,
            signing_key=person.asn1_key,
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [self.intermediate.asn1, self.root.asn1]
            ),
        )

    def timestamper(self, *, at: dt.datetime | None = None) -> DummyTimeStamper:
        return DummyTimeStamper(
            tsa_cert=self.tsa.asn1,
            tsa_key=self.tsa.asn1_key,
            certs_to_embed=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [self.root.asn1]
            ),
            fixed_dt=at,
        )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _issue(
    *,
    issuer: Issued,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    serial: int,
    not_before: dt.datetime,
    not_after: dt.datetime,
    ca: bool,
    crl_url: str,
    sign: bool = True,
    timestamping: bool = False,
) -> Issued:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            _usage(sign=sign and not ca, ca=ca)
            if sign or ca
            else x509.KeyUsage(False, False, True, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier(crl_url)], None, None, None
                    )
                ]
            ),
            critical=False,
        )
    )
    if timestamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return Issued(builder.sign(issuer.key, hashes.SHA256()), key)
