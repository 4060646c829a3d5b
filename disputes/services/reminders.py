"""Reminders before a partner's time runs out: to answer an information request, to dispute.

Each reminder goes once, recorded as a timeline event that is checked under the claim's row
lock before anything is sent; the claim policy decides whether the action is still open, so a
reminder never asks for what the partner can no longer do.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from associations import policy
from associations.choices import Event
from associations.events import notify_partner, record_event
from associations.models import Claim
from associations.policy import Action
from core.deadlines import days, due
from disputes.models import Dispute, InformationRequest
from disputes.services.common import date_text

# An information request's reminders, the nearest first (see `information_reminder`).
INFORMATION_REMINDERS = (
    "information_last_reminder_business_days",
    "information_reminder_business_days",
)


def information_reminder(due_at: datetime, *, now: datetime) -> str | None:
    """The reminder (its policy) an open information request due at `due_at` has reached.

    The nearest one whose time has come: a sweep that first sees a request late still sends
    the reminder it owes, and never the 5-day one once the 1-day one is due. Counted as the
    deadline was, in business days, so a Saturday leaves as much time as the Friday before.
    """
    if due_at <= now:
        return None  # past due: information_request_expire rejects it
    for reminder in INFORMATION_REMINDERS:
        if due_at <= due(reminder, now):
            return reminder
    return None


def _locked(claim_id: int) -> Claim | None:
    """The claim's row, unless a transition holds it: the next sweep tries again."""
    return (
        Claim.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("request__author", "product")
        .filter(pk=claim_id)
        .first()
    )


def _page(url_name: str, claim: Claim) -> str:
    path = reverse(url_name, args=[claim.request.reference, claim.pk])
    return settings.CPOR_BASE_URL.rstrip("/") + path


def information_request_remind(*, info: InformationRequest, now: datetime | None = None) -> bool:
    """Remind the partner of an unanswered question, once per reminder of the request."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = _locked(info.claim_id)
        if claim is None or policy.refusal(claim, Action.ANSWER, now=now) is not None:
            return False
        info = InformationRequest.objects.filter(pk=info.pk, answered_at__isnull=True).first()
        if info is None:
            return False
        reminder = information_reminder(info.due_at, now=now)
        if reminder is None:
            return False
        length = days(reminder)
        # A reminder naming as few days or fewer was sent: this one has nothing to add.
        if claim.events.filter(
            action=Event.CLAIM_INFORMATION_REMINDER,
            created_at__gte=info.asked_at,
            payload__days__lte=length,
        ).exists():
            return False
        record_event(
            request=claim.request,
            claim=claim,
            action=Event.CLAIM_INFORMATION_REMINDER,
            actor=None,
            now=now,
            payload={"days": length},
        )
        url = _page("information_answer", claim)
        notify_partner(
            claim.request,
            lambda: (
                ngettext(
                    "%(reference)s: the reviewer's question about %(product)s needs your answer "
                    "within %(days)d business day, by %(date)s; without an answer the claim is "
                    "rejected. Answer it here: %(url)s",
                    "%(reference)s: the reviewer's question about %(product)s needs your answer "
                    "within %(days)d business days, by %(date)s; without an answer the claim is "
                    "rejected. Answer it here: %(url)s",
                    length,
                )
                % {
                    "reference": claim.request.reference,
                    "product": claim.product.name,
                    "days": length,
                    "date": date_text(info.due_at),
                    "url": url,
                }
            ),
        )
    return True


def claim_remind_dispute(*, claim: Claim, now: datetime | None = None) -> bool:
    """Remind the partner, once per rejection, that its dispute window closes soon."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = _locked(claim.pk)
        if claim is None:
            return False
        disputed = Dispute.objects.filter(claim=claim).exists()
        if policy.refusal(claim, Action.DISPUTE, now=now, disputed_before=disputed) is not None:
            return False
        until = policy.dispute_until(claim)
        if until > due("dispute_reminder_days", now):
            return False
        if claim.events.filter(
            action=Event.CLAIM_DISPUTE_REMINDER, created_at__gte=claim.status_changed_at
        ).exists():
            return False
        length = days("dispute_reminder_days")
        record_event(
            request=claim.request,
            claim=claim,
            action=Event.CLAIM_DISPUTE_REMINDER,
            actor=None,
            now=now,
            payload={"days": length},
        )
        url = _page("claim_dispute", claim)
        notify_partner(
            claim.request,
            lambda: (
                ngettext(
                    "%(reference)s: the time to dispute the rejection of %(product)s ends within "
                    "%(days)d day, on %(date)s. You can dispute it once, with new proof: %(url)s",
                    "%(reference)s: the time to dispute the rejection of %(product)s ends within "
                    "%(days)d days, on %(date)s. You can dispute it once, with new proof: %(url)s",
                    length,
                )
                % {
                    "reference": claim.request.reference,
                    "product": claim.product.name,
                    "days": length,
                    "date": date_text(until),
                    "url": url,
                }
            ),
        )
    return True
