"""A reviewer's decision on one claim, and the customer's decline of an approved one."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from associations import policy
from associations.choices import ClaimStatus, Event, Reason
from associations.events import move_claim
from associations.models import Claim
from associations.policy import Action
from core.errors import DomainError
from disputes.errors import ReviewError
from disputes.services.common import approve, decision_names, lock_claim, tell_rejection


def claim_approve(
    *,
    actor,
    claim: Claim,
    note: str = "",
    now: datetime | None = None,
    seen_at: datetime | None = None,
) -> Claim:
    """`seen_at`: the claim's last change as the reviewer saw it; approved only if unchanged."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = lock_claim(claim)
        if seen_at is not None and claim.status_changed_at != seen_at:
            raise ReviewError("changed_since_shown")
        policy.require(claim, Action.APPROVE, now=now)
        names = decision_names(holder=claim.assignee, actor=actor)
        approve(claim, actor=actor, action=Event.CLAIM_APPROVED, now=now, note=note, **names)
    return claim


def claims_approve_as_seen(
    *, actor, seen: dict[int, datetime], note: str = "", now: datetime | None = None
) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    """Approve many claims with one note, each as `claim_approve` does in its own transaction:
    one that changed since the reviewer saw it, or that the policy refuses, is skipped with
    the reason and the others go on. Returns the approved and the skipped claims."""
    approved, skipped = [], []
    for claim in Claim.objects.filter(pk__in=seen).select_related("request").order_by("pk"):
        try:
            approved.append(
                claim_approve(actor=actor, claim=claim, note=note, now=now, seen_at=seen[claim.pk])
            )
        except DomainError as error:
            skipped.append((claim, error.message))
    return approved, skipped


def claim_reject(
    *, actor, claim: Claim, reason: str, note: str = "", now: datetime | None = None
) -> Claim:
    now = now or timezone.now()
    with transaction.atomic():
        claim = lock_claim(claim)
        policy.require(claim, Action.REJECT, now=now)
        move_claim(
            claim,
            to=ClaimStatus.REJECTED,
            action=Event.CLAIM_REJECTED,
            actor=actor,
            now=now,
            reason=reason,
            reason_text=note,
            **decision_names(holder=claim.assignee, actor=actor),
        )
        tell_rejection(claim)
    return claim


def claim_customer_decline(*, claim: Claim, now: datetime | None = None) -> Claim:
    """The customer's contact declined the association through the signed link."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = lock_claim(claim)
        policy.require(claim, Action.DECLINE, now=now)
        move_claim(
            claim,
            to=ClaimStatus.REJECTED,
            action=Event.CLAIM_CUSTOMER_DECLINED,
            actor=None,
            now=now,
            reason=Reason.CUSTOMER_DECLINED,
        )
        tell_rejection(claim)
    return claim
