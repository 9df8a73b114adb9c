"""Signing keys: where a key lives (`KeyRef`), opening it as a pyHanko signer, the agency code
carried by a certificate.

A key lives on a PKCS#11 token (SoftHSM2 in tests and the demo, an HSM or a USB token in
production: the same code path) or in a passphrase-protected PKCS#12 file. The private key never
leaves the token; the PIN is never logged and never part of an exception's text.

Thread safety. python-pkcs11 initialises a module with ``C_Initialize(NULL)``, which tells the
module that the application will not call it from several threads at once (PKCS#11 v2.40
§5.4; SoftHSM2 then turns its own locks off). Every PKCS#11 call this module makes, and every
call of the signers it hands out, therefore holds `module_lock(module)`. Sessions are not
shared: each `open_signer` opens its own and closes it on exit, so a signer belongs to the
thread (or the event loop) that opened it. Opening costs about a millisecond on SoftHSM2.

Log-in. PKCS#11 keeps the log-in state per application and token, not per session: one
``C_Login`` logs in every session, and one ``C_Logout`` (python-pkcs11 calls it when a logged-in
session closes) logs them all out. So the first signer of a token logs in on an *anchor*
session kept until the last signer of that token closes; signers work on sessions of their
own. While the token is logged in, a PIN is checked against an HMAC (random per-process key)
of the PIN that logged in, kept in memory only as long as the log-in lasts: a wrong PIN is
refused without the token counting the attempt.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import pkcs11
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.pkcs11 import PKCS11Signer
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tinhso.signatures.softhsm import ensure_softhsm_conf

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Pkcs11Lib

Storage = Literal["pkcs11", "pkcs12"]


# --- Errors ---------------------------------------------------------------------------------


def gettext_noop(message: str) -> str:
    """Mark a message for makemessages without importing Django's (which needs settings)."""
    return message


class SigningKeyError(Exception):
    """A signing key could not be used. `code` is stable; `message` is Vietnamese."""

    code: ClassVar[str] = "signing_key_error"
    default_message: ClassVar[str] = gettext_noop("Không sử dụng được khóa ký.")

    def __init__(self, detail: str = "") -> None:
        # `detail` is written by this module only, from labels and library error names:
        # never from a PIN.
        super().__init__(detail)
        self.detail = detail

    @property
    def message(self) -> str:
        return _translate(self.default_message)

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


class WrongPin(SigningKeyError):
    code = "wrong_pin"
    default_message = gettext_noop("Mã PIN không đúng.")


class PinLocked(WrongPin):
    code = "pin_locked"
    default_message = gettext_noop("Mã PIN đã bị khóa do nhập sai nhiều lần.")


class TokenUnavailable(SigningKeyError):
    code = "token_unavailable"
    default_message = gettext_noop("Không tìm thấy thiết bị ký số (token/HSM).")


class KeyNotFound(SigningKeyError):
    code = "key_not_found"
    default_message = gettext_noop("Không tìm thấy khóa ký trên thiết bị.")


def _translate(message: str) -> str:
    try:
        from django.utils.translation import gettext

        return gettext(message)
    except Exception:  # settings not configured: a pure caller outside Django
        return message


