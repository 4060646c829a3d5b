"""django-q2 entry points: take ids, re-read the rows, call a service with actor=None."""

import logging
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

from associations.lifecycle import (
    approved_claims_of_changed_subscriptions,
    approved_claims_without_live_subscription,
)
from associations.models import AssociationRequest, CheckResult, ClaimStatus
from associations.services import claims_end_with_subscription
from associations.verdict import claims_recheck_provisioning, request_record_verdict
from validation.checks import DirectoryUnavailable

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
STALE_VALIDATING = timedelta(minutes=10)
END_BATCH = 500  # lapsed claims ended per transaction


def validate_request(request_id: int, attempt: int = 1) -> str:
    try:
        request_record_verdict(request_id=request_id)
    except (DirectoryUnavailable, OperationalError):
        # A directory outage, or the database breaking a lock cycle: transient, try again.
        if attempt >= MAX_ATTEMPTS:
            logger.error("Request %s could not be validated; the sweep will retry", request_id)
            return "gave_up"
        delay = 5 * 2 ** (attempt - 1)  # 5 s, 10 s, 20 s, ... back-off
        schedule(
            "associations.tasks.validate_request",
            request_id,
            attempt + 1,
            schedule_type=Schedule.ONCE,
            next_run=timezone.now() + timedelta(seconds=delay),
        )
        return "retry_scheduled"
    return "done"


def requeue_stale_validations() -> int:
    """No request is lost: re-queue those left `validating` (a worker died, retries ran out)."""
    cutoff = timezone.now() - STALE_VALIDATING
    request_ids = set(
        AssociationRequest.objects.filter(
            claims__status=ClaimStatus.VALIDATING, claims__status_changed_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for request_id in request_ids:
        async_task("associations.tasks.validate_request", request_id, group="validation")
    return len(request_ids)


def recheck_unprovisioned() -> int:
    """Daily: claims that failed only because the subscription was not yet provisioned."""
    since = timezone.now() - timedelta(days=settings.CPOR_DEADLINES["provisioning_recheck_days"])
    waiting = (
        CheckResult.objects.failed()
        .filter(
            code="subscription_not_provisioned",
            claim__status=ClaimStatus.ACTION_NEEDED,
            claim__status_changed_at__gte=since,
        )
        .values_list("request_id", flat=True)
        .order_by()
        .distinct()
    )
    moved = 0
    for request_id in waiting:
        try:
            moved += claims_recheck_provisioning(request_id=request_id)
        except Exception:
            logger.exception("Provisioning re-check failed for request %s", request_id)
    return moved


def recheck_approved_subscriptions() -> int:
    """Daily: end claims whose subscription has lapsed."""
    return _end_lapsed(approved_claims_without_live_subscription())


def recheck_changed_subscriptions(subscriptions: list[tuple[str, str, int]]) -> int:
    """After a directory import: the same, for the claims of the subscriptions it changed."""
    return _end_lapsed(approved_claims_of_changed_subscriptions(subscriptions))


def _end_lapsed(claims) -> int:
    """End the lapsed claims a few hundred at a time; a batch that fails is retried claim by
    claim, so one bad row never stops the rest."""
    ended = 0
    ids = claims.values_list("pk", flat=True).order_by("pk").iterator()
    while batch := list(islice(ids, END_BATCH)):
        try:
            ended += claims_end_with_subscription(claim_ids=batch)
        except Exception:
            logger.exception("Subscription re-check failed for claims %s-%s", batch[0], batch[-1])
            for claim_id in batch:
                try:
                    ended += claims_end_with_subscription(claim_ids=[claim_id])
                except Exception:
                    logger.exception("Subscription re-check failed for claim %s", claim_id)
    return ended
