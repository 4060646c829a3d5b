"""What a claim allows, for whom and until when: the one place a status rule is written.

Services check it before they change anything (`require`), the partner's pages ask it which
buttons to show (`claim_actions`, `request_actions`), the reviewers' admin which forms, and the
API which actions to offer; so a button shows exactly when its service would take the action.
It reads a claim's status, reason and status time and imports no model, so the models can use
its status sets too.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from associations.choices import ClaimStatus, Event, Reason
from core.deadlines import due, in_days
from core.errors import DomainError

S = ClaimStatus


class Action(StrEnum):
    # The partner's (Global and Incentives admins)
    EDIT = "edit"  # edit the draft, or fix the failed checks and resubmit
    WITHDRAW = "withdraw"
    DELETE = "delete"  # a draft, with its documents
    ADD_PROOF = "add_proof"
    ANSWER = "answer"  # the reviewer's information request
    DISPUTE = "dispute"
    DISASSOCIATE = "disassociate"
    FOLLOW_UP = "follow_up"  # claim the subscription that replaced an ended one
    COMMENT = "comment"  # on the request, not a claim
    # The reviewers' (with the permission to decide)
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_INFORMATION = "request_information"
    ANSWER_DISPUTE = "answer_dispute"
    DECIDE_CASE = "decide_case"  # win or lose the arbitration case the claim is a party of
    # The customer's contact, through the signed link
    DECLINE = "decline"


PARTNER_ACTIONS = frozenset(
    {
        Action.EDIT,
        Action.WITHDRAW,
        Action.DELETE,
        Action.ADD_PROOF,
        Action.ANSWER,
        Action.DISPUTE,
        Action.DISASSOCIATE,
        Action.FOLLOW_UP,
    }
)
REVIEWER_ACTIONS = frozenset(
    {
        Action.APPROVE,
        Action.REJECT,
        Action.REQUEST_INFORMATION,
        Action.ANSWER_DISPUTE,
        Action.DECIDE_CASE,
    }
)

# A claim in one of these states holds or contests its claim key.
CONTESTING_STATUSES = frozenset(
    {S.UNDER_REVIEW, S.IN_ARBITRATION, S.INFO_REQUESTED, S.DISPUTED, S.APPROVED}
)
# Still being filed: of two such claims for one key, the older one is the original.
FILING_STATUSES = frozenset({S.VALIDATING, S.ACTION_NEEDED})
# What reviewers work on: their queue, oldest deadline first (a partial index of the claims).
REVIEW_QUEUE_STATUSES = (S.UNDER_REVIEW, S.IN_ARBITRATION, S.INFO_REQUESTED, S.DISPUTED)
# Waiting on a reviewer, the review's clock running (an information request waits on the partner).
AWAITING_REVIEWER = (S.UNDER_REVIEW, S.IN_ARBITRATION, S.DISPUTED)
# A reviewer's answer to a claim that waited on one: what the reviewers' SLA counts.
REVIEW_DECISIONS = (
    Event.CLAIM_APPROVED,
    Event.CLAIM_REJECTED,
    Event.CLAIM_INFO_REQUESTED,
    Event.CASE_WON,
    Event.CASE_LOST,
    Event.DISPUTE_UPHELD,
    Event.DISPUTE_REFUSED,
)
# Nothing more can happen to these.
FINAL_STATUSES = frozenset({S.REJECTED_FINAL, S.ENDED, S.WITHDRAWN})
# Still standing for their key, drafts included: bulk filing never files such a claim again.
LIVE_STATUSES = frozenset(S) - FINAL_STATUSES - {S.REJECTED}
_EDITABLE = frozenset({S.DRAFT, S.ACTION_NEEDED})

_STATUSES = {
    Action.EDIT: _EDITABLE,
    Action.WITHDRAW: frozenset(
        {S.VALIDATING, S.ACTION_NEEDED, S.UNDER_REVIEW, S.IN_ARBITRATION, S.INFO_REQUESTED}
    ),
    Action.DELETE: frozenset({S.DRAFT}),
    # Submitted and not ended: a draft's proof is edited with the draft, and a rejection takes
    # new proof through its dispute.
    Action.ADD_PROOF: frozenset(S) - FINAL_STATUSES - {S.DRAFT, S.REJECTED},
    Action.ANSWER: frozenset({S.INFO_REQUESTED}),
    Action.DISPUTE: frozenset({S.REJECTED}),
    Action.DISASSOCIATE: frozenset({S.APPROVED}),
    Action.FOLLOW_UP: frozenset({S.ENDED}),
    Action.APPROVE: frozenset({S.UNDER_REVIEW}),
    Action.REJECT: frozenset({S.UNDER_REVIEW}),
    Action.REQUEST_INFORMATION: frozenset({S.UNDER_REVIEW, S.IN_ARBITRATION, S.DISPUTED}),
    Action.ANSWER_DISPUTE: frozenset({S.DISPUTED}),
    Action.DECIDE_CASE: frozenset({S.IN_ARBITRATION, S.INFO_REQUESTED, S.DISPUTED, S.APPROVED}),
    Action.DECLINE: frozenset({S.APPROVED}),
}
# The refusal of an action in a status that does not allow it, where it has its own words.
_WRONG_STATUS = {
    Action.EDIT: "not_editable",
    Action.WITHDRAW: "not_withdrawable",
    Action.DELETE: "not_a_draft",
    Action.ADD_PROOF: "claim_ended",
    Action.DISASSOCIATE: "not_approved",
}
# What losing an arbitration case does to a party; any other party is rejected.
_LOSING = {S.APPROVED: S.ENDED, S.DISPUTED: S.REJECTED_FINAL}


class ActionRefused(DomainError):
    MESSAGES = {
        "wrong_status": _("This claim is not in a state that allows this action any more."),
        "not_editable": _("This request can no longer be changed: its claims are being processed."),
        "not_withdrawable": _("Nothing in this request can be withdrawn any more."),
        "not_a_draft": _("Only a draft can be deleted."),
        "claim_ended": _("Proof can only be added to a claim that has not ended."),
        "not_approved": _("Only an approved association can be ended."),
        "already_disputed": _("This rejection was already disputed; a claim can be disputed once."),
        "dispute_window_closed": in_days(
            ngettext_lazy(
                "Rejections can be disputed within %(days)d day; that time has passed.",
                "Rejections can be disputed within %(days)d days; that time has passed.",
                "days",
            ),
            "dispute_window_days",
        ),
        "checks_running": _("You can comment once the checks have finished."),
    }


@dataclass(frozen=True)
class Allowed:
    """An action a claim allows, and its last moment where it has one (a dispute's window)."""

    until: datetime | None = None


def statuses_allowing(action: Action) -> frozenset:
    """For queries: the statuses in which `action` may be taken (its other conditions aside)."""
    return _STATUSES[action]


def shows_warnings(status: str) -> bool:
    """Warnings (a subscription in grace, a contact outside the customer) concern claims still
    being filed, checked, reviewed or held; not drafts, and not claims that are over."""
    return status in CONTESTING_STATUSES | FILING_STATUSES


def is_final(status: str) -> bool:
    """Withdrawn, ended or finally rejected: the claim is over for good."""
    return status in FINAL_STATUSES


def awaits_dispute_answer(status: str) -> bool:
    """A disputed claim's due date is the day its dispute is answered by, not a decision's."""
    return status == S.DISPUTED


def locks_customer(status: str) -> bool:
    """A claim past its checks fixes the request's customer, area, activity and MPN ID."""
    return status not in _EDITABLE | {S.WITHDRAWN}


def status_after_losing(status: str) -> str:
    """A case's losing party: an owner's association ends, a disputed claim is finally
    rejected, any other claim is rejected."""
    return _LOSING.get(status, S.REJECTED)


def dispute_until(claim) -> datetime:
    """The end of a rejected claim's dispute window, counted from the rejection."""
    return due("dispute_window_days", claim.status_changed_at)


def refusal(claim, action: Action, *, now: datetime, disputed_before: bool = False) -> str | None:
    """Why `claim` does not allow `action` (a code of ActionRefused), or None if it does.

    `disputed_before`: whether the claim's rejection was ever disputed (a claim approved after
    its dispute and then declined by its customer is rejected again, and may not dispute twice).
    """
    if claim.status not in _STATUSES[action]:
        return _WRONG_STATUS.get(action, "wrong_status")
    if action == Action.DISPUTE:
        if disputed_before:
            return "already_disputed"
        if now > dispute_until(claim):
            return "dispute_window_closed"
    if action == Action.FOLLOW_UP and claim.reason != Reason.SUBSCRIPTION_ENDED:
        return "wrong_status"
    return None


def require(claim, action: Action, *, now: datetime, disputed_before: bool = False) -> None:
    """The services' guard: raise ActionRefused unless `claim` allows `action`."""
    code = refusal(claim, action, now=now, disputed_before=disputed_before)
    if code is not None:
        raise ActionRefused(code)


def claim_actions(
    claim,
    *,
    now: datetime,
    membership=None,
    can_decide: bool = False,
    disputed_before: bool = False,
) -> dict[str, Allowed]:
    """The actions `claim` allows to a partner's member (who may file) or to a reviewer (who may
    decide), by name: templates ask `{% if actions.dispute %}` and show `actions.dispute.until`.
    """
    offered = set()
    if membership is not None and membership.can_write:
        offered |= PARTNER_ACTIONS
    if can_decide:
        offered |= REVIEWER_ACTIONS
    allowed = {}
    for action in offered:
        if refusal(claim, action, now=now, disputed_before=disputed_before) is None:
            until = dispute_until(claim) if action == Action.DISPUTE else None
            allowed[action.value] = Allowed(until=until)
    return allowed


@dataclass(frozen=True)
class RequestActions:
    """What a request's page offers: the request's own actions and each claim's."""

    claims: dict[int, dict[str, Allowed]]
    checking: bool  # a claim's checks are running: the page refreshes itself
    draft: bool  # every claim is a draft: "Edit draft", "Delete draft"
    request: dict[str, Allowed] = field(default_factory=dict)


def request_actions(
    claims: Iterable, *, now: datetime, membership, disputed: frozenset = frozenset()
) -> RequestActions:
    """A request allows editing, withdrawing or new proof when one of its claims does, deleting
    when all of them are drafts, and comments once no checks are running. `disputed`: the ids
    of its claims whose rejection was disputed before."""
    claims = list(claims)
    per_claim = {
        claim.pk: claim_actions(
            claim, now=now, membership=membership, disputed_before=claim.pk in disputed
        )
        for claim in claims
    }
    checking = any(claim.status == S.VALIDATING for claim in claims)
    request = {
        action.value: Allowed()
        for action in (Action.EDIT, Action.WITHDRAW, Action.ADD_PROOF)
        if any(action.value in allowed for allowed in per_claim.values())
    }
    if claims and all(Action.DELETE.value in allowed for allowed in per_claim.values()):
        request[Action.DELETE.value] = Allowed()
    if membership.can_write and not checking:
        request[Action.COMMENT.value] = Allowed()
    draft = bool(claims) and all(claim.status == S.DRAFT for claim in claims)
    return RequestActions(claims=per_claim, checking=checking, draft=draft, request=request)


def needs_second_reviewer(*, winner, losers: Iterable = ()) -> bool:
    """Four eyes (DESIGN.md section 8): a decision that ends an owner's approved association (an
    approved party loses its case) or approves a claim after its dispute (the winner is
    disputed) is proposed by one reviewer and confirmed by another, unless CPOR_FOUR_EYES is
    off. `winner`: the claim the decision approves; `losers`: the parties it decides against.
    """
    if not settings.CPOR_FOUR_EYES:
        return False
    return winner.status == S.DISPUTED or any(claim.status == S.APPROVED for claim in losers)


def require_comment(statuses: Iterable[str]) -> None:
    """A comment waits for the checks: the verdict's own message comes first."""
    if S.VALIDATING in set(statuses):
        raise ActionRefused("checks_running")
