"""The actions a document's page offers, their forms, and the service each one calls.

What is *offered* is decided here from the document's state and the actor's posts (so the page
does not show buttons that cannot work); what is *allowed* is decided by the services, which
check again and refuse with a message (`DocumentConflict`, `PermissionDenied`) shown on the
page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.accounts.access import Actor
from tinhso.accounts.models import User
from tinhso.documents import forms_ui, services
from tinhso.documents.access import (
    is_agency_leader,
    is_clerk,
    leads_department,
    may_decide,
    may_edit_draft,
)
from tinhso.documents.conversion import libreoffice_available
from tinhso.documents.models import (
    ApprovalStep,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Direction,
    Document,
    DocumentStatus,
)
from tinhso.documents.views.common import (
    department_colleagues,
    leader_choices,
    register_choices,
)

OPEN = (AssignmentStatus.WAITING, AssignmentStatus.SEEN, AssignmentStatus.IN_PROGRESS)
EDITABLE = (DocumentStatus.DRAFT, DocumentStatus.RETURNED)


@dataclass(frozen=True, slots=True)
class ActionMeta:
    label: Any
    icon: str
    submit: Any
    danger: bool = False
    help: Any = ""


ACTIONS: dict[str, ActionMeta] = {
    "accept": ActionMeta(gettext_lazy("Vào sổ văn bản đến"), "journal-plus", gettext_lazy("Vào sổ")),
    "refuse": ActionMeta(
        gettext_lazy("Trả lại nơi gửi"), "arrow-return-left", gettext_lazy("Trả lại"), danger=True,
        help=gettext_lazy("Văn bản gửi nhầm hoặc không hợp lệ (Nghị định 30/2020, Điều 21)."),
    ),
    "present": ActionMeta(gettext_lazy("Trình lãnh đạo"), "person-up", gettext_lazy("Trình")),
    "start": ActionMeta(gettext_lazy("Bắt đầu xử lý"), "play-circle", gettext_lazy("Bắt đầu xử lý")),
    "pass_on": ActionMeta(
        gettext_lazy("Chuyển tiếp trong phòng"), "arrow-right-circle", gettext_lazy("Chuyển tiếp")
    ),
    "complete": ActionMeta(
        gettext_lazy("Hoàn thành xử lý"), "check2-circle", gettext_lazy("Hoàn thành")
    ),
    "version": ActionMeta(
        gettext_lazy("Tải lên phiên bản mới"), "file-earmark-arrow-up", gettext_lazy("Tải lên")
    ),
    "submit": ActionMeta(
        gettext_lazy("Trình duyệt dự thảo"), "send", gettext_lazy("Trình duyệt"),
        help=gettext_lazy("Dự thảo được chuyển lần lượt cho lãnh đạo phòng và người ký."),
    ),
    "approve": ActionMeta(gettext_lazy("Duyệt dự thảo"), "patch-check", gettext_lazy("Duyệt")),
    "return": ActionMeta(
        gettext_lazy("Trả lại dự thảo"), "arrow-counterclockwise", gettext_lazy("Trả lại"),
        danger=True,
    ),
    "issue": ActionMeta(
        gettext_lazy("Phát hành"), "megaphone", gettext_lazy("Cấp số và phát hành"),
        help=gettext_lazy("Văn bản được cấp số tiếp theo của sổ văn bản đi và gửi đến nơi nhận."),
    ),
    "comment": ActionMeta(gettext_lazy("Góp ý dự thảo"), "chat-left-text", gettext_lazy("Gửi góp ý")),
    "recall": ActionMeta(
        gettext_lazy("Thu hồi văn bản"), "x-octagon", gettext_lazy("Thu hồi"), danger=True,
        help=gettext_lazy("Nơi nhận được thông báo thu hồi (Nghị định 30/2020, Điều 18)."),
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Situation:
    """The document as the actor stands before it (from the rows the page loaded)."""

    actor: Actor
    d: Document
    #: The actor's open assignment (processing, not a presentation), if any.
    mine: Assignment | None
    presented_to_me: bool
    step: ApprovalStep | None
    step_is_mine: bool


def situation(actor: Actor, d: Document) -> Situation:
    assignments = list(d.assignments.all())
    mine = next(
        (
            a
            for a in sorted(assignments, key=lambda a: (a.role != AssignmentRole.MAIN, a.pk))
            if a.assignee_id == actor.user_id and not a.is_presentation and a.status in OPEN
        ),
        None,
    )
    presented = any(
        a.assignee_id == actor.user_id
        and a.is_presentation
        and a.status in (AssignmentStatus.WAITING, AssignmentStatus.SEEN)
        for a in assignments
    )
    waiting = sorted(
        (s for s in d.approvals.all() if s.decision == ApprovalStep.Decision.WAITING),
        key=lambda s: (-s.round, s.order),
    )
    step = waiting[0] if waiting else None
    return Situation(
        actor=actor,
        d=d,
        mine=mine,
        presented_to_me=presented,
        step=step,
        step_is_mine=step is not None and may_decide(actor, d, step),
    )


def may_assign(s: Situation) -> bool:
    d = s.d
    return (
        d.direction == Direction.INCOMING
        and d.status
        in (DocumentStatus.REGISTERED, DocumentStatus.PRESENTED, DocumentStatus.ASSIGNED)
        and (
            is_agency_leader(s.actor, d.agency_id)
            or leads_department(s.actor, d.department_id)
            or s.presented_to_me
        )
    )


def offered(s: Situation) -> list[str]:
    """The actions the page offers this actor on this document, in display order."""
    d, actor = s.d, s.actor
    out: list[str] = []
    if d.direction == Direction.INCOMING:
        clerk = is_clerk(actor, d.agency_id)
        if clerk and d.status == DocumentStatus.RECEIVED:
            out += ["accept", "refuse"]
        if clerk and d.status in (DocumentStatus.REGISTERED, DocumentStatus.PRESENTED):
            out.append("present")
        if s.mine is not None:
            if s.mine.status in (AssignmentStatus.WAITING, AssignmentStatus.SEEN):
                out.append("start")
            if s.mine.role == AssignmentRole.MAIN and s.mine.department_id is not None:
                out.append("pass_on")
            out.append("complete")
        return out
    if d.status in EDITABLE and may_edit_draft(actor, d):
        out += ["submit", "version"]
    elif d.status == DocumentStatus.IN_REVIEW and s.step_is_mine:
        out += ["approve", "return", "version"]
    if d.status == DocumentStatus.APPROVED and is_clerk(actor, d.agency_id):
        out.append("issue")
    if d.status in (*EDITABLE, DocumentStatus.IN_REVIEW, DocumentStatus.APPROVED):
        out.append("comment")
    if d.status == DocumentStatus.ISSUED and (
        is_clerk(actor, d.agency_id) or is_agency_leader(actor, d.agency_id)
    ):
        out.append("recall")
    return out


def make_form(
    action: str, s: Situation, data: Any = None, files: Any = None, *, next_url: str = ""
) -> forms_ui.ActionForm:
    """The form of `action` on the document, bound when `data` is given."""
    d = s.d
    kwargs: dict[str, Any] = {"prefix": action}
    if data is not None:
        kwargs["data"] = data
        kwargs["files"] = files
    initial: dict[str, Any] = {"next": next_url}
    if s.mine is not None:
        initial["assignment"] = s.mine.pk
    kwargs["initial"] = initial
    match action:
        case "accept":
            return forms_ui.AcceptForm(
                registers=register_choices([d.agency_id], Direction.INCOMING), **kwargs
            )
        case "refuse":
            return forms_ui.RefuseForm(**kwargs)
        case "present":
            return forms_ui.PresentForm(leaders=leader_choices(d.agency_id), **kwargs)
        case "start":
            return forms_ui.StartForm(**kwargs)
        case "pass_on":
            department = s.mine.department_id if s.mine is not None else None
            return forms_ui.PassOnForm(
                colleagues=department_colleagues(department, s.actor.user_id), **kwargs
            )
        case "complete":
            main = s.mine is None or s.mine.role == AssignmentRole.MAIN
            return forms_ui.CompleteForm(main=main, **kwargs)
        case "version":
            return forms_ui.VersionForm(can_convert=libreoffice_available(), **kwargs)
        case "comment":
            versions = [(v.pk, _("Phiên bản %(n)d") % {"n": v.number}) for v in d.versions.all()]
            return forms_ui.CommentForm(versions=versions, **kwargs)
        case "approve":
            return forms_ui.ApproveForm(**kwargs)
        case "return":
            return forms_ui.ReturnForm(**kwargs)
        case "issue":
            return forms_ui.IssueForm(**kwargs)
        case "recall":
            return forms_ui.RecallForm(**kwargs)
        case _:
            return forms_ui.PlainForm(**kwargs)


def perform(
    action: str, form: forms_ui.ActionForm, *, user: User, d: Document, file_id: int | None
) -> str:
    """Call the service of `action`; returns what to tell the person when it went through."""
    data = form.cleaned_data
    pk = d.pk
    match action:
        case "accept":
            accepted = services.incoming_accept(
                actor=user, document_id=pk, register_id=data.get("register"), due_on=data["due_on"]
            )
            return _("Đã vào sổ văn bản đến, số đến %(n)s.") % {"n": accepted.register_number}
        case "refuse":
            services.incoming_refuse(actor=user, document_id=pk, reason=data["reason"])
            return _("Đã trả lại văn bản cho nơi gửi.")
        case "present":
            a = services.incoming_present(
                actor=user, document_id=pk, leader_id=data["leader"], note=data["note"]
            )
            return _("Đã trình văn bản cho %(name)s.") % {"name": a.assignee.get_full_name()}
        case "start":
            services.assignment_start(actor=user, assignment_id=data["assignment"])
            return _("Đã bắt đầu xử lý văn bản.")
        case "pass_on":
            child = services.assignment_pass_on(
                actor=user,
                assignment_id=data["assignment"],
                to_id=data["to_user"],
                direction=data["direction"],
                due_on=data["due_on"],
            )
            return _("Đã chuyển tiếp văn bản cho %(name)s.") % {
                "name": child.assignee.get_full_name()
            }
        case "complete":
            services.assignment_complete(
                actor=user, assignment_id=data["assignment"], result_note=data["result_note"]
            )
            return _("Đã ghi nhận hoàn thành xử lý.")
        case "version":
            assert file_id is not None
            v = services.outgoing_add_version(
                actor=user,
                document_id=pk,
                file_id=file_id,
                note=data["note"],
                convert=bool(data.get("convert")),
            )
            if v.pdf_id is not None:
                return _("Đã tải lên phiên bản %(n)d và chuyển sang PDF.") % {"n": v.number}
            return _("Đã tải lên phiên bản %(n)d.") % {"n": v.number}
        case "submit":
            submitted = services.outgoing_submit(actor=user, document_id=pk)
            if submitted.status == DocumentStatus.APPROVED:
                return _("Dự thảo không cần duyệt thêm, đã chuyển văn thư phát hành.")
            return _("Đã trình duyệt dự thảo.")
        case "comment":
            services.outgoing_comment(
                actor=user, document_id=pk, text=data["text"], version_id=data.get("version")
            )
            return _("Đã gửi góp ý.")
        case "approve":
            approved = services.outgoing_approve(
                actor=user, document_id=pk, comment=data["comment"]
            )
            if approved.status == DocumentStatus.APPROVED:
                return _("Đã duyệt. Dự thảo chuyển văn thư cấp số, phát hành.")
            return _("Đã duyệt, dự thảo chuyển bước duyệt tiếp theo.")
        case "return":
            services.outgoing_return(actor=user, document_id=pk, comment=data["comment"])
            return _("Đã trả lại dự thảo cho người soạn.")
        case "issue":
            issued = services.outgoing_issue(actor=user, document_id=pk, file_id=file_id)
            return _("Đã phát hành văn bản số %(ref)s.") % {"ref": issued.reference}
        case "recall":
            services.outgoing_recall(actor=user, document_id=pk, reason=data["reason"])
            return _("Đã thu hồi văn bản.")
    raise ValueError(action)
