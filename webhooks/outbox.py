"""The outbox: timeline events become delivery rows in the transaction that writes them.

A row exists exactly when the change committed, and the worker sends it after commit; no
change is reported that rolled back, none is lost between the commit and the queue.
Payloads carry ids, the partner's own reference and product code and the new state: never
another organisation's name (a case is named by its id, never by its parties).
"""

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from associations.choices import ClaimStatus, Event
from associations.models import AssociationRequest, Claim, Comment, StatusEvent
from validation.models import Product
from webhooks.models import Delivery, Endpoint, EventType

# Timeline actions that mean more than a change of status, and what they are announced as.
_SPECIFIC = {
    Event.CLAIM_INFO_REQUESTED: EventType.CLAIM_INFORMATION_REQUESTED,
    Event.CASE_JOINED: EventType.CASE_OPENED,
    Event.CLAIM_CONTESTED: EventType.CASE_OPENED,
    Event.CASE_WON: EventType.CASE_DECIDED,
    Event.CASE_LOST: EventType.CASE_DECIDED,
}


def event_types_of(event: StatusEvent) -> list[EventType]:
    """What one timeline event is announced as, the status change first."""
    types = []
    if event.to_status and event.to_status != event.from_status:
        types.append(EventType.CLAIM_STATUS_CHANGED)
    if event.action in _SPECIFIC:
        types.append(_SPECIFIC[event.action])
    if event.to_status == ClaimStatus.ENDED and event.from_status != ClaimStatus.ENDED:
        types.append(EventType.ASSOCIATION_ENDED)
    return types


def _claim_data(request: AssociationRequest, claim: Claim, product_codes: dict) -> dict:
    return {
        "request_id": request.pk,
        "reference": request.reference,
        "claim_id": claim.pk,
        "product_code": product_codes[claim.product_id],
    }


def _event_data(event: StatusEvent, product_codes: dict) -> dict:
    data = {
        **_claim_data(event.request, event.claim, product_codes),
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "occurred_at": event.created_at.isoformat(),
    }
    if "case" in event.payload:
        data["case_id"] = event.payload["case"]
    return data


def _active_endpoints(organisation_ids: set[int]) -> list[Endpoint]:
    """The one query a change pays when its organisation has no endpoint."""
    return list(
        Endpoint.objects.filter(organisation_id__in=organisation_ids, disabled_at__isnull=True)
        .order_by("pk")
        .only("pk", "organisation_id", "event_types")
    )


def _write(endpoints: list[Endpoint], messages: list[tuple[int, EventType, Claim, dict]]) -> None:
    """Queue (organisation id, type, claim, data) for every endpoint that wants it."""
    now = timezone.now()
    rows = [
        Delivery(
            endpoint=endpoint,
            event_type=event_type,
            message_id=f"msg_{uuid.uuid4().hex}",
            payload={"type": event_type, "timestamp": now.isoformat(), "data": data},
            claim_id=claim.pk,
            created_at=now,
            next_attempt_at=now,
        )
        for organisation_id, event_type, claim, data in messages
        for endpoint in endpoints
        if endpoint.organisation_id == organisation_id and event_type in endpoint.event_types
    ]
    Delivery.objects.bulk_create(rows)
    for endpoint_id in sorted({row.endpoint_id for row in rows}):
        transaction.on_commit(lambda pk=endpoint_id: enqueue(pk))


def enqueue(endpoint_id: int) -> None:
    async_task("webhooks.tasks.deliver_endpoint", endpoint_id, group="webhooks")


def _product_codes(claims: Iterable[Claim]) -> dict:
    return dict(
        Product.objects.filter(pk__in={claim.product_id for claim in claims}).values_list(
            "pk", "code"
        )
    )


def events_to_outbox(sender, events: list[StatusEvent], **kwargs) -> None:
    announced = [
        (event, event_type)
        for event in events
        if event.claim is not None
        for event_type in event_types_of(event)
    ]
    if not announced:
        return
    endpoints = _active_endpoints({event.request.organisation_id for event, _ in announced})
    if not endpoints:
        return
    codes = _product_codes(event.claim for event, _ in announced)
    _write(
        endpoints,
        [
            (event.request.organisation_id, event_type, event.claim, _event_data(event, codes))
            for event, event_type in announced
        ],
    )


def comment_to_outbox(sender, comment: Comment, claim: Claim, **kwargs) -> None:
    endpoints = _active_endpoints({comment.request.organisation_id})
    if not endpoints:
        return
    data = {
        **_claim_data(comment.request, claim, _product_codes([claim])),
        "comment_id": comment.pk,
        "body": comment.body,
        "occurred_at": comment.created_at.isoformat(),
    }
    organisation_id = comment.request.organisation_id
    _write(endpoints, [(organisation_id, EventType.COMMENT_FROM_REVIEWER, claim, data)])
