"""Deliveries through a real django-q2 cluster to a real HTTPS receiver on localhost."""

import pytest
from django.urls import reverse
from django.utils import timezone

from associations.models import AssociationRequest, ClaimStatus
from disputes import services as reviews
from tests.builders import (
    form_data,
    make_mpn,
    make_product,
    make_subscription,
    make_tenant,
    pdf_upload,
)
from tests.webhooks.builders import make_endpoint
from tests.worker import wait_until
from webhooks.models import Delivery
from webhooks.services import deliveries_sweep

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _file(client, organisation) -> AssociationRequest:
    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    subscription = make_subscription(tenant, sales)
    response = client.post(
        reverse("request_create"),
        {
            **form_data(
                tenant_id=tenant.tenant_id,
                domain="contoso.com",
                mpn=make_mpn(organisation),
                rows=[(sales, str(subscription.pk))],
            ),
            "documents": pdf_upload(),
        },
    )
    assert response.status_code == 302
    return AssociationRequest.objects.get()


def _assert_each_sent_once_in_order(receiver, endpoint, statuses):
    # The receiver answers before the worker records the delivery.
    wait_until(
        lambda: not endpoint.deliveries.exclude(status=Delivery.Status.DELIVERED).exists(),
        "the deliveries recorded as delivered",
    )
    deliveries = list(endpoint.deliveries.order_by("pk"))
    assert receiver.refused == []
    assert [p["data"]["to_status"] for p in receiver.received] == statuses
    assert receiver.message_ids == [d.message_id for d in deliveries]
    assert {d.status for d in deliveries} == {Delivery.Status.DELIVERED}


def test_a_claim_filed_and_decided_reaches_the_receiver_once_in_order(
    client, global_admin, organisation, reviewer, receiver, cluster
):
    endpoint = make_endpoint(organisation, global_admin, url=f"{receiver.url}/hook")
    receiver.secret = endpoint.secret
    client.force_login(global_admin)

    request = _file(client, organisation)
    wait_until(lambda: len(receiver.received) == 2, "the verdict's delivery")
    reviews.claim_approve(actor=reviewer, claim=request.claims.get())
    wait_until(lambda: len(receiver.received) == 3, "the approval's delivery")

    _assert_each_sent_once_in_order(
        receiver,
        endpoint,
        [ClaimStatus.VALIDATING, ClaimStatus.UNDER_REVIEW, ClaimStatus.APPROVED],
    )
    assert set(endpoint.deliveries.values_list("attempts", flat=True)) == {1}


def test_a_receiver_down_for_a_while_then_up_gets_every_event_once_in_order(
    client, global_admin, organisation, reviewer, receiver, cluster
):
    endpoint = make_endpoint(organisation, global_admin, url=f"{receiver.url}/hook")
    receiver.secret = endpoint.secret
    receiver.status = 503
    client.force_login(global_admin)

    request = _file(client, organisation)
    wait_until(lambda: endpoint.deliveries.filter(attempts__gte=1).exists(), "a failed attempt")
    wait_until(lambda: endpoint.deliveries.count() == 2, "the verdict's outbox row")
    reviews.claim_approve(actor=reviewer, claim=request.claims.get())
    assert receiver.received == []

    receiver.status = 200
    # The retry's time comes (the minutely schedule would hand it over the same way).
    Delivery.objects.filter(endpoint=endpoint).update(next_attempt_at=timezone.now())
    assert deliveries_sweep() == 1
    wait_until(lambda: len(receiver.received) == 3, "the deliveries after the receiver came back")

    _assert_each_sent_once_in_order(
        receiver,
        endpoint,
        [ClaimStatus.VALIDATING, ClaimStatus.UNDER_REVIEW, ClaimStatus.APPROVED],
    )
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None
