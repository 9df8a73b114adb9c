"""sign() and verify(): the enveloped XML signature of a package."""

from __future__ import annotations

import asyncio
import base64
import copy
import datetime as dt
import re
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import hashes
from hypothesis import HealthCheck, given, settings
from lxml import etree

from tinhso.exchange import edxml
from tinhso.exchange.edxml.build import zip_attachment
from tinhso.exchange.edxml.dsig import C14N_EXCLUSIVE, C14N_INCLUSIVE
from tinhso.exchange.edxml.parse import DSIG_NS
from tinhso.exchange.tests.edxml.support import (
    NS,
    Credentials,
    big_document,
    document,
    documents,
    dsig,
    make_credentials,
    resign,
    status,
    statuses,
)
from tinhso.testing.signing import LocalPki

NOW = dt.datetime.now(dt.UTC)
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
ECDSA_SHA1 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"


@pytest.fixture(scope="module")
def ec_credentials() -> Credentials:
    return make_credentials(kind="ec")


@pytest.fixture(scope="module")
def rsa_credentials() -> Credentials:
    return make_credentials(kind="rsa")


def _check(data: bytes, credentials: Credentials, **kwargs: object) -> edxml.SignatureCheck:
    kwargs.setdefault("at", NOW)
    return edxml.verify(data, trust_roots=[credentials.root], **kwargs)  # type: ignore[arg-type]


def _reasons(check: edxml.SignatureCheck) -> list[str]:
    return [p.code for p in check.reasons]


# --- With the test PKI (RSA key on SoftHSM2, root → intermediate → agency) ------------------


def _pki_sign(pki: LocalPki, data: bytes) -> bytes:
    certificates = [pki.certificate(LocalPki.AGENCY).dump()]
    certificates += [c.dump() for c in pki.chain() if c.dump() != pki.root.dump()]
    with pki.signer(LocalPki.AGENCY) as signer:
        return edxml.sign(
            data,
            sign_raw=lambda payload: asyncio.run(signer.async_sign_raw(payload, "sha256")),
            certificates=certificates,
        )


def test_sign_and_verify_with_the_agency_seal(test_pki: LocalPki) -> None:
    # given
    pkg = big_document()
    signed = _pki_sign(test_pki, edxml.build(pkg))
    roots = [test_pki.root.dump()]
    # when
    check = edxml.verify(signed, trust_roots=roots, at=NOW)
    # then
    assert (check.present, check.valid, check.reasons) == (True, True, [])
    assert check.certificate == test_pki.certificate(LocalPki.AGENCY).dump()
    assert check.agency_code == "H57.02"
    parsed = edxml.parse(signed)
    assert parsed.signature_present and parsed.package == pkg and parsed.warnings == []
    root = etree.fromstring(signed)
    assert [etree.QName(e).localname for e in root[0][0]] == [
        "MessageHeader",
        "TraceHeaderList",
        "Signature",
    ]
    signature = root[0][0][2]
    assert signature.tag == dsig("Signature") and signature.prefix is None
    assert (
        signature.find(f"{dsig('SignedInfo')}/{dsig('SignatureMethod')}").get("Algorithm")
        == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    )
    assert [t.get("Algorithm") for t in signature.iter(dsig("Transform"))] == [
        f"{DSIG_NS}enveloped-signature",
        C14N_EXCLUSIVE,
    ]
    # the certificates: agency first, then the intermediate (not the root)
    assert len(list(signature.iter(dsig("X509Certificate")))) == 2

    # the certificate was not valid yet, then no longer
    before = edxml.verify(signed, trust_roots=roots, at=NOW - dt.timedelta(days=30))
    assert (before.valid, _reasons(before)) == (False, ["certificate_not_yet_valid"])
    expired = edxml.verify(signed, trust_roots=roots, at=NOW + dt.timedelta(days=4 * 365))
    assert (expired.valid, _reasons(expired)) == (False, ["certificate_expired"])
    assert "không còn hiệu lực" in expired.reasons[0].message
    # valid again at `now` (the remembered chain is not trusted blindly for another moment)
    assert edxml.verify(signed, trust_roots=roots, at=NOW).valid
    # another root
    other = make_credentials()
    untrusted = edxml.verify(signed, trust_roots=[other.root], at=NOW)
    assert (untrusted.present, untrusted.valid) == (True, False)
    assert _reasons(untrusted) == ["certificate_untrusted"]
    assert untrusted.agency_code == "H57.02"  # read all the same, for the operator
    # PEM roots are taken too
    assert edxml.verify(signed, trust_roots=[test_pki.trust_root_pem], at=NOW).valid


