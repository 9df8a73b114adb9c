from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import AccountKind, Role, User
from tinhso.accounts.services import citizen_create
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.testing.factories import official

PASSWORD = "Mot-mat-khau-moi-2026!"


def test_a_one_stop_official_creates_a_citizen_without_memberships(agency_a: Agency) -> None:
    # given a one-stop-shop official
    counter = official(Role.MOT_CUA, agency=agency_a)

    # when
    citizen = citizen_create(
        actor=counter,
        username="congdan01",
        full_name="Lê Văn Dân",
        id_number="046 203 004 567",
        password=PASSWORD,
    )

    # then
    assert citizen.kind == AccountKind.CITIZEN
    assert citizen.id_number == "046203004567"
    assert not citizen.memberships.exists()
    assert AuditEvent.objects.filter(action="accounts.citizen_create").count() == 1


@pytest.mark.parametrize("id_number", ["", "12345678901", "1234567890123"])
def test_the_id_number_must_be_twelve_digits(db: None, id_number: str) -> None:
    with pytest.raises(ValidationError) as caught:
        citizen_create(
            actor="system:portal",
            username="congdan02",
            full_name="Lê Văn Dân",
            id_number=id_number,
            password=PASSWORD,
        )
    assert "Số định danh cá nhân (CCCD)" in caught.value.message_dict["id_number"][0]
    assert not User.objects.filter(username="congdan02").exists()


def test_one_citizen_account_per_id_number(db: None) -> None:
    # given a citizen account
    citizen_create(
        actor="system:portal",
        username="congdan03",
        full_name="A",
        id_number="046203004567",
        password=PASSWORD,
    )

    # when another account claims the same number
    with pytest.raises(ValidationError) as caught:
        citizen_create(
            actor="system:portal",
            username="congdan04",
            full_name="B",
            id_number="046203004567",
            password=PASSWORD,
        )

    # then
    assert caught.value.message_dict["id_number"] == [
        "Số định danh cá nhân 046203004567 đã có tài khoản công dân."
    ]


def test_a_specialist_cannot_create_citizens(agency_a: Agency) -> None:
    with pytest.raises(PermissionDenied):
        citizen_create(
            actor=official(Role.CHUYEN_VIEN, agency=agency_a),
            username="congdan05",
            full_name="A",
            id_number="046203004567",
            password=PASSWORD,
        )
