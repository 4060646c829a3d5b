"""A CRM's whole filing through the API, followed by webhook alone: a draft, its documents, the
submission, the real worker's verdict, and every change received, verified, once and in order."""

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from api.models import Scope
from associations.models import ClaimStatus
from tests.api.conftest import _token, bearer, request_body
from tests.builders import make_product, make_tenant, pdf_upload
from tests.webhooks.builders import make_endpoint
from tests.worker import wait_until
from webhooks.models import Delivery

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_filing_through_the_api_is_followed_by_webhook(
    client, global_admin, organisation, receiver, cluster
):
    endpoint = make_endpoint(organisation, global_admin, url=f"{receiver.url}/hook")
    receiver.secret = endpoint.secret
    token = _token(global_admin, Scope.FILE, "CRM sync")
    auth = bearer(token)
    body = request_body(organisation, make_tenant(domains=("contoso.com",)), make_product())

    created = client.post(
        reverse("api_request_list"), body, content_type="application/json", **auth
    )
    assert created.status_code == 201, created.json()
    reference = created.json()["reference"]
    documents = client.patch(
        reverse("api_request_detail", args=[reference]),
        encode_multipart(BOUNDARY, {"documents": pdf_upload()}),
        content_type=MULTIPART_CONTENT,
        **auth,
    )
    assert documents.status_code == 200, documents.json()
    submitted = client.post(
        reverse("api_request_submit", args=[reference]),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="submit-1",
        **auth,
    )
    assert submitted.status_code == 200, submitted.json()

    wait_until(lambda: len(receiver.received) == 2, "the submission's and the verdict's deliveries")
    detail = client.get(reverse("api_request_detail", args=[reference]), **auth).json()
    assert detail["claims"][0]["status"] == ClaimStatus.UNDER_REVIEW
    assert receiver.refused == []  # every signature verified by standardwebhooks
    assert [(p["type"], p["data"]["to_status"]) for p in receiver.received] == [
        ("claim.status_changed", ClaimStatus.VALIDATING),
        ("claim.status_changed", ClaimStatus.UNDER_REVIEW),
    ]
    assert {p["data"]["reference"] for p in receiver.received} == {reference}
    assert receiver.message_ids == list(
        endpoint.deliveries.order_by("pk").values_list("message_id", flat=True)
    )
    # The receiver answers before the worker records the delivery.
    wait_until(
        lambda: not endpoint.deliveries.exclude(status=Delivery.Status.DELIVERED).exists(),
        "the deliveries recorded as delivered",
    )
    token.refresh_from_db()
    assert token.last_used_at is not None
