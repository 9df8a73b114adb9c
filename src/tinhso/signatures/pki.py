"""The test PKI of tinhso: a root CA, an intermediate, a timestamp authority, an OCSP responder,
CRLs, and certificates for agencies and officials whose keys are generated on a SoftHSM2 token.

It stands in for the Government's specialised CA (Cục Chứng thực số và Bảo mật thông tin, Ban
Cơ yếu Chính phủ: Nghị định 68/2024/NĐ-CP on chữ ký số chuyên dùng công vụ) in tests and in the
demo. Every certificate says "thử nghiệm" (test) and carries no legal value.

- RSA 2048 and SHA-256 everywhere (Thông tư 16/2019/TT-BTTTT lists RSA ≥ 2048 with SHA-256).
- An end-entity certificate (RFC 5280 profile) has keyUsage digitalSignature + nonRepudiation
  (pyHanko's default requirement for a signer), the AIA (OCSP and caIssuers) and CRL
  distribution point URLs under `base_url`, and a subject ``C=VN, O=<agency name>,
  organizationIdentifier=<agency code>, [title], CN=<name>`` (agency code: Quyết định
  20/2020/QĐ-TTg; see `tinhso.signatures.identifiers.agency_code_of`).
- The TSA certificate has the critical extendedKeyUsage timeStamping (RFC 3161 §2.3); the
  OCSP responder certificate, issued by the intermediate, has id-kp-OCSPSigning and
  id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2).
- End-entity private keys are generated on the token and never leave it; the certificate is
  stored on the token (same label and CKA_ID as the key) and as a PEM file. The keys of the
  CAs, the TSA and the responder are PEM files (mode 0600) in the directory: a test PKI only.

The directory holds ``pki.json`` (`PkiManifest`), ``ca/``, ``parties/``, ``crl/``,
``revocations.json`` and, unless another token directory is given, ``softhsm2.conf`` with
its ``tokens/`` (where `tinhso.signatures.selectors` looks for them).
Building again on an existing directory adds the parties that are missing, re-issues a
certificate whose subject changed (the old one is revoked as superseded) and regenerates a key
that vanished from the token. Pure: `now` is a parameter, no Django.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import pkcs11
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from pkcs11.util.x509 import decode_x509_certificate

from tinhso.signatures.keys import KeyRef, module_lock, pkcs11_refresh, pkcs11_session
from tinhso.signatures.softhsm import (
    SOFTHSM_MODULE,
    ensure_softhsm_conf,
    softhsm_conf_create,
    token_init,
)

#: The PIN of the demo and test tokens (printed by `manage.py signatures_pki`).
DEMO_PIN: Final = "123456"
DEMO_SO_PIN: Final = "12345678"
#: The TSA policy (RFC 3161 §2.4.2 TSTInfo.policy): an OID under the UUID arc 2.25
#: (ITU-T X.667), so that it needs no registration.
TSA_POLICY_OID: Final = "2.25.16150067717500877323250827208318900011"

MANIFEST_NAME: Final = "pki.json"
REVOCATIONS_NAME: Final = "revocations.json"
ROOT: Final = "root"
INTERMEDIATE: Final = "intermediate"
CA_NAMES: Final = (ROOT, INTERMEDIATE)

KEY_SIZE: Final = 2048
CRL_VALIDITY: Final = dt.timedelta(days=4)
#: thisUpdate of a CRL and an OCSP response, and notBefore, lie a little in the past so that
#: a validator whose clock is slightly behind still accepts them (pyHanko refuses revocation
#: data newer than its validation time by more than a second).
BACKDATE: Final = dt.timedelta(minutes=1)
_CERT_BACKDATE: Final = dt.timedelta(days=1)
_YEAR: Final = dt.timedelta(days=365)

_TEST_OU: Final = "PKI thử nghiệm của Tỉnh số, không có giá trị pháp lý"
_GOV_CA_ORG: Final = "Ban Cơ yếu Chính phủ (thử nghiệm)"
_GOV_CA_UNIT: Final = "Cục Chứng thực số và Bảo mật thông tin"

PartyKind = Literal["agency", "person"]


class PkiError(RuntimeError):
    """The PKI directory cannot be built or used as asked."""


@dataclass(frozen=True)
class Party:
    """Someone who gets a certificate: an agency (its seal) or an official."""

    key: str
    kind: PartyKind
    common_name: str
    agency_code: str
    agency_name: str
    title: str = ""
    email: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("agency", "person"):
            raise ValueError(f"Unknown party kind {self.kind!r}")
        if not self.key or not self.common_name or not self.agency_code or not self.agency_name:
            raise ValueError("A party needs a key, a name, an agency code and an agency name")

    @property
    def fingerprint(self) -> str:
        """What the certificate's subject depends on: a change means a new certificate."""
        values = [self.kind, self.common_name, self.agency_code, self.agency_name]
        values += [self.title, self.email]
        return hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class PartyRecord:
    """A party's current certificate and where its key lives (paths relative to the PKI)."""

    key: str
    kind: PartyKind
    common_name: str
    agency_code: str
    cert: str
    serial: str
    storage: Literal["pkcs11", "pkcs12"]
    key_label: str = ""
    key_id: str = ""
    pkcs12: str = ""
    fingerprint: str = ""