def test_status_package_signed_after_its_message_header(test_pki: LocalPki) -> None:
    signed = _pki_sign(test_pki, edxml.build(status()))
    root = etree.fromstring(signed)
    assert [etree.QName(e).localname for e in root[0][0]] == ["MessageHeader", "Signature"]
    assert edxml.verify(signed, trust_roots=[test_pki.root.dump()], at=NOW).valid
    assert edxml.parse(signed).package == status()


# --- Tampering ------------------------------------------------------------------------------


def test_flipping_one_byte_of_an_attachment(ec_credentials: Credentials) -> None:
    # given
    pkg = big_document(20_000)
    signed = ec_credentials.sign(edxml.build(pkg))
    assert _check(signed, ec_credentials).valid
    # when: one byte of the file changes, and the zip and base64 are made anew
    data = bytearray(pkg.attachments[0].data)
    data[1234] ^= 0x01
    changed = edxml.Attachment(**{**pkg.attachments[0].__dict__, "data": bytes(data)})
    root = etree.fromstring(signed)
    element = root.find(f".//{{{NS}}}ContentTransferEncoded")
    assert element is not None
    element.text = base64.b64encode(zip_attachment(changed)).decode()
    tampered = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    # then
    check = _check(tampered, ec_credentials)
    assert (check.present, check.valid, _reasons(check)) == (True, False, ["digest_mismatch"])
    assert check.reasons[0].message.startswith("Chữ ký số không hợp lệ: ")
    assert edxml.parse(tampered).package.attachments[0].data == bytes(data)  # type: ignore[union-attr]


def test_flipping_one_byte_of_the_subject(ec_credentials: Credentials) -> None:
    signed = ec_credentials.sign(edxml.build(document(subject="V/v triển khai liên thông")))
    tampered = signed.replace("V/v triển khai".encode(), "V/v triển khaj".encode())
    assert tampered != signed
    assert _reasons(_check(tampered, ec_credentials)) == ["digest_mismatch"]


def test_whitespace_and_reserialisation_do_not_matter_but_text_does(
    ec_credentials: Credentials,
) -> None:
    signed = ec_credentials.sign(edxml.build(document()))
    # attribute quotes and the declaration are not part of the canonical form
    reserialised = etree.tostring(etree.fromstring(signed), encoding="UTF-8")
    assert _check(reserialised, ec_credentials).valid
    # whitespace between elements is
    assert not _check(signed.replace(b"<edXML:Subject>", b" <edXML:Subject>"), ec_credentials).valid


def test_swapping_the_certificate(ec_credentials: Credentials) -> None:
    signed = ec_credentials.sign(edxml.build(document()))
    other = make_credentials()
    swapped = signed.replace(
        base64.b64encode(ec_credentials.certificate), base64.b64encode(other.certificate)
    )
    check = edxml.verify(swapped, trust_roots=[ec_credentials.root, other.root], at=NOW)
    assert _reasons(check) == ["signature_value"]


def test_editing_signed_info_breaks_the_signature(ec_credentials: Credentials) -> None:
    signed = ec_credentials.sign(edxml.build(document()))
    edited = signed.replace(b"<DigestMethod ", b'<DigestMethod Id="x" ')
    assert _reasons(_check(edited, ec_credentials)) == ["signature_value"]


# --- Property: sign → verify ----------------------------------------------------------------


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(pkg=documents | statuses)
def test_any_package_signs_and_verifies(pkg: edxml.Package, ec_credentials: Credentials) -> None:
    signed = ec_credentials.sign(edxml.build(pkg))
    assert _check(signed, ec_credentials).valid
    assert edxml.parse(signed).package == pkg
    # re-signing replaces the signature, never adds one
    again = ec_credentials.sign(signed)
    assert len(list(etree.fromstring(again).iter(dsig("Signature")))) == 1
    assert _check(again, ec_credentials).valid


# --- Algorithms -----------------------------------------------------------------------------


