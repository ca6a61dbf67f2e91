"""Signing keys, status lists and each certificate's place in them.

Secret key material is never stored in clear: a seed is kept only as ``personal_data.encrypt`` ciphertext
(AES-256-GCM, purpose-bound), and a retired issuer key's seed is erased at rotation (its public key stays:
the controller document keeps listing it so that credentials signed with it still verify).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.registry.models import TenantScopedModel


class IssuerKey(TenantScopedModel):
    """An Ed25519 key of an evaluation body (the issuer of its certificates' credentials)."""

    public_key_multibase = models.CharField(_("公钥 (Multikey)"), max_length=64, unique=True)
    seed_ciphertext = models.TextField(_("私钥种子(密文)"), blank=True)  # "" once retired
    created_at = models.DateTimeField(_("生成时间"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签发密钥")
        verbose_name_plural = _("签发密钥")
        ordering = ["tenant", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(retired_at__isnull=True), name="issuer_key_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.public_key_multibase


class StatusList(TenantScopedModel):
    """One Bitstring Status List of a body: its bits and the signed list credential served publicly."""

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("撤销")

    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices, default=Purpose.REVOCATION)
    sequence = models.PositiveIntegerField(_("序号"))  # 1, 2, … when a body fills a list
    size = models.PositiveIntegerField(_("条目数"))
    bits = models.BinaryField(_("状态位"))
    credential = models.JSONField(_("已签名的状态列表凭证"), default=dict)
    signed_at = models.DateTimeField(_("签名时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("状态列表")
        verbose_name_plural = _("状态列表")
        ordering = ["tenant", "purpose", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "purpose", "sequence"], name="status_list_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}/{self.purpose}/{self.sequence}"


class CredentialEntry(TenantScopedModel):
    """A certificate's credential: its id, its status list index and the salted hash of the holder's ID."""

    certificate = models.OneToOneField(
        "certificates.Certificate", on_delete=models.PROTECT, related_name="credential_entry"
    )
    credential_id = models.UUIDField(_("凭证标识"), unique=True)
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    status_index = models.PositiveIntegerField(_("状态位序号"))
    # OB 3.0 IdentityObject: identityHash = "sha256$" + hex(SHA-256(ID number + salt)); never the number.
    identity_salt = models.CharField(_("盐"), max_length=32)
    identity_hash = models.CharField(_("证件号码哈希"), max_length=71)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("可验证凭证")
        verbose_name_plural = _("可验证凭证")
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="credential_status_index_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.credential_id)


class PlatformKey(models.Model):
    """The platform's Ed25519 key that signs trust bundles (issuer documents and status lists)."""

    public_key_multibase = models.CharField(_("公钥 (Multikey)"), max_length=64, unique=True)
    seed_ciphertext = models.TextField(_("私钥种子(密文)"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("平台签名密钥")
        verbose_name_plural = _("平台签名密钥")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="platform_key_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.public_key_multibase