@dataclass
class PkiManifest:
    """What `build_test_pki` made; saved as ``pki.json`` in the directory."""

    directory: Path
    base_url: str
    module: str
    token_label: str
    softhsm_conf: Path
    created_at: dt.datetime
    tsa_policy: str = TSA_POLICY_OID
    parties: dict[str, PartyRecord] = field(default_factory=dict)
    #: serial (lower-case hex) → the CA that issued it, for every certificate ever issued.
    issued: dict[str, str] = field(default_factory=dict)

    @property
    def root_cert(self) -> Path:
        return self.directory / "ca" / "root.crt"

    @property
    def intermediate_cert(self) -> Path:
        return self.directory / "ca" / "intermediate.crt"

    @property
    def tsa_cert(self) -> Path:
        return self.directory / "ca" / "tsa.crt"

    @property
    def ocsp_cert(self) -> Path:
        return self.directory / "ca" / "ocsp.crt"

    def private_key_path(self, name: str) -> Path:
        """PEM key of `root`, `intermediate`, `tsa` or `ocsp` (test PKI only)."""
        return self.directory / "ca" / f"{name}.key"

    def crl_path(self, ca: str) -> Path:
        return self.directory / "crl" / f"{ca}.crl"

    # URLs served by tinhso.signatures.pki_services.

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/tsa"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/ocsp"

    def crl_url(self, ca: str) -> str:
        return f"{self.base_url}/crl/{ca}.crl"

    def ca_url(self, ca: str) -> str:
        return f"{self.base_url}/ca/{ca}.crt"

    # Certificates.

    def certificate(self, name: str) -> asn1_x509.Certificate:
        """`root`, `intermediate`, `tsa`, `ocsp` or a party's key, as asn1crypto (pyHanko)."""
        path = self.party_cert_path(name) if name in self.parties else self._infra_path(name)
        return asn1_x509.Certificate.load(_pem_to_der(path.read_bytes()))

    def chain(self) -> list[asn1_x509.Certificate]:
        """The intermediate and the root, to embed next to an end-entity certificate."""
        return [self.certificate(INTERMEDIATE), self.certificate(ROOT)]

    def party_cert_path(self, key: str) -> Path:
        return self.directory / self.parties[key].cert

    def root_pem(self) -> bytes:
        return self.root_cert.read_bytes()

    def key_ref(self, key: str) -> KeyRef:
        record = self.parties[key]
        if record.storage == "pkcs12":
            return KeyRef(storage="pkcs12", path=str(self.directory / record.pkcs12))
        return KeyRef(
            storage="pkcs11",
            module=self.module,
            token_label=self.token_label,
            key_label=record.key_label,
            key_id=record.key_id,
            softhsm_conf=str(self.softhsm_conf),
        )

    def _infra_path(self, name: str) -> Path:
        if name not in ("root", "intermediate", "tsa", "ocsp"):
            raise KeyError(name)
        return self.directory / "ca" / f"{name}.crt"

    # Persistence.

    def as_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "base_url": self.base_url,
            "module": self.module,
            "token_label": self.token_label,
            "softhsm_conf": _relative(self.softhsm_conf, self.directory),
            "created_at": self.created_at.isoformat(),
            "tsa_policy": self.tsa_policy,
            "files": {
                "root": "ca/root.crt",
                "intermediate": "ca/intermediate.crt",
                "tsa": "ca/tsa.crt",
                "ocsp": "ca/ocsp.crt",
            },
            "parties": {key: asdict(record) for key, record in sorted(self.parties.items())},
            "issued": dict(sorted(self.issued.items())),
        }

    def save(self) -> None:
        _write_atomic(
            self.directory / MANIFEST_NAME,
            json.dumps(self.as_json(), ensure_ascii=False, indent=1).encode("utf-8"),
        )

    @classmethod
    def load(cls, directory: Path) -> PkiManifest:
        directory = Path(directory).resolve()
        try:
            data = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PkiError(f"No test PKI in {directory} (no {MANIFEST_NAME})") from None
        return cls(
            directory=directory,
            base_url=data["base_url"],
            module=data["module"],
            token_label=data["token_label"],
            softhsm_conf=(directory / data["softhsm_conf"]).resolve(),
            created_at=dt.datetime.fromisoformat(data["created_at"]),
            tsa_policy=data["tsa_policy"],
            parties={key: PartyRecord(**value) for key, value in data["parties"].items()},
            issued=dict(data["issued"]),
        )


