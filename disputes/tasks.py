"""Scheduled sweeps: each finds due rows and calls the same service a person would."""

import logging
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from associations import policy
from associations.choices import Event
from associations.models import Claim, ClaimStatus, StatusEvent
from associations.policy import Action
from core.deadlines import days, due
from disputes import services
from disputes.models import ArbitrationCase, Dispute, InformationRequest
from disputes.selectors import review_queue
from disputes.services.reminders import INFORMATION_REMINDERS

logger = logging.getLogger(__name__)


def _each(rows, action) -> int:
    """Apply `action` to every row; one bad row is logged and never stops the sweep."""
    done = 0
    for row in rows:
        try:
            done += bool(action(row))
        except Exception:
            logger.exception("Sweep %s failed for %r", action.__name__, row)
    return done


def expire_information_requests() -> int:
    now = timezone.now()
    due = InformationRequest.objects.filter(answered_at__isnull=True, due_at__lte=now)
    return _each(due, lambda info: services.information_request_expire(info=info, now=now))


def flag_overdue_reviews() -> int:
    now = timezone.now()
    cases = ArbitrationCase.objects.filter(
        status=ArbitrationCase.Status.OPEN, overdue_flagged_at__isnull=True, due_at__lte=now
    )
    claims = review_queue().filter(status=ClaimStatus.UNDER_REVIEW, due_at__lte=now)
    return _each(cases, lambda case: services.case_flag_overdue(case=case, now=now)) + _each(
        claims, lambda claim: services.claim_flag_overdue(claim=claim, now=now)
    )


def remind_partners(now: datetime | None = None) -> int:
    """Hourly: the reminders whose time has come, each row in its own transaction."""
    now = now or timezone.now()
    questions = _each(
        _information_reminders_due(now),
        lambda info: services.information_request_remind(info=info, now=now),
    )
    disputes = _each(
        _dispute_reminders_due(now),
        lambda claim: services.claim_remind_dispute(claim=claim, now=now),
    )
    return questions + disputes


def _information_reminders_due(now: datetime):
    """Open requests due within the farthest reminder (a range of the information_open_due
    index), less those already reminded for the band they are in; the service decides."""
    bands, after = Q(), now
    for reminder in INFORMATION_REMINDERS:
        until = due(reminder, now)
        reminded = StatusEvent.objects.filter(
            claim=OuterRef("claim"),
            action=Event.CLAIM_INFORMATION_REMINDER,
            created_at__gte=OuterRef("asked_at"),
            payload__days__lte=days(reminder),
        )
        bands |= Q(due_at__gt=after, due_at__lte=until) & ~Exists(reminded)
        after = until
    return InformationRequest.objects.filter(
        bands, answered_at__isnull=True, due_at__gt=now, due_at__lte=after
    ).order_by("due_at")


def _dispute_reminders_due(now: datetime):
    """Rejections whose window closes within the reminder's days (a range of the
    claim_status_age index), never disputed nor reminded; the service asks the policy."""
    window = timedelta(days=days("dispute_window_days"))  # calendar days, as dispute_until
    reminded = StatusEvent.objects.filter(
        claim=OuterRef("pk"),
        action=Event.CLAIM_DISPUTE_REMINDER,
        created_at__gte=OuterRef("status_changed_at"),
    )
    return (
        Claim.objects.filter(
            status__in=sorted(policy.statuses_allowing(Action.DISPUTE)),
            status_changed_at__gte=now - window,
            status_changed_at__lte=due("dispute_reminder_days", now) - window,
        )
        .exclude(Exists(Dispute.objects.filter(claim=OuterRef("pk"))))
        .exclude(Exists(reminded))
        .order_by("status_changed_at")
    )
