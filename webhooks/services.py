"""Every write of the webhooks app: endpoints, and sending their outbox in order."""

import base64
import contextlib
import secrets
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.mail import mail_after_commit
from partners.models import Membership, Organisation, Role
from webhooks import sending
from webhooks.errors import WebhookError
from webhooks.models import Delivery, Endpoint
from webhooks.outbox import enqueue

MAX_ENDPOINTS = 10
RETRY_WINDOW = timedelta(hours=24)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
SEND_BATCH = 100  # deliveries read at once by a sender
_LOCK_SPACE = 1_547_000  # pg_advisory_lock(space, endpoint id): one sender per endpoint


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def endpoint_create(
    *,
    actor,
    organisation: Organisation,
    url: str,
    event_types: list[str],
    now: datetime | None = None,
) -> Endpoint:
    now = now or timezone.now()
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)  # the count holds
        if Endpoint.objects.filter(organisation=organisation).count() >= MAX_ENDPOINTS:
            raise WebhookError("too_many_endpoints")
        return Endpoint.objects.create(
            organisation=organisation,
            url=url,
            event_types=sorted(event_types),
            secret=new_secret(),
            created_by=actor,
            created_at=now,
        )


def endpoint_delete(*, actor, endpoint: Endpoint) -> None:
    endpoint.delete()


def endpoint_enable(*, actor, endpoint: Endpoint, now: datetime | None = None) -> Endpoint:
    """Back on after a disable; what was given up stays so (each can be sent again)."""
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        if endpoint.is_active:
            raise WebhookError("endpoint_active")
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
        endpoint.save(update_fields=["disabled_at", "disabled_reason", "failing_since"])
    return endpoint


def delivery_resend(*, actor, delivery: Delivery, now: datetime | None = None) -> Delivery:
    """Queue a delivery again, with its webhook-id unchanged (the specification's rule for a
    message sent again): a receiver that keeps the ids it processed may skip it."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
        )
        if not delivery.endpoint.is_active:
            raise WebhookError("endpoint_disabled")
        if delivery.status == Delivery.Status.PENDING:
            raise WebhookError("delivery_waiting")
        delivery.status, delivery.next_attempt_at = Delivery.Status.PENDING, now
        delivery.save(update_fields=["status", "next_attempt_at"])
        transaction.on_commit(lambda: enqueue(delivery.endpoint_id))
    return delivery


@contextlib.contextmanager
def _sender_session(endpoint_id: int):
    """One sender per endpoint; yields whether this is it. The lock is held across the HTTP
    calls but outside any transaction, so each result commits at once; a second sender does
    not wait for it (a worker blocked on a busy endpoint serves nobody) but leaves the rows to
    the holder, which looks again after letting go. Results commit without waiting for the
    WAL flush: a database crash may forget that a delivery arrived and send it again with the
    same webhook-id, which receivers must allow for anyway (a worker may die between the
    answer and the commit); it triples the throughput."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_SPACE, endpoint_id])
        if not cursor.fetchone()[0]:
            yield False
            return
        cursor.execute("SET synchronous_commit TO OFF")
        try:
            yield True
        finally:
            cursor.execute("RESET synchronous_commit")
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_SPACE, endpoint_id])


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling up to an hour."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def endpoint_deliver(*, endpoint_id: int, now: datetime | None = None) -> int:
    """Send the endpoint's due deliveries, oldest first, stopping at the first failure (strict
    order: nothing overtakes a delivery that waits for its retry). Returns how many arrived."""
    sent = 0
    while True:
        with _sender_session(endpoint_id) as sender_is_us:
            if not sender_is_us:
                return sent
            sent += _send_due(endpoint_id, now=now)
        if not _head_is_due(endpoint_id, now=now):  # none came while the lock was held
            return sent


def _head_is_due(endpoint_id: int, *, now: datetime | None) -> bool:
    head = (
        Delivery.objects.filter(
            endpoint_id=endpoint_id,
            status=Delivery.Status.PENDING,
            endpoint__disabled_at__isnull=True,
        )
        .order_by("pk")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return head is not None and head <= (now or timezone.now())


def _send_due(endpoint_id: int, *, now: datetime | None) -> int:
    sent = 0
    endpoint = Endpoint.objects.filter(pk=endpoint_id, disabled_at__isnull=True).first()
    if endpoint is None:
        return sent
    sender = sending.Sender(endpoint.url)
    try:
        while batch := list(
            Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).order_by(
                "pk"
            )[:SEND_BATCH]
        ):
            for delivery in batch:
                at = now or timezone.now()
                if delivery.next_attempt_at > at:
                    return sent
                body = sending.body_of(delivery.payload)
                headers = sending.signed_headers(
                    secret=endpoint.secret, message_id=delivery.message_id, body=body, at=at
                )
                if not _record(endpoint, delivery, sender.post(body, headers), at=at):
                    return sent
                sent += 1
    finally:
        sender.close()
    return sent


def _record(endpoint: Endpoint, delivery: Delivery, outcome: sending.Outcome, *, at) -> bool:
    """Keep the attempt's outcome; True when it arrived. A success is one UPDATE."""
    fields = {
        "attempts": F("attempts") + 1,
        "last_response_code": outcome.status,
        "last_duration_ms": outcome.duration_ms,
        "last_error": outcome.error,
    }
    pending = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING)
    if outcome.ok:
        pending.update(
            status=Delivery.Status.DELIVERED, delivered_at=at, next_attempt_at=None, **fields
        )
        if endpoint.failing_since is not None:
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            endpoint.failing_since = None
        return True
    with transaction.atomic():
        failing_since = endpoint.failing_since or at
        if at - failing_since >= RETRY_WINDOW:
            pending.update(**fields)
            _disable(endpoint, at=at)
            return False
        pending.update(next_attempt_at=at + retry_delay(delivery.attempts + 1), **fields)
        if endpoint.failing_since is None:
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=at)
        return False


def _disable(endpoint: Endpoint, *, at: datetime) -> None:
    """24 hours of failures: stop, give up what waits, and tell the Global admins."""
    updated = Endpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=True).update(
        disabled_at=at, disabled_reason=Endpoint.DisabledReason.FAILING
    )
    if not updated:
        return
    endpoint.deliveries.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED, next_attempt_at=None
    )
    admins = Membership.objects.filter(
        organisation_id=endpoint.organisation_id, role=Role.GLOBAL_ADMIN, user__is_active=True
    ).select_related("user")
    for membership in admins:
        if not membership.user.email:
            continue
        with translation.override(membership.language or None):
            subject = _("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url}
            body = _(
                "Deliveries to %(url)s have failed for 24 hours, so the endpoint is disabled "
                "and its waiting deliveries are given up. Fix the receiver, enable the "
                "endpoint on the Webhooks page and send again what it missed."
            ) % {"url": endpoint.url}
        mail_after_commit(subject, body, membership.user.email)


def deliveries_sweep(*, now: datetime | None = None) -> int:
    """Hand every endpoint with a due delivery to a sender; returns how many."""
    now = now or timezone.now()
    endpoint_ids = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__disabled_at__isnull=True,
        )
        .values_list("endpoint_id", flat=True)
        .distinct()
        .order_by("endpoint_id")
    )
    for endpoint_id in endpoint_ids:
        enqueue(endpoint_id)
    return len(endpoint_ids)
