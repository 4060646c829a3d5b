"""Scheduled sweeps: each finds due rows and calls the same service a person would."""

import logging

from django.utils import timezone

from associations.models import ClaimStatus
from disputes import services
from disputes.models import ArbitrationCase, InformationRequest
from disputes.selectors import review_queue

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
