"""The test PKI: certificate profiles (RFC 5280, RFC 3161, RFC 6960), keys generated on the
SoftHSM2 token and never on disk, the manifest, idempotent rebuilding, revocation, SoftHSM2's
one-configuration-per-process rule."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from tinhso.signatures.keys import module_lock, pkcs11_lib, pkcs11_session
from tinhso.signatures.pki import (
    DEMO_PIN,
    INTERMEDIATE,
    ROOT,
    Party,
    PkiError,
    PkiManifest,
    build_test_pki,
    load_certificate,
    pkcs12_party_issue,
    revocations_load,
    revoke,
)
from tinhso.signatures.softhsm import (
    SOFTHSM_MODULE,
    SoftHsmConfConflict,
    SoftHsmError,
    ensure_softhsm_conf,
    softhsm_conf_create,
    token_init,
    token_labels,
)

BASE_URL = "http://pki.hue.example/pki"
NOW = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
AGENCY = Party(
    "agency:H57.05", "agency", "Sở Xây dựng", "H57.05", "Sở Xây dựng", email="sxd@hue.example"
)
DIRECTOR = Party(
    "person:giamdoc.sxd",
    "person",
    "Nguyễn Phước Bảo Khánh",
    "H57.05",
    "Sở Xây dựng",
    title="Giám đốc",
    email="giamdoc.sxd@hue.example",
)

_labels = itertools.count()
Build = Callable[..., PkiManifest]


@pytest.fixture
def build(tmp_path: Path, softhsm_conf: Path) -> Build:
    """Build a PKI in its own directory and on its own token of this process's token dir."""
    label = f"pki-test-{next(_labels)}"

    def _build(parties: Sequence[Party] = (AGENCY, DIRECTOR), **kwargs: object) -> PkiManifest:
        options: dict[str, object] = {
            "parties": parties,
            "base_url": BASE_URL,
            "now": NOW,
            "token_label": label,
            "softhsm_conf": softhsm_conf,
            **kwargs,
        }
        return build_test_pki(tmp_path / "pki", **options)  # type: ignore[arg-type]

    return _build


def _cert(manifest: PkiManifest, name: str) -> x509.Certificate:
    path = (
        manifest.party_cert_path(name)
        if name in manifest.parties
        else manifest.directory / "ca" / f"{name}.crt"
    )
    return load_certificate(path)


def _token_objects(
    manifest: PkiManifest, object_class: pkcs11.ObjectClass
) -> list[dict[str, object]]:
    attributes = (pkcs11.Attribute.LABEL, pkcs11.Attribute.ID)
    with (
        pkcs11_session(
            module=manifest.module,
            token_label=manifest.token_label,
            pin=DEMO_PIN,
            softhsm_conf=str(manifest.softhsm_conf),
        ) as session,
        module_lock(manifest.module),
    ):
        found = []
        for obj in session.get_objects({pkcs11.Attribute.CLASS: object_class}):
            values: dict[str, object] = {a.name: obj[a] for a in attributes}
            if object_class == pkcs11.ObjectClass.PRIVATE_KEY:
                values["SENSITIVE"] = obj[pkcs11.Attribute.SENSITIVE]
                values["EXTRACTABLE"] = obj[pkcs11.Attribute.EXTRACTABLE]
            if object_class == pkcs11.ObjectClass.CERTIFICATE:
                values["VALUE"] = obj[pkcs11.Attribute.VALUE]
            found.append(values)
        return found


# --- Certificates ------------------------------------------------------------------------------


def test_the_chain_is_root_intermediate_end_entity_in_rsa_2048_and_sha_256(build: Build) -> None:
    # when
    manifest = build()
    # then
    root, intermediate = _cert(manifest, ROOT), _cert(manifest, INTERMEDIATE)
    root.verify_directly_issued_by(root)
    intermediate.verify_directly_issued_by(root)
    for name in ("tsa", "ocsp", AGENCY.key, DIRECTOR.key):
        certificate = _cert(manifest, name)
        certificate.verify_directly_issued_by(intermediate)
        public_key = certificate.public_key()
        assert isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size == 2048
        assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    constraints = intermediate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = root.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert "thử nghiệm" in root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def test_a_persons_certificate_names_the_agency_and_points_to_the_local_services(
    build: Build,
) -> None:
    # when
    certificate = _cert(build(), DIRECTOR.key)
    # then
    subject = {attribute.oid: attribute.value for attribute in certificate.subject}
    assert subject == {
        NameOID.COUNTRY_NAME: "VN",
        NameOID.ORGANIZATION_NAME: "Sở Xây dựng",
        NameOID.ORGANIZATION_IDENTIFIER: "H57.05",
        NameOID.TITLE: "Giám đốc",
        NameOID.COMMON_NAME: "Nguyễn Phước Bảo Khánh",
    }
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    access = {
        (d.access_method, d.access_location.value)
        for d in certificate.extensions.get_extension_for_class(
            x509.AuthorityInformationAccess
        ).value
    }
    assert access == {
        (AuthorityInformationAccessOID.OCSP, f"{BASE_URL}/ocsp"),
        (AuthorityInformationAccessOID.CA_ISSUERS, f"{BASE_URL}/ca/intermediate.crt"),
    }
    (point,) = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [name.value for name in point.full_name or []] == [f"{BASE_URL}/crl/intermediate.crl"]
    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["giamdoc.sxd@hue.example"]
    assert certificate.not_valid_before_utc < NOW < certificate.not_valid_after_utc