# --- Building -------------------------------------------------------------------------------


def build_test_pki(
    directory: Path,
    *,
    parties: Sequence[Party],
    base_url: str,
    now: dt.datetime,
    token_label: str = "tinhso",  # noqa: S107 - a label, not a password
    user_pin: str = DEMO_PIN,
    so_pin: str = DEMO_SO_PIN,
    softhsm_conf: Path | None = None,
    module: str = SOFTHSM_MODULE,
    progress: Callable[[Party], None] | None = None,
) -> PkiManifest:
    """Build (or complete) the test PKI in `directory` with a certificate for each party.

    `softhsm_conf`: an existing SoftHSM2 configuration to put the token in (SoftHSM reads one
    configuration per process, so the PKIs of one process share a token directory); by
    default ``directory/softhsm2.conf`` with ``directory/tokens``. The token `token_label` is
    initialised with `user_pin` and `so_pin` when missing. `progress` is called after each
    certificate issued (a key takes ~0.2 s to generate on SoftHSM2).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    base_url = base_url.rstrip("/")
    keys = {p.key for p in parties}
    if len(keys) != len(parties):
        raise PkiError("Two parties share a key")

    with _directory_lock(directory):
        conf = Path(softhsm_conf) if softhsm_conf else softhsm_conf_create(directory)
        conf = conf.resolve()
        manifest: PkiManifest | None = None
        if (directory / MANIFEST_NAME).exists():
            manifest = PkiManifest.load(directory)
            if manifest.base_url != base_url:
                raise PkiError(
                    f"The PKI in {directory} serves {manifest.base_url}, not {base_url}: "
                    "its certificates carry those URLs. Use another directory."
                )
            if manifest.token_label != token_label or manifest.softhsm_conf != conf:
                raise PkiError(
                    f"The PKI in {directory} keeps its keys on token {manifest.token_label!r} "
                    f"of {manifest.softhsm_conf}."
                )
        ensure_softhsm_conf(conf)
        if token_init(conf, label=token_label, user_pin=user_pin, so_pin=so_pin):
            # A token made by softhsm2-util is invisible to a module loaded before it.
            pkcs11_refresh(module)
        if manifest is None:
            manifest = _build_authorities(
                directory,
                base_url=base_url,
                now=now,
                token_label=token_label,
                conf=conf,
                module=module,
            )

        on_token = _token_key_ids(manifest, user_pin=user_pin) if manifest.parties else set()
        pending = [party for party in parties if _needs_issue(manifest, party, on_token)]
        if pending or not all(manifest.crl_path(ca).exists() for ca in CA_NAMES):
            _issue_on_token(manifest, pending, user_pin=user_pin, now=now, progress=progress)
    return manifest


def _needs_issue(manifest: PkiManifest, party: Party, on_token: set[str]) -> bool:
    record = manifest.parties.get(party.key)
    return (
        record is None
        or record.storage != "pkcs11"
        or record.fingerprint != party.fingerprint
        or record.key_id not in on_token
        or not (manifest.directory / record.cert).exists()
    )


def _token_key_ids(manifest: PkiManifest, *, user_pin: str) -> set[str]:
    """CKA_ID (hex) of every private key on the PKI's token: one search, not one per party."""
    with (
        pkcs11_session(
            module=manifest.module,
            token_label=manifest.token_label,
            pin=user_pin,
            softhsm_conf=str(manifest.softhsm_conf),
        ) as session,
        module_lock(manifest.module),
    ):
        return {
            bytes(key[pkcs11.Attribute.ID]).hex()
            for key in session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY})
        }


