"""The receipt's two mails are built as text (`notify._TEXTS`): exactly what their templates
rendered, for any name, procedure, reason and moment."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import override
from hypothesis import given, settings
from hypothesis import strategies as st

from tinhso.dossiers import notify

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)
MOMENT = st.one_of(
    st.none(),
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31),
        timezones=st.just(dt.UTC),
    ),
)  # fmt: skip


def _dossier(**fields: Any) -> Any:
    return SimpleNamespace(
        applicant_name=fields["name"],
        code=fields["code"],
        reason=fields["reason"],
        received_at=fields["received_at"],
        due_at=fields["due_at"],
        receiving_agency=SimpleNamespace(name=fields["agency"]),
        procedure_version=SimpleNamespace(name=fields["procedure"]),
    )


@settings(max_examples=200, deadline=None)
@given(
    name=TEXT, code=TEXT, reason=TEXT, agency=TEXT, procedure=TEXT,
    received_at=MOMENT, due_at=MOMENT, url=TEXT,
)  # fmt: skip
def test_the_texts_are_what_the_templates_render(url: str, **fields: Any) -> None:
    d = _dossier(**fields)
    with override("vi"):
        for template, text in notify._TEXTS.items():
            assert text(d, url) == render_to_string(
                f"dossiers/mail/{template}.txt", {"d": d, "tracking_url": url}
            )
