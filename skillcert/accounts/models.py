from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.roles import AUTHORITY_ROLES, BODY_ROLES, STAFF_ROLES, Role


class User(AbstractUser):
    """A person who signs in: authority staff (with a region), body staff (with a body) or a candidate."""

    full_name = models.CharField(_("姓名"), max_length=60, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=20, blank=True)
    # Authority staff: the region they answer for (310000 the whole city, 310115 浦东新区 only).
    authority_region = models.ForeignKey(
        "reference.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("管辖区域"),
    )
    # Body staff: the one evaluation body they work for.
    body = models.ForeignKey(
        "registry.Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("评价机构"),
    )
    # Failed sign-in steps on this account since the user last signed in, told to them at the next sign-in
    # (authentication.login_record). Kept here, not counted from LoginFailure, whose rows are purged.
    failed_logins_unreported = models.PositiveIntegerField(_("未告知的登录失败次数"), default=0)
    failed_login_last_at = models.DateTimeField(_("最近一次登录失败"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(authority_region__isnull=True) | models.Q(body__isnull=True),
                name="user_is_authority_or_body_not_both",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_set", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_set = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_authority_staff(self) -> bool:
        return self.authority_region_id is not None and bool(self.role_set & AUTHORITY_ROLES)

    @property
    def is_body_staff(self) -> bool:
        return self.body_id is not None and bool(self.role_set & BODY_ROLES)

    @property
    def is_candidate(self) -> bool:
        return Role.CANDIDATE in self.role_set

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.role_set & STAFF_ROLES)

    # The two properties audit_record reads.
    @property
    def audit_role(self) -> str:
        return ",".join(sorted(self.role_set))

    @property
    def audit_scope(self) -> str:
        if self.authority_region_id:
            return f"region:{self.authority_region_id}"
        if self.body_id:
            return f"body:{self.body_id}"
        return ""


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=40, choices=Role.choices)

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return self.get_role_display()


def candidate_claim_nonce_new() -> str:
    """128 random bits (32 hex characters): a new ``Candidate.claim_nonce``, so a new claim code."""
    import secrets

    return secrets.token_hex(16)


class Candidate(models.Model):
    """A person who applies for evaluation, identified by ID type and number.

    Created by self-registration (with a user) or by a body's bulk registration (without one until the
    person signs up and claims the record with the claim code the body handed over,
    ``skillcert.accounts.claim_codes``). The ID number is held only as ciphertext, blind index and mask.
    """

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("居民身份证")
        HK_MACAO_TAIWAN_RESIDENCE = "hmt_residence", _("港澳台居民居住证")
        HK_MACAO_PERMIT = "hm_permit", _("港澳居民来往内地通行证")
        TAIWAN_PERMIT = "tw_permit", _("台湾居民来往大陆通行证")
        FOREIGN_PERMANENT_RESIDENCE = "foreign_pr", _("外国人永久居留身份证")
        PASSPORT = "passport", _("护照")

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    user = models.OneToOneField(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="candidate"
    )
    name = models.CharField(_("姓名"), max_length=60)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number_ciphertext = models.TextField(_("证件号码(密文)"))
    id_number_index = models.CharField(_("证件号码索引"), max_length=64, db_index=True)
    id_number_masked = models.CharField(_("证件号码"), max_length=40)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=20, blank=True)
    # Not secret by itself: the claim code is an HMAC over it under a key that is not in the database.
    # A new nonce is a new code (the old one stops working); every row gets its own (migration too).
    claim_nonce = models.CharField(
        _("认领码随机数"), max_length=32, default=candidate_claim_nonce_new, editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考生")
        verbose_name_plural = _("考生")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number_index"], name="candidate_unique_identity")
        ]
        permissions = [("reveal_id_number", _("查看完整证件号码"))]

    def __str__(self) -> str:
        return f"{self.name} {self.id_number_masked}"


class ApiToken(models.Model):
    """A bearer token for an integration. Only its SHA-256 hash is stored.

    Its scope caps what its owner's roles allow: a ``read`` token may only read (the API refuses it any
    unsafe HTTP method), a ``read_write`` token may do everything its owner may.
    """

    class Scope(models.TextChoices):
        READ = "read", _("只读")
        READ_WRITE = "read_write", _("读写")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=60)
    # No default: whoever issues a token chooses its scope (the service takes it as a required argument).
    scope = models.CharField(_("权限范围"), max_length=10, choices=Scope.choices)
    key_prefix = models.CharField(_("前缀"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "read_write"]), name="apitoken_scope_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def may_write(self) -> bool:
        """Whether the token may change anything; anything but ``read_write`` fails closed to read-only."""
        return self.scope == self.Scope.READ_WRITE


class LoginFailure(models.Model):
    """One failed sign-in step (password or second factor), counted for throttling (login_failures.py).

    A row counts for its client (all usernames) while it is inside the failure window; for its (account,
    client) pair (``counts_for_pair``) until the pair is locked, signs in or is cleared; for its account
    across clients (``counts_for_account``) until the account signs in or is cleared. An account is its
    user, or, for a username that does not exist, that username. Rows are purged as new failures are
    stored, once no window reads them and no lock they carry runs.
    """

    class Step(models.TextChoices):
        PASSWORD = "password", _("密码")
        SECOND_FACTOR = "second_factor", _("动态验证码")

    username = models.CharField(_("尝试的用户名"), max_length=150)
    # Null when the username tried does not exist; the failure still counts for that username and address.
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # The client as throttling counts it: the address, an IPv6 one as its /64 (core/addresses.py).
    ip_address = models.CharField(_("来源地址"), max_length=45, blank=True)
    step = models.CharField(_("环节"), max_length=20, choices=Step.choices, default=Step.PASSWORD)
    occurred_at = models.DateTimeField(_("时间"))
    counts_for_pair = models.BooleanField(_("计入账户与来源"), default=True)
    counts_for_account = models.BooleanField(_("计入账户"), default=True)
    # Set on the failure that was the pair's last allowed one: until then this client may not try this
    # account (a username that does not exist locks the same way, so the answer does not tell them apart).
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败")
        verbose_name_plural = _("登录失败")
        indexes = [
            models.Index(fields=["ip_address", "occurred_at"], name="loginfailure_ip_time"),
            models.Index(fields=["username", "occurred_at"], name="loginfailure_username_time"),
            models.Index(fields=["user", "occurred_at"], name="loginfailure_user_time"),
            # The purge of rows past the retention (login_failures._failures_purge) reads by time alone.
            models.Index(fields=["occurred_at"], name="loginfailure_time"),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip_address} {self.occurred_at:%Y-%m-%d %H:%M:%S}"
