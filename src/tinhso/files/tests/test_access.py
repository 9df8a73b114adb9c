"""Who reads a stored file (access_file), who attaches it (usable_files), and the rules
other apps register."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tinhso.accounts.access import ANONYMOUS, Actor, actor_for
from tinhso.accounts.models import Role, User
from tinhso.files.access import (
    access_file,
    register_file_access_rule,
    unregister_file_access_rule,
    usable_files,
)
from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.files.tests import samples
from tinhso.organizations.models import Agency
from tinhso.testing.factories import make_citizen, make_membership, official


def _store(user: User, data: bytes | None = None) -> StoredFile:
    return file_store(actor=user, upload=samples.upload(data or samples.pdf(), "tep"))


@pytest.fixture
def file_a(specialist_a: User) -> StoredFile:
    return _store(specialist_a)


def test_the_uploader_reads_the_file(specialist_a: User, file_a: StoredFile) -> None:
    assert access_file(actor_for(specialist_a), file_a.pk) == file_a


def test_every_official_of_the_files_agency_reads_it(clerk_a: User, file_a: StoredFile) -> None:
    assert access_file(actor_for(clerk_a), file_a.pk) == file_a


def test_a_provincial_administrator_reads_any_file(province_admin: User, citizen: User) -> None:
    stored = _store(citizen)
    assert access_file(actor_for(province_admin), stored.pk) == stored


def test_an_official_of_another_agency_gets_404(specialist_b: User, file_a: StoredFile) -> None:
    with pytest.raises(Http404):
        access_file(actor_for(specialist_b), file_a.pk)


def test_a_citizen_reads_only_their_own_uploads(citizen: User, file_a: StoredFile) -> None:
    own = _store(citizen)
    assert access_file(actor_for(citizen), own.pk) == own
    with pytest.raises(Http404):
        access_file(actor_for(citizen), file_a.pk)


def test_a_citizens_upload_is_not_shared_with_officials(citizen: User, specialist_a: User) -> None:
    stored = _store(citizen)
    with pytest.raises(Http404):
        access_file(actor_for(specialist_a), stored.pk)


def test_an_unknown_id_and_an_anonymous_visitor_get_404(file_a: StoredFile) -> None:
    with pytest.raises(Http404):
        access_file(actor_for(file_a.uploaded_by), file_a.pk + 1000)
    with pytest.raises(Http404):
        access_file(ANONYMOUS, file_a.pk)


# --- Rules registered by other apps -----------------------------------------------------------


@pytest.fixture
def dossier_rule(citizen: User, agency_a: Agency) -> Iterator[None]:
    """Stands for the dossiers app: officials of agency A read what the citizen attached."""

    def rule(actor: Actor, stored: StoredFile) -> bool:
        return stored.uploaded_by_id == citizen.pk and agency_a.pk in actor.agency_ids

    register_file_access_rule(rule)
    register_file_access_rule(rule)  # registering twice is harmless
    yield
    unregister_file_access_rule(rule)


@pytest.mark.usefixtures("dossier_rule")
def test_a_registered_rule_grants_reading(
    citizen: User, specialist_a: User, specialist_b: User
) -> None:
    # given the citizen's component and a rule that shares it with agency A
    stored = _store(citizen)

    # then agency A's official reads it; agency B's still does not
    assert access_file(actor_for(specialist_a), stored.pk) == stored
    with pytest.raises(Http404):
        access_file(actor_for(specialist_b), stored.pk)


def test_without_the_rule_nothing_is_shared(citizen: User, specialist_a: User) -> None:
    stored = _store(citizen)
    with pytest.raises(Http404):
        access_file(actor_for(specialist_a), stored.pk)


# --- usable_files -----------------------------------------------------------------------------


def test_usable_files_are_own_and_own_agencys_in_the_order_asked(
    specialist_a: User, clerk_a: User
) -> None:
    # given one upload of the clerk and one of the specialist, same agency
    mine = _store(specialist_a, samples.png())
    colleague = _store(clerk_a, samples.pdf())

    # when the specialist attaches both (one twice)
    files = usable_files(actor_for(specialist_a), [colleague.pk, mine.pk, colleague.pk])

    # then both come back once, in the order asked
    assert files == [colleague, mine]


def test_unknown_and_foreign_ids_are_named_in_one_message(
    specialist_a: User, specialist_b: User, citizen: User
) -> None:
    # given one own file, one of another agency, one of a citizen, and an id that does not exist
    mine = _store(specialist_a)
    foreign = _store(specialist_b)
    citizens = _store(citizen)
    missing = citizens.pk + 1000

    # when / then
    with pytest.raises(ValidationError) as caught:
        usable_files(
            actor_for(specialist_a),
            [mine.pk, foreign.pk, citizens.pk, missing],
            field="components",
        )
    assert caught.value.message_dict == {
        "components": [
            f"Không tìm thấy tệp số {foreign.pk}, {citizens.pk}, {missing} "
            "hoặc bạn không được dùng tệp này."
        ]
    }


def test_a_citizen_attaches_only_their_own_uploads(citizen: User, specialist_a: User) -> None:
    own = _store(citizen)
    other = _store(make_citizen(id_number="079203000001"))
    assert usable_files(actor_for(citizen), [own.pk]) == [own]
    with pytest.raises(ValidationError):
        usable_files(actor_for(citizen), [other.pk])


def test_a_provincial_administrator_reads_but_does_not_attach_others_files(
    province_admin: User, file_a: StoredFile
) -> None:
    with pytest.raises(ValidationError):
        usable_files(actor_for(province_admin), [file_a.pk])


def test_an_official_of_two_agencies_attaches_files_of_either(
    agency_a: Agency, agency_b: Agency, file_a: StoredFile
) -> None:
    # given an official with posts in agencies A and B
    user = official(Role.LANH_DAO, agency=agency_b)
    make_membership(user=user, agency=agency_a, role=Role.LANH_DAO)

    # then agency A's file is usable
    assert usable_files(actor_for(user), [file_a.pk]) == [file_a]


def test_no_ids_no_files(specialist_a: User) -> None:
    assert usable_files(actor_for(specialist_a), []) == []
