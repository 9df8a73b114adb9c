from __future__ import annotations

from typing import Any

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import Role, User
from tinhso.accounts.selectors import administered_agencies, official_list, user_memberships
from tinhso.organizations.models import Agency
from tinhso.testing.factories import make_membership, make_user, official


def _names(rows: Any) -> list[str]:
    return [user.username for user in rows]


def test_an_agency_administrator_lists_only_their_agencys_officials(
    admin_a: User, agency_a: Agency, agency_b: Agency
) -> None:
    # given officials in A and B, a citizen, and an official whose A membership ended
    official(Role.CHUYEN_VIEN, agency=agency_a, username="a1", full_name="An")
    official(Role.CHUYEN_VIEN, agency=agency_b, username="b1", full_name="Bình")
    make_user(citizen=True, username="cd1")
    left = official(Role.CHUYEN_VIEN, agency=agency_a, username="a2", full_name="Ánh")
    left.memberships.update(is_active=False)

    # when A's administrator lists
    rows = official_list(actor=actor_for(admin_a))

    # then only A's current officials (themselves included)
    assert _names(rows) == ["a1", "qt_a"]


def test_the_provincial_administrator_lists_everyone_and_filters_by_agency(
    provincial_admin: User, agency_a: Agency, agency_b: Agency
) -> None:
    official(Role.CHUYEN_VIEN, agency=agency_a, username="a1", full_name="An")
    official(Role.CHUYEN_VIEN, agency=agency_b, username="b1", full_name="Bình")
    actor = actor_for(provincial_admin)
    assert {"a1", "b1", "qt_tinh"} <= set(_names(official_list(actor=actor)))
    assert _names(official_list(actor=actor, agency_id=agency_b.pk)) == ["b1"]


def test_search_ignores_diacritics_and_case(admin_a: User, agency_a: Agency) -> None:
    # given officials with Vietnamese names
    official(Role.CHUYEN_VIEN, agency=agency_a, username="nva", full_name="Nguyễn Văn Ánh")
    official(Role.CHUYEN_VIEN, agency=agency_a, username="ttb", full_name="Trần Thị Bích")
    official(Role.CHUYEN_VIEN, agency=agency_a, username="dvd", full_name="Đặng Văn Đức")
    actor = actor_for(admin_a)

    # then folded terms, in any order, find them; usernames too
    assert _names(official_list(actor=actor, search="nguyen anh")) == ["nva"]
    assert _names(official_list(actor=actor, search="ANH NGUYỄN")) == ["nva"]
    assert _names(official_list(actor=actor, search="dang van duc")) == ["dvd"]
    assert _names(official_list(actor=actor, search="ttb")) == ["ttb"]
    assert _names(official_list(actor=actor, search="van")) == ["dvd", "nva"]
    assert _names(official_list(actor=actor, search="khong co ai")) == []


def test_active_memberships_are_prefetched(
    admin_a: User, agency_a: Agency, django_assert_num_queries: Any
) -> None:
    # given officials with two roles each
    for n in range(5):
        user = official(Role.CHUYEN_VIEN, agency=agency_a, username=f"cv{n}")
        make_membership(user=user, agency=agency_a, role=Role.LANH_DAO)
    actor = actor_for(admin_a)

    # when listing and reading every membership: one query for the officials, one for the rows
    with django_assert_num_queries(2):
        rows = list(official_list(actor=actor))
        roles = [m.role for user in rows for m in getattr(user, "active_memberships")]  # noqa: B009

    # then
    assert len(rows) == 6 and roles.count(Role.LANH_DAO) == 5


def test_administered_agencies(admin_a: User, provincial_admin: User, agency_a: Agency) -> None:
    assert list(administered_agencies(actor=actor_for(admin_a))) == [agency_a]
    assert agency_a in administered_agencies(actor=actor_for(provincial_admin))


def test_user_memberships_are_the_active_ones(agency_a: Agency, agency_b: Agency) -> None:
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    make_membership(user=user, agency=agency_b, role=Role.VAN_THU, is_active=False)
    assert [m.agency for m in user_memberships(user=user)] == [agency_a]
