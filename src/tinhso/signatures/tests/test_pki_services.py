"""The test PKI's online services: RFC 3161 timestamps, RFC 6960 OCSP, CRLs and CA
certificates, in process and over HTTP from the `test_pki` server."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import os
import urllib.error
import urllib.parse
import urllib.request

import pytest
from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

from tinhso.signatures.pki import (
    INTERMEDIATE,
    TSA_POLICY_OID,
    Party,
    load_certificate,
)
from tinhso.signatures.pki_services import PkiServices, cached_services, serve_in_thread
from tinhso.testing.signing import SNV_CODE, SNV_NAME, LocalPki

NOW = dt.datetime.now(dt.UTC).replace(microsecond=250000)


class _TimeStampResp(core.Sequence):
    """RFC 3161 §2.4.2 as written: asn1crypto's TimeStampResp makes the token mandatory, but
    a rejection MUST NOT carry one."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def _services(pki: LocalPki) -> PkiServices:
    return PkiServices(pki.directory, clock=lambda: NOW)


def _tsq(
    data: bytes = b"van ban",
    *,
    algorithm: str = "sha256",
    nonce: int | None = 0x1234_5678_9ABC,
    cert_req: bool = True,
    policy: str | None = None,
) -> bytes:
    request: dict[str, object] = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": {"algorithm": algorithm},
            "hashed_message": hashlib.new(algorithm, data).digest(),
        },
        "cert_req": cert_req,
    }
    if nonce is not None:
        request["nonce"] = nonce
    if policy is not None:
        request["req_policy"] = policy
    encoded: bytes = tsp.TimeStampReq(request).dump()
    return encoded


