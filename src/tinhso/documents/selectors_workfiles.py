"""Reading work files (hồ sơ công việc) and who may act on them.

Nghị định 30/2020, Điều 28–31. Rules of this installation:

- the officials of an agency (any active post in it) see its yearly list of files, plan files,
  open them and add or remove documents while a file is open;
- closing a file: its owner (người lập hồ sơ), the agency's registry clerks (văn thư) or its
  leaders (lãnh đạo without a department);
- marking a file submitted to the agency archive (nộp lưu) and exporting a closed file's
  package: the agency's clerks and leaders, and the owner for the export;
- nobody sees another agency's files: 404, as if they did not exist; a citizen or an account
  without a post gets 403.

Inside a file, an official sees the documents they may see (`documents.access`); the others
are counted, not shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.documents.access import clerk_agencies, leader_agencies, visible_documents
from tinhso.documents.models import (
    Document,
    DocumentFile,
    DocumentStatus,
    FileRole,
    WorkFile,
    WorkFileItem,
    WorkFileStatus,
)
from tinhso.organizations.models import Agency

#: Files of these roles go into a closed file's package: the originals, not the drafts
#: (Điều 30: drafts are removed when a file is closed).
PACKAGE_ROLES = (FileRole.MAIN, FileRole.ATTACHMENT, FileRole.ISSUED)
#: Outgoing documents not issued yet are drafts (Điều 30: drafts do not go into a file), and
#: incoming ones not registered or returned to the sender are not the agency's documents.
UNFILEABLE = (
    DocumentStatus.RECEIVED,
    DocumentStatus.REFUSED,
    DocumentStatus.DRAFT,
    DocumentStatus.IN_REVIEW,
    DocumentStatus.RETURNED,
    DocumentStatus.APPROVED,
)


def workfile_agency_ids(actor: Actor) -> frozenset[int]:
    """The agencies whose work files the actor works on: every agency they hold a post in."""
    if not actor.is_authenticated or not actor.is_official:
        return frozenset()
    return actor.agency_ids


def require_workfile_user(actor: Actor) -> None:
    if not workfile_agency_ids(actor):
        raise PermissionDenied(_("Hồ sơ công việc dành cho cán bộ, công chức của cơ quan."))


def is_records_keeper(actor: Actor, agency_id: int) -> bool:
    """A registry clerk or a leader of the whole agency: they close, submit and export."""
    return agency_id in clerk_agencies(actor) or agency_id in leader_agencies(actor)


def can_manage(actor: Actor, wf: WorkFile) -> bool:
    return wf.agency_id in workfile_agency_ids(actor)


def can_close(actor: Actor, wf: WorkFile) -> bool:
    return can_manage(actor, wf) and (
        (wf.owner_id is not None and wf.owner_id == actor.user_id)
        or is_records_keeper(actor, wf.agency_id)
    )


def can_submit(actor: Actor, wf: WorkFile) -> bool:
    return can_manage(actor, wf) and is_records_keeper(actor, wf.agency_id)


def can_export(actor: Actor, wf: WorkFile) -> bool:
    return can_close(actor, wf)


def access_work_file(actor: Actor, work_file_id: int) -> WorkFile:
    """The work file, if it belongs to one of the actor's agencies; else 404 (403 for a
    caller who works on no agency's files)."""
    require_workfile_user(actor)
    found = (
        WorkFile.objects.select_related("agency", "department", "owner")
        .filter(pk=work_file_id, agency_id__in=workfile_agency_ids(actor))
        .first()
    )
    if found is None:
        raise Http404(_("Không tìm thấy hồ sơ công việc."))
    return found


def access_workfile_agency(actor: Actor, agency_id: int | None) -> Agency:
    """The agency whose yearly list the actor asks for (their only one when none is given)."""
    require_workfile_user(actor)
    ids = workfile_agency_ids(actor)
    if agency_id is None:
        agency_id = min(ids)
    if agency_id not in ids:
        raise Http404(_("Không tìm thấy cơ quan."))
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404(_("Không tìm thấy cơ quan."))
    return agency


def workfile_agencies(actor: Actor) -> list[Agency]:
    return list(Agency.objects.filter(pk__in=workfile_agency_ids(actor)).order_by("name"))


def work_files(
    actor: Actor,
    *,
    agency_id: int | None = None,
    year: int | None = None,
    status: str | None = None,
) -> QuerySet[WorkFile]:
    """The files of the actor's agencies (one agency, one year, one status when given), each
    with its number of documents, in the order of the yearly list (code)."""
    qs = WorkFile.objects.filter(agency_id__in=workfile_agency_ids(actor))
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("agency", "department", "owner")
        .annotate(document_count=Count("items"))
        .order_by("agency_id", "-year", "code", "id")
    )


def overdue_work_files(
    actor: Actor, today: dt.date, *, agency_id: int | None = None
) -> QuerySet[WorkFile]:
    """Closed files whose archive deadline (`archive_due_on`) has passed and that were not
    submitted yet, earliest deadline first."""
    return (
        work_files(actor, agency_id=agency_id)
        .filter(status=WorkFileStatus.CLOSED, archive_due_on__lt=today)
        .order_by("archive_due_on", "code", "id")
    )


def workfile_years(actor: Actor, agency_id: int) -> list[int]:
    years = (
        WorkFile.objects.filter(agency_id=agency_id, agency_id__in=workfile_agency_ids(actor))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return list(years)


@dataclass(frozen=True, slots=True)
class FileContents:
    """What an official sees inside a file: the documents they may see, and how many others."""

    items: list[WorkFileItem]
    hidden: int

    @property
    def total(self) -> int:
        return len(self.items) + self.hidden


def work_file_contents(actor: Actor, wf: WorkFile) -> FileContents:
    """The file's documents in the order they were added, each with its document and files."""
    items = list(
        WorkFileItem.objects.filter(work_file=wf)
        .select_related("document", "added_by")
        .order_by("added_at", "id")
    )
    ids = [i.document_id for i in items]
    seen = set(
        visible_documents(actor, Document.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    shown = [i for i in items if i.document_id in seen]
    return FileContents(shown, len(items) - len(shown))


def addable_documents(actor: Actor, wf: WorkFile) -> QuerySet[Document]:
    """Documents the actor may put into the file: of its agency, visible to them, not yet in
    it, and not an unissued draft."""
    return (
        visible_documents(actor, Document.objects.filter(agency_id=wf.agency_id))
        .exclude(status__in=UNFILEABLE)
        .exclude(work_file_items__work_file=wf)
    )


def package_files(wf: WorkFile) -> QuerySet[DocumentFile]:
    """The stored originals of every document in the file, in the file's order."""
    return (
        DocumentFile.objects.filter(document__work_file_items__work_file=wf, role__in=PACKAGE_ROLES)
        .select_related("file")
        .order_by("document_id", "role", "id")
    )
