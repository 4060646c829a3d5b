"""Domain errors of review and arbitration, with stable codes and translated messages (a claim
that does not allow an action is refused by the claim policy, associations.policy)."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class ReviewError(DomainError):
    MESSAGES = {
        "key_taken": _(
            "Another claim for the same customer, product and activity is already approved. "
            "Open an arbitration case or end that claim first."
        ),
        "case_closed": _("This arbitration case has already been decided."),
        "not_in_case": _("The winner must be one of the case's claims."),
        "no_open_question": _("There is no open question from the reviewer on this claim."),
        "bad_link": _("This link is not valid. Use the link from the e-mail exactly as it came."),
        "link_expired": _("This link has expired. Contact the partner or the vendor's support."),
        "not_in_review": _("This is no longer waiting for a reviewer, so it cannot be assigned."),
        "holder_changed": _(
            "Another reviewer took or released it meanwhile: look at who holds it now."
        ),
        "not_a_reviewer": _("Only an active reviewer who may decide can hold review work."),
        "needs_confirmation": _(
            "This decision takes an association from its owner or approves a disputed claim: "
            "propose it, and a second reviewer confirms it."
        ),
        "no_confirmation_needed": _("This decision needs no second reviewer: take it directly."),
        "proposal_open": _(
            "A decision is proposed and waits for a second reviewer: confirm it or send it back "
            "first."
        ),
        "proposal_closed": _("This proposal was already confirmed or sent back."),
        "same_reviewer": _("A second reviewer must confirm or send back your own proposal."),
        "changed_since_shown": _(
            "It changed since the list was shown, so it was not decided blind: open it to decide."
        ),
    }
