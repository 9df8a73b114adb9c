"""The online services of the test PKI as one WSGI application (no Django):

- ``POST /tsa``: RFC 3161 timestamps (``application/timestamp-query`` →
  ``application/timestamp-reply``);
- ``POST /ocsp`` and ``GET /ocsp/<base64 request>``: RFC 6960 OCSP (Appendix A.1), answered
  for the intermediate's certificates by the delegated responder certificate and for the
  root's by the root itself, from the revocations recorded by `tinhso.signatures.pki.revoke`;
- ``GET /crl/<root|intermediate>.crl``: the CRL (DER) of a CA, regenerated when a revocation
  is recorded and at least daily (nextUpdate lies four days ahead);
- ``GET /ca/<root|intermediate|tsa|ocsp>.crt``: certificates (DER), the caIssuers URLs.

Keys and certificates are loaded once. A timestamp touches no file; an OCSP or CRL request
stats two files (pki.json, revocations.json) to see revocations and parties added by another
process. `PkiServices.handle` serves one request without WSGI, for a Django view mounting the
services at /pki/; `serve_in_thread` runs them on 127.0.0.1 for tests.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import os
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any, Final
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from asn1crypto import algos, cms, core, ocsp, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute

from tinhso.signatures.pki import (
    BACKDATE,
    CA_NAMES,
    INTERMEDIATE,
    MANIFEST_NAME,
    REVOCATIONS_NAME,
    ROOT,
    PkiManifest,
    Revocation,
    crl_build,
    load_certificate,
    load_private_key,
    revocations_load,
)

MAX_REQUEST_BYTES: Final = 64 * 1024
#: RFC 3161 §2.4.2 accuracy of genTime.
TSA_ACCURACY_SECONDS: Final = 1
#: The imprint algorithms accepted (RFC 3161 §2.4.1: others get badAlg). SHA-1 is refused.
TSA_DIGESTS: Final = {"sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64}
OCSP_VALIDITY: Final = dt.timedelta(days=1)
CRL_REFRESH: Final = dt.timedelta(days=1)

TSQ: Final = "application/timestamp-query"
TSR: Final = "application/timestamp-reply"
OCSP_REQUEST: Final = "application/ocsp-request"
OCSP_RESPONSE: Final = "application/ocsp-response"

Clock = Callable[[], dt.datetime]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


_REASONS: Final = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    503: "Service Unavailable",
}


@functools.lru_cache(maxsize=4)
def cached_services(directory: Path) -> PkiServices:
    """One `PkiServices` per PKI directory and process (keys are loaded once), for a view
    that mounts the services: ``cached_services(settings.TINHSO_PKI_DIR).handle(...)``."""
    return PkiServices(Path(directory))


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class _Authority:
    """A signer loaded once: its certificate in both libraries' forms and its key."""

    cert: asn1_x509.Certificate
    der: bytes
    key: rsa.RSAPrivateKey


@dataclass
class _State:
    manifest: PkiManifest
    manifest_mtime: float
    revocations: dict[int, Revocation]
    revocations_mtime: float
    crls: dict[str, tuple[dt.datetime, bytes]] = field(default_factory=dict)


