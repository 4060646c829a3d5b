import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation, Role


class Scope(models.TextChoices):
    READ = "read", _("Read (the rights of a Billing admin)")
    FILE = "file", _("File (the rights of an Incentives admin)")


# A token acts with the rights of one of the portal's roles (DESIGN.md section 2).
SCOPE_ROLES = {Scope.READ: Role.BILLING_ADMIN, Scope.FILE: Role.INCENTIVES_ADMIN}


def token_digest(secret: str) -> str:
    """The stored form of a token: its secret is 256 random bits, so one SHA-256 is enough
    (a slow password hash protects guessable secrets, and would slow every API call)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """An organisation's API token. It acts through its own user, who never signs in, so
    every change it makes is recorded by the services with the token's name as the actor."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    prefix = models.CharField(_("prefix"), max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The rate limit's current fixed window and the calls made in it (api/throttling.py).
    window_start = models.DateTimeField(null=True, blank=True)
    window_calls = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def role(self) -> str:
        return SCOPE_ROLES[Scope(self.scope)]

    def is_live(self, now) -> bool:
        return self.revoked_at is None and now < self.expires_at


class IdempotentAnswer(models.Model):
    """The first answer to a POST with an `Idempotency-Key`, replayed to its retries."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=2000)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_per_token"),
        ]
        indexes = [
            # The sweep of expired answers: WHERE created_at < ?.
            models.Index(fields=["created_at"], name="idempotent_answer_age"),
        ]

    def __str__(self):
        return self.key
