"""Sending, in process: signed per Standard Webhooks, verified by a real HTTPS receiver;
strictly in order; retried with back-off; disabled after 24 hours of failures."""

from datetime import timedelta

import psycopg
import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_q.models import Schedule

from tests.webhooks.builders import make_endpoint
from webhooks.models import Delivery, Endpoint, EventType
from webhooks.services import (
    _LOCK_SPACE,
    deliveries_sweep,
    delivery_resend,
    endpoint_deliver,
    retry_delay,
)


@pytest.fixture
def endpoint(organisation, global_admin, receiver):
    endpoint = make_endpoint(organisation, global_admin, url=f"{receiver.url}/cpor?x=1")
    receiver.secret = endpoint.secret
    return endpoint


def test_every_event_arrives_signed_once_in_order(endpoint, receiver, global_admin, file_claim):
    file_claim(global_admin)

    assert endpoint_deliver(endpoint_id=endpoint.pk) == 2
    assert endpoint_deliver(endpoint_id=endpoint.pk) == 0  # sent once: nothing left

    assert receiver.refused == []
    assert [p["data"]["to_status"] for p in receiver.received] == ["validating", "under_review"]
    assert receiver.paths == ["/cpor?x=1"] * 2
    assert receiver.message_ids == list(
        endpoint.deliveries.order_by("pk").values_list("message_id", flat=True)
    )
    for delivery in endpoint.deliveries.all():
        assert delivery.status == Delivery.Status.DELIVERED
        assert (delivery.attempts, delivery.last_response_code) == (1, 200)
        assert delivery.last_duration_ms is not None


def test_one_connection_carries_the_due_deliveries(endpoint, receiver, global_admin, file_claim):
    file_claim(global_admin)

    assert endpoint_deliver(endpoint_id=endpoint.pk) == 2

    assert receiver.connections == 1


def test_a_connection_the_receiver_closed_is_opened_again_without_a_failure(
    endpoint, receiver, global_admin, file_claim
):
    receiver.hang_up = True
    file_claim(global_admin)

    assert endpoint_deliver(endpoint_id=endpoint.pk) == 2

    assert receiver.connections == 2
    assert set(endpoint.deliveries.values_list("attempts", flat=True)) == {1}


def test_a_wrong_secret_fails_verification(endpoint, receiver, global_admin, file_claim):
    receiver.secret = "whsec_" + "A" * 43
    file_claim(global_admin)

    endpoint_deliver(endpoint_id=endpoint.pk)

    assert receiver.received == []
    assert receiver.refused == ["No matching signature found"]
    assert endpoint.deliveries.first().last_response_code == 400


def test_a_failure_holds_back_later_deliveries_until_its_retry(
    endpoint, receiver, global_admin, file_claim
):
    receiver.status = 503
    file_claim(global_admin)
    start = timezone.now()

    assert endpoint_deliver(endpoint_id=endpoint.pk, now=start) == 0
    first, second = endpoint.deliveries.order_by("pk")
    assert (first.attempts, first.last_response_code) == (1, 503)
    assert first.next_attempt_at == start + timedelta(seconds=30)
    assert second.attempts == 0  # nothing overtakes the head
    endpoint.refresh_from_db()
    assert endpoint.failing_since == start

    receiver.status = 200
    assert endpoint_deliver(endpoint_id=endpoint.pk, now=start + timedelta(seconds=10)) == 0
    assert endpoint_deliver(endpoint_id=endpoint.pk, now=start + timedelta(seconds=30)) == 2
    assert [p["data"]["to_status"] for p in receiver.received] == ["validating", "under_review"]
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_back_off_doubles_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert retry_delay(20) == timedelta(hours=1)


def test_the_sweep_finds_due_retries_only(endpoint, receiver, global_admin, file_claim):
    receiver.status = 503
    file_claim(global_admin)
    start = timezone.now()
    endpoint_deliver(endpoint_id=endpoint.pk, now=start)
    receiver.status = 200
    Delivery.objects.filter(endpoint=endpoint).update(next_attempt_at=start + timedelta(minutes=1))

    assert deliveries_sweep(now=start) == 0
    # Sync mode in the tests: the sweep's task runs at once, with the real clock.
    Delivery.objects.filter(endpoint=endpoint).update(next_attempt_at=start)
    assert deliveries_sweep(now=start) == 1

    assert len(receiver.received) == 2