class PkiServices:
    """The WSGI application of one test PKI directory.

    Thread-safe: requests may be served concurrently (the keys are only read; the revocation
    state is swapped whole under a lock).
    """

    def __init__(self, directory: Path, *, clock: Clock | None = None) -> None:
        self.directory = Path(directory).resolve()
        self._clock = clock or _utc_now
        self._lock = threading.Lock()
        manifest = PkiManifest.load(self.directory)
        self.authorities = {
            name: _Authority(
                cert=(
                    cert := asn1_x509.Certificate.load(
                        _der(manifest.directory / "ca" / f"{name}.crt")
                    )
                ),
                der=cert.dump(),
                key=load_private_key(manifest.private_key_path(name)),
            )
            for name in (ROOT, INTERMEDIATE, "tsa", "ocsp")
        }
        self._crypto_ca = {
            name: load_certificate(manifest.directory / "ca" / f"{name}.crt") for name in CA_NAMES
        }
        self._state = self._read_state()
        # TSA: everything that does not depend on the request, computed once.
        tsa = self.authorities["tsa"]
        self._tsa_policy = manifest.tsa_policy
        self._tsa_policy_der = core.ObjectIdentifier(manifest.tsa_policy).dump()
        self._tsa_name_der = _tlv(
            0xA0,
            asn1_x509.GeneralName(name="directory_name", value=tsa.cert.subject).dump(),
        )
        self._tsa_sid_der = cms.IssuerAndSerialNumber(
            {"issuer": tsa.cert.issuer, "serial_number": tsa.cert.serial_number}
        ).dump()
        self._tsa_signing_certificate_der = simple_cms_attribute(  # type: ignore[no-untyped-call]
            "signing_certificate_v2", as_signing_certificate_v2(tsa.cert, "sha256")
        ).dump()
        self._tsa_certs_der = tsa.der + self.authorities[INTERMEDIATE].der
        # OCSP: which CA a CertID names, for the hash algorithms clients use.
        self._issuers: dict[tuple[str, bytes, bytes], str] = {}
        for name in CA_NAMES:
            cert = self.authorities[name].cert
            for algorithm in ("sha1", "sha256", "sha384", "sha512"):
                name_hash = hashlib.new(algorithm, cert.subject.dump()).digest()
                key_hash = hashlib.new(algorithm, bytes(cert.public_key["public_key"])).digest()
                self._issuers[algorithm, name_hash, key_hash] = name
        self._responder_key_hash = {
            name: hashlib.sha1(bytes(self.authorities[name].cert.public_key["public_key"])).digest()  # noqa: S324 - RFC 6960 §4.2.1 KeyHash is SHA-1
            for name in ("ocsp", ROOT)
        }

    # --- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "") or "/"
        body = b""
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_REQUEST_BYTES:
                reply = Reply(413, "text/plain; charset=utf-8", b"request too large\n")
                return _respond(start_response, reply)
            body = environ["wsgi.input"].read(length) if length else b""
        reply = self.handle(method, path, body, content_type=environ.get("CONTENT_TYPE", ""))
        return _respond(start_response, reply)

    def handle(self, method: str, path: str, body: bytes = b"", *, content_type: str = "") -> Reply:
        """Serve one request; `path` is relative to where the services are mounted."""
        path = "/" + path.lstrip("/")
        if path == "/tsa":
            if method != "POST":
                return _not_allowed("POST")
            if content_type.split(";")[0].strip().lower() not in ("", TSQ):
                return Reply(
                    415, "text/plain; charset=utf-8", b"expected application/timestamp-query\n"
                )
            return Reply(200, TSR, self.timestamp_reply(body))
        if path == "/ocsp":
            if method != "POST":
                return _not_allowed("POST, GET")
            return Reply(200, OCSP_RESPONSE, self.ocsp_reply(body))
        if path.startswith("/ocsp/"):
            if method not in ("GET", "HEAD"):
                return _not_allowed("POST, GET")
            encoded = urllib.parse.unquote(path[len("/ocsp/") :])
            try:
                request = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=False)
            except ValueError:
                request = b""
            return Reply(200, OCSP_RESPONSE, self.ocsp_reply(request))
        if method not in ("GET", "HEAD"):
            return _not_allowed("GET")
        if path.startswith("/crl/") and path.endswith(".crl"):
            ca = path[len("/crl/") : -len(".crl")]
            if ca in CA_NAMES:
                return Reply(200, "application/pkix-crl", self.crl(ca))
        if path.startswith("/ca/") and path.endswith(".crt"):
            name = path[len("/ca/") : -len(".crt")]
            if name in self.authorities:
                return Reply(200, "application/pkix-cert", self.authorities[name].der)
        return Reply(404, "text/plain; charset=utf-8", b"not found\n")

    # --- RFC 3161 ---------------------------------------------------------------------------

    def timestamp_reply(self, body: bytes) -> bytes:
        """A DER TimeStampResp for a DER TimeStampReq (RFC 3161 §2.4)."""
        try:
            request = tsp.TimeStampReq.load(body)
            request.native  # noqa: B018 - asn1crypto parses lazily: force it now
            imprint = request["message_imprint"]
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            digest = imprint["hashed_message"].native
            version = request["version"].native
        except Exception:
            return _tsa_rejection("bad_data_format", "Yêu cầu dấu thời gian không hợp lệ.")
        if version != "v1":
            return _tsa_rejection("bad_data_format", "Phiên bản yêu cầu không được hỗ trợ.")
        if algorithm not in TSA_DIGESTS:
            return _tsa_rejection("bad_alg", "Thuật toán băm không được hỗ trợ.")
        if len(digest) != TSA_DIGESTS[algorithm]:
            return _tsa_rejection("bad_data_format", "Độ dài giá trị băm không đúng.")
        policy = request["req_policy"].native
        if policy is not None and policy != self._tsa_policy:
            return _tsa_rejection(
                "unaccepted_policy", "Chính sách dấu thời gian không được chấp nhận."
            )
        if request["extensions"].native:
            return _tsa_rejection("unaccepted_extensions", "Phần mở rộng không được hỗ trợ.")

        # The response is assembled from DER pieces computed once (certificates, names,
        # algorithm identifiers): asn1crypto would re-serialise the embedded certificates on
        # every request, which cost ~8 ms where the whole reply now takes ~1.5.
        tst_info = _tlv(
            0x30,
            _V1
            + self._tsa_policy_der
            + imprint.dump()
            # Unique per token (RFC 3161 §2.4.2): 127 random bits.
            + core.Integer(int.from_bytes(os.urandom(16), "big") >> 1).dump()
            + core.GeneralizedTime(self._clock()).dump()
            + _ACCURACY
            + (request["nonce"].dump() if request["nonce"].native is not None else b"")
            + self._tsa_name_der,
        )
        md = algorithm if algorithm in ("sha384", "sha512") else "sha256"
        attributes = sorted(  # DER: the elements of a SET OF in ascending order of encoding
            [
                _CONTENT_TYPE_TST_INFO,
                _tlv(
                    0x30,
                    _OID_MESSAGE_DIGEST
                    + _tlv(0x31, _tlv(0x04, hashlib.new(md, tst_info).digest())),
                ),
                self._tsa_signing_certificate_der,
            ]
        )
        signed_attrs = b"".join(attributes)
        tsa = self.authorities["tsa"]
        signature = tsa.key.sign(_tlv(0x31, signed_attrs), padding.PKCS1v15(), _HASHES[md]())
        digest_algorithm = _DIGEST_ALGORITHMS[md]
        signer_info = _tlv(
            0x30,
            _V1
            + self._tsa_sid_der
            + digest_algorithm
            + _tlv(0xA0, signed_attrs)
            + _RSA_PKCS1V15
            + _tlv(0x04, signature),
        )
        signed_data = _tlv(
            0x30,
            _V3
            + _tlv(0x31, digest_algorithm)
            + _tlv(0x30, _OID_TST_INFO + _tlv(0xA0, _tlv(0x04, tst_info)))
            # RFC 3161 §2.4.1: certReq true → the TSA's certificate MUST be in the token.
            + (_tlv(0xA0, self._tsa_certs_der) if request["cert_req"].native else b"")
            + _tlv(0x31, signer_info),
        )
        token = _tlv(0x30, _OID_SIGNED_DATA + _tlv(0xA0, signed_data))
        return _tlv(0x30, _STATUS_GRANTED + token)

    # --- RFC 6960 ---------------------------------------------------------------------------

    def ocsp_reply(self, body: bytes) -> bytes:
        """A DER OCSPResponse for a DER OCSPRequest."""
        try:
            request = ocsp.OCSPRequest.load(body)
            request.native  # noqa: B018 - force the lazy parse
            tbs = request["tbs_request"]
            singles = list(tbs["request_list"])
        except Exception:
            return _ocsp_error("malformed_request")
        if not singles:
            return _ocsp_error("malformed_request")

        cas = set()
        for single in singles:
            cert_id = single["req_cert"]
            key = (
                cert_id["hash_algorithm"]["algorithm"].native,
                cert_id["issuer_name_hash"].native,
                cert_id["issuer_key_hash"].native,
            )
            cas.add(self._issuers.get(key))
        if len(cas) != 1 or None in cas:
            # A CA this responder does not serve, or two CAs in one request.
            return _ocsp_error("unauthorized")
        (ca,) = cas
        assert ca is not None

        state = self._refresh()
        # RFC 5280 §4.1.2.5.2 (which RFC 6960 follows): GeneralizedTime without fractions.
        moment = self._clock()
        now = moment.replace(microsecond=0)
        this_update = now - BACKDATE
        responses = []
        for single in singles:
            cert_id = single["req_cert"]
            serial = cert_id["serial_number"].native
            revocation = state.revocations.get(serial)
            if state.manifest.issued.get(format(serial, "x")) != ca:
                status = ocsp.CertStatus(name="unknown", value=None)
            elif revocation is not None and revocation.revoked_at <= moment:
                revoked: dict[str, Any] = {
                    "revocation_time": revocation.revoked_at.replace(microsecond=0)
                }
                if revocation.reason != "unspecified":
                    revoked["revocation_reason"] = revocation.reason
                status = ocsp.CertStatus(name="revoked", value=revoked)
            else:
                status = ocsp.CertStatus(name="good", value=None)
            responses.append(
                {
                    "cert_id": cert_id,
                    "cert_status": status,
                    "this_update": this_update,
                    "next_update": now + OCSP_VALIDITY,
                }
            )

        responder = "ocsp" if ca == INTERMEDIATE else ROOT
        data: dict[str, Any] = {
            "version": "v1",
            "responder_id": ocsp.ResponderId(
                name="by_key", value=self._responder_key_hash[responder]
            ),
            "produced_at": now,
            "responses": responses,
        }
        nonce = _request_nonce(tbs)
        if nonce is not None:
            data["response_extensions"] = [
                {"extn_id": "nonce", "critical": False, "extn_value": nonce}
            ]
        tbs_response = ocsp.ResponseData(data)
        authority = self.authorities[responder]
        signature = authority.key.sign(tbs_response.dump(), padding.PKCS1v15(), hashes.SHA256())
        basic: dict[str, Any] = {
            "tbs_response_data": tbs_response,
            "signature_algorithm": {"algorithm": "sha256_rsa"},
            "signature": signature,
        }
        if responder == "ocsp":
            basic["certs"] = [authority.cert]  # RFC 6960 §4.2.2.2: the delegation, for clients
        response: bytes = ocsp.OCSPResponse(
            {
                "response_status": "successful",
                "response_bytes": {
                    "response_type": "basic_ocsp_response",
                    "response": ocsp.BasicOCSPResponse(basic),
                },
            }
        ).dump()
        return response

    # --- CRLs -------------------------------------------------------------------------------

    def crl(self, ca: str) -> bytes:
        """The current CRL of `ca` (DER)."""
        state = self._refresh()
        now = self._clock()
        cached = state.crls.get(ca)
        if cached is not None and now - cached[0] < CRL_REFRESH:
            return cached[1]
        data = crl_build(
            state.manifest,
            ca=ca,
            now=now,
            revocations=state.revocations,
            signing_key=self.authorities[ca].key,
            issuer=self._crypto_ca[ca],
        )
        state.crls[ca] = (now, data)
        return data

    # --- State ------------------------------------------------------------------------------

    def _read_state(self) -> _State:
        return _State(
            manifest=PkiManifest.load(self.directory),
            manifest_mtime=_mtime(self.directory / MANIFEST_NAME),
            revocations=revocations_load(self.directory),
            revocations_mtime=_mtime(self.directory / REVOCATIONS_NAME),
        )

    def _refresh(self) -> _State:
        state = self._state
        if (
            _mtime(self.directory / MANIFEST_NAME) != state.manifest_mtime
            or _mtime(self.directory / REVOCATIONS_NAME) != state.revocations_mtime
        ):
            with self._lock:
                state = self._state = self._read_state()
        return state