def test_rsa_and_ecdsa_signature_methods(
    rsa_credentials: Credentials, ec_credentials: Credentials
) -> None:
    for credentials, method, size in (
        (rsa_credentials, "rsa-sha256", 256),
        (ec_credentials, "ecdsa-sha256", 64),
    ):
        signed = credentials.sign(edxml.build(document()))
        root = etree.fromstring(signed)
        assert root.find(f".//{dsig('SignatureMethod')}").get("Algorithm").endswith(method)
        value = base64.b64decode(root.findtext(f".//{dsig('SignatureValue')}") or "")
        assert len(value) == size  # ECDSA as r‖s, not DER
        assert _check(signed, credentials).valid


def test_a_signer_returning_r_s_already_is_accepted(ec_credentials: Credentials) -> None:
    from tinhso.exchange.edxml.dsig import _ecdsa_to_xmldsig

    signed = edxml.sign(
        edxml.build(document()),
        sign_raw=lambda data: _ecdsa_to_xmldsig(ec_credentials.sign_raw(data), 256),
        certificates=[ec_credentials.certificate],
    )
    assert _check(signed, ec_credentials).valid


def _set_algorithms(
    *,
    c14n: str | None = None,
    transform: str | None = None,
    digest: str | None = None,
    method: str | None = None,
) -> Callable[[etree._Element], None]:
    def change(signature: etree._Element) -> None:
        if c14n:
            signature.find(f".//{dsig('CanonicalizationMethod')}").set("Algorithm", c14n)
        if transform:
            signature.findall(f".//{dsig('Transform')}")[1].set("Algorithm", transform)
        if digest:
            signature.find(f".//{dsig('DigestMethod')}").set("Algorithm", digest)
        if method:
            signature.find(f".//{dsig('SignatureMethod')}").set("Algorithm", method)

    return change


@pytest.mark.parametrize(
    ("c14n", "transform"),
    [
        (C14N_INCLUSIVE, C14N_INCLUSIVE),
        (C14N_INCLUSIVE + "#WithComments", C14N_INCLUSIVE + "#WithComments"),
        (C14N_EXCLUSIVE + "WithComments", C14N_EXCLUSIVE + "WithComments"),
        (C14N_EXCLUSIVE, C14N_INCLUSIVE),
    ],
)
def test_every_c14n_variant_is_accepted(
    ec_credentials: Credentials, c14n: str, transform: str
) -> None:
    # given: a package with a comment (not part of URI="": XML-DSig §4.4.3.3)
    data = edxml.build(document()).replace(
        b"<edXML:Subject>", "<!-- ghi chú --><edXML:Subject>".encode()
    )
    signed = ec_credentials.sign(data)
    changed = resign(signed, ec_credentials, _set_algorithms(c14n=c14n, transform=transform))
    if "exc" not in transform:
        # the digest must now be the inclusive one: recompute it the independent way
        changed = _redigest_inclusive(changed, ec_credentials)
    assert _check(changed, ec_credentials).valid


def _redigest_inclusive(signed: bytes, credentials: Credentials) -> bytes:
    import hashlib

    root = etree.fromstring(signed)
    signature = next(root.iter(dsig("Signature")))
    without = copy.deepcopy(root)
    doomed = next(without.iter(dsig("Signature")))
    previous = doomed.getprevious()
    assert previous is not None
    previous.tail = (previous.tail or "") + (doomed.tail or "")
    doomed.getparent().remove(doomed)
    digest = hashlib.sha256(etree.tostring(without, method="c14n", with_comments=False)).digest()
    signature.find(f".//{dsig('DigestValue')}").text = base64.b64encode(digest).decode()
    return resign(etree.tostring(root), credentials, lambda s: None)


def test_sha1_is_refused_unless_accepted(rsa_credentials: Credentials) -> None:
    signed = rsa_credentials.sign(edxml.build(document()))
    sha1 = resign(
        signed,
        rsa_credentials,
        _set_algorithms(digest=SHA1, method=RSA_SHA1),
        digest="sha1",
        signature_hash=hashes.SHA1(),  # noqa: S303 - testing that SHA-1 is refused
    )
    check = _check(sha1, rsa_credentials)
    assert (check.present, check.valid) == (True, False)
    assert sorted(_reasons(check)) == ["sha1", "sha1"]
    assert "SHA-1" in check.reasons[0].message
    assert _check(sha1, rsa_credentials, accept_sha1=True).valid