def test_24_hours_of_failures_disable_the_endpoint_and_mail_its_global_admins(
    endpoint,
    receiver,
    global_admin,
    organisation,
    incentives_admin,
    file_claim,
    django_capture_on_commit_callbacks,
):
    receiver.status = 503
    file_claim(global_admin)
    start = timezone.now()
    endpoint_deliver(endpoint_id=endpoint.pk, now=start)
    endpoint_deliver(endpoint_id=endpoint.pk, now=start + timedelta(hours=23, minutes=59))
    assert Endpoint.objects.get(pk=endpoint.pk).is_active
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        endpoint_deliver(endpoint_id=endpoint.pk, now=start + timedelta(hours=24))

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason == Endpoint.DisabledReason.FAILING
    assert set(endpoint.deliveries.values_list("status", flat=True)) == {Delivery.Status.FAILED}
    assert [message.to for message in mail.outbox] == [[global_admin.email]]
    assert endpoint.url in mail.outbox[0].subject
    assert endpoint.deliveries.first().attempts == 3
    receiver.status = 200
    assert endpoint_deliver(endpoint_id=endpoint.pk) == 0  # disabled: nothing is sent
    assert receiver.received == []


def test_a_redirect_is_not_followed(endpoint, receiver, global_admin, file_claim):
    receiver.status = 302
    file_claim(global_admin)

    endpoint_deliver(endpoint_id=endpoint.pk)

    assert receiver.paths == ["/cpor?x=1"]  # never /elsewhere
    head = endpoint.deliveries.order_by("pk").first()
    assert (head.status, head.last_response_code) == (Delivery.Status.PENDING, 302)


def test_the_address_is_checked_again_at_delivery(endpoint, receiver, global_admin, file_claim):
    file_claim(global_admin)

    with override_settings(CPOR_WEBHOOKS_ALLOW_PRIVATE=False):
        endpoint_deliver(endpoint_id=endpoint.pk)

    assert receiver.paths == []
    head = endpoint.deliveries.order_by("pk").first()
    assert head.last_response_code is None
    assert "private, loopback or link-local" in head.last_error


def test_an_untrusted_certificate_is_a_failure(
    endpoint, receiver, global_admin, file_claim, settings
):
    settings.CPOR_WEBHOOKS_CA_FILE = ""
    file_claim(global_admin)

    endpoint_deliver(endpoint_id=endpoint.pk)

    assert receiver.paths == []
    assert "SSL" in endpoint.deliveries.order_by("pk").first().last_error


def test_send_again_delivers_with_the_same_webhook_id(endpoint, receiver, global_admin, file_claim):
    file_claim(global_admin)
    endpoint_deliver(endpoint_id=endpoint.pk)
    delivered = endpoint.deliveries.order_by("pk").first()

    delivery_resend(actor=global_admin, delivery=delivered)
    endpoint_deliver(endpoint_id=endpoint.pk)

    assert receiver.message_ids == [
        delivered.message_id,
        receiver.message_ids[1],
        delivered.message_id,
    ]
    delivered.refresh_from_db()
    assert (delivered.status, delivered.attempts) == (Delivery.Status.DELIVERED, 2)


def test_a_payload_type_matches_the_delivery(endpoint, receiver, global_admin, file_claim):
    file_claim(global_admin)
    endpoint_deliver(endpoint_id=endpoint.pk)
    assert {p["type"] for p in receiver.received} == {EventType.CLAIM_STATUS_CHANGED}


def test_a_minutely_schedule_picks_due_retries(db):
    schedule = Schedule.objects.get(func="webhooks.tasks.deliver_due")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


def test_a_second_sender_leaves_the_endpoint_to_the_one_sending(
    endpoint, receiver, global_admin, file_claim
):
    file_claim(global_admin)
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [_LOCK_SPACE, endpoint.pk])
        assert endpoint_deliver(endpoint_id=endpoint.pk) == 0  # returns at once, sends nothing
        assert receiver.paths == []
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_SPACE, endpoint.pk])

    assert endpoint_deliver(endpoint_id=endpoint.pk) == 2