_HASHES: Final[dict[str, Callable[[], hashes.HashAlgorithm]]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _tlv(tag: int, content: bytes) -> bytes:
    """DER tag-length-value (X.690 §8.1) for a one-byte tag."""
    length = len(content)
    if length < 0x80:
        return bytes((tag, length)) + content
    size = (length.bit_length() + 7) // 8
    return bytes((tag, 0x80 | size)) + length.to_bytes(size, "big") + content


_V1: Final = core.Integer(1).dump()
_V3: Final = core.Integer(3).dump()
_ACCURACY: Final = tsp.Accuracy({"seconds": TSA_ACCURACY_SECONDS}).dump()
_STATUS_GRANTED: Final = tsp.PKIStatusInfo({"status": "granted"}).dump()
_OID_SIGNED_DATA: Final = cms.ContentType("signed_data").dump()
_OID_TST_INFO: Final = cms.ContentType("tst_info").dump()
_OID_MESSAGE_DIGEST: Final = cms.CMSAttributeType("message_digest").dump()
_CONTENT_TYPE_TST_INFO: Final = simple_cms_attribute("content_type", "tst_info").dump()  # type: ignore[no-untyped-call]
_RSA_PKCS1V15: Final = algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}).dump()
_DIGEST_ALGORITHMS: Final = {
    md: algos.DigestAlgorithm({"algorithm": md}).dump() for md in ("sha256", "sha384", "sha512")
}


