"""How recorded changes read on the detail page."""

from __future__ import annotations

from tinhso.audit.presentation import ChangeRow, change_rows


def test_field_names_and_choice_labels_come_from_the_model() -> None:
    rows = change_rows(
        "accounts.membership", {"role": [None, "chuyen_vien"], "is_active": [True, False]}
    )
    assert rows == [
        ChangeRow("is_active", "còn hiệu lực", "Có", "Không", True),
        ChangeRow("role", "vai trò", "—", "Chuyên viên", True),
    ]


def test_unknown_model_and_fields_show_their_codes() -> None:
    rows = change_rows("gone.model", {"x": [1, 2]})
    assert rows == [ChangeRow("x", "x", "1", "2", True)]


def test_other_shapes_are_shown_as_recorded() -> None:
    rows = change_rows("accounts.user", {"imported": {"count": 3}})
    assert rows == [ChangeRow("imported", "imported", "", '{\n  "count": 3\n}', False)]
    assert change_rows("", []) == []
    assert change_rows("", "một ghi chú") == [ChangeRow("", "", "", "một ghi chú", False)]
