"""Who holds a piece of review work: a claim waiting for a reviewer (with its information
request or dispute) or an open arbitration case. Holding organises the team's queues; it
never blocks another reviewer's decision."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from associations.choices import Event
from associations.events import record_event
from associations.models import Claim
from associations.policy import REVIEW_QUEUE_STATUSES
from disputes.errors import ReviewError
from disputes.models import ArbitrationCase
from disputes.selectors import reviewers
from disputes.services.common import username


def _event(assignee, actor) -> Event:
    if assignee is None:
        return Event.REVIEW_RELEASED
    return Event.REVIEW_TAKEN if assignee == actor else Event.REVIEW_ASSIGNED


def _hold(item, *, actor, assignee, holder_seen, now: datetime) -> list:
    """Set the holder of the locked `item`; the event to record, if anything changed."""
    if item.assignee_id != (holder_seen.pk if holder_seen else None):
        raise ReviewError("holder_changed")
    if assignee is not None and not reviewers().filter(pk=assignee.pk).exists():
        raise ReviewError("not_a_reviewer")
    if item.assignee_id == (assignee.pk if assignee else None):
        return []
    item.assignee, item.assigned_at = assignee, (now if assignee else None)
    item.save(update_fields=["assignee", "assigned_at"])
    return [_event(assignee, actor)]


def claim_assign(
    *, actor, claim: Claim, assignee, holder_seen=None, now: datetime | None = None
) -> Claim:
    """Take (`assignee` is the actor), assign (another reviewer) or release (None) a claim.

    `holder_seen`: who held it as the actor saw it (None: nobody); if that changed meanwhile,
    nothing is done, so nobody's hold is taken over blind.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("request", "assignee")
            .get(pk=claim.pk)
        )
        if claim.status not in REVIEW_QUEUE_STATUSES:
            raise ReviewError("not_in_review")
        previous = claim.assignee
        for action in _hold(
            claim, actor=actor, assignee=assignee, holder_seen=holder_seen, now=now
        ):
            record_event(
                request=claim.request,
                claim=claim,
                action=action,
                actor=actor,
                now=now,
                payload={"assignee": username(assignee), "previous": username(previous)},
            )
    return claim


def case_assign(
    *, actor, case: ArbitrationCase, assignee, holder_seen=None, now: datetime | None = None
) -> ArbitrationCase:
    """As `claim_assign`, for an open arbitration case; each party's timeline records it."""
    now = now or timezone.now()
    with transaction.atomic():
        case = (
            ArbitrationCase.objects.select_for_update(of=("self",))
            .select_related("assignee")
            .get(pk=case.pk)
        )
        if not case.is_open:
            raise ReviewError("not_in_review")
        previous = case.assignee
        for action in _hold(case, actor=actor, assignee=assignee, holder_seen=holder_seen, now=now):
            payload = {
                "case": case.pk,
                "assignee": username(assignee),
                "previous": username(previous),
            }
            for claim in case.claims.filter(status__in=REVIEW_QUEUE_STATUSES).select_related(
                "request"
            ):
                record_event(
                    request=claim.request,
                    claim=claim,
                    action=action,
                    actor=actor,
                    now=now,
                    payload=payload,
                )
    return case
