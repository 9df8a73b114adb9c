"""The trust list: only the provincial administrator manages it, only CA certificates enter,
each change is audited, and validation uses the roots trusted at the moment checked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import Role
from tinhso.audit.models import AuditEvent
from tinhso.signatures.models import TrustRoot
from tinhso.signatures.selectors import trust_roots_pem
from tinhso.signatures.services import trust_root_add, trust_root_update
from tinhso.signatures.tests.certs import certificate_pem
from tinhso.testing.factories import official

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_the_provincial_administrator_adds_a_root_and_it_is_audited() -> None:
    # given
    admin = official(Role.QUAN_TRI_TINH)
    pem = certificate_pem("Cục Chứng thực số (thử nghiệm)")
    # when
    root = trust_root_add(actor=admin, pem=pem, note="Gốc chuyên dùng công vụ")
    # then
    assert root.enabled and "Cục Chứng thực số" in root.subject
    assert len(root.fingerprint) == 64
    event = AuditEvent.objects.get(action="signatures.trust_root.add")
    assert event.object_id == str(root.pk) and event.actor_id == admin.pk


def test_nobody_else_manages_the_trust_list() -> None:
    for role in (Role.QUAN_TRI_CO_QUAN, Role.VAN_THU, Role.LANH_DAO):
        with pytest.raises(PermissionDenied):
            trust_root_add(actor=official(role), pem=certificate_pem())
    assert not TrustRoot.objects.exists()


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        ("", "Chưa có chứng thư số"),
        ("không phải chứng thư", "Không đọc được chứng thư số"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "Không đọc được"),
        (certificate_pem(ca=False), "không phải chứng thư của tổ chức cung cấp dịch vụ"),
        (certificate_pem() + certificate_pem(), "Mỗi lần chỉ thêm một chứng thư gốc"),
    ],
)
def test_bad_certificates_are_refused_with_a_message(pem: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        trust_root_add(actor=official(Role.QUAN_TRI_TINH), pem=pem)
    assert message in " ".join(refused.value.message_dict["pem"])
    assert not TrustRoot.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="signatures.").exists()


def test_the_same_root_twice_is_refused() -> None:
    admin = official(Role.QUAN_TRI_TINH)
    pem = certificate_pem()
    trust_root_add(actor=admin, pem=pem)
    with pytest.raises(ValidationError, match="đã có trong danh sách tin cậy"):
        trust_root_add(actor=admin, pem=pem)
    assert TrustRoot.objects.count() == 1


def test_roots_count_only_while_enabled_and_within_their_trust_period() -> None:
    # given
    admin = official(Role.QUAN_TRI_TINH)
    root = trust_root_add(actor=admin, pem=certificate_pem())
    later = dt.datetime(2026, 6, 1, tzinfo=UTC)
    # when the administrator narrows the trust to before mid-2026
    trust_root_update(actor=admin, root=root, enabled=True, trusted_until=later)
    # then a document signed before is checked against it, one signed after is not
    assert len(trust_roots_pem(later - dt.timedelta(days=1))) == 1
    assert trust_roots_pem(later + dt.timedelta(days=1)) == []
    # when withdrawn entirely
    trust_root_update(actor=admin, root=root, enabled=False)
    assert trust_roots_pem(later - dt.timedelta(days=1)) == []
    changes = AuditEvent.objects.filter(action="signatures.trust_root.update").order_by("seq")
    assert [list(e.changes) for e in changes] == [["trusted_until"], ["enabled", "trusted_until"]]


def test_a_period_ending_before_it_starts_is_refused() -> None:
    admin = official(Role.QUAN_TRI_TINH)
    root = trust_root_add(actor=admin, pem=certificate_pem())
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(ValidationError):
        trust_root_update(
            actor=admin, root=root, enabled=True, trusted_from=start, trusted_until=start
        )
    root.refresh_from_db()
    assert root.trusted_from is None