def _build_authorities(
    directory: Path, *, base_url: str, now: dt.datetime, token_label: str, conf: Path, module: str
) -> PkiManifest:
    manifest = PkiManifest(
        directory=directory,
        base_url=base_url,
        module=module,
        token_label=token_label,
        softhsm_conf=conf,
        created_at=now,
    )
    (directory / "ca").mkdir(exist_ok=True, mode=0o700)
    start = now - _CERT_BACKDATE

    root_key = _new_key()
    root_name = _name(
        common_name="CA gốc chuyên dùng Chính phủ (thử nghiệm)",
        organization=_GOV_CA_ORG,
        units=(_GOV_CA_UNIT, _TEST_OU),
    )
    root = _sign(
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + 20 * _YEAR)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False),
        root_key,
    )

    intermediate_key = _new_key()
    intermediate = _sign(
        _builder(
            subject=_name(
                common_name="CA chuyên dùng Chính phủ cấp 2 (thử nghiệm)",
                organization=_GOV_CA_ORG,
                units=(_GOV_CA_UNIT, _TEST_OU),
            ),
            public_key=intermediate_key.public_key(),
            issuer=root,
            start=start,
            end=now + 15 * _YEAR,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(_crl_points(manifest, ROOT), critical=False)
        # The root answers OCSP for the intermediate itself (RFC 6960 §4.2.2.2, first case).
        .add_extension(_aia(manifest, ROOT, ocsp=True), critical=False),
        root_key,
    )

    tsa_key = _new_key()
    tsa = _sign(
        _builder(
            subject=_name(
                common_name="Dịch vụ cấp dấu thời gian (thử nghiệm)",
                organization=_GOV_CA_ORG,
                units=(_GOV_CA_UNIT, _TEST_OU),
            ),
            public_key=tsa_key.public_key(),
            issuer=intermediate,
            start=start,
            end=now + 5 * _YEAR,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        # RFC 3161 §2.3: the TSA certificate has exactly this EKU, marked critical.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(_crl_points(manifest, INTERMEDIATE), critical=False)
        .add_extension(_aia(manifest, INTERMEDIATE, ocsp=True), critical=False),
        intermediate_key,
    )

    ocsp_key = _new_key()
    ocsp = _sign(
        _builder(
            subject=_name(
                common_name="Dịch vụ trạng thái chứng thư số OCSP (thử nghiệm)",
                organization=_GOV_CA_ORG,
                units=(_GOV_CA_UNIT, _TEST_OU),
            ),
            public_key=ocsp_key.public_key(),
            issuer=intermediate,
            start=start,
            end=now + 5 * _YEAR,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
        # RFC 6960 §4.2.2.2.1: clients need not check the responder's own status.
        .add_extension(x509.OCSPNoCheck(), critical=False)
        .add_extension(_aia(manifest, INTERMEDIATE, ocsp=False), critical=False),
        intermediate_key,
    )

    for name, cert, key in (
        (ROOT, root, root_key),
        (INTERMEDIATE, intermediate, intermediate_key),
        ("tsa", tsa, tsa_key),
        ("ocsp", ocsp, ocsp_key),
    ):
        _write_atomic(manifest.private_key_path(name), _key_pem(key), mode=0o600)
        _write_atomic(
            directory / "ca" / f"{name}.crt", cert.public_bytes(serialization.Encoding.PEM)
        )
        manifest.issued[_hex(cert.serial_number)] = (
            ROOT if name in (ROOT, INTERMEDIATE) else INTERMEDIATE
        )
    manifest.save()
    return manifest


def _issue_on_token(
    manifest: PkiManifest,
    parties: Sequence[Party],
    *,
    user_pin: str,
    now: dt.datetime,
    progress: Callable[[Party], None] | None,
) -> None:
    (manifest.directory / "parties").mkdir(exist_ok=True, mode=0o700)
    issuer = load_certificate(manifest.intermediate_cert)
    issuer_key = load_private_key(manifest.private_key_path(INTERMEDIATE))
    superseded: list[str] = []
    lock = module_lock(manifest.module)
    with pkcs11_session(
        module=manifest.module,
        token_label=manifest.token_label,
        pin=user_pin,
        rw=True,
        softhsm_conf=str(manifest.softhsm_conf),
    ) as session:
        for party in parties:
            old = manifest.parties.get(party.key)
            with lock:
                key_id, public_key = _token_key(session, party, old)
            cert = _sign(
                _party_builder(manifest, party, public_key, issuer, now),
                issuer_key,
            )
            der = cert.public_bytes(serialization.Encoding.DER)
            with lock:
                _store_certificate(session, party.key, key_id, der)
            cert_rel = f"parties/{_file_stem(party.key)}.crt"
            _write_atomic(
                manifest.directory / cert_rel, cert.public_bytes(serialization.Encoding.PEM)
            )
            manifest.parties[party.key] = PartyRecord(
                key=party.key,
                kind=party.kind,
                common_name=party.common_name,
                agency_code=party.agency_code,
                cert=cert_rel,
                serial=_hex(cert.serial_number),
                storage="pkcs11",
                key_label=party.key,
                key_id=key_id.hex(),
                fingerprint=party.fingerprint,
            )
            manifest.issued[_hex(cert.serial_number)] = INTERMEDIATE
            if old is not None and old.serial != _hex(cert.serial_number):
                superseded.append(old.serial)
            # Saved after each party: a key made on the token is never left without a record.
            manifest.save()
            if progress is not None:
                progress(party)
    for serial in superseded:
        _record_revocation(manifest, serial, reason="superseded", when=now)
    for ca in CA_NAMES:
        _write_atomic(manifest.crl_path(ca), crl_build(manifest, ca=ca, now=now))


def _token_key(
    session: pkcs11.Session, party: Party, old: PartyRecord | None
) -> tuple[bytes, rsa.RSAPublicKey]:
    """The party's key pair on the token: the recorded one if still there, else a new one."""
    Attribute, ObjectClass = pkcs11.Attribute, pkcs11.ObjectClass
    if old is not None and old.storage == "pkcs11" and old.key_id:
        key_id = bytes.fromhex(old.key_id)
        found = list(
            session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.ID: key_id})
        )
        has_private = any(
            True
            for _ in session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: key_id}
            )
        )
        if len(found) == 1 and has_private:
            return key_id, _rsa_public_key(found[0])
    key_id = os.urandom(16)
    public, _private = session.generate_keypair(
        pkcs11.KeyType.RSA,
        KEY_SIZE,
        id=key_id,
        label=party.key,
        store=True,
        capabilities=pkcs11.MechanismFlag.SIGN | pkcs11.MechanismFlag.VERIFY,
        private_template={
            Attribute.SENSITIVE: True,
            Attribute.EXTRACTABLE: False,
            Attribute.PRIVATE: True,
        },
    )
    return key_id, _rsa_public_key(public)


