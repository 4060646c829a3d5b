"""Domain errors of the request flow, with stable codes and translated messages (a claim that
does not allow an action is refused by the claim policy, associations.policy)."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class TransitionError(DomainError):
    MESSAGES = {
        "customer_locked": _(
            "The customer, solution area, activity and MPN ID cannot change while some claims are "
            "already under review. Withdraw the request and file a new one instead."
        ),
        "no_claims": _("Add at least one product or workload."),
    }
