"""The customer directory: the vendor's commerce records the checks run against.

Imported with `manage.py import_directory`; the portal never edits it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.catalog import Channel, SolutionArea


class Tenant(models.Model):
    tenant_id = models.UUIDField(_("tenant ID"), primary_key=True)
    display_name = models.CharField(_("display name"), max_length=200)

    class Meta:
        verbose_name = _("customer tenant")
        verbose_name_plural = _("customer tenants")
        ordering = ["display_name"]

    def __str__(self):
        return f"{self.display_name} ({self.tenant_id})"


class Domain(models.Model):
    """A tenant's initial *.onmicrosoft.com subdomain or a verified custom domain.

    Names are stored lower-cased in IDNA (punycode) form, so one spelling is unique.
    """

    name = models.CharField(_("domain"), max_length=253, unique=True)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="domains", verbose_name=_("tenant")
    )
    is_initial = models.BooleanField(_("initial domain"), default=False)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(name=models.functions.Lower("name")), name="domain_lower_case"
            ),
        ]

    def __str__(self):
        return self.name


class Product(models.Model):
    """A product (Business Applications) or workload (Microsoft 365) of the catalog."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    solution_area = models.CharField(
        _("solution area"), max_length=32, choices=SolutionArea.choices
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["solution_area", "name"]

    def __str__(self):
        return self.name


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", _("Active")
    IN_GRACE = "in_grace", _("In grace period")
    EXPIRED = "expired", _("Expired")
    DISABLED = "disabled", _("Disabled")
    DELETED = "deleted", _("Deleted")


COUNTING_STATES = frozenset({SubscriptionState.ACTIVE, SubscriptionState.IN_GRACE})


class Subscription(models.Model):
    subscription_id = models.UUIDField(_("subscription ID"), primary_key=True)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("tenant")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("product")
    )
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    provisioned = models.BooleanField(_("provisioned"), default=True)
    state = models.CharField(_("state"), max_length=16, choices=SubscriptionState.choices)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        indexes = [
            # product_not_in_tenant: does the tenant have this product at all?
            models.Index(fields=["tenant", "product"], name="subscription_tenant_product"),
        ]

    def __str__(self):
        return str(self.subscription_id)

    @property
    def counts(self) -> bool:
        """Only active and in-grace subscriptions count for a claim."""
        return self.state in COUNTING_STATES