def test_a_chain_signed_with_sha1_is_refused_unless_accepted() -> None:
    credentials = make_credentials(sha1_leaf=True)
    signed = credentials.sign(edxml.build(document()))
    check = _check(signed, credentials)
    assert _reasons(check) == ["weak_algorithm"]
    assert _check(signed, credentials, accept_sha1=True).valid


def test_a_certificate_not_for_signing_is_refused() -> None:
    credentials = make_credentials(key_usage="encrypt")
    signed = credentials.sign(edxml.build(document()))
    assert _reasons(_check(signed, credentials)) == ["key_usage"]


def test_certificate_validity_window_with_generated_keys() -> None:
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    credentials = make_credentials(
        not_before=start, not_after=dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    )
    signed = credentials.sign(edxml.build(document()))
    assert _check(signed, credentials, at=dt.datetime(2020, 6, 1, tzinfo=dt.UTC)).valid
    assert _reasons(_check(signed, credentials, at=NOW)) == ["certificate_expired"]
    # a naive moment is Vietnam time: 2020-01-01 06:59 there is 2019-12-31 23:59 UTC
    assert _reasons(_check(signed, credentials, at=dt.datetime(2020, 1, 1, 6, 59))) == [
        "certificate_not_yet_valid"
    ]
    assert _check(signed, credentials, at=dt.datetime(2020, 1, 1, 7, 0, 1)).valid


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_set_algorithms(c14n="http://www.w3.org/2006/12/xml-c14n11"), "c14n_method"),
        (_set_algorithms(transform="http://www.w3.org/TR/xml-exc-c14n#"), "transforms"),
        (_set_algorithms(digest="http://www.w3.org/2001/04/xmldsig-more#md5"), "digest_method"),
        (_set_algorithms(method="http://www.w3.org/2000/09/xmldsig#dsa-sha1"), "signature_method"),
        (_set_algorithms(method="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"), "key_type"),
        (_set_algorithms(method=ECDSA_SHA1), "sha1"),
    ],
)
def test_algorithm_rules(ec_credentials: Credentials, change: object, reason: str) -> None:
    signed = resign(ec_credentials.sign(edxml.build(document())), ec_credentials, change)  # type: ignore[arg-type]
    check = _check(signed, ec_credentials)
    assert (check.present, check.valid) == (True, False)
    assert reason in _reasons(check)


# --- Structure ------------------------------------------------------------------------------


def _add_transform(signature: etree._Element) -> None:
    transforms = signature.find(f".//{dsig('Transforms')}")
    assert transforms is not None
    extra = etree.SubElement(
        transforms, dsig("Transform"), Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"
    )
    etree.SubElement(extra, dsig("XPath")).text = "not(ancestor-or-self::*[local-name()='Subject'])"


def _drop_enveloped(signature: etree._Element) -> None:
    transforms = signature.find(f".//{dsig('Transforms')}")
    assert transforms is not None
    transforms.remove(transforms[0])


def _second_reference(signature: etree._Element) -> None:
    reference = signature.find(f".//{dsig('Reference')}")
    assert reference is not None
    reference.addnext(copy.deepcopy(reference))


def _reference_uri(uri: str) -> Callable[[etree._Element], None]:
    def change(signature: etree._Element) -> None:
        signature.find(f".//{dsig('Reference')}").set("URI", uri)

    return change


def _no_uri(signature: etree._Element) -> None:
    del signature.find(f".//{dsig('Reference')}").attrib["URI"]


def _no_key_info(signature: etree._Element) -> None:
    signature.remove(signature.find(dsig("KeyInfo")))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_add_transform, "transforms"),
        (_drop_enveloped, "transforms"),
        (_second_reference, "reference"),
        (_reference_uri("#edXMLEnvelope"), "reference"),
        (_reference_uri("http://example.com/x"), "reference"),
        (_no_uri, "reference"),
        (_no_key_info, "certificate_missing"),
    ],
)
def test_structure_rules(ec_credentials: Credentials, change: object, reason: str) -> None:
    # the SignatureValue is made anew: the signature is cryptographically sound, the rule fails
    signed = resign(ec_credentials.sign(edxml.build(document())), ec_credentials, change)  # type: ignore[arg-type]
    check = _check(signed, ec_credentials)
    assert (check.present, check.valid) == (True, False)
    assert _reasons(check) == [reason]


