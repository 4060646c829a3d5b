"""Arbitration: competing claims for one key meet in a case, and a reviewer decides it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations import policy
from associations.choices import ClaimStatus, Event, Reason
from associations.events import move_claim, notify_partner, record_event
from associations.keys import key_lookup, lock_keys
from associations.models import Claim
from associations.policy import Action
from core.deadlines import due
from disputes.errors import ReviewError
from disputes.models import ArbitrationCase, InformationRequest, Proposal
from disputes.services.common import (
    approve,
    close_dispute,
    close_questions,
    date_text,
    decision_names,
    username,
)


def case_open_or_join(*, claim: Claim, competitors: list[Claim], now: datetime) -> ArbitrationCase:
    """Open the key's arbitration case, or add to the open one; competitors under review join.

    Runs inside the verdict's transaction, which holds the key's advisory lock and the rows.
    """
    key = key_lookup(claim.key)
    case = (
        ArbitrationCase.objects.select_for_update(of=("self",))
        .filter(status=ArbitrationCase.Status.OPEN, **key)
        .first()
    )
    if case is None:
        case = ArbitrationCase.objects.create(
            opened_at=now, due_at=due("review_business_days", now), **key
        )
    case.claims.add(claim, *competitors)
    claim.due_at = case.due_at
    claim.save(update_fields=["due_at"])
    record_event(
        request=claim.request,
        claim=claim,
        action=Event.CASE_JOINED,
        actor=None,
        now=now,
        payload={"case": case.pk},
    )
    for rival in competitors:
        _join(case, rival, now=now)
    return case


def _join(case: ArbitrationCase, claim: Claim, *, now: datetime) -> None:
    if claim.status == ClaimStatus.UNDER_REVIEW:
        move_claim(
            claim,
            to=ClaimStatus.IN_ARBITRATION,
            action=Event.CLAIM_CONTESTED,
            actor=None,
            now=now,
            due_at=case.due_at,
            case=case.pk,
        )
        notify_partner(
            claim.request,
            lambda: (
                _(
                    "Another partner has claimed %(product)s for the same customer and "
                    "activity. Your claim goes to arbitration: a reviewer compares each "
                    "partner's most recent proof of execution. A decision is expected by "
                    "%(date)s."
                )
                % {"product": claim.product.name, "date": date_text(case.due_at)}
            ),
        )
    elif claim.status == ClaimStatus.INFO_REQUESTED:
        InformationRequest.objects.filter(claim=claim, answered_at__isnull=True).update(
            return_status=ClaimStatus.IN_ARBITRATION
        )


def case_mark_working_with_owner(*, actor, case: ArbitrationCase, now: datetime | None = None):
    """The reviewer works with the current owner; challengers are told it takes longer."""
    now = now or timezone.now()
    with transaction.atomic():
        case = ArbitrationCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if not case.is_open:
            raise ReviewError("case_closed")
        if case.working_with_owner:
            return case
        case.working_with_owner = True
        case.save(update_fields=["working_with_owner"])
        for claim in case.claims.select_related("request__author", "product").order_by("pk"):
            if claim.status == ClaimStatus.APPROVED:
                continue
            record_event(
                request=claim.request,
                claim=claim,
                action=Event.CASE_WORKING_WITH_OWNER,
                actor=actor,
                now=now,
            )
            notify_partner(
                claim.request,
                lambda claim=claim: (
                    _(
                        "Your claim for %(product)s stays under review longer: the vendor is "
                        "working with the partner that currently holds this customer and product."
                    )
                    % {"product": claim.product.name}
                ),
            )
    return case


def _lock_parties(case: ArbitrationCase, winner: Claim, *, now: datetime):
    """The locked open case, its winning claim and the parties it loses against."""
    case = (
        ArbitrationCase.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .get(pk=case.pk)
    )
    if not case.is_open:
        raise ReviewError("case_closed")
    claims = list(
        case.claims.select_for_update(of=("self",))
        .select_related("request__author", "request__organisation", "product")
        .order_by("pk")
    )
    if winner.pk not in {claim.pk for claim in claims}:
        raise ReviewError("not_in_case")
    winning = next(claim for claim in claims if claim.pk == winner.pk)
    # Withdrawn, ended or rejected: out of the case.
    policy.require(winning, Action.DECIDE_CASE, now=now)
    losers = [
        claim
        for claim in claims
        if claim.pk != winner.pk and policy.refusal(claim, Action.DECIDE_CASE, now=now) is None
    ]
    return case, winning, losers


def case_propose(
    *, actor, case: ArbitrationCase, winner: Claim, rationale: str, now: datetime | None = None
) -> Proposal:
    """Four eyes: propose a decision a second reviewer must confirm (`proposal_confirm`)."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_keys([case.key])
        case, winning, losers = _lock_parties(case, winner, now=now)
        if not policy.needs_second_reviewer(winner=winning, losers=losers):
            raise ReviewError("no_confirmation_needed")
        if case.proposals.filter(status=Proposal.Status.OPEN).exists():
            raise ReviewError("proposal_open")
        proposal = Proposal.objects.create(
            case=case, winner=winning, rationale=rationale, proposed_by=actor, proposed_at=now
        )
        for claim in [winning, *losers]:
            record_event(
                request=claim.request,
                claim=claim,
                action=Event.DECISION_PROPOSED,
                actor=actor,
                now=now,
                payload={
                    "case": case.pk,
                    "winner": winning.request.reference,
                    "proposed_by": username(actor),
                },
            )
    return proposal


