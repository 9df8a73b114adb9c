"""Trust list, signing keys (references to keys on tokens, never the keys), signatures made and
validation reports kept.

No private key is ever stored here: a `SigningKey` row names where the key lives (a PKCS#11
token and the key's label, or a passphrase-protected PKCS#12 file) and holds the public
certificate. PINs are typed by the signer at signing time; an agency key that signs without a
person (the seal on the forms printed at the counter) reads its PIN from an environment
variable named in `pin_env`, never from the database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrustRoot(models.Model):
    """A trusted root (or trust anchor) certificate, managed by the provincial administrator.

    Validation builds the path of every signer's certificate to one of the enabled roots whose
    trust period contains the validation moment.
    """

    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    pem = models.TextField(_("chứng thư (PEM)"))
    subject = models.CharField(_("chủ thể"), max_length=500)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500)
    serial = models.CharField(_("số hiệu"), max_length=100)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    #: The administrator may narrow the period during which signatures under this root are
    #: trusted (a root withdrawn from the list stays usable for checking old documents).
    trusted_from = models.DateTimeField(_("tin cậy từ"), null=True, blank=True)
    trusted_until = models.DateTimeField(_("tin cậy đến"), null=True, blank=True)
    enabled = models.BooleanField(_("đang tin cậy"), default=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thêm"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(_("thêm lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("danh sách tin cậy")
        ordering = ["-enabled", "subject"]

    def __str__(self) -> str:
        return self.subject


class KeyKind(models.TextChoices):
    AGENCY = "agency", _("Chữ ký số của cơ quan (con dấu)")
    PERSONAL = "personal", _("Chữ ký số cá nhân")


class KeyStorage(models.TextChoices):
    PKCS11 = "pkcs11", _("Thiết bị PKCS#11 (USB token, HSM)")
    PKCS12 = "pkcs12", _("Tệp PKCS#12 có mật khẩu")


class SigningKey(models.Model):
    """Where a signing key lives and its certificate; the private key never leaves its token."""

    kind = models.CharField(_("loại"), max_length=10, choices=KeyKind.choices)
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    #: The official a personal key belongs to; empty for the agency's key.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người sở hữu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_keys",
    )
    label = models.CharField(_("tên gợi nhớ"), max_length=150)
    certificate_pem = models.TextField(_("chứng thư số (PEM)"))
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    chain_pem = models.TextField(_("chuỗi chứng thư trung gian (PEM)"), blank=True)
    subject = models.CharField(_("chủ thể"), max_length=500)
    serial = models.CharField(_("số hiệu chứng thư"), max_length=100)
    agency_code = models.CharField(_("mã định danh trong chứng thư"), max_length=35, blank=True)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    storage = models.CharField(_("nơi lưu khóa"), max_length=10, choices=KeyStorage.choices)
    token_label = models.CharField(_("nhãn thiết bị"), max_length=64, blank=True)
    key_label = models.CharField(_("nhãn khóa"), max_length=64, blank=True)
    key_id = models.CharField(_("mã khóa (hex)"), max_length=64, blank=True)
    pkcs12_path = models.CharField(_("đường dẫn tệp PKCS#12"), max_length=500, blank=True)
    #: For an agency key that seals forms without a person: the environment variable that
    #: holds the PIN on the server. Empty = the PIN is asked from the signer each time.
    pin_env = models.CharField(_("biến môi trường chứa PIN"), max_length=64, blank=True)
    enabled = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("khóa ký số")
        verbose_name_plural = _("khóa ký số")
        ordering = ["agency_id", "kind", "label"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="agency", owner__isnull=True))
                | models.Q(kind="personal", owner__isnull=False),
                name="signingkey_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class SignaturePurpose(models.TextChoices):
    DOCUMENT = "document", _("Văn bản")
    DOSSIER_RESULT = "dossier_result", _("Kết quả giải quyết hồ sơ")
    DOSSIER_FORM = "dossier_form", _("Biểu mẫu một cửa")
    ATTACHMENT = "attachment", _("Phụ lục, văn bản kèm theo")
    COPY = "copy", _("Bản sao điện tử")


class SignatureRecord(models.Model):
    """One signature made by tinhso: which key signed which file into which new file."""

    key = models.ForeignKey(
        SigningKey, verbose_name=_("khóa"), on_delete=models.PROTECT, related_name="signatures"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("tệp trước khi ký"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("tệp đã ký"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("mục đích"), max_length=20, choices=SignaturePurpose.choices)
    level = models.CharField(_("mức PAdES"), max_length=6)
    field_name = models.CharField(_("trường chữ ký"), max_length=100)
    signed_at = models.DateTimeField(_("ký lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("chữ ký đã thực hiện")
        verbose_name_plural = _("chữ ký đã thực hiện")
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return self.field_name


class ValidationReport(models.Model):
    """The result of checking the signatures of a stored file, as of a moment."""

    file = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("tệp"),
        on_delete=models.CASCADE,
        related_name="signature_reports",
    )
    #: The moment the signatures were checked as of; validation ran at `checked_at`.
    valid_at = models.DateTimeField(_("kiểm tra tại thời điểm"))
    checked_at = models.DateTimeField(_("kiểm tra lúc"), default=timezone.now)
    verdict = models.CharField(_("kết luận"), max_length=15)
    signature_count = models.PositiveSmallIntegerField(_("số chữ ký"), default=0)
    report = models.JSONField(_("báo cáo"))

    class Meta:
        verbose_name = _("báo cáo kiểm tra chữ ký")
        verbose_name_plural = _("báo cáo kiểm tra chữ ký")
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["file", "-checked_at"], name="sigreport_file_latest")]

    def __str__(self) -> str:
        return f"{self.file_id}: {self.verdict}"
