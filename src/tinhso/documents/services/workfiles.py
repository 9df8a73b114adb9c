"""Work files (hồ sơ công việc): plan, open, fill, close, submit to the agency archive.

Nghị định 30/2020/NĐ-CP:
- Điều 28: the agency approves its yearly list of files (danh mục hồ sơ, Phụ lục V) — here,
  planning a file puts it in the list;
- Điều 29: opening a file needs its title, number and notation, retention period, the person
  who forms it and the opening date;
- Điều 30: documents are gathered while the work goes on; when the work ends the file is
  closed (drafts and duplicates out, retention checked again);
- Điều 31: files kept 5 years or more (or permanently) are submitted to the agency archive
  within 1 year after the work ended.

Every service runs in one transaction, locks the file's row first (two clerks closing the same
file, or a document added while it is being closed, wait for each other), checks everything
before its first write, and records the audit row last.

An empty file is not closed: a file is the set of documents of one piece of work (Điều 28);
an empty one submitted to the archive would be a record of nothing. A planned piece of work
that never happened stays in the list, unopened, with a note saying why.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import Membership, User
from tinhso.audit.services import audit_record
from tinhso.documents.access import visible_documents
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import (
    Document,
    WorkFile,
    WorkFileItem,
    WorkFileStatus,
)
from tinhso.documents.selectors_workfiles import (
    UNFILEABLE,
    can_close,
    can_manage,
    can_submit,
    require_workfile_user,
    workfile_agency_ids,
)
from tinhso.organizations.models import Department
from tinhso.workcalendar.arithmetic import TIMEZONE

RETENTION_MIN: Final = 1
RETENTION_MAX: Final = 70
#: Files kept this long or longer (or permanently) go to the agency archive (Điều 31).
ARCHIVE_FROM_YEARS: Final = 5
EARLIEST_YEAR: Final = 2000
CODE_MAX: Final = 50
TITLE_MAX: Final = 500
NOTE_MAX: Final = 2000
_CODE = re.compile(r"^[\w.\-/() ]+$")


# --- Pure rules -----------------------------------------------------------------------------


def goes_to_archive(retention_years: int | None) -> bool:
    """Kept 5 years or more, or permanently (None): submitted to the archive (Điều 31)."""
    return retention_years is None or retention_years >= ARCHIVE_FROM_YEARS


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def archive_due(closed_on: dt.date, retention_years: int | None) -> dt.date | None:
    """The last day to submit a closed file to the archive: one year after the work ended;
    None for a file that stays with the unit (kept less than 5 years)."""
    return add_years(closed_on, 1) if goes_to_archive(retention_years) else None


def retention_label(retention_years: int | None) -> str:
    if retention_years is None:
        return _("Vĩnh viễn")
    return _("%(n)s năm") % {"n": f"{retention_years:02d}"}


# --- Helpers --------------------------------------------------------------------------------


def _today(now: dt.datetime | None) -> dt.date:
    return (now or timezone.now()).astimezone(TIMEZONE).date()


def _clean_text(value: str) -> str:
    return " ".join((value or "").split())


def _locked(actor: Actor, work_file: WorkFile | int) -> WorkFile:
    """The file's row, locked until commit; 404 when it is not one of the actor's agencies'."""
    require_workfile_user(actor)
    pk = work_file.pk if isinstance(work_file, WorkFile) else work_file
    found = (
        WorkFile.objects.select_for_update()
        .filter(pk=pk, agency_id__in=workfile_agency_ids(actor))
        .first()
    )
    if found is None:
        raise Http404(_("Không tìm thấy hồ sơ công việc."))
    return found


def _retention_error(retention_years: int | None) -> str | None:
    if retention_years is None:
        return None
    if isinstance(retention_years, bool) or not RETENTION_MIN <= retention_years <= RETENTION_MAX:
        return _("Thời hạn bảo quản từ %(min)02d đến %(max)d năm, hoặc Vĩnh viễn.") % {
            "min": RETENTION_MIN,
            "max": RETENTION_MAX,
        }
    return None


