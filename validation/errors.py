"""The check codes of DESIGN.md section 4 with what the partner is told, in one place.

Codes are stable (they are stored, exported and marked in the HTML as data-check); the texts
are translated when shown.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core.deadlines import in_days


@dataclass(frozen=True)
class Check:
    code: str
    level: str  # "request" or "claim"
    problem: Promise
    what_to_do: Promise


_CHECKS = (
    Check(
        "tenant_not_found",
        "request",
        _("No customer tenant has this tenant ID."),
        _("Check the tenant ID with the customer."),
    ),
    Check(
        "domain_tenant_mismatch",
        "request",
        _("The domain does not belong to this tenant."),
        _("Contact the customer to make sure the tenant ID and the domain are right."),
    ),
    Check(
        "not_a_subscription_id",
        "claim",
        _("The identifier is not a subscription ID."),
        _("Ask the customer for the subscription ID of the claimed product."),
    ),
    Check(
        "subscription_not_in_tenant",
        "claim",
        _("The subscription belongs to another tenant."),
        _("Confirm the tenant ID and the subscription with the customer."),
    ),
    Check(
        "product_not_in_tenant",
        "claim",
        _("The selected product or workload does not exist in the customer's tenant."),
        _("Check the product with the customer."),
    ),
    Check(
        "subscription_not_dynamics",
        "claim",
        _("The subscription is not for a Business Applications (Dynamics 365) product."),
        _("Give the subscription of the claimed product."),
    ),
    Check(
        "subscription_product_mismatch",
        "claim",
        _("The subscription is for another Business Applications product than the one selected."),
        _("Select the product the subscription is for."),
    ),
    Check(
        "subscription_is_csp",
        "claim",
        _("The subscription was bought through CSP."),
        _("CPOR claims for this activity cover volume licensing and Web Direct purchases only."),
    ),
    Check(
        "subscription_not_provisioned",
        "claim",
        _("The customer has not yet activated or provisioned the product."),
        in_days(
            ngettext_lazy(
                "Ask the customer to finish provisioning. The portal checks again every day for "
                "%(days)d day and moves the claim on by itself.",
                "Ask the customer to finish provisioning. The portal checks again every day for "
                "%(days)d days and moves the claim on by itself.",
                "days",
            ),
            "provisioning_recheck_days",
        ),
    ),
    Check(
        "subscription_inactive",
        "claim",
        _("The subscription is not active or in its grace period."),
        _("Claim the customer's current subscription."),
    ),
    Check(
        "subscription_already_claimed",
        "claim",
        _("Your organisation already has an open or approved claim for this product."),
        _("Follow the existing request instead."),
    ),
)

CHECKS: dict[str, Check] = {check.code: check for check in _CHECKS}

# Passed, but worth telling the partner (and the reviewer): shown beside a claim, never failed.
_WARNINGS = (
    Check(
        "subscription_in_grace",
        "claim",
        _("The subscription is in its grace period."),
        _(
            "The claim passes, but the customer must renew the subscription for the "
            "association to last: it ends when the subscription expires."
        ),
    ),
    Check(
        "contact_outside_tenant",
        "request",
        _("The customer contact's e-mail address is not at one of the customer's domains."),
        _(
            "The customer's contact is sent the link to decline the association: give a contact "
            "at the customer (an address at the tenant's domains), not at a partner."
        ),
    ),
)

WARNINGS: dict[str, Check] = {warning.code: warning for warning in _WARNINGS}