def _rsa_key(certificate: x509.Certificate) -> rsa.RSAPublicKey:
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def _post(url: str, body: bytes, content_type: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(  # noqa: S310 - a local http URL of the test server
        url, data=body, headers={"Content-Type": content_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def _ocsp_request(
    cert: x509.Certificate, issuer: x509.Certificate, *, nonce: bytes | None
) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())  # noqa: S303 - RFC 6960 CertID
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


# --- RFC 3161 --------------------------------------------------------------------------------


def test_a_timestamp_echoes_the_nonce_and_imprint_with_policy_accuracy_and_time(
    test_pki: LocalPki,
) -> None:
    # given
    services = _services(test_pki)
    # when
    response = tsp.TimeStampResp.load(
        services.timestamp_reply(_tsq(b"quyet dinh", algorithm="sha512", nonce=987654321))
    )
    # then
    assert response["status"]["status"].native == "granted"
    signed_data = response["time_stamp_token"]["content"]
    info = signed_data["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 987654321
    assert info["policy"].dotted == TSA_POLICY_OID
    assert info["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha512"
    assert (
        info["message_imprint"]["hashed_message"].native == hashlib.sha512(b"quyet dinh").digest()
    )
    assert info["accuracy"].native == {"seconds": 1, "millis": None, "micros": None}
    assert info["gen_time"].native == NOW
    assert info["tsa"].chosen == test_pki.manifest.certificate("tsa").subject


def test_a_timestamp_token_validates_with_pyhanko_and_names_the_tsa_certificate(
    test_pki: LocalPki,
) -> None:
    # given
    services = PkiServices(test_pki.directory)
    data = b"ket qua giai quyet ho so"
    # when
    token = tsp.TimeStampResp.load(services.timestamp_reply(_tsq(data)))["time_stamp_token"]
    status = asyncio.run(
        validate_tst_signed_data(
            token["content"],
            test_pki.validation_context(allow_fetching=False),
            lambda algorithm: hashlib.new(algorithm, data).digest(),
        )
    )
    # then
    assert status["intact"] and status["valid"] and status["trust_problem_indic"] is None
    signer = token["content"]["signer_infos"][0]
    attributes = {a["type"].native: a["values"][0] for a in signer["signed_attrs"]}
    essv2 = attributes["signing_certificate_v2"]["certs"][0]
    tsa_der = test_pki.manifest.certificate("tsa").dump()
    assert essv2["cert_hash"].native == hashlib.sha256(tsa_der).digest()


def test_the_tsa_certificate_has_the_critical_timestamping_eku_only(test_pki: LocalPki) -> None:
    # given
    certificate = load_certificate(test_pki.manifest.tsa_cert)
    # when
    eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    # then
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_certificates_are_in_the_token_only_when_asked(test_pki: LocalPki) -> None:
    # given
    services = _services(test_pki)
    # when
    with_certs = tsp.TimeStampResp.load(services.timestamp_reply(_tsq(cert_req=True)))
    without = tsp.TimeStampResp.load(services.timestamp_reply(_tsq(cert_req=False, nonce=None)))
    # then
    certificates = with_certs["time_stamp_token"]["content"]["certificates"]
    assert test_pki.manifest.certificate("tsa").dump() in [c.chosen.dump() for c in certificates]
    assert not without["time_stamp_token"]["content"]["certificates"].native
    assert (
        without["time_stamp_token"]["content"]["encap_content_info"]["content"]
        .parsed["nonce"]
        .native
        is None
    )


def test_each_timestamp_has_its_own_serial_number(test_pki: LocalPki) -> None:
    # given
    services = _services(test_pki)
    # when
    serials = {
        tsp.TimeStampResp.load(services.timestamp_reply(_tsq()))["time_stamp_token"]["content"][
            "encap_content_info"
        ]["content"]
        .parsed["serial_number"]
        .native
        for _ in range(20)
    }
    # then
    assert len(serials) == 20


@pytest.mark.parametrize(
    ("body", "fail_info"),
    [
        (b"not a timestamp request", "bad_data_format"),
        (_tsq(algorithm="sha1"), "bad_alg"),
        (_tsq(algorithm="md5"), "bad_alg"),
        (_tsq(policy="1.2.3.4.5"), "unaccepted_policy"),
    ],
)
def test_bad_timestamp_requests_are_rejected_with_the_rfc_3161_reason(
    test_pki: LocalPki, body: bytes, fail_info: str
) -> None:
    # given
    services = _services(test_pki)
    # when
    response = _TimeStampResp.load(services.timestamp_reply(body))
    # then
    assert response["status"]["status"].native == "rejection"
    assert response["status"]["fail_info"].native == {fail_info}
    assert response["status"]["status_string"].native
    assert response["time_stamp_token"].native is None


def test_a_digest_of_the_wrong_length_or_an_extension_is_rejected(test_pki: LocalPki) -> None:
    # given
    services = _services(test_pki)
    short = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": b"\x00" * 20,
            },
        }
    ).dump()
    extended = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": b"\x00" * 32,
            },
            "extensions": [{"extn_id": "2.5.29.99", "critical": False, "extn_value": b"\x05\x00"}],
        }
    ).dump()
    # when
    answers = [_TimeStampResp.load(services.timestamp_reply(b)) for b in (short, extended)]
    # then
    assert [a["status"]["fail_info"].native for a in answers] == [
        {"bad_data_format"},
        {"unaccepted_extensions"},
    ]


def test_the_tsa_answers_over_http_with_the_rfc_3161_media_type(test_pki: LocalPki) -> None:
    # given
    body = _tsq()
    # when
    status, content_type, reply = _post(test_pki.tsa_url, body, "application/timestamp-query")
    # then
    assert (status, content_type) == (200, "application/timestamp-reply")
    assert tsp.TimeStampResp.load(reply)["status"]["status"].native == "granted"


def test_pyhankos_http_client_gets_a_timestamp_from_the_local_tsa(test_pki: LocalPki) -> None:
    # given
    digest = hashlib.sha256(b"noi dung").digest()
    # when
    token = asyncio.run(test_pki.timestamper().async_timestamp(digest, "sha256"))
    # then
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest


