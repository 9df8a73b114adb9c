"""Who may upload, read and attach stored files.

Reading: the uploader, the officials of the file's agency and the provincial administrators;
other apps add readers through rules (a dossier's officials read its components), and may
govern a file alone (an official document's files follow the document's visibility). Anyone
else gets 404, as if the file did not exist. Attaching (`usable_files`): one's own uploads
and one's agency's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.accounts.models import AccountKind
from tinhso.files.models import StoredFile
from tinhso.rowwrite import execute_prepared

#: A rule another app registers: may this actor read this file (through my objects)?
FileAccessRule = Callable[[Actor, StoredFile], bool]

_rules: list[FileAccessRule] = []

#: A test another app registers: is this file one of mine, whose readers only my rule decides?
FileGovernor = Callable[[StoredFile], bool]

_governors: list[FileGovernor] = []


def register_file_access_rule(rule: FileAccessRule) -> None:
    """Let `rule` grant reading; call it from the other app's `AppConfig.ready()`.

    A rule only adds readers, never removes one; it runs only when the built-in checks
    said no, so it may query its own tables. Registering the same rule twice is harmless.
    """
    if rule not in _rules:
        _rules.append(rule)


def register_file_governor(governs: FileGovernor) -> None:
    """Let an app take a file out of the agency-wide default: when `governs(file)` is true, only
    the uploader, provincial administrators and the registered rules may read it (an official
    document's draft is not for every official of the agency). Registering twice is harmless."""
    if governs not in _governors:
        _governors.append(governs)


def unregister_file_access_rule(rule: FileAccessRule) -> None:
    """Remove a rule (for tests)."""
    if rule in _rules:
        _rules.remove(rule)


def may_upload(actor: Actor) -> bool:
    """Officials with a post in an agency, citizens and enterprises (the applicants)."""
    return actor.is_official or (
        actor.is_authenticated and actor.kind in {AccountKind.CITIZEN, AccountKind.ENTERPRISE}
    )


def require_uploader(actor: Actor) -> None:
    if not may_upload(actor):
        raise PermissionDenied(_("Tài khoản của bạn không được tải tệp lên."))


def is_governed(stored: StoredFile) -> bool:
    return any(governs(stored) for governs in _governors)


def can_read_file(actor: Actor, stored: StoredFile) -> bool:
    if not actor.is_authenticated:
        return False
    if actor.user_id == stored.uploaded_by_id:
        return True
    if is_governed(stored):
        # Only the governing app's rules: not the agency, not the provincial administrators.
        return any(rule(actor, stored) for rule in _rules)
    if actor.is_provincial_admin:
        return True
    if actor.is_official and stored.agency_id in actor.agency_ids:
        return True
    return any(rule(actor, stored) for rule in _rules)


def access_file(actor: Actor, file_id: int) -> StoredFile:
    """The file, if the actor may read it; 404 otherwise (whether or not it exists)."""
    stored = StoredFile.objects.filter(pk=file_id).first()
    if stored is None or not can_read_file(actor, stored):
        raise Http404(_("Không tìm thấy tệp."))
    return stored


def _own_or_agencys(actor: Actor, ids: list[int]) -> list[StoredFile]:
    """`StoredFile.objects.filter(Q(uploaded_by=actor) | Q(agency__in=actor's), pk__in=ids)`
    as one statement built once per process and prepared on the connection: every receipt
    and every registered document checks its files, and the ORM's building of this query
    was a sixth of a receipt's Python time."""
    agencies = sorted(actor.agency_ids) if actor.is_official else []
    rows = execute_prepared(_USABLE_SQL, [ids, actor.user_id, agencies])
    return [StoredFile.from_db(connection.alias, _FIELDS, row) for row in rows]


_FIELDS = [f.attname for f in StoredFile._meta.concrete_fields]
# The model's column names; every value is a parameter.
_USABLE_SQL = (
    "SELECT "  # noqa: S608
    + ", ".join(f'"{f.column}"' for f in StoredFile._meta.concrete_fields)
    + ' FROM "files_storedfile" WHERE "id" = ANY(%s::bigint[]) '
    + 'AND ("uploaded_by_id" = %s OR "agency_id" = ANY(%s::bigint[]))'
)


def usable_files(actor: Actor, ids: Iterable[int], *, field: str = "files") -> list[StoredFile]:
    """The files `ids` (in that order, without repeats) if the actor may attach every one.

    For other apps' services: a dossier's components, a document's attachments. Unknown ids
    and other people's files get the same message (`ValidationError` on `field`), so that
    the answer does not tell which ids exist.
    """
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found: dict[int, StoredFile] = {}
    if actor.is_authenticated:
        if connection.vendor == "postgresql":
            found = {f.pk: f for f in _own_or_agencys(actor, wanted)}
        else:
            mine = Q(uploaded_by_id=actor.user_id)
            if actor.is_official:
                mine |= Q(agency_id__in=actor.agency_ids)
            found = {f.pk: f for f in StoredFile.objects.filter(mine, pk__in=wanted)}
        # An agency's file that another app governs (a draft of an official document) is
        # attached only by who may read it: attaching must not become a way to read it.
        found = {
            pk: f
            for pk, f in found.items()
            if f.uploaded_by_id == actor.user_id or not is_governed(f) or can_read_file(actor, f)
        }
    refused = [pk for pk in wanted if pk not in found]
    if refused:
        raise ValidationError(
            {
                field: [
                    _("Không tìm thấy tệp số %(ids)s hoặc bạn không được dùng tệp này.")
                    % {"ids": ", ".join(str(pk) for pk in refused)}
                ]
            }
        )
    return [found[pk] for pk in wanted]
