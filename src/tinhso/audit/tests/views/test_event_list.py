"""The audit list page: who may see it, which rows, the filters, the pages, the empty state."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tinhso.accounts.models import Role
from tinhso.audit.models import AuditEvent
from tinhso.audit.tests.factories import login_verified, record, record_many
from tinhso.organizations.models import Agency
from tinhso.testing.factories import AgencyFactory, UserFactory, official

pytestmark = pytest.mark.django_db

URL = reverse("audit:event_list")


def seqs(response: Any) -> list[int]:
    """The sequence numbers shown in the table, in order."""
    return [int(s) for s in re.findall(r'aria-label="[^"]*số (\d+)"', response.content.decode())]


@pytest.fixture
def agencies() -> tuple[Agency, Agency]:
    return AgencyFactory.create(), AgencyFactory.create()


@pytest.fixture
def trail(agencies: tuple[Agency, Agency]) -> dict[str, AuditEvent]:
    """One row of each agency and one without agency (a system process)."""
    own, other = agencies
    return {
        "own": record(agency=own, action="organizations.agency.update"),
        "other": record(agency=other, action="organizations.agency.update"),
        "system": record(action="workcalendar.seed"),
    }


class TestAccess:
    def test_anonymous_is_sent_to_sign_in(self, client: Client) -> None:
        response = client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_citizen_is_refused(self, client: Client) -> None:
        client.force_login(UserFactory.create(citizen=True))
        assert client.get(URL).status_code == 403

    @pytest.mark.parametrize("role", [Role.CHUYEN_VIEN, Role.LANH_DAO, Role.VAN_THU, Role.MOT_CUA])
    def test_officials_who_administer_nothing_are_refused(self, client: Client, role: str) -> None:
        client.force_login(official(role))
        assert client.get(URL).status_code == 403

    def test_administrator_without_second_factor_must_complete_it_first(
        self, client: Client
    ) -> None:
        client.force_login(official(Role.QUAN_TRI_TINH))
        response = client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_factor"))

    def test_provincial_admin_sees_every_row(
        self, client: Client, trail: dict[str, AuditEvent]
    ) -> None:
        login_verified(client, official(Role.QUAN_TRI_TINH))
        response = client.get(URL)
        assert response.status_code == 200
        assert seqs(response) == [3, 2, 1]

    def test_agency_admin_sees_only_rows_of_their_agency(
        self, client: Client, agencies: tuple[Agency, Agency], trail: dict[str, AuditEvent]
    ) -> None:
        login_verified(client, official(Role.QUAN_TRI_CO_QUAN, agency=agencies[0]))
        response = client.get(URL)
        assert response.status_code == 200
        assert seqs(response) == [trail["own"].seq]

    def test_agency_admin_cannot_widen_the_scope_through_the_agency_filter(
        self, client: Client, agencies: tuple[Agency, Agency], trail: dict[str, AuditEvent]
    ) -> None:
        login_verified(client, official(Role.QUAN_TRI_CO_QUAN, agency=agencies[0]))
        response = client.get(URL, {"agency": agencies[1].pk})
        assert seqs(response) == []
        assert "Cơ quan đã chọn không nằm trong phạm vi được xem." in response.content.decode()


class TestFilters:
    @pytest.fixture(autouse=True)
    def admin(self, client: Client) -> None:
        login_verified(client, official(Role.QUAN_TRI_TINH))

    def test_date_range_in_province_days(
        self, client: Client, at_time: Callable[[dt.datetime], None]
    ) -> None:
        # given: rows at 23:30 on 1 and 2 September, Hanoi time
        hanoi = timezone.get_default_timezone()
        for day in (1, 2, 3):
            at_time(dt.datetime(2025, 9, day, 23, 30, tzinfo=hanoi).astimezone(dt.UTC))
            record()
        # when
        response = client.get(URL, {"date_from": "02/09/2025", "date_to": "02/09/2025"})
        # then
        assert seqs(response) == [2]

    def test_period_without_rows_is_empty(
        self, client: Client, at_time: Callable[[dt.datetime], None]
    ) -> None:
        at_time(dt.datetime(2025, 9, 2, 3, 0, tzinfo=dt.UTC))
        record()
        assert seqs(client.get(URL, {"date_from": "03/09/2025"})) == []
        assert seqs(client.get(URL, {"date_to": "01/09/2025"})) == []
        assert seqs(client.get(URL, {"date_from": "02/09/2025"})) == [1]

    def test_actor_by_username(self, client: Client) -> None:
        user = official(username="nguyenvana")
        record(actor=user)
        record(actor="system:calendar_seed")
        assert seqs(client.get(URL, {"actor": "nguyenvana"})) == [1]
        assert seqs(client.get(URL, {"actor": "system:calendar_seed"})) == [2]

    def test_action_object_and_request_id(self, client: Client) -> None:
        record(action="a.create", object_type="accounts.user", object_id="5")
        record(action="a.update", object_type="accounts.user", object_id="6")
        record(action="a.update", object_type="organizations.agency", object_id="5")
        assert seqs(client.get(URL, {"action": "a.update"})) == [3, 2]
        assert seqs(client.get(URL, {"object_type": "accounts.user", "object_id": "5"})) == [1]

    def test_request_id(self, client: Client) -> None:
        from tinhso import requestcontext

        token = requestcontext.bind(requestcontext.RequestContext("req-wanted-0001", None))
        try:
            record()
        finally:
            requestcontext.reset(token)
        record()
        assert seqs(client.get(URL, {"request_id": "req-wanted-0001"})) == [1]

    def test_agency_for_the_provincial_admin(
        self, client: Client, agencies: tuple[Agency, Agency], trail: dict[str, AuditEvent]
    ) -> None:
        assert seqs(client.get(URL, {"agency": agencies[1].pk})) == [trail["other"].seq]

    def test_badly_written_date_is_shown_next_to_the_field(self, client: Client) -> None:
        # given
        record()
        # when
        response = client.get(URL, {"date_from": "2025/09/31"})
        # then
        html = response.content.decode()
        assert response.status_code == 200
        assert "Từ ngày phải có dạng dd/mm/yyyy, ví dụ 02/09/2025." in html
        assert 'aria-invalid="true"' in html
        assert seqs(response) == []

    def test_reversed_date_range_is_refused(self, client: Client) -> None:
        response = client.get(URL, {"date_from": "05/09/2025", "date_to": "01/09/2025"})
        assert "Đến ngày phải bằng hoặc sau Từ ngày." in response.content.decode()

    def test_empty_state_without_rows_and_with_filters(self, client: Client) -> None:
        assert "Chưa có dòng nhật ký nào." in client.get(URL).content.decode()
        record()
        response = client.get(URL, {"action": "nothing.matches"})
        assert "Không có dòng nhật ký nào khớp với bộ lọc." in response.content.decode()


class TestPages:
    def test_keyset_pages_of_fifty_newest_first(self, client: Client) -> None:
        # given
        login_verified(client, official(Role.QUAN_TRI_TINH))
        record_many(120)
        # when / then: newest page, then older, then oldest, then back
        first = client.get(URL)
        assert seqs(first) == list(range(120, 70, -1))
        assert 'rel="next" href="?before=71"' in first.content.decode()
        second = client.get(URL, {"before": 71})
        assert seqs(second) == list(range(70, 20, -1))
        third = client.get(URL, {"before": 21})
        assert seqs(third) == list(range(20, 0, -1))
        assert 'rel="next"' not in third.content.decode()
        back = client.get(URL, {"after": 20})
        assert seqs(back) == list(range(70, 20, -1))
        assert 'rel="prev" href="?after=70"' in back.content.decode()

    def test_cursor_keeps_the_filters(self, client: Client) -> None:
        login_verified(client, official(Role.QUAN_TRI_TINH))
        record_many(55, action="x.y")
        html = client.get(URL, {"action": "x.y"}).content.decode()
        assert "?action=x.y&amp;before=6" in html

    def test_query_count_does_not_grow_with_the_rows(
        self, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        # given: rows by 50 different officials of 50 agencies
        login_verified(client, official(Role.QUAN_TRI_TINH))
        for _ in range(50):
            user = official()
            record(actor=user, agency=user.memberships.get().agency)
        # when / then
        with django_assert_max_num_queries(10) as captured:
            response = client.get(URL, {"actor": "", "action": ""})
        assert len(seqs(response)) == 50
        # Nothing counts the table: with millions of rows a COUNT(*) would be the slow part.
        assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
