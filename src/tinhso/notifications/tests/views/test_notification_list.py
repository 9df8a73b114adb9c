"""The outbox page: who sees which rows, the filters, the pages, and "send again"."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.notifications.models import Notification, Status
from tinhso.notifications.tests.factories import make_failed, make_notification
from tinhso.organizations.models import Agency
from tinhso.testing.factories import make_agency, make_citizen, official

pytestmark = pytest.mark.django_db

URL = reverse("notifications:notification_list")
Login = Callable[[User], Client]


def recipients(response: Any) -> list[str]:
    """The recipients shown in the table (desktop layout), in order."""
    table = response.content.decode().split("<tbody>", 1)[-1]
    return re.findall(r'<td class="text-break">([^<]+@[^<]+)</td>', table)


@pytest.fixture
def agencies() -> tuple[Agency, Agency]:
    return make_agency(), make_agency()


@pytest.fixture
def outbox(agencies: tuple[Agency, Agency]) -> dict[str, Notification]:
    own, other = agencies
    return {
        "platform": make_notification(recipient="nentang@example.vn", agency=None),
        "other": make_notification(recipient="khac@example.vn", agency=other),
        "own": make_failed(recipient="cua-minh@example.vn", agency=own),
    }


class TestAccess:
    def test_anonymous_is_sent_to_sign_in(self, client: Client) -> None:
        response = client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_citizen_is_refused(self, client: Client) -> None:
        client.force_login(make_citizen())
        assert client.get(URL).status_code == 403

    @pytest.mark.parametrize("role", [Role.CHUYEN_VIEN, Role.LANH_DAO, Role.VAN_THU, Role.MOT_CUA])
    def test_officials_who_administer_nothing_are_refused(self, login: Login, role: str) -> None:
        assert login(official(role)).get(URL).status_code == 403

    def test_provincial_admin_sees_every_row_newest_first(
        self, login: Login, outbox: dict[str, Notification]
    ) -> None:
        response = login(official(Role.QUAN_TRI_TINH)).get(URL)
        assert response.status_code == 200
        assert recipients(response) == [
            "cua-minh@example.vn",
            "khac@example.vn",
            "nentang@example.vn",
        ]

    def test_agency_admin_sees_only_rows_of_their_agency(
        self, login: Login, agencies: tuple[Agency, Agency], outbox: dict[str, Notification]
    ) -> None:
        response = login(official(Role.QUAN_TRI_CO_QUAN, agency=agencies[0])).get(URL)
        assert recipients(response) == ["cua-minh@example.vn"]


class TestContent:
    def test_a_failed_row_shows_its_error_and_the_retry_button(
        self, login: Login, outbox: dict[str, Notification]
    ) -> None:
        # when
        page = login(official(Role.QUAN_TRI_TINH)).get(URL).content.decode()

        # then the failed row has its error, its attempts and one "send again" form
        assert "Gửi không thành công" in page
        assert "ConnectionRefusedError" in page
        assert "đã thử 6 lần" in page
        retry_url = reverse("notifications:notification_retry", args=[outbox["own"].pk])
        assert page.count(f'action="{retry_url}"') == 2  # phone list and desktop table
        other_retry = reverse("notifications:notification_retry", args=[outbox["other"].pk])
        assert other_retry not in page

    def test_the_empty_outbox_says_so(self, login: Login) -> None:
        page = login(official(Role.QUAN_TRI_TINH)).get(URL).content.decode()
        assert "Chưa có thông báo nào được gửi đi." in page

    def test_the_list_costs_the_same_queries_for_one_row_or_many(self, login: Login) -> None:
        # given one row, then forty more across agencies
        client = login(official(Role.QUAN_TRI_TINH))
        make_notification(agency=make_agency())
        client.get(URL)  # warm the session and the caches
        with CaptureQueriesContext(connection) as one:
            client.get(URL)
        for _ in range(40):
            make_failed(agency=make_agency())
        with CaptureQueriesContext(connection) as many:
            response = client.get(URL)

        # then no query per row
        assert len(recipients(response)) == 41
        assert len(many) == len(one)


class TestFilters:
    def test_by_status(self, login: Login, outbox: dict[str, Notification]) -> None:
        response = login(official(Role.QUAN_TRI_TINH)).get(URL, {"status": Status.FAILED})
        assert recipients(response) == ["cua-minh@example.vn"]

    def test_by_kind(self, login: Login, agencies: tuple[Agency, Agency]) -> None:
        make_notification(recipient="a@example.vn", kind="dossier.received")
        make_notification(recipient="b@example.vn", kind="dossier.returned")
        response = login(official(Role.QUAN_TRI_TINH)).get(URL, {"kind": " dossier.returned "})
        assert recipients(response) == ["b@example.vn"]

    def test_an_invalid_status_is_named_and_no_rows_are_shown(
        self, login: Login, outbox: dict[str, Notification]
    ) -> None:
        response = login(official(Role.QUAN_TRI_TINH)).get(URL, {"status": "lost"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "Trạng thái đã chọn không hợp lệ." in page
        assert 'aria-invalid="true"' in page
        assert recipients(response) == []

    def test_nothing_matching_says_so(self, login: Login, outbox: dict[str, Notification]) -> None:
        response = login(official(Role.QUAN_TRI_TINH)).get(URL, {"kind": "khong.co"})
        assert "Không có thông báo nào khớp với bộ lọc." in response.content.decode()

    def test_pages_of_fifty_keep_the_filter(self, login: Login) -> None:
        # given 51 sent rows and one pending
        for i in range(51):
            make_notification(recipient=f"nguoi{i:02d}@example.vn", status=Status.SENT)
        make_notification(recipient="cho@example.vn")
        client = login(official(Role.QUAN_TRI_TINH))

        # when
        first = client.get(URL, {"status": "sent"})
        second = client.get(URL, {"status": "sent", "page": "2"})

        # then
        assert len(recipients(first)) == 50
        assert recipients(second) == ["nguoi00@example.vn"]
        assert "status=sent&amp;page=2" in first.content.decode()


class TestRetry:
    def test_an_agency_admin_sends_their_failed_row_again(
        self, login: Login, agencies: tuple[Agency, Agency], outbox: dict[str, Notification]
    ) -> None:
        # given
        admin = official(Role.QUAN_TRI_CO_QUAN, agency=agencies[0])
        row = outbox["own"]

        # when the button is pressed on the filtered list
        response = login(admin).post(
            reverse("notifications:notification_retry", args=[row.pk]),
            {"back": "status=failed&kind=dossier.received"},
        )

        # then back to the same list, with a message; the row waits for the worker, audited
        assert response.status_code == 302
        assert response["Location"] == f"{URL}?status=failed&kind=dossier.received"
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "Đã đưa thông báo gửi cua-minh@example.vn vào hàng chờ gửi lại."
        ]
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.PENDING, 0)
        assert AuditEvent.objects.filter(
            action="notifications.notification.retry", actor_id=admin.pk
        ).exists()

    def test_a_row_that_did_not_fail_is_not_sent_again(
        self, login: Login, outbox: dict[str, Notification]
    ) -> None:
        row = outbox["other"]
        response = login(official(Role.QUAN_TRI_TINH)).post(
            reverse("notifications:notification_retry", args=[row.pk])
        )
        assert response.status_code == 302
        assert response["Location"] == URL
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "Chỉ gửi lại được thông báo đang ở trạng thái “Gửi không thành công”."
        ]
        row.refresh_from_db()
        assert row.status == Status.PENDING and not AuditEvent.objects.exists()

    def test_another_agencys_row_is_hidden(
        self, login: Login, agencies: tuple[Agency, Agency], outbox: dict[str, Notification]
    ) -> None:
        admin_b = official(Role.QUAN_TRI_CO_QUAN, agency=agencies[1])
        response = login(admin_b).post(
            reverse("notifications:notification_retry", args=[outbox["own"].pk])
        )
        assert response.status_code == 404
        outbox["own"].refresh_from_db()
        assert outbox["own"].status == Status.FAILED

    def test_only_post_is_accepted(self, login: Login, outbox: dict[str, Notification]) -> None:
        response = login(official(Role.QUAN_TRI_TINH)).get(
            reverse("notifications:notification_retry", args=[outbox["own"].pk])
        )
        assert response.status_code == 405

    def test_the_way_back_cannot_leave_the_list(
        self, login: Login, outbox: dict[str, Notification]
    ) -> None:
        response = login(official(Role.QUAN_TRI_TINH)).post(
            reverse("notifications:notification_retry", args=[outbox["own"].pk]),
            {"back": "//ke-gian.example.com/"},
        )
        assert response["Location"].startswith(f"{URL}?")
