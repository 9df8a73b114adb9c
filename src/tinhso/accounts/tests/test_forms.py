from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from tinhso.accounts.access import actor_for
from tinhso.accounts.forms import (
    LoginForm,
    MembershipAddForm,
    OfficialCreateForm,
    OtpTokenForm,
)
from tinhso.accounts.models import Role, User
from tinhso.accounts.selectors import administered_agencies
from tinhso.organizations.models import Agency, Department
from tinhso.testing.factories import make_department


def _choices(form: forms.Form, name: str) -> list[tuple[Any, Any]]:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return cast(list[tuple[Any, Any]], list(field.choices))  # type: ignore[arg-type]


def test_the_login_form_is_djangos_with_our_wording() -> None:
    form = LoginForm()
    assert isinstance(form, AuthenticationForm)
    assert list(form.fields) == ["username", "password"]
    assert form.fields["username"].widget.attrs["autocomplete"] == "username"
    assert "form-control" in form.fields["password"].widget.attrs["class"]
    assert str(form.error_messages["invalid_login"]).startswith(
        "Tên đăng nhập hoặc mật khẩu không đúng."
    )


def test_the_code_field_accepts_six_digits_with_spaces_around() -> None:
    good = OtpTokenForm({"otp_token": " 123456 "})
    assert good.is_valid() and good.cleaned_data["otp_token"] == "123456"
    form = OtpTokenForm({"otp_token": "12a456"})
    assert not form.is_valid()
    assert form.errors["otp_token"] == ["Mã xác thực gồm 6 chữ số."]
    assert form.fields["otp_token"].widget.attrs["aria-invalid"] == "true"


def test_an_agency_administrator_is_not_offered_the_provincial_role(
    admin_a: User, provincial_admin: User, agency_a: Agency, department_a: Department
) -> None:
    # given a closed department and one of another agency
    make_department(agency=agency_a, name="Phòng đã giải thể", is_active=False)
    form = OfficialCreateForm(actor=actor_for(admin_a), agency=agency_a)

    # then only open departments of the agency, and no provincial role
    roles = [value for value, _label in _choices(form, "role")]
    assert Role.QUAN_TRI_TINH not in roles and Role.QUAN_TRI_CO_QUAN in roles
    departments = form.fields["department"]
    assert isinstance(departments, forms.ModelChoiceField)
    assert departments.queryset is not None
    assert list(departments.queryset) == [department_a]
    provincial = OfficialCreateForm(actor=actor_for(provincial_admin), agency=agency_a)
    assert Role.QUAN_TRI_TINH in [value for value, _label in _choices(provincial, "role")]


def test_membership_form_offers_only_administered_agencies(
    admin_a: User, agency_a: Agency, agency_b: Agency
) -> None:
    actor = actor_for(admin_a)
    form = MembershipAddForm(
        {"agency": agency_b.pk, "role": Role.VAN_THU},
        actor=actor,
        agencies=administered_agencies(actor=actor),
        agency=agency_a,
    )
    assert not form.is_valid()
    assert form.errors["agency"] == ["Bạn không quản trị cơ quan đã chọn."]


def test_service_errors_land_on_their_fields(admin_a: User, agency_a: Agency) -> None:
    form = OfficialCreateForm({}, actor=actor_for(admin_a), agency=agency_a)
    form.is_valid()
    form.add_service_errors(
        ValidationError({"phone": ["Số điện thoại sai."], "somewhere": ["Lỗi chung."]})
    )
    assert "Số điện thoại sai." in form.errors["phone"]
    assert "Lỗi chung." in form.non_field_errors()
    assert form.fields["phone"].widget.attrs["aria-describedby"] == (
        "id_phone_errors id_phone_helptext"
    )