# --- Key references -------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRef:
    """Where a private key lives; plain strings so that it can be stored as JSON.

    pkcs11: `module` (path of the PKCS#11 module), `token_label`, `key_label`, `key_id` (hex
    CKA_ID; the certificate object on the token has the same label and id) and, for SoftHSM2
    only, `softhsm_conf` (set as SOFTHSM2_CONF before the module is first loaded).
    pkcs12: `path` of the file; its passphrase is the "PIN".
    """

    storage: Storage
    module: str = ""
    token_label: str = ""
    key_label: str = ""
    key_id: str = ""
    path: str = ""
    softhsm_conf: str = ""

    def __post_init__(self) -> None:
        if self.storage == "pkcs11":
            if not (self.module and self.token_label and (self.key_label or self.key_id)):
                raise ValueError(
                    "A PKCS#11 key needs a module, a token label and a key label or id"
                )
            if self.key_id:
                bytes.fromhex(self.key_id)
        elif self.storage == "pkcs12":
            if not self.path:
                raise ValueError("A PKCS#12 key needs a path")
        else:
            raise ValueError(f"Unknown key storage {self.storage!r}")

    def as_dict(self) -> dict[str, str]:
        return {name: value for name, value in asdict(self).items() if value}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KeyRef:
        fields = {"module", "token_label", "key_label", "key_id", "path", "softhsm_conf"}
        return cls(
            storage=data["storage"],
            **{name: str(value) for name, value in data.items() if name in fields},
        )


# --- PKCS#11 plumbing -----------------------------------------------------------------------


@dataclass
class _Login:
    sessions: int = 0
    anchor: pkcs11.Session | None = None
    pin_digest: bytes = b""


_REGISTRY_LOCK = threading.Lock()
_MODULE_LOCKS: dict[str, threading.RLock] = {}
_LOGINS: dict[tuple[str, str], _Login] = {}
_TOKENS: dict[tuple[str, str], pkcs11.Token] = {}
_PIN_KEY = os.urandom(32)

_PIN_ERRORS = (pkcs11.exceptions.PinIncorrect, pkcs11.exceptions.PinInvalid,
               pkcs11.exceptions.PinLenRange, pkcs11.exceptions.PinExpired)  # fmt: skip
_ABSENT_ERRORS = (
    pkcs11.exceptions.NoSuchToken,
    pkcs11.exceptions.TokenNotPresent,
    pkcs11.exceptions.TokenNotRecognised,
    pkcs11.exceptions.SlotIDInvalid,
    pkcs11.exceptions.DeviceRemoved,
    pkcs11.exceptions.DeviceError,
)


def module_lock(module: str) -> threading.RLock:
    """The lock every call into `module` holds (see the module docstring)."""
    with _REGISTRY_LOCK:
        lock = _MODULE_LOCKS.get(module)
        if lock is None:
            lock = _MODULE_LOCKS[module] = threading.RLock()
        return lock


def pkcs11_lib(module: str) -> Pkcs11Lib:
    """Load (once per process) and initialise the PKCS#11 module at `module`."""
    if not Path(module).is_file():
        raise TokenUnavailable(f"module {module}")
    with module_lock(module):
        try:
            return pkcs11.lib(module)
        except pkcs11.PKCS11Error as exc:
            raise TokenUnavailable(f"module {module}: {type(exc).__name__}") from None


def pkcs11_refresh(module: str) -> None:
    """Finalise and initialise `module` again, so that tokens made by another process appear.

    Refused (`SigningKeyError`) while a session opened here is open: re-initialising closes
    every session of the process.
    """
    with module_lock(module):
        if module not in getattr(pkcs11, "_loaded", {}):
            return  # not loaded yet: it will see every token when it is
        if any(login.sessions for (mod, _), login in list(_LOGINS.items()) if mod == module):
            raise SigningKeyError(f"module {module} is in use, cannot re-initialise it")
        lib = pkcs11_lib(module)
        lib.reinitialize()
        for key in [key for key in _TOKENS if key[0] == module]:
            del _TOKENS[key]


def _token(module: str, token_label: str) -> pkcs11.Token:
    key = (module, token_label)
    token = _TOKENS.get(key)
    if token is None:
        lib = pkcs11_lib(module)
        try:
            try:
                token = lib.get_token(token_label=token_label)
            except pkcs11.exceptions.NoSuchToken:
                # Perhaps initialised by another process since the module was loaded (the
                # demo's `signatures_pki` while the web server runs): look once more afresh.
                if any(
                    login.sessions for (mod, _), login in list(_LOGINS.items()) if mod == module
                ):
                    raise
                pkcs11_refresh(module)
                token = pkcs11_lib(module).get_token(token_label=token_label)
        except pkcs11.exceptions.MultipleTokensReturned:
            raise TokenUnavailable(f"several tokens labelled {token_label!r}") from None
        except _ABSENT_ERRORS:
            raise TokenUnavailable(f"token {token_label!r}") from None
        _TOKENS[key] = token
    return token


