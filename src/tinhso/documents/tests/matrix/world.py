"""Agency A's documents in each state, made through the services by the matrix's personas.

Incoming: a paper document registered by `van_thu_a`, presented to `lanh_dao_a` (an agency
leader: no department), assigned by him to `chuyen_vien_a` (department A) as main processor,
who starts it; and an electronic one agency B issued to agency A, waiting in `van_thu_a`'s
queue. Outgoing: a draft of `chuyen_vien_a` to agency B that `lanh_dao_a` signs (department A
has no head, so the chain is the signer alone), submitted, approved by him, issued by
`van_thu_a` (which delivers agency B's incoming copy); and a draft signed by another leader of
agency A, which `lanh_dao_a` must not see before it is submitted.

Each builder takes a `key`: every endpoint that changes a document asks for its own (a world
serves one request, but a shared key would hide which object an entry acts on). Officials who
are not personas (agency B's drafter, signer and clerk; the other leader of A; a colleague of
department A; a signer posted as leader in every agency) are made on first use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import cast

from django.utils import timezone

from tinhso.accounts.models import Role, User
from tinhso.documents import services
from tinhso.documents.models import Assignment, Document
from tinhso.testing.access_matrix import World
from tinhso.testing.eoffice import upload
from tinhso.testing.factories import MembershipFactory, official

Maker = Callable[[World], Document]


def persona(w: World, name: str) -> User:
    user = w.user(name)
    assert user is not None, name
    return user


def _made(w: World, key: str, build: Callable[[], object]) -> Document:
    return cast(Document, w.make(f"documents_{key}", build))


def _made_user(w: World, key: str, build: Callable[[], User]) -> User:
    return cast(User, w.make(f"documents_user_{key}", build))


def a_month_ago() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=30)


# --- Officials who are not personas -------------------------------------------------------------


def other_leader_a(w: World) -> User:
    """Another leader of agency A (a deputy director): signs the draft `lanh_dao_a` must not see."""
    return _made_user(
        w,
        "other_leader_a",
        lambda: official(
            Role.LANH_DAO, agency=w.agency_a, username="matrix_pho_giam_doc_a",
            full_name="Phó Giám Đốc Thử A",
        ),
    )  # fmt: skip


def colleague_a(w: World) -> User:
    """A second specialist of department A (whom `chuyen_vien_a` passes a document on to)."""
    return _made_user(
        w,
        "colleague_a",
        lambda: official(
            Role.CHUYEN_VIEN, department=w.department_a, username="matrix_chuyen_vien_a2",
            full_name="Chuyên Viên Thử A2",
        ),
    )  # fmt: skip


def signer_everywhere(w: World) -> User:
    """A leader posted in agencies A and B and the provincial office: a draft naming him as
    signer is valid whichever of them the drafting persona works in."""

    def build() -> User:
        user = official(
            Role.LANH_DAO, agency=w.agency_a, username="matrix_lanh_dao_kiem_nhiem",
            full_name="Lãnh Đạo Kiêm Nhiệm",
        )  # fmt: skip
        for agency in (w.agency_b, w.agency_province):
            MembershipFactory.create(user=user, agency=agency, role=Role.LANH_DAO)
        return user

    return _made_user(w, "signer_everywhere", build)


def _officials_b(w: World) -> tuple[User, User, User]:
    """Agency B's drafter, signer and clerk (B sends agency A an electronic document)."""

    def build() -> tuple[User, User, User]:
        return (
            official(Role.CHUYEN_VIEN, agency=w.agency_b, username="matrix_chuyen_vien_b"),
            official(Role.LANH_DAO, agency=w.agency_b, username="matrix_lanh_dao_b"),
            official(Role.VAN_THU, agency=w.agency_b, username="matrix_van_thu_b"),
        )

    return cast(tuple[User, User, User], w.make("documents_officials_b", build))


# --- Incoming ----------------------------------------------------------------------------------


def received(key: str) -> Maker:
    """Agency A's copy (status `received`) of a công văn agency B issued to it."""

    def make(w: World) -> Document:
        def build() -> Document:
            drafter, signer, clerk = _officials_b(w)
            d = services.outgoing_draft(
                actor=drafter,
                data=services.DraftInput(
                    doc_type="CV",
                    subject="Về việc đề nghị phối hợp kiểm tra",
                    signer=signer.pk,
                    recipients=(w.agency_a.pk,),
                    files=(upload(drafter, "cong-van-b.pdf"),),
                ),
            )
            services.outgoing_submit(actor=drafter, document_id=d.pk)
            services.outgoing_approve(actor=signer, document_id=d.pk)
            services.outgoing_issue(actor=clerk, document_id=d.pk)
            return Document.objects.get(origin=d, agency=w.agency_a)

        return _made(w, f"received_{key}", build)

    return make


