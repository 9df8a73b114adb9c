"""procedure_version_new: a new draft copied from the latest version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.procedures.models import VersionStatus
from tinhso.procedures.services import procedure_version_new, version_input_of
from tinhso.procedures.tests.factories import Province, create_draft, create_published


def test_new_version_copies_the_latest_one_without_its_dates(
    province: Province, admin: User
) -> None:
    # given a published version applying from 1 July 2025
    published = create_published(province, valid_from=dt.date(2025, 7, 1))

    # when the administrator starts a new version
    draft = procedure_version_new(actor=admin, procedure=published.procedure)

    # then it is draft number 2 with the same content, and the dates left to set
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    assert draft.valid_from is None
    copy, original = version_input_of(draft), version_input_of(published)
    assert copy.components == original.components
    assert copy.steps == original.steps
    assert copy.fees == original.fees
    event = AuditEvent.objects.get(action="procedures.version.new")
    assert event.changes["copied_from"] == [None, 1]
    assert event.actor_id == admin.pk


def test_a_procedure_has_one_draft_at_a_time(province: Province, admin: User) -> None:
    draft = create_draft(province)
    with pytest.raises(ValidationError) as caught:
        procedure_version_new(actor=admin, procedure=draft.procedure)
    assert "đang có phiên bản dự thảo số 1" in caught.value.messages[0]
    assert draft.procedure.versions.count() == 1


def test_only_the_provincial_administrator_starts_a_version(
    province: Province, specialist: User
) -> None:
    published = create_published(province)
    with pytest.raises(PermissionDenied):
        procedure_version_new(actor=specialist, procedure=published.procedure)
    assert published.procedure.versions.count() == 1