#: SoftHSM2's file store rewrites the token's object file at each log-in; a log-in in another
#: process reading it at that moment gets CKR_GENERAL_ERROR (seen under the signing benchmark:
#: 5–20 % of log-ins with two processes). A few short retries absorb it (1,000 log-ins from two
#: processes: 40 retries, no failure).
LOGIN_ATTEMPTS = 4


def _log_in(token: pkcs11.Token, pin: str, token_label: str) -> pkcs11.Session:
    for attempt in range(LOGIN_ATTEMPTS):
        try:
            return token.open(user_pin=pin)
        except pkcs11.exceptions.GeneralError:
            if attempt == LOGIN_ATTEMPTS - 1:
                raise TokenUnavailable(f"token {token_label!r}: GeneralError") from None
            time.sleep(0.005 * (attempt + 1))
    raise AssertionError("unreachable")


def _pin_digest(pin: str) -> bytes:
    return hmac.new(_PIN_KEY, pin.encode("utf-8"), hashlib.sha256).digest()


@contextmanager
def pkcs11_session(
    *, module: str, token_label: str, pin: str, rw: bool = False, softhsm_conf: str = ""
) -> Iterator[pkcs11.Session]:
    """A logged-in session of its own on the token `token_label`.

    Callers hold `module_lock(module)` around every call they make on the session.
    Raises `WrongPin`, `PinLocked` or `TokenUnavailable`.
    """
    if softhsm_conf:
        ensure_softhsm_conf(Path(softhsm_conf))
    lock = module_lock(module)
    key = (module, token_label)
    with lock:
        token = _token(module, token_label)
        login = _LOGINS.setdefault(key, _Login())
        digest = _pin_digest(pin)
        session: pkcs11.Session | None = None
        try:
            if login.sessions == 0:
                try:
                    login.anchor = _log_in(token, pin, token_label)
                except pkcs11.exceptions.UserAlreadyLoggedIn:
                    # Logged in by code that bypassed this module: the PIN cannot be checked.
                    raise TokenUnavailable(
                        f"token {token_label!r} is logged in by another part of the process"
                    ) from None
                login.pin_digest = digest
            elif not hmac.compare_digest(login.pin_digest, digest):
                raise WrongPin(f"token {token_label!r}")
            session = token.open(rw=rw)
        except pkcs11.exceptions.PinLocked:
            raise PinLocked(f"token {token_label!r}") from None
        except _PIN_ERRORS:
            raise WrongPin(f"token {token_label!r}") from None
        except _ABSENT_ERRORS as exc:
            _TOKENS.pop(key, None)
            raise TokenUnavailable(f"token {token_label!r}: {type(exc).__name__}") from None
        finally:
            if session is None and login.sessions == 0:
                _logout(login)  # logged in, then failed to open the working session
        login.sessions += 1
    assert session is not None
    try:
        yield session
    finally:
        with lock:
            login.sessions -= 1
            try:
                session.close()
            finally:
                if login.sessions == 0:
                    _logout(login)


def _logout(login: _Login) -> None:
    anchor, login.anchor, login.pin_digest = login.anchor, None, b""
    if anchor is not None:
        anchor.close()  # C_Logout, then C_CloseSession