def test_no_signature(ec_credentials: Credentials) -> None:
    check = _check(edxml.build(document()), ec_credentials)
    assert (check.present, check.valid, _reasons(check)) == (False, False, ["signature_missing"])
    assert check.certificate is None and check.agency_code is None


def test_two_signatures(ec_credentials: Credentials) -> None:
    signed = ec_credentials.sign(edxml.build(document()))
    root = etree.fromstring(signed)
    signature = next(root.iter(dsig("Signature")))
    root.append(copy.deepcopy(signature))
    check = _check(etree.tostring(root), ec_credentials)
    assert (check.present, check.valid, _reasons(check)) == (True, False, ["several_signatures"])


def test_signature_out_of_place(ec_credentials: Credentials) -> None:
    # given: the signature moved to the end of the package, re-signed there
    signed = ec_credentials.sign(edxml.build(document()))
    root = etree.fromstring(signed)
    signature = next(root.iter(dsig("Signature")))
    previous = signature.getprevious()
    assert previous is not None
    previous.tail = (previous.tail or "") + (signature.tail or "")
    root.append(signature)
    moved = resign(etree.tostring(root), ec_credentials, lambda s: None, digest="sha256")
    check = _check(moved, ec_credentials)
    assert _reasons(check) == ["signature_misplaced"]


def test_signature_wrapping_has_nothing_to_point_at(ec_credentials: Credentials) -> None:
    # given: a signed package whose envelope is copied into a foreign element and changed
    signed = ec_credentials.sign(edxml.build(document(subject="Trích yếu thật")))
    root = etree.fromstring(signed)
    wrapper = etree.SubElement(root, "{urn:x}Wrapper")
    wrapper.append(copy.deepcopy(root[0]))
    root[0].find(f".//{{{NS}}}Subject").text = "Trích yếu giả"
    check = _check(etree.tostring(root), ec_credentials)
    assert not check.valid


def test_verify_applies_the_size_limit(ec_credentials: Credentials) -> None:
    signed = ec_credentials.sign(edxml.build(document()))
    small = edxml.Limits(max_package_bytes=len(signed) - 1)
    check = _check(signed, ec_credentials, limits=small)
    assert (check.present, check.valid, _reasons(check)) == (False, False, ["too_large"])
    assert _check(signed, ec_credentials, limits=edxml.Limits(max_package_bytes=len(signed))).valid


def test_verify_refuses_garbage_without_raising(ec_credentials: Credentials) -> None:
    for data in (b"", b"<a/>", b"not xml", f'<edXML xmlns="{NS}"/>'.encode()):
        check = _check(data, ec_credentials)
        assert (check.present, check.valid) == (False, False)
        assert check.reasons


def test_sign_needs_a_certificate_and_an_edxml_package(ec_credentials: Credentials) -> None:
    with pytest.raises(ValueError, match="certificate"):
        edxml.sign(edxml.build(document()), sign_raw=ec_credentials.sign_raw, certificates=[])
    with pytest.raises(edxml.EdxmlRefused) as raised:
        edxml.sign(
            b"<a/>", sign_raw=ec_credentials.sign_raw, certificates=[ec_credentials.certificate]
        )
    assert raised.value.code == "not_edxml"


def test_verify_inside_an_event_loop(ec_credentials: Credentials) -> None:
    # the certificate check runs a coroutine; called from async code it must not break the loop
    signed = make_credentials().sign(edxml.build(document()))
    credentials = make_credentials()
    fresh = credentials.sign(signed)

    async def main() -> edxml.SignatureCheck:
        return _check(fresh, credentials)

    assert asyncio.run(main()).valid


def test_signed_output_keeps_the_layout(ec_credentials: Credentials) -> None:
    data = edxml.build(document())
    signed = ec_credentials.sign(data)
    assert signed.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns=')
    # everything but the signature is as build() wrote it
    without = re.sub(rb"\s*<Signature xmlns=.*?</Signature>", b"", signed, flags=re.S)
    assert re.sub(rb"\s+", b"", without) == re.sub(rb"\s+", b"", data)
