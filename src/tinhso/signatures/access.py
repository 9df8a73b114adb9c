"""Who may manage the trust list and sign with which key.

Nghị định 30/2020 Điều 32–33: the registry clerk (văn thư) keeps the agency's seal and its
signing-key device and signs with it only what the competent person has signed, and copies.
The one-stop counter officer seals the forms and results of the counter (Nghị định 61/2018,
118/2025). A personal key signs only for its owner.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Role
from tinhso.signatures.models import KeyKind, SigningKey

#: Roles that hold an agency's seal key (Điều 32–33) or seal one-stop forms and results.
SEAL_HOLDER_ROLES = (Role.VAN_THU, Role.MOT_CUA)


def may_manage_trust_list(actor: Actor) -> bool:
    return actor.is_provincial_admin


def may_sign_with(actor: Actor, key: SigningKey) -> bool:
    if not actor.is_authenticated or not key.enabled:
        return False
    if key.kind == KeyKind.PERSONAL:
        return key.owner_id == actor.user_id
    return actor.has_role(*SEAL_HOLDER_ROLES, agency_id=key.agency_id)


def usable_keys(actor: Actor, *, kind: str | None = None) -> QuerySet[SigningKey]:
    """The enabled keys the actor may sign with now (certificate within its validity)."""
    if not actor.is_authenticated:
        return SigningKey.objects.none()
    now = timezone.now()
    allowed = Q(kind=KeyKind.PERSONAL, owner_id=actor.user_id)
    seal_agencies = actor.agency_ids_with_role(*SEAL_HOLDER_ROLES)
    if seal_agencies:
        allowed |= Q(kind=KeyKind.AGENCY, agency_id__in=seal_agencies)
    keys = SigningKey.objects.filter(allowed, enabled=True, not_before__lte=now, not_after__gt=now)
    if kind is not None:
        keys = keys.filter(kind=kind)
    return keys.select_related("agency", "owner").order_by("kind", "label")


def access_signing_key(actor: Actor, key_id: int) -> SigningKey:
    """The key, if the actor may sign with it; 404 otherwise (whether or not it exists)."""
    key = SigningKey.objects.select_related("agency", "owner").filter(pk=key_id).first()
    if key is None or not may_sign_with(actor, key):
        raise Http404(_("Không tìm thấy khóa ký số."))
    return key
