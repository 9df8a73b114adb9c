"""Accounts: officials, citizens and enterprises; memberships with roles; API tokens."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    OFFICIAL = "official", _("Cán bộ, công chức, viên chức")
    CITIZEN = "citizen", _("Công dân")
    ENTERPRISE = "enterprise", _("Doanh nghiệp, tổ chức")


class Role(models.TextChoices):
    """What an official may do in an agency. The codes are stable identifiers."""

    VAN_THU = "van_thu", _("Văn thư")
    CHUYEN_VIEN = "chuyen_vien", _("Chuyên viên")
    LANH_DAO = "lanh_dao", _("Lãnh đạo")
    MOT_CUA = "mot_cua", _("Cán bộ một cửa")
    QUAN_TRI_CO_QUAN = "quan_tri_co_quan", _("Quản trị cơ quan")
    QUAN_TRI_TINH = "quan_tri_tinh", _("Quản trị cấp tỉnh")


#: Roles whose holders must use two-factor authentication.
ADMIN_ROLES = frozenset({Role.QUAN_TRI_CO_QUAN, Role.QUAN_TRI_TINH})


class User(AbstractUser):
    kind = models.CharField(
        _("loại tài khoản"),
        max_length=12,
        choices=AccountKind.choices,
        default=AccountKind.OFFICIAL,
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    id_number = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    otp_required = models.BooleanField(
        _("bắt buộc xác thực hai lớp"),
        default=False,
        help_text=_("Quản trị viên luôn phải dùng xác thực hai lớp."),
    )
    #: `tinhso.accounts.search.user_search_text` of the name and username, refreshed on every
    #: save by `tinhso.accounts.signals` (a search index, the one thing a signal may keep).
    search_text = models.CharField(
        _("từ khóa tìm kiếm"), max_length=320, blank=True, editable=False
    )

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        indexes = [
            models.Index(fields=["kind"], name="user_kind_idx"),
            models.Index(fields=["search_text"], name="user_search_idx"),
        ]
        constraints = [
            # One citizen account per personal identification number (CCCD); officials and
            # enterprises may leave it blank or share it with their citizen account.
            models.UniqueConstraint(
                fields=["id_number"],
                name="user_unique_citizen_id_number",
                condition=Q(kind="citizen") & ~Q(id_number=""),
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else self.username


class Membership(models.Model):
    """An official's place in an agency (and department) with one role.

    One person may hold several memberships: a head of department who is also the agency
    administrator has two rows. Ending a membership keeps the row (`is_active` false,
    `ended_at` set) so history stays; the same role may then be granted again as a new row.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="memberships"
    )
    department = models.ForeignKey(
        "organizations.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    position = models.ForeignKey(
        "organizations.Position",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    is_active = models.BooleanField(_("còn hiệu lực"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("vị trí công tác")
        verbose_name_plural = _("vị trí công tác")
        constraints = [
            # Two partial constraints instead of NULLS NOT DISTINCT, which SQLite lacks;
            # only active rows count, so an ended membership can be granted again.
            models.UniqueConstraint(
                fields=["user", "agency", "department", "role"],
                name="membership_unique_active_role_in_department",
                condition=Q(department__isnull=False, is_active=True),
            ),
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                name="membership_unique_active_role_in_agency",
                condition=Q(department__isnull=True, is_active=True),
            ),
        ]
        indexes = [models.Index(fields=["agency", "role"], name="membership_agency_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency}"


class ApiToken(models.Model):
    """A bearer token for integrations. Only its SHA-256 is stored; it expires and can be revoked."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        indexes = [
            models.Index(
                fields=["user"], name="apitoken_live_idx", condition=Q(revoked_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    def is_live(self, now: object | None = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.expires_at > moment  # type: ignore[operator]


class AccessRevision(models.Model):
    """The single row that tells the web processes whether the API tokens they keep are current.

    Database triggers add one to `revision` in the transaction of every write to the API tokens
    (but for `last_used_at`, bookkeeping), the users and the memberships, whoever writes (a
    service, the admin, a bulk update). A process re-reads this row at most once per
    `TINHSO_API_TOKEN_RECHECK_SECONDS` and reads a token again only when it moved (migration
    0004 creates the triggers; `tinhso.accounts.authentication`).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("phiên bản quyền truy cập")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="accessrevision_singleton")
        ]

    def __str__(self) -> str:
        return f"access revision {self.revision}"
