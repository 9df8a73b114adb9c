"""The visibility matrix: for Sở Nội vụ's incoming and outgoing documents in each status,
which persona sees it through `visible_documents` and `access_document` (404 for the others).

The rules (`tinhso.documents.access`): the clerk sees the agency's incoming documents and its
outgoing ones once approved; a leader of the agency everything but unsubmitted drafts; a
department's members its documents, drafts included; an official what they drafted, sign,
review or were given; nobody another agency's documents.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404

from tinhso.accounts.access import Actor, actor_for
from tinhso.documents import services
from tinhso.documents.access import access_document, visible_documents
from tinhso.documents.models import Document, DocumentStatus
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

#: persona → how to find the account in the e-office world (None: the anonymous visitor).
PERSONAS: dict[str, Callable[[EofficeWorld], object]] = {
    "clerk": lambda w: w.clerk,
    "specialist": lambda w: w.specialist,  # the drafter; the main processor
    "colleague": lambda w: w.colleague,  # another specialist of the same department
    "other_department": lambda w: w.other_specialist,
    "head": lambda w: w.head,
    "director": lambda w: w.director,
    "deputy": lambda w: w.deputy,  # the signer of the outgoing documents below
    "commune_clerk": lambda w: w.commune_clerk,
    "commune_specialist": lambda w: w.commune_specialist,
    "finance_specialist": lambda w: w.finance_specialist,
    "citizen": lambda w: w.citizen,
    "anonymous": lambda w: None,
}

DEPARTMENT = {"specialist", "colleague", "head"}
LEADERS = {"director", "deputy"}


def actor(w: EofficeWorld, persona: str) -> Actor:
    user = PERSONAS[persona](w)
    return actor_for(user if user is not None else AnonymousUser())


# --- Sở Nội vụ's documents in each status -----------------------------------------------------
# Outgoing: drafted in Phòng TCBC by the specialist, reviewed by the head, signed by the deputy
# director, sent to Phường Phú Xuân (whose clerk gets an incoming copy, not this document).


def _draft(w: EofficeWorld) -> Document:
    return w.draft(signer=w.deputy.pk, recipients=(w.phu_xuan.pk,))


def _in_review(w: EofficeWorld) -> Document:
    return w.submitted(signer=w.deputy.pk, recipients=(w.phu_xuan.pk,))


def _returned(w: EofficeWorld) -> Document:
    d = _in_review(w)
    return services.outgoing_return(actor=w.head, document_id=d.pk, comment="Sửa trích yếu")


def _approved(w: EofficeWorld) -> Document:
    return w.approved(signer=w.deputy.pk, recipients=(w.phu_xuan.pk,))


def _issued(w: EofficeWorld) -> Document:
    return w.issued(signer=w.deputy.pk, recipients=(w.phu_xuan.pk,))


def _recalled(w: EofficeWorld) -> Document:
    return w.recalled(signer=w.deputy.pk, recipients=(w.phu_xuan.pk,))


# Incoming: on paper, registered by the clerk, presented to the director, given to the
# specialist; or sent by Sở Tài chính inside the installation (its clerk is not a persona:
# see test_the_sending_clerk_does_not_see_the_recipients_copy for him).


def _registered(w: EofficeWorld) -> Document:
    return w.register()


def _presented(w: EofficeWorld) -> Document:
    return w.presented()


def _assigned(w: EofficeWorld) -> Document:
    return w.assigned()[0]


def _in_progress(w: EofficeWorld) -> Document:
    return w.in_progress()[0]


def _completed(w: EofficeWorld) -> Document:
    return w.completed()


def _received(w: EofficeWorld) -> Document:
    return w.received(sender="finance")


def _refused(w: EofficeWorld) -> Document:
    d = _received(w)
    return services.incoming_refuse(actor=w.clerk, document_id=d.pk, reason="Gửi nhầm cơ quan")


def _recalled_incoming(w: EofficeWorld) -> Document:
    d = _received(w)
    assert d.origin is not None
    services.outgoing_recall(
        actor=w.demo.user("stc.vp.vanthu"), document_id=d.origin.pk, reason="Nhầm"
    )
    d.refresh_from_db()
    return d


ROUTED = {"clerk", *LEADERS, *DEPARTMENT}

MATRIX: list[tuple[str, Callable[[EofficeWorld], Document], str, set[str]]] = [
    # outgoing: the clerk only from approval on; leaders from submission on; never outsiders
    ("outgoing draft", _draft, DocumentStatus.DRAFT, {*DEPARTMENT, "deputy"}),
    ("outgoing in review", _in_review, DocumentStatus.IN_REVIEW, {*DEPARTMENT, *LEADERS}),
    ("outgoing returned", _returned, DocumentStatus.RETURNED, {*DEPARTMENT, *LEADERS}),
    ("outgoing approved", _approved, DocumentStatus.APPROVED, {"clerk", *DEPARTMENT, *LEADERS}),
    ("outgoing issued", _issued, DocumentStatus.ISSUED, {"clerk", *DEPARTMENT, *LEADERS}),
    ("outgoing recalled", _recalled, DocumentStatus.RECALLED, {"clerk", *DEPARTMENT, *LEADERS}),
    # incoming: the clerk and the leaders always; the department once it is given to it
    ("incoming received", _received, DocumentStatus.RECEIVED, {"clerk", *LEADERS}),
    ("incoming refused", _refused, DocumentStatus.REFUSED, {"clerk", *LEADERS}),
    ("incoming recalled", _recalled_incoming, DocumentStatus.RECALLED, {"clerk", *LEADERS}),
    ("incoming registered", _registered, DocumentStatus.REGISTERED, {"clerk", *LEADERS}),
    ("incoming presented", _presented, DocumentStatus.PRESENTED, {"clerk", *LEADERS}),
    ("incoming assigned", _assigned, DocumentStatus.ASSIGNED, ROUTED),
    ("incoming in progress", _in_progress, DocumentStatus.IN_PROGRESS, ROUTED),
    ("incoming completed", _completed, DocumentStatus.COMPLETED, ROUTED),
]


def observed(w: EofficeWorld, d: Document) -> set[str]:
    """The personas who see `d`; listing and fetching must agree for each."""
    seen = set()
    for persona in PERSONAS:
        who = actor(w, persona)
        listed = visible_documents(who).filter(pk=d.pk).exists()
        try:
            fetched = access_document(who, d.pk).pk == d.pk
        except Http404:
            fetched = False
        assert listed == fetched, f"{persona}: listed {listed}, fetched {fetched}"
        if listed:
            seen.add(persona)
    return seen


@pytest.mark.parametrize(
    ("make", "status", "expected"),
    [pytest.param(make, status, expected, id=label) for label, make, status, expected in MATRIX],
)
def test_who_sees_the_document(
    eoffice: EofficeWorld,
    make: Callable[[EofficeWorld], Document],
    status: str,
    expected: set[str],
) -> None:
    # given Sở Nội vụ's document in the status
    d = make(eoffice)
    d.refresh_from_db()
    assert d.status == status and d.agency_id == eoffice.snv.pk
    # when every persona lists and opens it
    seen = observed(eoffice, d)
    # then exactly the expected ones see it
    assert seen == expected, (
        f"unexpected: {sorted(seen - expected)}, missing: {sorted(expected - seen)}"
    )


def test_an_unknown_or_malformed_id_is_a_404(eoffice: EofficeWorld) -> None:
    who = actor(eoffice, "director")
    for bad in (0, -1, 10**9):
        with pytest.raises(Http404):
            access_document(who, bad)
    with pytest.raises(Http404):
        access_document(who, "abc")  # type: ignore[arg-type]


def test_nobody_sees_another_agencys_drafts(eoffice: EofficeWorld) -> None:
    # given drafts of Phú Xuân and of Sở Tài chính in every pre-issue status
    drafts = []
    for drafter, signer in (
        (eoffice.commune_specialist, eoffice.commune_chairman),
        (eoffice.finance_specialist, eoffice.demo.user("giamdoc.stc")),
    ):
        from tinhso.testing.eoffice import upload

        data = eoffice.draft_input(
            signer=signer.pk, recipients=(eoffice.snv.pk,), files=(upload(drafter, "du-thao.pdf"),)
        )
        draft = services.outgoing_draft(actor=drafter, data=data)
        submitted = services.outgoing_draft(actor=drafter, data=data)
        services.outgoing_submit(actor=drafter, document_id=submitted.pk)
        drafts += [draft, submitted]
    # then no Sở Nội vụ official sees any, whatever their role
    for persona in (
        "clerk",
        "specialist",
        "colleague",
        "other_department",
        "head",
        "director",
        "deputy",
    ):
        assert (
            not visible_documents(actor(eoffice, persona))
            .filter(pk__in=[d.pk for d in drafts])
            .exists()
        ), persona
    # and across the two other agencies neither sees the other's
    commune_sees = visible_documents(actor(eoffice, "commune_clerk")).filter(
        pk__in=[d.pk for d in drafts]
    )
    assert set(commune_sees.values_list("agency_id", flat=True)) <= {eoffice.phu_xuan.pk}
    assert (
        not visible_documents(actor(eoffice, "finance_specialist"))
        .filter(agency=eoffice.phu_xuan)
        .exists()
    )


def test_the_recipient_sees_its_copy_not_the_original(eoffice: EofficeWorld) -> None:
    d = _issued(eoffice)
    copy = Document.objects.get(origin=d)
    commune = actor(eoffice, "commune_clerk")
    assert access_document(commune, copy.pk) == copy
    with pytest.raises(Http404):
        access_document(commune, d.pk)
    # the Sở Nội vụ specialist who drafted the original does not see Phú Xuân's copy
    with pytest.raises(Http404):
        access_document(actor(eoffice, "specialist"), copy.pk)


@pytest.mark.parametrize("step", ["received", "refused", "recalled", "assigned"])
def test_the_sending_clerk_does_not_see_the_recipients_copy(
    eoffice: EofficeWorld, step: str
) -> None:
    # given Sở Nội vụ's copy of a document that Phú Xuân's clerk issued
    copy = eoffice.received(sender="commune")
    if step == "refused":
        services.incoming_refuse(actor=eoffice.clerk, document_id=copy.pk, reason="Gửi nhầm")
    elif step == "recalled":
        assert copy.origin is not None
        services.outgoing_recall(
            actor=eoffice.commune_clerk, document_id=copy.origin.pk, reason="Nhầm"
        )
    elif step == "assigned":
        services.incoming_accept(actor=eoffice.clerk, document_id=copy.pk)
        services.incoming_assign(
            actor=eoffice.director,
            document_id=copy.pk,
            data=services.AssignInput(main=eoffice.specialist.pk),
        )
    # then Phú Xuân's clerk does not reach it (Phú Xuân keeps its own original)
    with pytest.raises(Http404):
        access_document(actor(eoffice, "commune_clerk"), copy.pk)


def test_the_compiled_condition_lets_through_what_the_orm_does(eoffice: EofficeWorld) -> None:
    """`visible_where` (the search's SQL, kept per process) and `visible_documents` agree,
    for every persona, on documents in every status — and again after a post changes."""
    from django.db import connection

    from tinhso.accounts.models import Membership, Role
    from tinhso.documents.access import visible_where

    for _label, make, _status, _expected in MATRIX:
        make(eoffice)

    def compiled(who: Actor) -> set[int]:
        where = visible_where(who, Document)
        if where is None:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "documents_document"."id" FROM "documents_document" WHERE {where[0]}',  # noqa: S608
                list(where[1]),
            )
            return {row[0] for row in cursor.fetchall()}

    total = Document.objects.count()
    for persona in PERSONAS:
        who = actor(eoffice, persona)
        orm = set(visible_documents(who).values_list("pk", flat=True))
        assert compiled(who) == orm, persona
        assert compiled(who) == orm, persona  # the second time from the process's cache
    # a specialist made clerk of Sở Nội vụ sees its incoming documents at once
    before = compiled(actor(eoffice, "other_department"))
    Membership.objects.create(user=eoffice.other_specialist, agency=eoffice.snv, role=Role.VAN_THU)
    after = compiled(actor(eoffice, "other_department"))
    assert before < after <= set(Document.objects.values_list("pk", flat=True))
    assert Document.objects.count() == total


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_listed_condition_lets_through_what_the_orm_does(eoffice: EofficeWorld) -> None:
    """`visible_where_listed` (the assignments and review steps as ids, the search's form for
    specialists) and `visible_documents` agree for every persona, on documents in every status."""
    from tinhso.documents.access import related_document_ids, visible_where_listed

    for _label, make, _status, _expected in MATRIX:
        make(eoffice)

    listed_somewhere = False
    for persona in PERSONAS:
        who = actor(eoffice, persona)
        orm = set(visible_documents(who).values_list("pk", flat=True))
        ids = related_document_ids(who, 1000)
        assert ids is not None
        listed_somewhere = listed_somewhere or bool(ids)
        where = visible_where_listed(who, Document, ids)
        if where is None:  # not an official: sees nothing
            assert orm == set(), persona
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "documents_document"."id" FROM "documents_document" WHERE {where[0]}',  # noqa: S608
                list(where[1]),
            )
            assert {row[0] for row in cursor.fetchall()} == orm, persona
    # the matrix assigns and reviews documents: the listed ids were tested, not only empty lists
    assert listed_somewhere


def test_related_documents_past_the_limit_are_not_listed(eoffice: EofficeWorld) -> None:
    from tinhso.documents.access import related_document_ids

    for _label, make, _status, _expected in MATRIX:
        make(eoffice)
    counts = {p: related_document_ids(actor(eoffice, p), 1000) for p in PERSONAS}
    persona, ids = max(counts.items(), key=lambda item: len(item[1] or []))
    assert ids  # someone is assigned or reviews something
    assert related_document_ids(actor(eoffice, persona), len(ids)) == ids
    assert related_document_ids(actor(eoffice, persona), len(ids) - 1) is None