def case_decide(
    *,
    actor,
    case: ArbitrationCase,
    winner: Claim,
    rationale: str,
    now: datetime | None = None,
    proposed_by=None,
) -> ArbitrationCase:
    """The winner becomes (or stays) the owner; challengers are rejected, a losing owner ends.

    `proposed_by`: under four eyes, the reviewer whose proposal `actor` confirms.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lock_keys([case.key])
        case, winning, losers = _lock_parties(case, winner, now=now)
        if proposed_by is None:
            if policy.needs_second_reviewer(winner=winning, losers=losers):
                raise ReviewError("needs_confirmation")
            if case.proposals.filter(status=Proposal.Status.OPEN).exists():
                raise ReviewError("proposal_open")
        names = decision_names(holder=case.assignee, actor=actor, proposed_by=proposed_by)
        for claim in losers:
            _lose(case, claim, actor=actor, rationale=rationale, now=now, names=names)
        close_questions(winning, now=now)
        close_dispute(winning, actor=actor, upheld=True, rationale=rationale, now=now)
        if winning.status != ClaimStatus.APPROVED:
            approve(winning, actor=actor, action=Event.CASE_WON, now=now, case=case.pk, **names)
        case.status = ArbitrationCase.Status.DECIDED
        case.winner = winning
        case.decided_at = now
        case.decided_by = actor
        case.rationale = rationale
        case.save(update_fields=["status", "winner", "decided_at", "decided_by", "rationale"])
    return case


def _lose(
    case: ArbitrationCase, claim: Claim, *, actor, rationale: str, now: datetime, names: dict
) -> None:
    close_questions(claim, now=now)
    close_dispute(claim, actor=actor, upheld=False, rationale=rationale, now=now)
    move_claim(
        claim,
        to=policy.status_after_losing(claim.status),
        action=Event.CASE_LOST,
        actor=actor,
        now=now,
        reason=Reason.LOST_ARBITRATION,
        reason_text=rationale,
        case=case.pk,
        **names,
    )
    notify_partner(
        claim.request,
        lambda: (
            _(
                "Arbitration for %(product)s is decided in favour of another partner's "
                "claim. Your claim is %(status)s. Reviewer's rationale: %(rationale)s"
            )
            % {
                "product": claim.product.name,
                "status": ClaimStatus(claim.status).label.lower(),
                "rationale": rationale,
            }
        ),
    )
