"""The test runner's `flush` empties the trail in the test environment, and only there."""

from __future__ import annotations

import pytest
from django.conf import LazySettings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tinhso.audit.models import AuditChainHead, AuditEvent
from tinhso.audit.protection import installed_triggers
from tinhso.audit.tests.factories import record

pytestmark = pytest.mark.django_db(transaction=True)


def test_flush_in_tests_empties_the_trail_and_restores_the_triggers() -> None:
    # given
    record()
    # when
    call_command("flush", interactive=False, verbosity=0)
    # then
    assert not AuditEvent.objects.exists() and not AuditChainHead.objects.exists()
    triggers = installed_triggers(connection)
    assert len(triggers) == 2 and all(triggers.values())


def test_flush_elsewhere_is_refused_by_the_triggers(settings: LazySettings) -> None:
    # given
    record()
    rows = AuditEvent.objects.count()
    settings.IS_TEST = False
    # when / then
    with pytest.raises(CommandError, match="couldn't be flushed"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == rows >= 1