def test_http_errors_name_the_problem(test_pki: LocalPki) -> None:
    # given
    base = test_pki.base_url
    # when
    wrong_method = _get(f"{base}/tsa")
    missing = _get(f"{base}/khong-co")
    too_large = _post(f"{base}/tsa", b"\x00" * (65 * 1024), "application/timestamp-query")
    wrong_type = _post(f"{base}/tsa", _tsq(), "text/plain")
    # then
    assert [r[0] for r in (wrong_method, missing, too_large, wrong_type)] == [405, 404, 413, 415]


# --- RFC 6960 --------------------------------------------------------------------------------


def test_a_valid_certificate_is_good_signed_by_the_delegated_responder_with_the_nonce(
    test_pki: LocalPki,
) -> None:
    # given
    leader = load_certificate(test_pki.manifest.party_cert_path(LocalPki.LEADER))
    intermediate = load_certificate(test_pki.manifest.intermediate_cert)
    nonce = os.urandom(16)
    # when
    status, content_type, body = _post(
        test_pki.ocsp_url,
        _ocsp_request(leader, intermediate, nonce=nonce),
        "application/ocsp-request",
    )
    # then
    assert (status, content_type) == (200, "application/ocsp-response")
    response = ocsp.load_der_ocsp_response(body)
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert response.serial_number == leader.serial_number
    assert response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == nonce
    (responder,) = response.certificates
    assert responder == load_certificate(test_pki.manifest.ocsp_cert)
    assert list(responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.OCSP_SIGNING
    ]
    assert responder.extensions.get_extension_for_class(x509.OCSPNoCheck)
    responder.verify_directly_issued_by(intermediate)
    _rsa_key(responder).verify(
        response.signature, response.tbs_response_bytes, padding.PKCS1v15(), hashes.SHA256()
    )
    assert response.this_update_utc <= dt.datetime.now(dt.UTC) < response.next_update_utc  # type: ignore[operator]


def test_a_revoked_certificate_is_revoked_with_time_and_reason_also_by_get(
    test_pki: LocalPki,
) -> None:
    # given
    party = test_pki.add_party(
        Party("person:ocsp-revoked", "person", "Trần Văn Thu Hồi", SNV_CODE, SNV_NAME)
    )
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=5)
    test_pki.revoke(party.key, reason="key_compromise", when=when)
    cert = load_certificate(test_pki.directory / party.cert)
    request = _ocsp_request(cert, load_certificate(test_pki.manifest.intermediate_cert), nonce=None)
    encoded = urllib.parse.quote(base64.b64encode(request).decode("ascii"), safe="")
    # when
    status, _, body = _get(f"{test_pki.ocsp_url}/{encoded}")
    # then
    response = ocsp.load_der_ocsp_response(body)
    assert status == 200
    assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_time_utc == when
    assert response.revocation_reason == x509.ReasonFlags.key_compromise


def test_a_serial_never_issued_is_unknown(test_pki: LocalPki) -> None:
    # given
    intermediate = load_certificate(test_pki.manifest.intermediate_cert)
    builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        issuer_name_hash=hashlib.sha1(intermediate.subject.public_bytes()).digest(),  # noqa: S324
        issuer_key_hash=x509.SubjectKeyIdentifier.from_public_key(intermediate.public_key()).digest,
        serial_number=424242,
        algorithm=hashes.SHA1(),  # noqa: S303
    )
    # when
    response = ocsp.load_der_ocsp_response(
        _services(test_pki).ocsp_reply(builder.build().public_bytes(serialization.Encoding.DER))
    )
    # then
    assert response.certificate_status == ocsp.OCSPCertStatus.UNKNOWN