def _request_nonce(tbs: ocsp.TBSRequest) -> core.ParsableOctetString | None:
    extensions = tbs["request_extensions"]
    if not extensions:
        return None
    for extension in extensions:
        if extension["extn_id"].native == "nonce":
            # Echo the extension value byte for byte (RFC 6960 §4.4.1, RFC 8954).
            value: core.ParsableOctetString = extension["extn_value"]
            return core.ParsableOctetString(value.contents)
    return None


def _tsa_rejection(fail_info: str, text: str) -> bytes:
    # RFC 3161 §2.4.2: no timeStampToken unless granted. asn1crypto's TimeStampResp wrongly
    # requires one, so the SEQUENCE is written by hand.
    status = tsp.PKIStatusInfo(
        {
            "status": "rejection",
            "status_string": [text],
            "fail_info": tsp.PKIFailureInfo({fail_info}),
        }
    )
    return _tlv(0x30, status.dump())


def _ocsp_error(status: str) -> bytes:
    response: bytes = ocsp.OCSPResponse({"response_status": status}).dump()
    return response


def _not_allowed(allow: str) -> Reply:
    return Reply(405, "text/plain; charset=utf-8", b"method not allowed\n", (("Allow", allow),))


def _respond(start_response: StartResponse, reply: Reply) -> list[bytes]:
    headers = [
        ("Content-Type", reply.content_type),
        ("Content-Length", str(len(reply.body))),
        ("Cache-Control", "no-store"),
        *reply.headers,
    ]
    start_response(f"{reply.status} {_REASONS.get(reply.status, 'Error')}", headers)
    return [reply.body]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns / 1e9
    except FileNotFoundError:
        return 0.0


def _der(path: Path) -> bytes:
    return load_certificate(path).public_bytes(serialization.Encoding.DER)


# --- A server in a thread, for tests --------------------------------------------------------


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class RunningServer:
    """A WSGI server on 127.0.0.1 in a daemon thread; `app` may be set after it started."""

    def __init__(self, app: WsgiApp | None, *, host: str, port: int) -> None:
        self.app = app
        self._server = make_server(
            host,
            port,
            self._dispatch,
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _dispatch(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        app = self.app
        if app is None:
            return _respond(start_response, Reply(503, "text/plain; charset=utf-8", b"starting\n"))
        return app(environ, start_response)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(
    app: WsgiApp | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> RunningServer:
    """Serve `app` on `host`:`port` (0: a free port) until `stop()`."""
    return RunningServer(app, host=host, port=port)