def _rsa_public_key(obj: Any) -> rsa.RSAPublicKey:
    modulus = int.from_bytes(obj[pkcs11.Attribute.MODULUS], "big")
    exponent = int.from_bytes(obj[pkcs11.Attribute.PUBLIC_EXPONENT], "big")
    return rsa.RSAPublicNumbers(exponent, modulus).public_key()


def _store_certificate(session: pkcs11.Session, label: str, key_id: bytes, der: bytes) -> None:
    Attribute, ObjectClass = pkcs11.Attribute, pkcs11.ObjectClass
    for old in list(
        session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.ID: key_id})
    ):
        old.destroy()
    attrs = decode_x509_certificate(der)
    attrs.update({Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: key_id})
    session.create_object(attrs)


def pkcs12_party_issue(
    manifest: PkiManifest, party: Party, *, passphrase: str, now: dt.datetime
) -> PartyRecord:
    """Issue `party` a certificate whose key is a software key in a PKCS#12 file.

    The other way issue 5 allows a key to be kept ("a passphrase-protected PKCS#12 file").
    The file is ``parties/<key>.p12`` (mode 0600), protected by `passphrase`.
    """
    with _directory_lock(manifest.directory):
        (manifest.directory / "parties").mkdir(exist_ok=True, mode=0o700)
        issuer = load_certificate(manifest.intermediate_cert)
        issuer_key = load_private_key(manifest.private_key_path(INTERMEDIATE))
        key = _new_key()
        cert = _sign(_party_builder(manifest, party, key.public_key(), issuer, now), issuer_key)
        stem = _file_stem(party.key)
        p12 = pkcs12.serialize_key_and_certificates(
            name=party.key.encode("utf-8"),
            key=key,
            cert=cert,
            cas=[issuer, load_certificate(manifest.root_cert)],
            encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
        )
        _write_atomic(manifest.directory / "parties" / f"{stem}.p12", p12, mode=0o600)
        cert_rel = f"parties/{stem}.crt"
        _write_atomic(manifest.directory / cert_rel, cert.public_bytes(serialization.Encoding.PEM))
        old = manifest.parties.get(party.key)
        record = PartyRecord(
            key=party.key,
            kind=party.kind,
            common_name=party.common_name,
            agency_code=party.agency_code,
            cert=cert_rel,
            serial=_hex(cert.serial_number),
            storage="pkcs12",
            pkcs12=f"parties/{stem}.p12",
            fingerprint=party.fingerprint,
        )
        manifest.parties[party.key] = record
        manifest.issued[record.serial] = INTERMEDIATE
        manifest.save()
    if old is not None:
        revoke(manifest.directory, old.serial, reason="superseded", when=now)
    return record