def test_the_intermediates_status_is_answered_by_the_root_itself(test_pki: LocalPki) -> None:
    # given
    intermediate = load_certificate(test_pki.manifest.intermediate_cert)
    root = load_certificate(test_pki.manifest.root_cert)
    # when
    response = ocsp.load_der_ocsp_response(
        _services(test_pki).ocsp_reply(_ocsp_request(intermediate, root, nonce=b"n" * 16))
    )
    # then
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert response.certificates == []
    assert (
        response.responder_key_hash
        == hashlib.sha1(  # noqa: S324
            root.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.PKCS1
            )
        ).digest()
    )
    _rsa_key(root).verify(
        response.signature, response.tbs_response_bytes, padding.PKCS1v15(), hashes.SHA256()
    )


def test_malformed_requests_and_foreign_issuers_get_ocsp_error_statuses(test_pki: LocalPki) -> None:
    # given
    services = _services(test_pki)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA lạ")])
    foreign = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    # when
    malformed = ocsp.load_der_ocsp_response(services.ocsp_reply(b"\x30\x03garbage"))
    unauthorized = ocsp.load_der_ocsp_response(
        services.ocsp_reply(_ocsp_request(foreign, foreign, nonce=None))
    )
    # then
    assert malformed.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    assert unauthorized.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED


# --- CRLs and certificates ---------------------------------------------------------------------


def test_the_crl_lists_revocations_is_signed_by_its_ca_and_expires_in_days(
    test_pki: LocalPki,
) -> None:
    # given
    party = test_pki.add_party(
        Party("person:crl-revoked", "person", "Lê Văn Hủy", SNV_CODE, SNV_NAME)
    )
    test_pki.revoke(party.key, reason="cessation_of_operation")
    # when
    status, content_type, body = _get(test_pki.manifest.crl_url(INTERMEDIATE))
    # then
    crl = x509.load_der_x509_crl(body)
    assert (status, content_type) == (200, "application/pkix-crl")
    assert crl.is_signature_valid(_rsa_key(load_certificate(test_pki.manifest.intermediate_cert)))
    assert crl.next_update_utc is not None
    assert (
        dt.timedelta(days=3) < crl.next_update_utc - dt.datetime.now(dt.UTC) < dt.timedelta(days=5)
    )
    entry = crl.get_revoked_certificate_by_serial_number(int(party.serial, 16))
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == (
        x509.ReasonFlags.cessation_of_operation
    )
    leader = int(test_pki.manifest.parties[LocalPki.LEADER].serial, 16)
    assert crl.get_revoked_certificate_by_serial_number(leader) is None


def test_ca_certificates_and_the_root_crl_are_served_in_der(test_pki: LocalPki) -> None:
    # given
    root = load_certificate(test_pki.manifest.root_cert)
    # when
    cert_status, cert_type, cert_body = _get(test_pki.manifest.ca_url("root"))
    _, _, crl_body = _get(test_pki.manifest.crl_url("root"))
    # then
    assert (cert_status, cert_type) == (200, "application/pkix-cert")
    assert cert_body == root.public_bytes(serialization.Encoding.DER)
    assert x509.load_der_x509_crl(crl_body).is_signature_valid(_rsa_key(root))


def test_the_services_mount_under_a_prefix_through_handle(test_pki: LocalPki) -> None:
    # given
    services = _services(test_pki)

    def mounted(environ: dict[str, object], start_response: object) -> object:
        path = str(environ["PATH_INFO"])
        environ["SCRIPT_NAME"], environ["PATH_INFO"] = "/pki", path.removeprefix("/pki")
        return services(environ, start_response)  # type: ignore[arg-type]

    # when
    with serve_in_thread(mounted) as server:  # type: ignore[arg-type]
        status, _, body = _post(f"{server.url}/pki/tsa", _tsq(), "application/timestamp-query")
    # then
    assert status == 200
    assert cms.ContentInfo.load(tsp.TimeStampResp.load(body)["time_stamp_token"].dump())
    assert cached_services(test_pki.directory) is cached_services(test_pki.directory)
    reply = cached_services(test_pki.directory).handle("GET", "ca/root.crt")
    assert (reply.status, reply.content_type) == (200, "application/pkix-cert")