def _snapshot(wf: WorkFile) -> dict[str, Any]:
    return {
        "code": wf.code,
        "year": wf.year,
        "title": wf.title,
        "status": wf.status,
        "retention_years": wf.retention_years,
        "department": wf.department_id,
        "owner": wf.owner_id,
        "opened_on": wf.opened_on,
        "closed_on": wf.closed_on,
        "archive_due_on": wf.archive_due_on,
    }


# --- Services -------------------------------------------------------------------------------


def workfile_plan(
    *,
    actor: User,
    agency_id: int,
    year: int,
    code: str,
    title: str,
    retention_years: int | None,
    department_id: int | None = None,
    owner_id: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> WorkFile:
    """Put a file in the agency's list for `year` (Điều 28; Phụ lục V columns).

    `retention_years` None means kept permanently (vĩnh viễn). The number and notation is
    unique in the agency's list of the year.
    """
    who = actor_for(actor)
    require_workfile_user(who)
    if agency_id not in workfile_agency_ids(who):
        raise PermissionDenied(_("Bạn chỉ lập hồ sơ trong danh mục của cơ quan mình."))
    this_year = _today(now).year
    code, title, note = _clean_text(code), _clean_text(title), (note or "").strip()

    errors: dict[str, list[str]] = {}
    if isinstance(year, bool) or not EARLIEST_YEAR <= year <= this_year + 1:
        errors["year"] = [
            _("Năm của danh mục hồ sơ phải từ %(first)d đến %(last)d.")
            % {"first": EARLIEST_YEAR, "last": this_year + 1}
        ]
    if not code:
        errors["code"] = [_("Cần nhập số và ký hiệu hồ sơ.")]
    elif len(code) > CODE_MAX:
        errors["code"] = [_("Số và ký hiệu hồ sơ dài tối đa %(n)d ký tự.") % {"n": CODE_MAX}]
    elif not _CODE.match(code):
        errors["code"] = [
            _("Số và ký hiệu hồ sơ chỉ gồm chữ, chữ số, khoảng trắng và các dấu . - / ( ) _.")
        ]
    elif (
        "year" not in errors
        and WorkFile.objects.filter(agency_id=agency_id, year=year, code__iexact=code).exists()
    ):
        errors["code"] = [
            _("Số và ký hiệu hồ sơ “%(code)s” đã có trong danh mục hồ sơ năm %(year)d.")
            % {"code": code, "year": year}
        ]
    if not title:
        errors["title"] = [_("Cần nhập tiêu đề hồ sơ.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Tiêu đề hồ sơ dài tối đa %(n)d ký tự.") % {"n": TITLE_MAX}]
    retention_error = _retention_error(retention_years)
    if retention_error:
        errors["retention_years"] = [retention_error]
    if (
        department_id is not None
        and not Department.objects.filter(
            pk=department_id, agency_id=agency_id, is_active=True
        ).exists()
    ):
        errors["department"] = [
            _("Phòng, ban đã chọn không thuộc cơ quan hoặc đã ngừng hoạt động.")
        ]
    if (
        owner_id is not None
        and not Membership.objects.filter(
            user_id=owner_id, agency_id=agency_id, is_active=True
        ).exists()
    ):
        errors["owner"] = [_("Người lập hồ sơ phải là cán bộ đang công tác tại cơ quan.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("Ghi chú dài tối đa %(n)d ký tự.") % {"n": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            wf = WorkFile.objects.create(
                agency_id=agency_id,
                department_id=department_id,
                year=year,
                code=code,
                title=title,
                retention_years=retention_years,
                owner_id=owner_id,
                note=note,
                status=WorkFileStatus.PLANNED,
                created_by=actor,
                created_at=now or timezone.now(),
            )
            audit_record(
                actor=actor,
                action="documents.workfile.plan",
                obj=wf,
                agency=agency_id,
                changes=_snapshot(wf),
            )
    except IntegrityError as exc:
        # Planned at the same moment by someone else: the constraint had the last word.
        raise ValidationError(
            {
                "code": [
                    _("Số và ký hiệu hồ sơ “%(code)s” đã có trong danh mục hồ sơ năm %(year)d.")
                    % {"code": code, "year": year}
                ]
            }
        ) from exc
    return wf


def workfile_open(
    *,
    actor: User,
    work_file: WorkFile | int,
    opened_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> WorkFile:
    """Open a planned file (Điều 29): the opening date, and the owner when it has none (the
    official who opens it)."""
    who = actor_for(actor)
    today = _today(now)
    with transaction.atomic():
        wf = _locked(who, work_file)
        if not can_manage(who, wf):
            raise PermissionDenied
        if wf.status != WorkFileStatus.PLANNED:
            raise DocumentConflict(
                _("Hồ sơ đang ở trạng thái “%(status)s”, không mở lại được.")
                % {"status": WorkFileStatus(wf.status).label},
                code="workfile_not_planned",
            )
        day = opened_on or today
        if day > today:
            raise ValidationError({"opened_on": [_("Ngày mở hồ sơ không được sau hôm nay.")]})
        if day.year < wf.year - 1:
            raise ValidationError(
                {
                    "opened_on": [
                        _("Ngày mở hồ sơ quá xa so với năm của danh mục (%(year)d).")
                        % {"year": wf.year}
                    ]
                }
            )
        before = _snapshot(wf)
        wf.status = WorkFileStatus.OPEN
        wf.opened_on = day
        if wf.owner_id is None:
            wf.owner = actor
        wf.save(update_fields=["status", "opened_on", "owner"])
        audit_record(
            actor=actor,
            action="documents.workfile.open",
            obj=wf,
            agency=wf.agency_id,
            changes={k: [before[k], v] for k, v in _snapshot(wf).items() if before[k] != v},
        )
    return wf


def _require_open(wf: WorkFile, message: str) -> None:
    if wf.status != WorkFileStatus.OPEN:
        raise DocumentConflict(
            message % {"status": WorkFileStatus(wf.status).label}, code="workfile_not_open"
        )


def workfile_add_document(
    *,
    actor: User,
    work_file: WorkFile | int,
    document_id: int,
    now: dt.datetime | None = None,
) -> WorkFileItem:
    """Put a document of the file's agency, one the actor may see, into an open file."""
    who = actor_for(actor)
    with transaction.atomic():
        wf = _locked(who, work_file)
        if not can_manage(who, wf):
            raise PermissionDenied
        _require_open(
            wf, _("Chỉ thêm văn bản vào hồ sơ đang mở; hồ sơ này đang ở trạng thái “%(status)s”.")
        )
        document = (
            visible_documents(who, Document.objects.filter(agency_id=wf.agency_id))
            .filter(pk=document_id)
            .first()
        )
        if document is None:
            # Same message whether the document exists elsewhere or not at all.
            raise ValidationError(
                {
                    "document": [
                        _("Không tìm thấy văn bản trong số văn bản của cơ quan mà bạn được xem.")
                    ]
                }
            )
        if document.status in UNFILEABLE:
            raise ValidationError(
                {
                    "document": [
                        _(
                            "Văn bản “%(doc)s” đang ở trạng thái “%(status)s”: chỉ đưa vào hồ "
                            "sơ văn bản đã vào sổ hoặc đã phát hành, không đưa dự thảo."
                        )
                        % {"doc": document, "status": document.get_status_display()}
                    ]
                }
            )
        if WorkFileItem.objects.filter(work_file=wf, document=document).exists():
            raise ValidationError(
                {"document": [_("Văn bản “%(doc)s” đã có trong hồ sơ.") % {"doc": document}]}
            )
        item = WorkFileItem.objects.create(
            work_file=wf, document=document, added_by=actor, added_at=now or timezone.now()
        )
        audit_record(
            actor=actor,
            action="documents.workfile.add_document",
            obj=wf,
            agency=wf.agency_id,
            changes={"document": document.pk, "reference": document.reference},
        )
    return item


def workfile_remove_document(
    *, actor: User, work_file: WorkFile | int, document_id: int
) -> WorkFile:
    """Take a document out of a file, only while the file is open (a closed file is fixed)."""
    who = actor_for(actor)
    with transaction.atomic():
        wf = _locked(who, work_file)
        if not can_manage(who, wf):
            raise PermissionDenied
        _require_open(
            wf, _("Chỉ bỏ văn bản khỏi hồ sơ đang mở; hồ sơ này đang ở trạng thái “%(status)s”.")
        )
        item = (
            WorkFileItem.objects.filter(work_file=wf, document_id=document_id)
            .select_related("document")
            .first()
        )
        if item is None:
            raise ValidationError({"document": [_("Văn bản này không có trong hồ sơ.")]})
        reference = item.document.reference
        item.delete()
        audit_record(
            actor=actor,
            action="documents.workfile.remove_document",
            obj=wf,
            agency=wf.agency_id,
            changes={"document": document_id, "reference": reference},
        )
    return wf


def workfile_close(
    *,
    actor: User,
    work_file: WorkFile | int,
    closed_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> WorkFile:
    """Close an open file when its work has ended (Điều 30); a file kept 5 years or more is
    due at the archive one year after `closed_on` (Điều 31)."""
    who = actor_for(actor)
    today = _today(now)
    with transaction.atomic():
        wf = _locked(who, work_file)
        if not can_close(who, wf):
            raise PermissionDenied(
                _("Chỉ người lập hồ sơ, văn thư hoặc lãnh đạo cơ quan được đóng hồ sơ.")
            )
        _require_open(
            wf, _("Chỉ đóng được hồ sơ đang mở; hồ sơ này đang ở trạng thái “%(status)s”.")
        )
        day = closed_on or today
        assert wf.opened_on is not None
        if day > today:
            raise ValidationError({"closed_on": [_("Ngày đóng hồ sơ không được sau hôm nay.")]})
        if day < wf.opened_on:
            raise ValidationError(
                {
                    "closed_on": [
                        _("Ngày đóng hồ sơ không được trước ngày mở hồ sơ (%(day)s).")
                        % {"day": f"{wf.opened_on:%d/%m/%Y}"}
                    ]
                }
            )
        if not WorkFileItem.objects.filter(work_file=wf).exists():
            raise DocumentConflict(
                _(
                    "Hồ sơ chưa có văn bản nào nên không đóng được. Nếu công việc không phát "
                    "sinh, hãy để hồ sơ ở trạng thái đang mở hoặc ghi chú lý do trong danh mục."
                ),
                code="workfile_empty",
            )
        before = _snapshot(wf)
        wf.status = WorkFileStatus.CLOSED
        wf.closed_on = day
        wf.archive_due_on = archive_due(day, wf.retention_years)
        wf.save(update_fields=["status", "closed_on", "archive_due_on"])
        audit_record(
            actor=actor,
            action="documents.workfile.close",
            obj=wf,
            agency=wf.agency_id,
            changes={k: [before[k], v] for k, v in _snapshot(wf).items() if before[k] != v},
        )
    return wf


def workfile_mark_submitted(
    *, actor: User, work_file: WorkFile | int, now: dt.datetime | None = None
) -> WorkFile:
    """Record that a closed file was handed to the agency archive (nộp lưu, Điều 31)."""
    who = actor_for(actor)
    moment = now or timezone.now()
    with transaction.atomic():
        wf = _locked(who, work_file)
        if not can_submit(who, wf):
            raise PermissionDenied(_("Chỉ văn thư hoặc lãnh đạo cơ quan ghi nhận nộp lưu hồ sơ."))
        if wf.status != WorkFileStatus.CLOSED:
            raise DocumentConflict(
                _("Chỉ nộp lưu hồ sơ đã đóng; hồ sơ này đang ở trạng thái “%(status)s”.")
                % {"status": WorkFileStatus(wf.status).label},
                code="workfile_not_closed",
            )
        if not goes_to_archive(wf.retention_years):
            raise DocumentConflict(
                _(
                    "Hồ sơ có thời hạn bảo quản %(retention)s (dưới 05 năm) được giữ tại đơn vị, "
                    "không nộp vào lưu trữ cơ quan."
                )
                % {"retention": retention_label(wf.retention_years)},
                code="workfile_not_archived",
            )
        wf.status = WorkFileStatus.SUBMITTED
        wf.submitted_at = moment
        wf.save(update_fields=["status", "submitted_at"])
        audit_record(
            actor=actor,
            action="documents.workfile.submit",
            obj=wf,
            agency=wf.agency_id,
            changes={"status": [WorkFileStatus.CLOSED, WorkFileStatus.SUBMITTED]},
        )
    return wf
