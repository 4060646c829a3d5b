"""What the schedules do when nobody acts in time: the same transitions, with actor=None."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from associations import policy
from associations.choices import ClaimStatus, Event, Reason
from associations.events import move_claim, notify_partner, record_event
from associations.models import Claim
from associations.policy import Action
from core.deadlines import days
from disputes.models import ArbitrationCase, InformationRequest
from disputes.services.common import lock_claim, tell_rejection


def information_request_expire(*, info: InformationRequest, now: datetime | None = None) -> bool:
    """Reject a claim whose question went unanswered past its due date."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = lock_claim(info.claim)
        info = InformationRequest.objects.select_for_update(of=("self",)).get(pk=info.pk)
        if info.answered_at is not None or info.due_at > now:
            return False
        if policy.refusal(claim, Action.ANSWER, now=now) is not None:
            return False
        info.answered_at = now
        info.save(update_fields=["answered_at"])
        move_claim(
            claim,
            to=ClaimStatus.REJECTED,
            action=Event.CLAIM_NO_RESPONSE,
            actor=None,
            now=now,
            reason=Reason.NO_RESPONSE,
        )
        tell_rejection(claim)
    return True


def case_flag_overdue(*, case: ArbitrationCase, now: datetime | None = None) -> bool:
    """Mark an overdue case for reviewers and tell its partners it takes longer."""
    now = now or timezone.now()
    with transaction.atomic():
        case = (
            ArbitrationCase.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=case.pk)
            .first()
        )
        if case is None or case.overdue_flagged_at or not case.is_open or case.due_at > now:
            return False
        case.overdue_flagged_at = now
        case.save(update_fields=["overdue_flagged_at"])
        for claim in case.claims.select_related("request__author", "product").order_by("pk"):
            if claim.status != ClaimStatus.APPROVED:
                _tell_overdue(claim)
    return True


def _tell_overdue(claim: Claim) -> None:
    length = days("review_business_days")
    notify_partner(
        claim.request,
        lambda: (
            ngettext(
                "The review of %(product)s takes longer than the expected %(days)d business "
                "day; your request stays under review and nothing is needed from you.",
                "The review of %(product)s takes longer than the expected %(days)d business "
                "days; your request stays under review and nothing is needed from you.",
                length,
            )
            % {"product": claim.product.name, "days": length}
        ),
    )


def claim_flag_overdue(*, claim: Claim, now: datetime | None = None) -> bool:
    """Tell the partner once that a single review is past its expected date."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=claim.pk)
            .first()
        )
        if claim is None or claim.status != ClaimStatus.UNDER_REVIEW or claim.due_at > now:
            return False
        if claim.events.filter(
            action=Event.CLAIM_REVIEW_OVERDUE, created_at__gte=claim.status_changed_at
        ).exists():
            return False
        record_event(
            request=claim.request,
            claim=claim,
            action=Event.CLAIM_REVIEW_OVERDUE,
            actor=None,
            now=now,
        )
        _tell_overdue(claim)
    return True
