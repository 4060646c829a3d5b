"""A reviewer's question and a partner's dispute, each answered by the other side."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from associations import policy
from associations.choices import ClaimStatus, Event
from associations.events import (
    author_language,
    move_claim,
    notify_partner,
    record_event,
    reviewer_comment,
)
from associations.models import Claim, Comment, Proof
from associations.policy import Action
from associations.services import Upload, save_documents
from core.deadlines import due
from disputes.errors import ReviewError
from disputes.models import Dispute, InformationRequest, Proposal
from disputes.selectors import open_case
from disputes.services import common
from disputes.services.common import date_text, lock_claim, username


def claim_request_information(
    *, actor, claim: Claim, reason: str, question: str, now: datetime | None = None
) -> InformationRequest:
    now = now or timezone.now()
    with transaction.atomic():
        claim = lock_claim(claim)
        policy.require(claim, Action.REQUEST_INFORMATION, now=now)
        info = InformationRequest.objects.create(
            claim=claim,
            reviewer=actor,
            reason=reason,
            question=question,
            return_status=claim.status,
            asked_at=now,
            due_at=due("information_business_days", now),
        )
        move_claim(
            claim,
            to=ClaimStatus.INFO_REQUESTED,
            action=Event.CLAIM_INFO_REQUESTED,
            actor=actor,
            now=now,
            reason=reason,
            question=question,
        )
        with translation.override(author_language(claim.request)):  # the partner reads it
            body = _(
                "Information needed for %(product)s: %(reason)s.\n%(question)s\n"
                "Answer by %(date)s, or the claim is rejected."
            ) % {
                "product": claim.product.name,
                "reason": info.get_reason_display(),
                "question": question,
                "date": date_text(info.due_at),
            }
        reviewer_comment(claim=claim, author=actor, body=body)
        notify_partner(
            claim.request,
            lambda: (
                _("A reviewer needs more information about %(product)s. Please answer by %(date)s.")
                % {"product": claim.product.name, "date": date_text(info.due_at)}
            ),
        )
    return info


def information_answer(
    *, actor, claim: Claim, answer: str, uploads: list[Upload], now: datetime | None = None
) -> InformationRequest:
    """The partner answers; the claim returns to where it was, with the answer as newer proof."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = lock_claim(claim)
        policy.require(claim, Action.ANSWER, now=now)
        info = (
            InformationRequest.objects.select_for_update(of=("self",))
            .filter(claim=claim, answered_at__isnull=True)
            .first()
        )
        if info is None:
            raise ReviewError("no_open_question")
        info.answered_at = now
        info.answer = answer
        info.save(update_fields=["answered_at", "answer"])
        proof = Proof.objects.create(
            request=claim.request, claim=claim, description=answer, author=actor
        )
        save_documents(proof, uploads)
        Comment.objects.create(
            request=claim.request, author=actor, kind=Comment.Kind.PARTNER, body=answer
        )
        back = info.return_status
        case = open_case(claim)
        due_at = case.due_at if case else due("review_business_days", now)
        if back == ClaimStatus.DISPUTED:
            due_at = claim.dispute.due_at
        move_claim(
            claim, to=back, action=Event.CLAIM_INFO_ANSWERED, actor=actor, now=now, due_at=due_at
        )
    return info


def claim_dispute(
    *, actor, claim: Claim, statement: str, uploads: list[Upload], now: datetime | None = None
) -> Dispute:
    now = now or timezone.now()
    with transaction.atomic():
        claim = lock_claim(claim)
        policy.require(
            claim,
            Action.DISPUTE,
            now=now,
            disputed_before=Dispute.objects.filter(claim=claim).exists(),
        )
        dispute = Dispute.objects.create(
            claim=claim,
            statement=statement,
            filed_by=actor,
            filed_at=now,
            due_at=due("dispute_answer_business_days", now),
        )
        proof = Proof.objects.create(
            request=claim.request, claim=claim, description=statement, author=actor
        )
        save_documents(proof, uploads)
        move_claim(
            claim,
            to=ClaimStatus.DISPUTED,
            action=Event.CLAIM_DISPUTED,
            actor=actor,
            now=now,
            due_at=dispute.due_at,
        )
    return dispute


def _lock_dispute(dispute: Dispute, *, now: datetime) -> tuple[Dispute, Claim]:
    """The claim's key and row first, as every transition of a claim locks them, then the
    dispute's row."""
    claim = lock_claim(dispute.claim)
    dispute = Dispute.objects.select_for_update(of=("self",)).get(pk=dispute.pk)
    policy.require(claim, Action.ANSWER_DISPUTE, now=now)
    return dispute, claim


def dispute_propose(
    *, actor, dispute: Dispute, rationale: str, now: datetime | None = None
) -> Proposal:
    """Four eyes: propose approving a disputed claim; a second reviewer confirms it."""
    now = now or timezone.now()
    with transaction.atomic():
        dispute, claim = _lock_dispute(dispute, now=now)
        if not policy.needs_second_reviewer(winner=claim):
            raise ReviewError("no_confirmation_needed")
        if dispute.proposals.filter(status=Proposal.Status.OPEN).exists():
            raise ReviewError("proposal_open")
        proposal = Proposal.objects.create(
            dispute=dispute, winner=claim, rationale=rationale, proposed_by=actor, proposed_at=now
        )
        record_event(
            request=claim.request,
            claim=claim,
            action=Event.DECISION_PROPOSED,
            actor=actor,
            now=now,
            payload={"dispute": dispute.pk, "proposed_by": username(actor)},
        )
    return proposal


def dispute_answer(
    *,
    actor,
    dispute: Dispute,
    approve: bool,
    rationale: str,
    now: datetime | None = None,
    proposed_by=None,
) -> Dispute:
    """`proposed_by`: under four eyes, the reviewer whose proposal to approve `actor` confirms."""
    now = now or timezone.now()
    with transaction.atomic():
        dispute, claim = _lock_dispute(dispute, now=now)
        if proposed_by is None:
            if approve and policy.needs_second_reviewer(winner=claim):
                raise ReviewError("needs_confirmation")
            if dispute.proposals.filter(status=Proposal.Status.OPEN).exists():
                raise ReviewError("proposal_open")
        names = common.decision_names(holder=claim.assignee, actor=actor, proposed_by=proposed_by)
        dispute.answered_at = now
        dispute.answered_by = actor
        dispute.upheld = approve
        dispute.rationale = rationale
        dispute.save(update_fields=["answered_at", "answered_by", "upheld", "rationale"])
        if approve:
            common.approve(claim, actor=actor, action=Event.DISPUTE_UPHELD, now=now, **names)
            return dispute
        move_claim(
            claim,
            to=ClaimStatus.REJECTED_FINAL,
            action=Event.DISPUTE_REFUSED,
            actor=actor,
            now=now,
            reason=claim.reason,
            reason_text=rationale,
            **names,
        )
        notify_partner(
            claim.request,
            lambda: (
                _("Your dispute of %(product)s was reviewed; the rejection stands. %(rationale)s")
                % {"product": claim.product.name, "rationale": rationale}
            ),
        )
    return dispute
