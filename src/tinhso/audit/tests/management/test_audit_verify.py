"""`manage.py audit_verify`: intact with the count, or the first broken link and exit code 1."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tinhso.audit.protection import append_only_suspended
from tinhso.audit.tests.factories import record_many

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_verify", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_intact_trail_is_reported_with_the_count() -> None:
    # given
    record_many(3)
    # when
    out, err = run()
    # then
    assert "intact" in out and "đã kiểm tra 3 dòng" in out
    assert err == ""


def test_large_trail_prints_progress() -> None:
    record_many(5)
    _, err = run("--progress-every", "2", "--chunk-size", "2")
    assert err.splitlines() == ["… đã kiểm tra 2/5 dòng", "… đã kiểm tra 4/5 dòng"]


def test_broken_trail_names_the_first_broken_row_and_fails() -> None:
    # given
    record_many(4)
    with append_only_suspended(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE seq = 2")
    # when
    with pytest.raises(CommandError) as raised:
        run()
    # then
    assert raised.value.returncode == 1
    message = str(raised.value)
    assert "broken" in message and "dòng số 2" in message and "nội dung đã bị sửa" in message
    assert "1 dòng trước đó nguyên vẹn" in message