def _party_builder(
    manifest: PkiManifest,
    party: Party,
    public_key: rsa.RSAPublicKey,
    issuer: x509.Certificate,
    now: dt.datetime,
) -> x509.CertificateBuilder:
    builder = (
        _builder(
            subject=_name(
                common_name=party.common_name,
                organization=party.agency_name,
                organization_identifier=party.agency_code,
                title=party.title,
            ),
            public_key=public_key,
            issuer=issuer,
            start=now - _CERT_BACKDATE,
            end=now + 3 * _YEAR,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(_crl_points(manifest, INTERMEDIATE), critical=False)
        .add_extension(_aia(manifest, INTERMEDIATE, ocsp=True), critical=False)
    )
    if party.email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(party.email)]), critical=False
        )
    return builder


# --- Revocation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Revocation:
    serial: int
    ca: str
    reason: str
    revoked_at: dt.datetime


def revocations_load(directory: Path) -> dict[int, Revocation]:
    """The revocations recorded in ``revocations.json`` by serial number."""
    path = Path(directory) / REVOCATIONS_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {
        int(serial, 16): Revocation(
            serial=int(serial, 16),
            ca=entry["ca"],
            reason=entry["reason"],
            revoked_at=dt.datetime.fromisoformat(entry["revoked_at"]),
        )
        for serial, entry in data.items()
    }


def revoke(
    directory: Path, serial: int | str, *, reason: str = "unspecified", when: dt.datetime
) -> Revocation:
    """Record that the certificate `serial` (int or hex) is revoked since `when`; rewrite the CRL.

    `reason`: an RFC 5280 §5.3.1 CRLReason name as cryptography spells it in
    `x509.ReasonFlags` (``key_compromise``, ``superseded``, ``cessation_of_operation`` …).
    Revoking again keeps the first record.
    """
    manifest = PkiManifest.load(directory)
    with _directory_lock(manifest.directory):
        revocation = _record_revocation(manifest, serial, reason=reason, when=when)
        _write_atomic(
            manifest.crl_path(revocation.ca), crl_build(manifest, ca=revocation.ca, now=when)
        )
    return revocation


def _record_revocation(
    manifest: PkiManifest, serial: int | str, *, reason: str, when: dt.datetime
) -> Revocation:
    if when.tzinfo is None:
        raise ValueError("when must be timezone-aware")
    number = serial if isinstance(serial, int) else int(serial, 16)
    ca = manifest.issued.get(_hex(number))
    if ca is None:
        raise PkiError(f"No certificate with serial {_hex(number)} was issued by this PKI")
    if reason not in x509.ReasonFlags.__members__:
        raise PkiError(f"Unknown revocation reason {reason!r}")
    current = revocations_load(manifest.directory)
    if number in current:
        return current[number]
    revocation = Revocation(serial=number, ca=ca, reason=reason, revoked_at=when)
    current[number] = revocation
    _write_atomic(
        manifest.directory / REVOCATIONS_NAME,
        json.dumps(
            {
                _hex(r.serial): {
                    "ca": r.ca,
                    "reason": r.reason,
                    "revoked_at": r.revoked_at.isoformat(),
                }
                for r in sorted(current.values(), key=lambda r: r.serial)
            },
            indent=1,
        ).encode("utf-8"),
    )
    return revocation


