"""A reviewer's decision on one claim, and the customer's decline of an approved one."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from associations import policy
from associations.choices import ClaimStatus, Event, Reason
from associations.events import move_claim
from associations.models import Claim
from associations.policy import Action
from disputes.services.common import approve, lock_claim, tell_rejection


def claim_approve(*, actor, claim: Claim, note: str = "", now: datetime | None = None) -> Claim:
    now = now or timezone.now()
    with transaction.atomic():
        claim = lock_claim(claim)
        policy.require(claim, Action.APPROVE, now=now)
        approve(claim, actor=actor, action=Event.CLAIM_APPROVED, now=now, note=note)
    return claim


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
