from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.organizations.services import agency_update
from tinhso.testing.factories import make_agency, official

pytestmark = pytest.mark.django_db


def test_provincial_admin_renames_and_search_text_follows(
    province_admin: User, agency_a: Agency
) -> None:
    # when
    agency_update(
        actor=province_admin, agency=agency_a, changes={"name": "Sở Nội vụ thành phố Huế"}
    )

    # then
    agency_a.refresh_from_db()
    assert agency_a.name == "Sở Nội vụ thành phố Huế"
    assert agency_a.search_text == "so noi vu thanh pho hue snv h57.a1"
    event = AuditEvent.objects.get(action="organizations.agency_update")
    assert event.changes["name"] == ["Sở Nội vụ", "Sở Nội vụ thành phố Huế"]
    assert set(event.changes) == {"name", "search_text"}


def test_unchanged_values_write_nothing(province_admin: User, agency_a: Agency) -> None:
    # given: a first update fills the search column the factory left empty
    agency_update(actor=province_admin, agency=agency_a, changes={})
    audited = AuditEvent.objects.count()

    # when
    agency_update(actor=province_admin, agency=agency_a, changes={"name": agency_a.name})

    # then
    assert AuditEvent.objects.count() == audited


def test_agency_admin_edits_own_contact_details(agency_a: Agency, agency_admin_a: User) -> None:
    # when
    agency_update(
        actor=agency_admin_a,
        agency=agency_a,
        changes={"phone": "0234 3822 102", "email": "snv@hue.example", "name": agency_a.name},
    )

    # then
    agency_a.refresh_from_db()
    assert (agency_a.phone, agency_a.email) == ("0234 3822 102", "snv@hue.example")


def test_agency_admin_may_not_change_identity(agency_a: Agency, agency_admin_a: User) -> None:
    # when
    with pytest.raises(PermissionDenied):
        agency_update(actor=agency_admin_a, agency=agency_a, changes={"code": "H57.99"})

    # then
    agency_a.refresh_from_db()
    assert agency_a.code == "H57.A1"
    assert not AuditEvent.objects.exists()


def test_agency_admin_of_another_agency_may_not_edit(agency_a: Agency, agency_b: Agency) -> None:
    # given
    admin_b = official(Role.QUAN_TRI_CO_QUAN, agency=agency_b)

    # then
    with pytest.raises(PermissionDenied):
        agency_update(actor=admin_b, agency=agency_a, changes={"phone": "0234"})


@pytest.mark.parametrize("new_parent", ["self", "grandchild"])
def test_parent_cycle_is_refused(province_admin: User, new_parent: str) -> None:
    # given: A ← B ← C
    a = make_agency()
    b = make_agency(parent=a)
    c = make_agency(parent=b)

    # when
    with pytest.raises(ValidationError) as caught:
        agency_update(
            actor=province_admin,
            agency=a,
            changes={"parent": a if new_parent == "self" else c},
        )

    # then
    assert "vòng lặp" in caught.value.message_dict["parent"][0]
    a.refresh_from_db()
    assert a.parent_id is None


def test_bad_email_is_refused_and_nothing_saved(agency_a: Agency, agency_admin_a: User) -> None:
    # when
    with pytest.raises(ValidationError) as caught:
        agency_update(
            actor=agency_admin_a, agency=agency_a, changes={"email": "a@", "phone": "0234"}
        )

    # then
    assert "email" in caught.value.message_dict
    agency_a.refresh_from_db()
    assert agency_a.phone == ""


def test_unknown_field_is_a_programming_error(province_admin: User, agency_a: Agency) -> None:
    with pytest.raises(ValueError, match="search_text"):
        agency_update(actor=province_admin, agency=agency_a, changes={"search_text": "x"})