class LockedPKCS11Signer(PKCS11Signer):
    """pyHanko's PKCS11Signer whose token calls hold the module lock (module docstring)."""

    def __init__(self, pkcs11_session: pkcs11.Session, *, lock: threading.RLock, **kwargs: Any):
        self._p11_lock = lock
        super().__init__(pkcs11_session, **kwargs)

    def _load_objects(self) -> None:
        with self._p11_lock:
            super()._load_objects()  # type: ignore[no-untyped-call]

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return await super().async_sign_raw(data, digest_algorithm, dry_run=True)
        await self.ensure_objects_loaded()  # type: ignore[no-untyped-call]
        key = self._key_handle
        assert key is not None
        spec = self._select_pkcs11_signing_params(
            digest_algorithm, sign_kwargs=self.sign_kwargs(data)
        )
        if spec.pre_sign_transform is not None:
            data = spec.pre_sign_transform(data)

        def perform() -> bytes:
            with self._p11_lock:
                signature: bytes = key.sign(data, **spec.sign_kwargs)
            if spec.post_sign_transform is not None:
                signature = spec.post_sign_transform(signature)
            return signature

        return await asyncio.get_running_loop().run_in_executor(None, perform)


@contextmanager
def open_signer(
    ref: KeyRef,
    *,
    pin: str,
    certificate: asn1_x509.Certificate | None = None,
    chain: Sequence[asn1_x509.Certificate] = (),
) -> Iterator[Signer]:
    """Open the key `ref` as a pyHanko `Signer` for the duration of the block.

    `certificate` is the signer's certificate (read from the token or the PKCS#12 file when
    not given); `chain` the intermediate (and root) certificates to embed. Raises `WrongPin`,
    `PinLocked`, `TokenUnavailable` or `KeyNotFound`; the signer belongs to this thread.
    """
    if ref.storage == "pkcs12":
        yield _pkcs12_signer(ref, pin=pin, certificate=certificate, chain=chain)
        return
    lock = module_lock(ref.module)
    key_id = bytes.fromhex(ref.key_id) if ref.key_id else None
    with pkcs11_session(
        module=ref.module,
        token_label=ref.token_label,
        pin=pin,
        softhsm_conf=ref.softhsm_conf,
    ) as session:
        signer = LockedPKCS11Signer(
            session,
            lock=lock,
            key_label=ref.key_label or None,
            key_id=key_id,
            # The certificate object on the token has the key's id (build_test_pki and any
            # CA tool that follows PKCS#11 conventions); find it by id, not by label.
            cert_id=key_id if certificate is None else None,
            cert_label=None,
            signing_cert=certificate,
            ca_chain=list(chain),
        )
        try:
            signer._load_objects()  # fail here, with a clear error, rather than mid-signature
        except pkcs11.PKCS11Error:
            raise KeyNotFound(
                f"token {ref.token_label!r}, label {ref.key_label!r}, id {ref.key_id}"
            ) from None
        yield signer


def _pkcs12_signer(
    ref: KeyRef,
    *,
    pin: str,
    certificate: asn1_x509.Certificate | None,
    chain: Sequence[asn1_x509.Certificate],
) -> SimpleSigner:
    try:
        data = Path(ref.path).read_bytes()
    except OSError as exc:
        raise TokenUnavailable(f"{ref.path}: {exc.strerror}") from None
    try:
        private_key, p12_cert, extra = pkcs12.load_key_and_certificates(data, pin.encode("utf-8"))
    except ValueError:
        # cryptography does not tell a wrong passphrase from a damaged file; the passphrase
        # is by far the likelier cause.
        raise WrongPin(ref.path) from None
    if private_key is None:
        raise KeyNotFound(ref.path)
    key_info = asn1_keys.PrivateKeyInfo.load(
        private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    if certificate is None:
        if p12_cert is None:
            raise KeyNotFound(f"{ref.path}: no certificate")
        certificate = asn1_x509.Certificate.load(p12_cert.public_bytes(serialization.Encoding.DER))
    others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in extra]
    return SimpleSigner(
        signing_cert=certificate,
        signing_key=key_info,
        cert_registry=SimpleCertificateStore.from_certs([*chain, *others]),  # type: ignore[no-untyped-call]
    )
