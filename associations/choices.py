"""The closed sets of the request flow: claim statuses, structured reasons and event codes.

Their own module, below the models and the claim policy, so both can use them.
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class ClaimStatus(TextChoices):
    DRAFT = "draft", _("Draft")
    VALIDATING = "validating", _("Validating")
    ACTION_NEEDED = "action_needed", _("Action needed")
    UNDER_REVIEW = "under_review", _("Under review")
    IN_ARBITRATION = "in_arbitration", _("In arbitration")
    INFO_REQUESTED = "info_requested", _("Information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DISPUTED = "disputed", _("Disputed")
    REJECTED_FINAL = "rejected_final", _("Rejected (final)")
    ENDED = "ended", _("Ended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Reason(TextChoices):
    """Structured reasons (DESIGN.md section 3), so partners and audits can count them."""

    # Information needed
    NO_PROOF = "no_proof", _("No proof of execution (wrong or unrelated file)")
    NO_SIGNATURE = "no_signature", _("No customer signature or acknowledgement")
    OLD_DATES = "old_dates", _("Missing or old dates")
    NO_SERVICES = "no_services", _("No description of the partner's services")
    PRODUCT_MISSING = "product_missing", _("A claimed product is missing from the proof")
    # Rejection and ending
    INSUFFICIENT_PROOF = "insufficient_proof", _("Insufficient proof")
    NO_RESPONSE = "no_response", _("No response in time")
    CUSTOMER_DECLINED = "customer_declined", _("Customer declined")
    LOST_ARBITRATION = "lost_arbitration", _("Lost arbitration")
    PARTNER_REQUEST = "partner_request", _("Partner's request")
    SUBSCRIPTION_ENDED = "subscription_ended", _("Subscription no longer active")


class Event(TextChoices):
    """The timeline's dotted event codes (CONVENTIONS.md rule 1), with what the partner reads."""

    REQUEST_CREATED = "request.created", _("Request created")
    REQUEST_UPDATED = "request.updated", _("Request edited")
    CLAIM_SUBMITTED = "claim.submitted", _("Submitted for checks")
    CLAIM_CHECKS_FAILED = "claim.checks_failed", _("Checks failed")
    CLAIM_CHECKS_PASSED = "claim.checks_passed", _("Checks passed")
    CLAIM_CONTESTED = "claim.contested", _("Competing claim found: arbitration")
    CLAIM_WITHDRAWN = "claim.withdrawn", _("Withdrawn")
    CLAIM_PROOF_ADDED = "claim.proof_added", _("Newer proof added")
    CLAIM_PROVISIONING_RECHECKED = (
        "claim.provisioning_rechecked",
        _("Subscription provisioned: checks run again"),
    )
    CLAIM_REVIEW_OVERDUE = "claim.review_overdue", _("Review takes longer than expected")
    CLAIM_DISASSOCIATED = "claim.disassociated", _("Disassociated by the partner")
    CLAIM_SUBSCRIPTION_ENDED = (
        "claim.subscription_ended",
        _("Ended: the subscription is no longer active"),
    )
    CLAIM_APPROVED = "claim.approved", _("Approved")
    CLAIM_REJECTED = "claim.rejected", _("Rejected")
    CLAIM_INFO_REQUESTED = "claim.info_requested", _("Information requested")
    CLAIM_INFO_ANSWERED = "claim.info_answered", _("Information sent to the reviewer")
    CLAIM_INFORMATION_REMINDER = (
        "claim.information_reminder",
        _("Reminder: the information request's answer is due soon"),
    )
    CLAIM_NO_RESPONSE = "claim.no_response", _("Rejected: no answer in time")
    CLAIM_DISPUTE_REMINDER = (
        "claim.dispute_reminder",
        _("Reminder: the time to dispute the rejection ends soon"),
    )
    CLAIM_DISPUTED = "claim.disputed", _("Rejection disputed")
    CLAIM_CUSTOMER_DECLINED = "claim.customer_declined", _("Declined by the customer")
    DISPUTE_UPHELD = "dispute.upheld", _("Dispute upheld: approved")
    DISPUTE_REFUSED = "dispute.refused", _("Dispute refused")
    CASE_JOINED = "case.joined", _("Arbitration case opened or joined")
    CASE_WORKING_WITH_OWNER = (
        "case.working_with_owner",
        _("Reviewer is working with the current owner"),
    )
    CASE_WON = "case.won", _("Arbitration decided in your favour")
    CASE_LOST = "case.lost", _("Arbitration decided for another partner")
    # The review team's own steps: in the reviewers' timeline, never in the partner's.
    REVIEW_TAKEN = "review.taken", _("Taken by a reviewer")
    REVIEW_RELEASED = "review.released", _("Released by its reviewer")
    REVIEW_ASSIGNED = "review.assigned", _("Assigned to a reviewer")
    DECISION_PROPOSED = "decision.proposed", _("Decision proposed, awaiting a second reviewer")
    DECISION_SENT_BACK = "decision.sent_back", _("Proposed decision sent back")


# What the partner's timeline leaves out: only the outcome of the review team's work shows.
REVIEWER_ONLY_EVENTS = frozenset(
    {
        Event.REVIEW_TAKEN,
        Event.REVIEW_RELEASED,
        Event.REVIEW_ASSIGNED,
        Event.DECISION_PROPOSED,
        Event.DECISION_SENT_BACK,
    }
)