def crl_build(
    manifest: PkiManifest,
    *,
    ca: str,
    now: dt.datetime,
    revocations: dict[int, Revocation] | None = None,
    signing_key: rsa.RSAPrivateKey | None = None,
    issuer: x509.Certificate | None = None,
) -> bytes:
    """The DER CRL of `ca` (RFC 5280 §5): thisUpdate just before `now`, nextUpdate 4 days on."""
    issuer = issuer or load_certificate(manifest.directory / "ca" / f"{ca}.crt")
    signing_key = signing_key or load_private_key(manifest.private_key_path(ca))
    if revocations is None:
        revocations = revocations_load(manifest.directory)
    this_update = now - BACKDATE
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(this_update)
        .next_update(this_update + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
        .add_extension(_authority_key_id(issuer), critical=False)
    )
    for revocation in sorted(revocations.values(), key=lambda r: r.serial):
        if revocation.ca != ca:
            continue
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(revocation.serial)
            .revocation_date(revocation.revoked_at)
        )
        if revocation.reason != "unspecified":  # RFC 5280 §5.3.1: omit rather than unspecified
            entry = entry.add_extension(
                x509.CRLReason(x509.ReasonFlags[revocation.reason]), critical=False
            )
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(signing_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


# --- Helpers --------------------------------------------------------------------------------


def load_certificate(path: Path) -> x509.Certificate:
    data = Path(path).read_bytes()
    if data.startswith(b"-----"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PkiError(f"{path} is not an RSA key")
    return key


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(
    *,
    common_name: str,
    organization: str,
    units: Sequence[str] = (),
    organization_identifier: str = "",
    title: str = "",
) -> x509.Name:
    # RFC 5280 Appendix A upper bounds: 64 characters for CN, O, OU and title.
    common_name, organization, title = (
        _bounded(common_name),
        _bounded(organization),
        _bounded(title),
    )
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
    ]
    if organization_identifier:
        attributes.append(
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organization_identifier)
        )
    for unit in units:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _bounded(unit)))
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title))
    with warnings.catch_warnings():
        # cryptography measures the 64 in UTF-8 bytes; RFC 5280 means characters, and a
        # Vietnamese name of 40 letters easily takes 60 bytes or more.
        warnings.simplefilter("ignore", UserWarning)
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name, _validate=False))
    return x509.Name(attributes)


def _bounded(value: str, limit: int = 64) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _key_usage(**flags: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
    )
    return x509.KeyUsage(
        **{name: flags.get(name, False) for name in names},
        encipher_only=False,
        decipher_only=False,
    )


def _authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _builder(
    *,
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    issuer: x509.Certificate,
    start: dt.datetime,
    end: dt.datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(min(end, issuer.not_valid_after_utc))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(_authority_key_id(issuer), critical=False)
    )


def _sign(builder: x509.CertificateBuilder, key: rsa.RSAPrivateKey) -> x509.Certificate:
    return builder.sign(key, hashes.SHA256())


def _crl_points(manifest: PkiManifest, ca: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(manifest.crl_url(ca))],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def _aia(manifest: PkiManifest, issuer: str, *, ocsp: bool) -> x509.AuthorityInformationAccess:
    access = [
        x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS,
            x509.UniformResourceIdentifier(manifest.ca_url(issuer)),
        )
    ]
    if ocsp:
        access.insert(
            0,
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP,
                x509.UniformResourceIdentifier(manifest.ocsp_url),
            ),
        )
    return x509.AuthorityInformationAccess(access)


def _hex(serial: int) -> str:
    return format(serial, "x")


def _file_stem(key: str) -> str:
    """A file name for a party key: readable, and unique even when two keys fold alike."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._")[:60] or "party"
    return f"{readable}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"


def _pem_to_der(data: bytes) -> bytes:
    if data.startswith(b"-----"):
        return x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return data


def _relative(path: Path, directory: Path) -> str:
    path = Path(path).resolve()
    try:
        return str(path.relative_to(directory))
    except ValueError:
        return str(path)


def _write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """One writer at a time per PKI directory, across processes (the command, a server)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


__all__ = [
    "DEMO_PIN",
    "DEMO_SO_PIN",
    "INTERMEDIATE",
    "ROOT",
    "TSA_POLICY_OID",
    "Party",
    "PartyRecord",
    "PkiError",
    "PkiManifest",
    "Revocation",
    "build_test_pki",
    "crl_build",
    "load_certificate",
    "load_private_key",
    "pkcs12_party_issue",
    "revocations_load",
    "revoke",
]
