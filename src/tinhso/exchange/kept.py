"""What the exchange worker reads for every package, kept per process: the trust list (parsed
once, DER), the agencies by code and by id, the interconnection's system account.

A worker moves packages all day for the same few dozen agencies against the same few roots;
reading and parsing them per package cost more than the package's own rows. They are kept for
`TINHSO_EXCHANGE_RECHECK_SECONDS` (5 s by default, 0 — read every time — in tests, like
`TINHSO_CATALOGUE_RECHECK_SECONDS`): every process sees a new root, a disabled one or a renamed
agency within that interval, and the process that saves one forgets what it kept at once. The
objects kept are shared by the whole process and must not be changed.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

from asn1crypto import pem as asn1_pem
from django.conf import settings
from django.db.models.signals import post_delete, post_save

from tinhso.accounts.models import User
from tinhso.organizations.models import Agency
from tinhso.signatures.models import TrustRoot

_lock = threading.Lock()
_kept: dict[str, tuple[float, Any]] = {}
#: Bumped by every forget: a read that started before it must not be kept after it.
_generation = 0
_monotonic = time.monotonic


def recheck_seconds() -> float:
    """How long the process trusts what it read (0: read it every time)."""
    default = 0.0 if getattr(settings, "IS_TEST", False) else 5.0
    return float(getattr(settings, "TINHSO_EXCHANGE_RECHECK_SECONDS", default))


def forget(**_: Any) -> None:
    """Forget everything kept (a root, an agency or an account was saved in this process)."""
    global _generation
    with _lock:
        _generation += 1
        _kept.clear()


for _model in (TrustRoot, Agency, User):
    post_save.connect(forget, sender=_model, dispatch_uid=f"exchange-kept-{_model.__name__}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"exchange-kept-{_model.__name__}-d")


def _get(key: str, load: Any, *, fresh: bool = False) -> Any:
    interval = recheck_seconds()
    now = _monotonic()
    if interval > 0 and not fresh:
        entry = _kept.get(key)
        if entry is not None and now - entry[0] < interval:
            return entry[1]
    with _lock:
        generation = _generation
    value = load()
    if interval > 0:
        with _lock:
            if generation == _generation:
                _kept[key] = (now, value)
    return value


# --- The trust list -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Root:
    der: tuple[bytes, ...]
    trusted_from: dt.datetime | None
    trusted_until: dt.datetime | None


def _der_of(text: str) -> tuple[bytes, ...]:
    raw = text.encode("ascii")
    if not asn1_pem.detect(raw):
        return (raw,)
    return tuple(
        der for kind, _h, der in asn1_pem.unarmor(raw, multiple=True) if kind == "CERTIFICATE"
    )


@dataclass
class _Roots:
    roots: list[_Root]
    #: The same tuple for the same selection: the validators cache their parsed trust list
    #: per tuple, and hashing a tuple of the same bytes objects is cheap.
    chosen: dict[tuple[int, ...], tuple[bytes, ...]]


def _load_roots() -> _Roots:
    rows = TrustRoot.objects.filter(enabled=True).values_list(
        "pem", "trusted_from", "trusted_until"
    )
    return _Roots([_Root(_der_of(p), start, end) for p, start, end in rows], {})


def trust_roots_der(moment: dt.datetime) -> tuple[bytes, ...]:
    """The enabled roots trusted at `moment` as DER (`signatures.selectors.trust_roots_pem`,
    parsed once)."""
    kept: _Roots = _get("roots", _load_roots)
    selection = tuple(
        index
        for index, root in enumerate(kept.roots)
        if (root.trusted_from is None or root.trusted_from <= moment)
        and (root.trusted_until is None or root.trusted_until > moment)
    )
    found = kept.chosen.get(selection)
    if found is None:
        found = tuple(der for index in selection for der in kept.roots[index].der)
        kept.chosen[selection] = found
    return found


# --- Agencies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Agencies:
    by_code: dict[str, Agency]
    by_id: dict[int, Agency]


def _load_agencies() -> _Agencies:
    rows = list(Agency.objects.select_related("admin_unit"))
    by_id = {a.pk: a for a in rows}
    for a in rows:
        # The parent from the same read: `organ_of` names it without a query.
        if a.parent_id is not None and a.parent_id in by_id:
            Agency.parent.field.set_cached_value(a, by_id[a.parent_id])
    return _Agencies({a.code.strip().upper(): a for a in rows}, by_id)


def agency_by_code(code: str) -> Agency | None:
    """The agency of this installation with this code (upper case, trimmed), or None. A code
    not kept is read again at once: an agency created a moment ago is found."""
    wanted = (code or "").strip().upper()
    if not wanted:
        return None
    found: Agency | None = _get("agencies", _load_agencies).by_code.get(wanted)
    if found is None and recheck_seconds() > 0:
        found = _get("agencies", _load_agencies, fresh=True).by_code.get(wanted)
    return found


def agency_by_id(pk: int) -> Agency | None:
    found: Agency | None = _get("agencies", _load_agencies).by_id.get(pk)
    if found is None and recheck_seconds() > 0:
        found = _get("agencies", _load_agencies, fresh=True).by_id.get(pk)
    return found


# --- The system account ---------------------------------------------------------------------


def exchange_user() -> User:
    """`storage.exchange_user()`, kept."""
    from tinhso.exchange.storage import exchange_user as load

    user: User = _get("user", load)
    return user
