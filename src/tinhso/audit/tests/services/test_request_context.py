"""A service run inside a request records the request id and the client address."""

from __future__ import annotations

import pytest
from django.test import Client

from tinhso.audit.models import AuditEvent
from tinhso.audit.verification import verify_trail
from tinhso.testing.factories import official

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tinhso.audit.tests.request_urls")]


def test_request_id_and_address_of_the_request_are_recorded(client: Client) -> None:
    # given
    user = official()
    client.force_login(user)
    # when
    response = client.get(
        "/test-touch/", HTTP_X_REQUEST_ID="req-abc-12345678", REMOTE_ADDR="198.51.100.7"
    )
    # then
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-abc-12345678"
    event = AuditEvent.objects.get()
    assert (event.request_id, event.ip_address, event.actor_id) == (
        "req-abc-12345678",
        "198.51.100.7",
        user.pk,
    )


def test_address_from_the_proxy_header_is_recorded_in_stored_form(client: Client) -> None:
    # when: nginx passes the client's IPv6 address in X-Real-IP
    client.get("/test-touch/", HTTP_X_REAL_IP="2001:DB8::0:7")
    # then
    event = AuditEvent.objects.get()
    assert event.ip_address == "2001:db8::7"
    assert len(event.request_id) == 32  # generated when the client sent none
    assert verify_trail().intact


def test_unsafe_request_id_is_replaced(client: Client) -> None:
    client.get("/test-touch/", HTTP_X_REQUEST_ID="<script>")
    assert AuditEvent.objects.get().request_id != "<script>"
