"""Four eyes: a second reviewer confirms (and so takes) or sends back a proposed decision.

The proposal is made by `case_propose` or `dispute_propose`; the decision runs through the same
`case_decide` or `dispute_answer` as a one-step one, at the confirmation's time, so the SLA
clock counts to it and the decision's events name the proposer and the confirmer.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from associations.choices import Event
from associations.events import record_event
from associations.policy import Action, statuses_allowing
from disputes.errors import ReviewError
from disputes.models import Proposal
from disputes.services.cases import case_decide
from disputes.services.common import username
from disputes.services.questions import dispute_answer


def _lock_open(proposal: Proposal, *, actor) -> Proposal:
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("proposed_by", "case", "dispute__claim", "winner")
        .get(pk=proposal.pk)
    )
    if not proposal.is_open:
        raise ReviewError("proposal_closed")
    if proposal.proposed_by_id == actor.pk:
        raise ReviewError("same_reviewer")
    return proposal


def proposal_confirm(*, actor, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """A different reviewer confirms: the proposed decision is taken now, in their name."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = _lock_open(proposal, actor=actor)
        proposal.status = Proposal.Status.CONFIRMED
        proposal.resolved_by, proposal.resolved_at = actor, now
        proposal.save(update_fields=["status", "resolved_by", "resolved_at"])
        if proposal.case_id:
            case_decide(
                actor=actor,
                case=proposal.case,
                winner=proposal.winner,
                rationale=proposal.rationale,
                now=now,
                proposed_by=proposal.proposed_by,
            )
        else:
            dispute_answer(
                actor=actor,
                dispute=proposal.dispute,
                approve=True,
                rationale=proposal.rationale,
                now=now,
                proposed_by=proposal.proposed_by,
            )
    return proposal


def proposal_send_back(
    *, actor, proposal: Proposal, note: str, now: datetime | None = None
) -> Proposal:
    """A different reviewer disagrees: nothing is decided, the proposer reads the note."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = _lock_open(proposal, actor=actor)
        proposal.status = Proposal.Status.SENT_BACK
        proposal.resolved_by, proposal.resolved_at, proposal.note = actor, now, note
        proposal.save(update_fields=["status", "resolved_by", "resolved_at", "note"])
        if proposal.case_id:
            claims = proposal.case.claims.filter(
                status__in=statuses_allowing(Action.DECIDE_CASE)
            ).select_related("request")
        else:
            claims = [proposal.dispute.claim]
        for claim in claims:
            record_event(
                request=claim.request,
                claim=claim,
                action=Event.DECISION_SENT_BACK,
                actor=actor,
                now=now,
                payload={
                    "proposed_by": username(proposal.proposed_by),
                    "sent_back_by": username(actor),
                    "note": note,
                },
            )
    return proposal