def test_the_tsa_and_ocsp_certificates_have_their_rfc_extensions(build: Build) -> None:
    # when
    manifest = build()
    # then
    tsa_eku = _cert(manifest, "tsa").extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert tsa_eku.critical and list(tsa_eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    responder = _cert(manifest, "ocsp")
    assert list(responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.OCSP_SIGNING
    ]
    assert responder.extensions.get_extension_for_class(x509.OCSPNoCheck)


# --- Keys ------------------------------------------------------------------------------------


def test_party_keys_live_on_the_token_unextractable_with_their_certificate(build: Build) -> None:
    # when
    manifest = build()
    # then
    keys = _token_objects(manifest, pkcs11.ObjectClass.PRIVATE_KEY)
    certificates = _token_objects(manifest, pkcs11.ObjectClass.CERTIFICATE)
    assert {(k["LABEL"], k["SENSITIVE"], k["EXTRACTABLE"]) for k in keys} == {
        (AGENCY.key, True, False),
        (DIRECTOR.key, True, False),
    }
    for party in (AGENCY, DIRECTOR):
        record = manifest.parties[party.key]
        (stored,) = [c for c in certificates if c["ID"] == bytes.fromhex(record.key_id)]
        assert stored["LABEL"] == party.key
        assert stored["VALUE"] == _cert(manifest, party.key).public_bytes(
            serialization.Encoding.DER
        )
    on_disk = {path.suffix for path in (manifest.directory / "parties").iterdir()}
    assert on_disk == {".crt"}, "no party key on disk"


def test_ca_keys_are_files_only_their_owner_reads(build: Build) -> None:
    # when
    manifest = build()
    # then
    for name in (ROOT, INTERMEDIATE, "tsa", "ocsp"):
        assert manifest.private_key_path(name).stat().st_mode & 0o777 == 0o600


# --- Manifest and rebuilding -------------------------------------------------------------------


def test_the_manifest_is_saved_and_loads_back(build: Build) -> None:
    # given
    manifest = build()
    # when
    loaded = PkiManifest.load(manifest.directory)
    # then
    assert loaded == manifest
    data = json.loads((manifest.directory / "pki.json").read_text(encoding="utf-8"))
    assert data["files"]["root"] == "ca/root.crt" and data["token_label"] == manifest.token_label
    ref = loaded.key_ref(DIRECTOR.key)
    assert (ref.storage, ref.token_label, ref.key_label) == (
        "pkcs11",
        manifest.token_label,
        DIRECTOR.key,
    )
    assert ref.softhsm_conf == str(manifest.softhsm_conf)


def test_building_again_changes_nothing(build: Build) -> None:
    # given
    first = build()
    keys_before = _token_objects(first, pkcs11.ObjectClass.PRIVATE_KEY)
    # when
    second = build()
    # then
    assert second.parties == first.parties and second.issued == first.issued
    assert _token_objects(second, pkcs11.ObjectClass.PRIVATE_KEY) == keys_before
    assert revocations_load(second.directory) == {}


def test_building_again_adds_a_new_party_only(build: Build) -> None:
    # given
    first = build()
    clerk = Party(
        "person:vanthu.sxd", "person", "Hồ Thị Hạnh", "H57.05", "Sở Xây dựng", title="Văn thư"
    )
    # when
    second = build([AGENCY, DIRECTOR, clerk])
    # then
    assert set(second.parties) == {AGENCY.key, DIRECTOR.key, clerk.key}
    assert second.parties[DIRECTOR.key] == first.parties[DIRECTOR.key]
    assert len(_token_objects(second, pkcs11.ObjectClass.PRIVATE_KEY)) == 3


def test_a_renamed_party_gets_a_new_certificate_on_its_key_and_the_old_one_is_superseded(
    build: Build,
) -> None:
    # given
    first = build()
    old = first.parties[DIRECTOR.key]
    promoted = Party(**{**DIRECTOR.__dict__, "title": "Phó Chủ tịch"})
    # when
    second = build([AGENCY, promoted])
    # then
    new = second.parties[DIRECTOR.key]
    assert new.serial != old.serial and new.key_id == old.key_id
    assert _cert(second, DIRECTOR.key).subject.get_attributes_for_oid(NameOID.TITLE)[0].value == (
        "Phó Chủ tịch"
    )
    revocation = revocations_load(second.directory)[int(old.serial, 16)]
    assert (revocation.reason, revocation.ca) == ("superseded", INTERMEDIATE)
    crl = x509.load_der_x509_crl(second.crl_path(INTERMEDIATE).read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(int(old.serial, 16)) is not None


def test_a_key_that_vanished_from_the_token_is_made_again(build: Build) -> None:
    # given
    first = build()
    key_id = bytes.fromhex(first.parties[DIRECTOR.key].key_id)
    with (
        pkcs11_session(
            module=first.module, token_label=first.token_label, pin=DEMO_PIN, rw=True
        ) as session,
        module_lock(first.module),
    ):
        for obj in list(session.get_objects({pkcs11.Attribute.ID: key_id})):
            obj.destroy()
    # when
    second = build()
    # then
    assert second.parties[DIRECTOR.key].key_id != first.parties[DIRECTOR.key].key_id
    assert second.parties[AGENCY.key] == first.parties[AGENCY.key]
    assert len(_token_objects(second, pkcs11.ObjectClass.PRIVATE_KEY)) == 2


def test_another_base_url_on_an_existing_directory_is_refused(build: Build) -> None:
    # given
    build()
    # when / then
    with pytest.raises(PkiError, match="serves"):
        build(base_url="http://khac.example/pki")


def test_parties_need_a_kind_a_name_and_an_agency() -> None:
    # when / then
    with pytest.raises(ValueError):
        Party("person:x", "robot", "Tên", "H57", "UBND")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Party("person:x", "person", "", "H57", "UBND")


# --- Revocation --------------------------------------------------------------------------------


def test_revoking_records_the_reason_rewrites_the_crl_and_keeps_the_first_record(
    build: Build,
) -> None:
    # given
    manifest = build()
    serial = manifest.parties[AGENCY.key].serial
    # when
    first = revoke(manifest.directory, serial, reason="affiliation_changed", when=NOW)
    again = revoke(
        manifest.directory,
        int(serial, 16),
        reason="key_compromise",
        when=NOW + dt.timedelta(hours=1),
    )
    # then
    assert again == first and first.reason == "affiliation_changed"
    crl = x509.load_der_x509_crl(manifest.crl_path(INTERMEDIATE).read_bytes())
    entry = crl.get_revoked_certificate_by_serial_number(int(serial, 16))
    assert entry is not None and entry.revocation_date_utc == NOW
    with pytest.raises(PkiError, match="No certificate"):
        revoke(manifest.directory, 12345, when=NOW)
    with pytest.raises(PkiError, match="reason"):
        revoke(
            manifest.directory, manifest.parties[DIRECTOR.key].serial, reason="boredom", when=NOW
        )


def test_a_pkcs12_party_gets_a_passphrase_protected_file(build: Build) -> None:
    # given
    manifest = build()
    party = Party("person:p12.sxd", "person", "Đỗ Văn Tệp", "H57.05", "Sở Xây dựng")
    # when
    record = pkcs12_party_issue(manifest, party, passphrase="cum-tu-bi-mat", now=NOW)
    # then
    path = manifest.directory / record.pkcs12
    assert path.stat().st_mode & 0o777 == 0o600
    key, certificate, chain = pkcs12.load_key_and_certificates(path.read_bytes(), b"cum-tu-bi-mat")
    assert key is not None and certificate == _cert(manifest, party.key) and len(chain) == 2
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(path.read_bytes(), b"sai")
    assert PkiManifest.load(manifest.directory).parties[party.key].storage == "pkcs12"


# --- SoftHSM2 -----------------------------------------------------------------------------------


def test_softhsm_reads_one_configuration_per_process(tmp_path: Path, softhsm_conf: Path) -> None:
    # given
    other = softhsm_conf_create(tmp_path / "other")
    # when / then
    ensure_softhsm_conf(softhsm_conf)  # the one in use: accepted again
    with pytest.raises(SoftHsmConfConflict):
        ensure_softhsm_conf(other)


def test_a_token_is_initialised_once_and_labels_are_bounded(softhsm_conf: Path) -> None:
    # given
    label = f"init-once-{next(_labels)}"
    # when
    created = token_init(softhsm_conf, label=label, user_pin="1234", so_pin="87654321")
    again = token_init(softhsm_conf, label=label, user_pin="1234", so_pin="87654321")
    # then
    assert (created, again) == (True, False) and label in token_labels(softhsm_conf)
    with pytest.raises(SoftHsmError):
        token_init(softhsm_conf, label="x" * 33, user_pin="1234", so_pin="87654321")
    with pytest.raises(SoftHsmError):
        token_init(softhsm_conf, label="short-pin", user_pin="12", so_pin="87654321")


def test_a_token_made_by_another_process_after_loading_is_found(softhsm_conf: Path) -> None:
    # given: the module is loaded, then softhsm2-util adds a token
    pkcs11_lib(SOFTHSM_MODULE)
    label = f"late-{next(_labels)}"
    token_init(softhsm_conf, label=label, user_pin="24681357", so_pin="87654321")
    # when
    with (
        pkcs11_session(
            module=SOFTHSM_MODULE, token_label=label, pin="24681357", rw=True
        ) as session,
        module_lock(SOFTHSM_MODULE),
    ):
        session.generate_keypair(pkcs11.KeyType.RSA, 2048, label="k", store=True)
        found = list(session.get_objects({pkcs11.Attribute.LABEL: "k"}))
    # then
    assert len(found) == 2
