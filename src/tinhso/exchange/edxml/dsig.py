"""The XML signature of an edXML package: enveloped XML-DSig in edXMLHeader (W3C XML Signature
Syntax and Processing 1.1; placement after TraceHeaderList as in the vendor samples,
vn-eoffice.md §2.3).

sign() writes one Signature (default namespace XML-DSig) with one Reference URI="" — the whole
package, attachments included — transformed by enveloped-signature then exclusive C14N 1.0,
digest SHA-256, SignedInfo canonicalised by exclusive C14N, SignatureMethod rsa-sha256 or
ecdsa-sha256 by the key of the first certificate, and every given certificate in
KeyInfo/X509Data.

verify() is strict: valid only when there is exactly one Signature, a child of edXMLHeader, in
the XML-DSig namespace, with one Reference URI="" whose transforms are exactly
enveloped-signature and a C14N 1.0 (inclusive or exclusive, with or without comments), whose
digest and signature check out, and whose first certificate chains to one of `trust_roots` and
was valid at `at` (pyhanko_certvalidator, no fetching: revocation is not checked here).
SHA-1, in the digest, the signature or the chain, only with `accept_sha1`. A reference by ID
is never followed, so wrapping attacks have nothing to point at.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import datetime as dt
import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from lxml import etree

from tinhso.exchange.edxml.model import (
    NS,
    VN_TZ,
    EdxmlRefused,
    Limits,
    Problem,
    SignatureCheck,
    gettext_noop,
)
from tinhso.exchange.edxml.parse import DSIG_NS, find_signatures
from tinhso.exchange.edxml.xmlsafe import load
from tinhso.signatures.identifiers import agency_code_of

__all__ = ["agency_code_of", "sign", "verify"]

ENVELOPED = DSIG_NS + "enveloped-signature"
C14N_INCLUSIVE = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_EXCLUSIVE = "http://www.w3.org/2001/10/xml-exc-c14n#"
#: algorithm → (exclusive, with comments)
C14N_METHODS = {
    C14N_INCLUSIVE: (False, False),
    C14N_INCLUSIVE + "#WithComments": (False, True),
    C14N_EXCLUSIVE: (True, False),
    C14N_EXCLUSIVE + "WithComments": (True, True),
}
_MORE = "http://www.w3.org/2001/04/xmldsig-more#"
DIGEST_METHODS = {
    DSIG_NS + "sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    _MORE + "sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
#: algorithm → (key type, hash)
SIGNATURE_METHODS = {
    DSIG_NS + "rsa-sha1": ("rsa", "sha1"),
    _MORE + "rsa-sha256": ("rsa", "sha256"),
    _MORE + "rsa-sha384": ("rsa", "sha384"),
    _MORE + "rsa-sha512": ("rsa", "sha512"),
    _MORE + "ecdsa-sha1": ("ec", "sha1"),
    _MORE + "ecdsa-sha256": ("ec", "sha256"),
    _MORE + "ecdsa-sha384": ("ec", "sha384"),
    _MORE + "ecdsa-sha512": ("ec", "sha512"),
}
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

_M_MISSING = gettext_noop("Gói tin không có chữ ký số.")
_M_UNREADABLE = gettext_noop("Chữ ký số không hợp lệ: gói tin không đọc được.")
_M_SEVERAL = gettext_noop("Chữ ký số không hợp lệ: gói tin có nhiều hơn một chữ ký.")
_M_PLACE = gettext_noop("Chữ ký số không hợp lệ: chữ ký không nằm trong phần edXMLHeader.")
_M_NAMESPACE = gettext_noop(
    "Chữ ký số không hợp lệ: phần tử Signature không thuộc không gian tên XML-DSig."
)
_M_STRUCTURE = gettext_noop(
    "Chữ ký số không hợp lệ: cấu trúc chữ ký không đúng (SignedInfo, SignatureValue)."
)
_M_REFERENCE = gettext_noop(
    "Chữ ký số không hợp lệ: chữ ký phải có đúng một Reference với URI rỗng (toàn bộ gói tin)."
)
_M_TRANSFORMS = gettext_noop(
    "Chữ ký số không hợp lệ: phép biến đổi phải đúng là enveloped-signature và một phép chuẩn hóa C14N."
)
_M_C14N = gettext_noop("Chữ ký số không hợp lệ: phương pháp chuẩn hóa (C14N) không được hỗ trợ.")
_M_DIGEST_METHOD = gettext_noop("Chữ ký số không hợp lệ: thuật toán băm không được hỗ trợ.")
_M_SIGNATURE_METHOD = gettext_noop("Chữ ký số không hợp lệ: thuật toán ký không được hỗ trợ.")
_M_SHA1 = gettext_noop(
    "Chữ ký số không hợp lệ: thuật toán SHA-1 không còn an toàn và không được chấp nhận."
)
_M_DIGEST = gettext_noop(
    "Chữ ký số không hợp lệ: nội dung gói tin đã bị thay đổi sau khi ký (giá trị băm không khớp)."
)
_M_SIGNATURE = gettext_noop(
    "Chữ ký số không hợp lệ: giá trị chữ ký không khớp với khóa công khai của chứng thư số."
)
_M_KEY_TYPE = gettext_noop(
    "Chữ ký số không hợp lệ: thuật toán ký không phù hợp với loại khóa của chứng thư số."
)
_M_NO_CERTIFICATE = gettext_noop(
    "Chữ ký số không hợp lệ: chữ ký không kèm chứng thư số (KeyInfo/X509Data)."
)
_M_BAD_CERTIFICATE = gettext_noop(
    "Chữ ký số không hợp lệ: không đọc được chứng thư số của người ký."
)
_M_UNTRUSTED = gettext_noop(
    "Chữ ký số không hợp lệ: chứng thư số không chuỗi về một chứng thư gốc được tin cậy."
)
_M_EXPIRED = gettext_noop(
    "Chữ ký số không hợp lệ: chứng thư số không còn hiệu lực tại thời điểm kiểm tra."
)
_M_NOT_YET = gettext_noop(
    "Chữ ký số không hợp lệ: chứng thư số chưa có hiệu lực tại thời điểm kiểm tra."
)
_M_REVOKED = gettext_noop("Chữ ký số không hợp lệ: chứng thư số đã bị thu hồi.")
_M_WEAK_CHAIN = gettext_noop(
    "Chữ ký số không hợp lệ: chuỗi chứng thư số dùng thuật toán không còn an toàn."
)
_M_KEY_USAGE = gettext_noop(
    "Chữ ký số không hợp lệ: chứng thư số không được phép dùng để ký (KeyUsage)."
)


_DEFAULT_LIMITS = Limits()


# --- Signing --------------------------------------------------------------------------------


def sign(
    data: bytes, *, sign_raw: Callable[[bytes], bytes], certificates: Sequence[bytes]
) -> bytes:
    """`data` with an enveloped XML signature; an existing Signature is replaced.

    `sign_raw(c14n SignedInfo)` returns the raw signature: PKCS#1 v1.5 with SHA-256 for RSA,
    ECDSA with SHA-256 as DER (converted here to the r‖s form XML-DSig wants) or already r‖s.
    `certificates` are DER, the signer's first. Raises EdxmlRefused when `data` is not edXML.
    """
    if not certificates:
        raise ValueError("sign() needs the signer's certificate")
    public_key = x509.load_der_x509_certificate(bytes(certificates[0])).public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        method = _MORE + "rsa-sha256"
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        method = _MORE + "ecdsa-sha256"
    else:
        raise ValueError(f"Unsupported signing key type: {type(public_key).__name__}")
    # The package is our own, just built: no size limit, the other defences stay.
    root = load(data, max_bytes=max(len(data), 1))
    header = _header(root)
    if header is None:
        raise EdxmlRefused("not_edxml", gettext_noop("Gói tin không có phần edXMLHeader."))
    for old in find_signatures(root, header):
        _detach(old)

    signature = etree.Element(f"{{{DSIG_NS}}}Signature", nsmap={None: DSIG_NS})
    signed_info = _sub(signature, "SignedInfo")
    _sub(signed_info, "CanonicalizationMethod", Algorithm=C14N_EXCLUSIVE)
    _sub(signed_info, "SignatureMethod", Algorithm=method)
    reference = _sub(signed_info, "Reference", URI="")
    transforms = _sub(reference, "Transforms")
    _sub(transforms, "Transform", Algorithm=ENVELOPED)
    _sub(transforms, "Transform", Algorithm=C14N_EXCLUSIVE)
    _sub(reference, "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    digest_value = _sub(reference, "DigestValue")
    signature_value = _sub(signature, "SignatureValue")
    x509_data = _sub(_sub(signature, "KeyInfo"), "X509Data")
    for certificate in certificates:
        _sub(x509_data, "X509Certificate").text = base64.b64encode(bytes(certificate)).decode()
    _place(header, signature)

    digest_value.text = base64.b64encode(
        hashlib.sha256(_reference_c14n(root, signature, exclusive=True, prefixes=None)).digest()
    ).decode()
    raw = sign_raw(_c14n(signed_info, exclusive=True, with_comments=False, prefixes=None))
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        raw = _ecdsa_to_xmldsig(raw, public_key.curve.key_size)
    signature_value.text = base64.b64encode(raw).decode()
    body: bytes = etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _sub(parent: etree._Element, name: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{DSIG_NS}}}{name}", attributes)


def _header(root: etree._Element) -> etree._Element | None:
    envelope = root.find(f"{{{NS}}}edXMLEnvelope")
    if envelope is None:
        return None
    return envelope.find(f"{{{NS}}}edXMLHeader")


def _place(header: etree._Element, signature: etree._Element) -> None:
    """Put the Signature after TraceHeaderList (or MessageHeader), keeping the indentation."""
    anchor = header.find(f"{{{NS}}}TraceHeaderList")
    if anchor is None:
        anchor = header.find(f"{{{NS}}}MessageHeader")
    if anchor is None:
        header.append(signature)
        return
    previous = anchor.getprevious()
    indent = (previous.tail if previous is not None else header.text) or ""
    signature.tail = anchor.tail
    if indent.strip() == "" and anchor.tail is not None:
        anchor.tail = indent
    anchor.addnext(signature)


def _detach(element: etree._Element) -> tuple[etree._Element, int, str | None]:
    """Remove `element` as XPath would: its following text stays in the document."""
    parent = element.getparent()
    if parent is None:  # pragma: no cover - a Signature is never the root
        raise ValueError("cannot detach the root")
    index = parent.index(element)
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    return parent, index, tail


def _reference_c14n(
    root: etree._Element,
    signature: etree._Element,
    *,
    exclusive: bool,
    prefixes: list[str] | None,
) -> bytes:
    """The enveloped-signature transform then C14N of the whole document (URI="": comments
    are not part of the node-set, whatever the C14N variant, XML-DSig §4.4.3.3)."""
    previous = signature.getprevious()
    parent = signature.getparent()
    assert parent is not None
    saved = previous.tail if previous is not None else parent.text
    parent_, index, tail = _detach(signature)
    try:
        return _c14n(
            root.getroottree(), exclusive=exclusive, with_comments=False, prefixes=prefixes
        )
    finally:
        if previous is not None:
            previous.tail = saved
        else:
            parent.text = saved
        parent_.insert(index, signature)
        signature.tail = tail


def _c14n(
    node: etree._Element | etree._ElementTree,
    *,
    exclusive: bool,
    with_comments: bool,
    prefixes: list[str] | None,
) -> bytes:
    canonical: bytes = etree.tostring(
        node,
        method="c14n",
        exclusive=exclusive,
        with_comments=with_comments,
        inclusive_ns_prefixes=prefixes if exclusive else None,
    )
    return canonical


def _ecdsa_to_xmldsig(raw: bytes, key_size: int) -> bytes:
    size = (key_size + 7) // 8
    try:
        r, s = decode_dss_signature(raw)
    except ValueError:
        if len(raw) == 2 * size:  # already r‖s
            return raw
        raise
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _xmldsig_to_ecdsa(raw: bytes, key_size: int) -> bytes:
    size = (key_size + 7) // 8
    if len(raw) != 2 * size:
        raise InvalidSignature("r‖s of the wrong length")
    return encode_dss_signature(
        int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
    )


# --- Verifying ------------------------------------------------------------------------------


def verify(
    data: bytes,
    *,
    trust_roots: Sequence[bytes],
    at: dt.datetime,
    accept_sha1: bool = False,
    limits: Limits | None = None,
) -> SignatureCheck:
    """Check the package's XML signature (see the module docstring for what "valid" means).

    `trust_roots` are DER certificates (PEM is accepted too); `at` is the moment the
    certificate must have been valid at (a naive value is Vietnam time); `limits` (only its
    max_package_bytes counts here) should be those given to parse().
    """
    try:
        root = load(data, max_bytes=(limits or _DEFAULT_LIMITS).max_package_bytes)
    except EdxmlRefused as refused:
        return SignatureCheck(
            present=False, valid=False, reasons=[Problem(refused.code, "edXML", _M_UNREADABLE)]
        )
    header = _header(root)
    signatures = (
        find_signatures(root, header)
        if header is not None
        else list(root.iter(f"{{{DSIG_NS}}}Signature"))
    )
    if not signatures:
        return SignatureCheck(
            present=False,
            valid=False,
            reasons=[Problem("signature_missing", "Signature", _M_MISSING)],
        )
    if len(signatures) > 1:
        return SignatureCheck(
            present=True,
            valid=False,
            reasons=[Problem("several_signatures", "Signature", _M_SEVERAL)],
        )
    return _Verification(root, header, signatures[0], accept_sha1).run(trust_roots, at)


class _Verification:
    def __init__(
        self,
        root: etree._Element,
        header: etree._Element | None,
        signature: etree._Element,
        accept_sha1: bool,
    ) -> None:
        self.root = root
        self.signature = signature
        self.accept_sha1 = accept_sha1
        self.reasons: list[Problem] = []
        tag = etree.QName(signature)
        # Read the structure in the Signature's own namespace, so that a misplaced-namespace
        # signature (the vendor samples) still gets every other reason reported.
        self.ns = tag.namespace
        if header is None or signature.getparent() is not header:
            self.fail("signature_misplaced", "Signature", _M_PLACE)
        if tag.namespace != DSIG_NS:
            self.fail("signature_namespace", "Signature", _M_NAMESPACE)

    def fail(self, code: str, field: str, message: str) -> None:
        self.reasons.append(Problem(code, field, message))

    def kids(self, element: etree._Element, name: str) -> list[etree._Element]:
        tag = f"{{{self.ns}}}{name}" if self.ns else name
        return [child for child in element if child.tag == tag]

    def one(self, element: etree._Element, name: str) -> etree._Element | None:
        found = self.kids(element, name)
        return found[0] if len(found) == 1 else None

    def run(self, trust_roots: Sequence[bytes], at: dt.datetime) -> SignatureCheck:
        signed_info = self.one(self.signature, "SignedInfo")
        signature_value = self.one(self.signature, "SignatureValue")
        certificates = self.certificates()
        leaf = self.leaf(certificates)
        if signed_info is None or signature_value is None:
            self.fail("signature_structure", "Signature", _M_STRUCTURE)
        else:
            self.check(signed_info, signature_value, leaf)
        if leaf is not None:
            self.reasons.extend(
                _chain_problems(certificates, trust_roots, at, accept_sha1=self.accept_sha1)
            )
        return SignatureCheck(
            present=True,
            valid=not self.reasons,
            reasons=self.reasons,
            certificate=certificates[0] if leaf is not None else None,
            agency_code=agency_code_of(leaf) if leaf is not None else None,
        )

    def certificates(self) -> list[bytes]:
        found: list[bytes] = []
        key_info = self.one(self.signature, "KeyInfo")
        if key_info is None:
            return found
        for x509_data in self.kids(key_info, "X509Data"):
            for element in self.kids(x509_data, "X509Certificate"):
                try:
                    found.append(
                        base64.b64decode("".join((element.text or "").split()), validate=True)
                    )
                except (binascii.Error, ValueError):
                    found.append(b"")
        return found

    def leaf(self, certificates: list[bytes]) -> x509.Certificate | None:
        if not certificates:
            self.fail("certificate_missing", "KeyInfo/X509Data", _M_NO_CERTIFICATE)
            return None
        try:
            leaf = x509.load_der_x509_certificate(certificates[0])
            for other in certificates[1:]:
                x509.load_der_x509_certificate(other)
        except ValueError:
            self.fail(
                "certificate_malformed", "KeyInfo/X509Data/X509Certificate", _M_BAD_CERTIFICATE
            )
            return None
        return leaf

    def check(
        self,
        signed_info: etree._Element,
        signature_value: etree._Element,
        leaf: x509.Certificate | None,
    ) -> None:
        c14n_element = self.one(signed_info, "CanonicalizationMethod")
        c14n = (
            C14N_METHODS.get(c14n_element.get("Algorithm", ""))
            if c14n_element is not None
            else None
        )
        if c14n is None:
            self.fail("c14n_method", "SignedInfo/CanonicalizationMethod", _M_C14N)
        method_element = self.one(signed_info, "SignatureMethod")
        method = (
            SIGNATURE_METHODS.get(method_element.get("Algorithm", ""))
            if method_element is not None
            else None
        )
        if method is None:
            self.fail("signature_method", "SignedInfo/SignatureMethod", _M_SIGNATURE_METHOD)
        elif method[1] == "sha1" and not self.accept_sha1:
            self.fail("sha1", "SignedInfo/SignatureMethod", _M_SHA1)
            method = None
        self.check_reference(signed_info)
        if c14n is None or method is None or leaf is None:
            return
        exclusive, with_comments = c14n
        prefixes = _prefix_list(c14n_element) if c14n_element is not None else None
        canonical = _c14n(
            signed_info, exclusive=exclusive, with_comments=with_comments, prefixes=prefixes
        )
        try:
            raw = base64.b64decode("".join((signature_value.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            self.fail("signature_value", "SignatureValue", _M_SIGNATURE)
            return
        key_type, hash_name = method
        public_key = leaf.public_key()
        algorithm = _HASHES[hash_name]()
        try:
            if key_type == "rsa" and isinstance(public_key, rsa.RSAPublicKey):
                public_key.verify(raw, canonical, padding.PKCS1v15(), algorithm)
            elif key_type == "ec" and isinstance(public_key, ec.EllipticCurvePublicKey):
                der = _xmldsig_to_ecdsa(raw, public_key.curve.key_size)
                public_key.verify(der, canonical, ec.ECDSA(algorithm))
            else:
                self.fail("key_type", "SignedInfo/SignatureMethod", _M_KEY_TYPE)
                return
        except (InvalidSignature, ValueError):
            self.fail("signature_value", "SignatureValue", _M_SIGNATURE)

    def check_reference(self, signed_info: etree._Element) -> bool:
        references = self.kids(signed_info, "Reference")
        if len(references) != 1 or references[0].get("URI") != "":
            self.fail("reference", "SignedInfo/Reference", _M_REFERENCE)
            return False
        reference = references[0]
        transforms_element = self.one(reference, "Transforms")
        transforms = (
            self.kids(transforms_element, "Transform") if transforms_element is not None else []
        )
        algorithms = [transform.get("Algorithm", "") for transform in transforms]
        if len(algorithms) != 2 or algorithms[0] != ENVELOPED or algorithms[1] not in C14N_METHODS:
            self.fail("transforms", "SignedInfo/Reference/Transforms", _M_TRANSFORMS)
            return False
        digest_element = self.one(reference, "DigestMethod")
        hash_name = (
            DIGEST_METHODS.get(digest_element.get("Algorithm", ""))
            if digest_element is not None
            else None
        )
        if hash_name is None:
            self.fail("digest_method", "SignedInfo/Reference/DigestMethod", _M_DIGEST_METHOD)
            return False
        if hash_name == "sha1" and not self.accept_sha1:
            self.fail("sha1", "SignedInfo/Reference/DigestMethod", _M_SHA1)
            return False
        value_element = self.one(reference, "DigestValue")
        try:
            expected = base64.b64decode(
                "".join((value_element.text or "").split()) if value_element is not None else "",
                validate=True,
            )
        except (binascii.Error, ValueError):
            expected = b""
        exclusive, _with_comments = C14N_METHODS[algorithms[1]]
        canonical = _reference_c14n(
            self.root,
            self.signature,
            exclusive=exclusive,
            prefixes=_prefix_list(transforms[1]) if exclusive else None,
        )
        actual = hashlib.new(hash_name, canonical).digest()
        if not hmac.compare_digest(actual, expected):
            self.fail("digest_mismatch", "SignedInfo/Reference/DigestValue", _M_DIGEST)
            return False
        return True


def _prefix_list(element: etree._Element) -> list[str] | None:
    """InclusiveNamespaces/@PrefixList of an exclusive C14N transform or method, if any."""
    for child in element:
        if child.tag == f"{{{C14N_EXCLUSIVE}}}InclusiveNamespaces":
            prefixes = (child.get("PrefixList") or "").split()
            return [prefix for prefix in prefixes if prefix != "#default"] or None
    return None


# --- Certificates ---------------------------------------------------------------------------

_SUCCESS_CACHE: OrderedDict[tuple[Any, ...], list[tuple[dt.datetime, dt.datetime]]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 512


def _chain_problems(
    certificates: list[bytes],
    trust_roots: Sequence[bytes],
    at: dt.datetime,
    *,
    accept_sha1: bool,
) -> list[Problem]:
    """Why the signer's chain does not hold at `at` (empty when it does).

    A chain that validated once is remembered (per chain, roots and SHA-1 switch) with the
    validity windows of its certificates: for another moment only the windows need checking,
    which keeps a hub's verification of many packages by one agency cheap.
    """
    if at.tzinfo is None:
        at = at.replace(tzinfo=VN_TZ)
    roots = tuple(bytes(root) for root in trust_roots)
    key = (tuple(certificates), roots, accept_sha1)
    with _CACHE_LOCK:
        windows = _SUCCESS_CACHE.get(key)
        if windows is not None:
            _SUCCESS_CACHE.move_to_end(key)
    if windows is not None and all(start <= at <= end for start, end in windows):
        return []
    try:
        leaf = asn1_x509.Certificate.load(certificates[0])
        intermediates = [asn1_x509.Certificate.load(der) for der in certificates[1:]]
        anchors = [_load_root(root) for root in roots]
        leaf.native  # noqa: B018 - force a full parse: a broken certificate fails here
    except Exception:
        return [
            Problem("certificate_malformed", "KeyInfo/X509Data/X509Certificate", _M_BAD_CERTIFICATE)
        ]
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator import errors as cv_errors

    context = ValidationContext(
        trust_roots=anchors,
        moment=at,
        allow_fetching=False,
        revocation_mode="soft-fail",
        weak_hash_algos={"md2", "md5"} if accept_sha1 else {"md2", "md5", "sha1"},
        time_tolerance=dt.timedelta(0),
    )
    validator = CertificateValidator(
        leaf, intermediate_certs=intermediates, validation_context=context
    )
    field = "KeyInfo/X509Data/X509Certificate"
    try:
        path = _run(validator.async_validate_path())
    except cv_errors.ExpiredError:
        return [Problem("certificate_expired", field, _M_EXPIRED)]
    except cv_errors.NotYetValidError:
        return [Problem("certificate_not_yet_valid", field, _M_NOT_YET)]
    except cv_errors.RevokedError:
        return [Problem("certificate_revoked", field, _M_REVOKED)]
    except cv_errors.DisallowedAlgorithmError:
        return [Problem("weak_algorithm", field, _M_WEAK_CHAIN)]
    except (cv_errors.PathBuildingError, cv_errors.PathValidationError, cv_errors.ValidationError):
        return [Problem("certificate_untrusted", field, _M_UNTRUSTED)]
    except Exception:  # a certificate asn1crypto cannot make sense of
        return [Problem("certificate_untrusted", field, _M_UNTRUSTED)]
    usage = leaf.key_usage_value
    if usage is not None and not ({"digital_signature", "non_repudiation"} & set(usage.native)):
        return [Problem("key_usage", field, _M_KEY_USAGE)]
    windows = []
    for certificate in path.iter_certs(include_root=True):
        validity = certificate["tbs_certificate"]["validity"]
        windows.append((validity["not_before"].native, validity["not_after"].native))
    with _CACHE_LOCK:
        _SUCCESS_CACHE[key] = windows
        while len(_SUCCESS_CACHE) > _CACHE_SIZE:
            _SUCCESS_CACHE.popitem(last=False)
    return []


_ROOTS: dict[bytes, asn1_x509.Certificate] = {}


def _load_root(data: bytes) -> asn1_x509.Certificate:
    cached = _ROOTS.get(data)
    if cached is not None:
        return cached
    der = data
    if data.lstrip().startswith(b"-----BEGIN"):
        from asn1crypto import pem

        _, _, der = pem.unarmor(data)
    certificate = asn1_x509.Certificate.load(der)
    certificate.native  # noqa: B018 - parse now, not inside the validator
    if len(_ROOTS) < 256:
        _ROOTS[data] = certificate
    return certificate


_LOOPS = threading.local()


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a certvalidator coroutine from synchronous code (one event loop per thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop = getattr(_LOOPS, "loop", None)
        if loop is None or loop.is_closed():
            loop = asyncio.new_event_loop()
            _LOOPS.loop = loop
        return loop.run_until_complete(coroutine)
    # Called from inside an event loop: validate on a worker thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
