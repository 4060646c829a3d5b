"""Partners' webhook endpoints and the outbox of deliveries to them."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation


class EventType(models.TextChoices):
    """What an endpoint can subscribe to; the codes are the payloads' `type`, a public API."""

    CLAIM_STATUS_CHANGED = "claim.status_changed", _("A claim's status changed")
    CLAIM_INFORMATION_REQUESTED = (
        "claim.information_requested",
        _("A reviewer asked for information"),
    )
    COMMENT_FROM_REVIEWER = "comment.from_reviewer", _("A comment from a reviewer")
    CASE_OPENED = "case.opened", _("An arbitration case opened for a claim")
    CASE_DECIDED = "case.decided", _("An arbitration case decided for a claim")
    ASSOCIATION_ENDED = "association.ended", _("An association ended")


class Endpoint(models.Model):
    """An organisation's receiver: an HTTPS URL, the events it wants and its signing secret."""

    class DisabledReason(models.TextChoices):
        FAILING = "failing_24h", _("Deliveries failed for 24 hours")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    event_types = ArrayField(
        models.CharField(max_length=64, choices=EventType.choices), verbose_name=_("events")
    )
    # Standard Webhooks format: "whsec_" and the base64 of 32 random bytes.
    secret = models.CharField(_("secret"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    disabled_reason = models.CharField(
        _("why disabled"), max_length=32, choices=DisabledReason.choices, blank=True
    )
    # The first failure since the last success: 24 hours of failures disable the endpoint.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["organisation", "id"]

    def __str__(self):
        return self.url

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @property
    def event_type_labels(self) -> list[str]:
        return [EventType(code).label for code in self.event_types]


class Delivery(models.Model):
    """One message for one endpoint, written in the transaction of the change it reports."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Given up")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(_("event"), max_length=64, choices=EventType.choices)
    message_id = models.CharField(_("message id"), max_length=40, unique=True)  # webhook-id
    payload = models.JSONField()
    claim_id = models.BigIntegerField(null=True, blank=True)  # the claim it reports, if one
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("time"))
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # The sender's head of line: an endpoint's oldest waiting delivery.
            models.Index(
                fields=["endpoint", "id"],
                condition=models.Q(status="pending"),
                name="delivery_pending_by_endpoint",
            ),
            # The endpoint's page: its recent deliveries, newest first.
            models.Index(fields=["endpoint", "-id"], name="delivery_recent_by_endpoint"),
        ]

    def __str__(self):
        return self.message_id

    @property
    def can_resend(self) -> bool:
        return self.status != self.Status.PENDING
