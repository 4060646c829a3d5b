"""Domain errors of the request flow, with stable codes and translated messages."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "not_editable": _("This request can no longer be changed: its claims are being processed."),
    "not_withdrawable": _("Nothing in this request can be withdrawn any more."),
    "not_a_draft": _("Only a draft can be deleted."),
    "claim_ended": _("Proof can only be added to a claim that has not ended."),
    "customer_locked": _(
        "The customer, solution area, activity and MPN ID cannot change while some claims are "
        "already under review. Withdraw the request and file a new one instead."
    ),
    "no_claims": _("Add at least one product or workload."),
    "not_approved": _("Only an approved association can be ended."),
}


class TransitionError(Exception):
    def __init__(self, code: str):
        self.code = code
        self.message = MESSAGES[code]
        super().__init__(str(self.message))