def registered(key: str) -> Maker:
    """A paper document registered by agency A's clerk."""

    def make(w: World) -> Document:
        return _made(
            w,
            f"registered_{key}",
            lambda: services.incoming_register(
                actor=persona(w, "van_thu_a"),
                data=services.IncomingInput(
                    issuer_name="Ủy ban nhân dân tỉnh Thử Nghiệm",
                    number="15",
                    notation="QĐ-UBND",
                    issued_on=a_month_ago(),
                    doc_type="QĐ",
                    subject="Quyết định giao chỉ tiêu kiểm tra năm sau",
                ),
                # Several registered documents in one world carry the same number.
                confirm_duplicate=True,
            ),
        )

    return make


def presented(key: str) -> Maker:
    """Registered, then presented by the clerk to `lanh_dao_a`."""

    def make(w: World) -> Document:
        def build() -> Document:
            d = registered(f"presented_{key}")(w)
            services.incoming_present(
                actor=persona(w, "van_thu_a"),
                document_id=d.pk,
                leader_id=persona(w, "lanh_dao_a").pk,
            )
            d.refresh_from_db()
            return d

        return _made(w, f"presented_{key}", build)

    return make


def assigned(key: str) -> Maker:
    """Presented, then assigned by `lanh_dao_a` to `chuyen_vien_a` as main processor."""

    def make(w: World) -> Document:
        def build() -> Document:
            d = presented(f"assigned_{key}")(w)
            services.incoming_assign(
                actor=persona(w, "lanh_dao_a"),
                document_id=d.pk,
                data=services.AssignInput(
                    main=persona(w, "chuyen_vien_a").pk, direction="Đề nghị tham mưu xử lý"
                ),
            )
            d.refresh_from_db()
            return d

        return _made(w, f"assigned_{key}", build)

    return make


def in_progress(key: str) -> Maker:
    """Assigned, and started by `chuyen_vien_a`."""

    def make(w: World) -> Document:
        def build() -> Document:
            d = assigned(f"in_progress_{key}")(w)
            services.assignment_start(
                actor=persona(w, "chuyen_vien_a"), assignment_id=main_assignment(w, d).pk
            )
            d.refresh_from_db()
            return d

        return _made(w, f"in_progress_{key}", build)

    return make


def main_assignment(w: World, d: Document) -> Assignment:
    """`chuyen_vien_a`'s assignment (main processor) of the document."""
    return Assignment.objects.get(
        document=d, assignee=persona(w, "chuyen_vien_a"), is_presentation=False
    )


# --- Outgoing ----------------------------------------------------------------------------------


def draft(key: str, *, signer: Callable[[World], User] | None = None) -> Maker:
    """A draft of `chuyen_vien_a` to agency B, a PDF as version 1, signed by `lanh_dao_a`
    unless another `signer` is given."""

    def make(w: World) -> Document:
        def build() -> Document:
            drafter = persona(w, "chuyen_vien_a")
            who_signs = signer(w) if signer is not None else persona(w, "lanh_dao_a")
            return services.outgoing_draft(
                actor=drafter,
                data=services.DraftInput(
                    doc_type="CV",
                    subject="Về việc báo cáo kết quả kiểm tra",
                    signer=who_signs.pk,
                    recipients=(w.agency_b.pk,),
                    files=(upload(drafter, "du-thao.pdf"),),
                ),
            )

        return _made(w, f"draft_{key}", build)

    return make


def submitted(key: str) -> Maker:
    """The draft submitted: one review step, `lanh_dao_a` as signer."""

    def make(w: World) -> Document:
        def build() -> Document:
            d = draft(f"submitted_{key}")(w)
            return services.outgoing_submit(actor=persona(w, "chuyen_vien_a"), document_id=d.pk)

        return _made(w, f"submitted_{key}", build)

    return make


def approved(key: str) -> Maker:
    """Submitted and approved by `lanh_dao_a`: waits for the clerk to issue it."""

    def make(w: World) -> Document:
        def build() -> Document:
            d = submitted(f"approved_{key}")(w)
            return services.outgoing_approve(actor=persona(w, "lanh_dao_a"), document_id=d.pk)

        return _made(w, f"approved_{key}", build)

    return make


def issued(key: str) -> Maker:
    """Approved and issued by `van_thu_a`: agency B has its incoming copy."""

    def make(w: World) -> Document:
        def build() -> Document:
            d = approved(f"issued_{key}")(w)
            return services.outgoing_issue(actor=persona(w, "van_thu_a"), document_id=d.pk)

        return _made(w, f"issued_{key}", build)

    return make


def copy_in_b(key: str) -> Maker:
    """Agency B's incoming copy of agency A's issued document (made by A's clerk's issuing)."""

    def make(w: World) -> Document:
        return _made(
            w,
            f"copy_in_b_{key}",
            lambda: Document.objects.get(origin=issued(f"copy_{key}")(w), agency=w.agency_b),
        )

    return make
