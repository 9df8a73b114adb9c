"""Forms of the accounts pages: parse and check shape only; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Role
from tinhso.organizations.models import Agency, Department, Position
from tinhso.web.forms import apply_service_errors

_INPUT_CLASSES = {
    "select": "form-select",
    "checkbox": "form-check-input",
}


class BootstrapFormMixin:
    """Bootstrap classes on every widget; `is-invalid`, `aria-invalid` and `aria-describedby`
    pointing at the error text on every field that failed, so screen readers announce it."""

    fields: dict[str, forms.Field]

    def _style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = _INPUT_CLASSES.get(getattr(widget, "input_type", ""), "form-control")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._mark_errors()

    def _mark_errors(self) -> None:
        errors = getattr(self, "_errors", None) or {}
        for name in errors:
            if name not in self.fields:
                continue
            bound = self[name]  # type: ignore[index]
            attrs = self.fields[name].widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-invalid"] = "true"
            described = [f"{bound.auto_id}_errors"]
            if self.fields[name].help_text:
                described.append(f"{bound.auto_id}_helptext")
            attrs["aria-describedby"] = " ".join(described)

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's `ValidationError` next to the fields it names (others on top)."""
        apply_service_errors(self, exc)  # type: ignore[arg-type]
        self._mark_errors()


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    """Django's AuthenticationForm (django-axes counts its failures) with our wording."""

    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị cơ quan."),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.fields["username"].error_messages["required"] = _("Vui lòng nhập tên đăng nhập.")
        self.fields["password"].error_messages["required"] = _("Vui lòng nhập mật khẩu.")
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self._style_widgets()


class OtpTokenForm(BootstrapFormMixin, forms.Form):
    otp_token = forms.RegexField(
        label=_("Mã xác thực"),
        regex=r"^\s*\d{6,8}\s*$",
        max_length=12,
        help_text=_("Sáu chữ số đang hiện trong ứng dụng xác thực (đổi sau mỗi 30 giây)."),
        error_messages={
            "required": _("Vui lòng nhập mã xác thực."),
            "invalid": _("Mã xác thực gồm 6 chữ số."),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean_otp_token(self) -> str:
        return str(self.cleaned_data["otp_token"]).strip()


class PasswordChangeForm(BootstrapFormMixin, forms.Form):
    old_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        error_messages={"required": _("Vui lòng nhập mật khẩu hiện tại.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        error_messages={"required": _("Vui lòng nhập mật khẩu mới.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        error_messages={"required": _("Vui lòng nhập lại mật khẩu mới.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = password_validators_help_text_html()
        self._style_widgets()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("Hai lần nhập mật khẩu mới không khớp nhau."))
        return cleaned


def _role_choices(actor: Actor) -> list[tuple[str, str]]:
    return [
        (value, str(label))
        for value, label in Role.choices
        if value != Role.QUAN_TRI_TINH or actor.is_provincial_admin
    ]


class _PlacementFields(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Phòng ban"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("— Không thuộc phòng ban nào —"),
        error_messages={"invalid_choice": _("Phòng ban đã chọn không thuộc cơ quan này.")},
    )
    role = forms.ChoiceField(
        label=_("Vai trò"),
        choices=(),
        error_messages={
            "required": _("Vui lòng chọn vai trò."),
            "invalid_choice": _("Vai trò đã chọn không hợp lệ."),
        },
    )
    position = forms.ModelChoiceField(
        label=_("Chức vụ"),
        queryset=Position.objects.order_by("rank", "name"),
        required=False,
        empty_label=_("— Không ghi —"),
    )

    def _set_placement_choices(self, actor: Actor, agency: Agency | None) -> None:
        departments = self.fields["department"]
        assert isinstance(departments, forms.ModelChoiceField)
        if agency is not None:
            departments.queryset = Department.objects.filter(agency=agency, is_active=True)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", _("— Chọn vai trò —")), *_role_choices(actor)]


class OfficialCreateForm(BootstrapFormMixin, _PlacementFields):
    """A new official with the first membership in the agency of the page."""

    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        help_text=_("Chữ thường không dấu, chữ số và . - _ ; ví dụ: nguyenvana hoặc an.nv"),
        error_messages={"required": _("Vui lòng nhập tên đăng nhập.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        required=False,
        help_text=_("10 chữ số, bắt đầu bằng 0."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"),
        max_length=20,
        required=False,
        help_text=_("12 chữ số; có thể để trống."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    password1 = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        strip=False,
        error_messages={"required": _("Vui lòng nhập mật khẩu ban đầu.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        error_messages={"required": _("Vui lòng nhập lại mật khẩu.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    otp_required = forms.BooleanField(
        label=_("Bắt buộc xác thực hai lớp"),
        required=False,
        help_text=_("Quản trị viên luôn phải dùng xác thực hai lớp, dù không chọn ô này."),
    )

    field_order = [
        "full_name",
        "username",
        "email",
        "phone",
        "id_number",
        "department",
        "role",
        "position",
        "password1",
        "password2",
        "otp_required",
    ]

    def __init__(self, *args: Any, actor: Actor, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_placement_choices(actor, agency)
        self.fields["password1"].help_text = password_validators_help_text_html()
        self._style_widgets()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Hai lần nhập mật khẩu không khớp nhau."))
        return cleaned


class MembershipAddForm(BootstrapFormMixin, _PlacementFields):
    """One more role for an official, in an agency the actor administers."""

    agency = forms.ModelChoiceField(
        label=_("Cơ quan"),
        queryset=Agency.objects.none(),
        error_messages={
            "required": _("Vui lòng chọn cơ quan."),
            "invalid_choice": _("Bạn không quản trị cơ quan đã chọn."),
        },
    )
    field_order = ["agency", "department", "role", "position"]

    def __init__(
        self,
        *args: Any,
        actor: Actor,
        agencies: QuerySet[Agency],
        agency: Agency | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        self._set_placement_choices(actor, agency)
        if agency is not None:
            self.fields["agency"].initial = agency.pk
        self._style_widgets()


class OfficialFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Tìm theo họ tên hoặc tên đăng nhập"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("ví dụ: nguyen van a")}),
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("— Tất cả cơ quan —"),
        error_messages={"invalid_choice": _("Cơ quan đã chọn không có trong danh sách.")},
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        self._style_widgets()
