"""The customer's signed, expiring link: valid, tampered, expired."""

import re

import pytest
from django.core import mail, signing
from django.urls import reverse

from associations.models import ClaimStatus, Reason
from disputes import services
from disputes.consent import consent_token


@pytest.fixture
def approved(global_admin, reviewer, file_claim, django_capture_on_commit_callbacks):
    claim = file_claim(global_admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_approve(actor=reviewer, claim=claim)
    return claim


def _link(claim) -> str:
    message = next(m for m in mail.outbox if m.to == [claim.request.customer_contact_email])
    return re.search(r"https?://\S+", message.body).group(0)


def test_the_customer_sees_the_association_and_declines_it(client, approved):
    path = _link(approved).split("://", 1)[1].split("/", 1)[1]

    page = client.get("/" + path)
    assert page.status_code == 200
    assert "Northwind Traders" in page.text
    assert "Decline this association" in page.text
    response = client.post("/" + path)

    approved.refresh_from_db()
    assert (approved.status, approved.reason) == (ClaimStatus.REJECTED, Reason.CUSTOMER_DECLINED)
    assert "You declined this association" in response.text
    assert "Customer declined" in approved.request.comments.last().body


def test_a_declined_link_cannot_decline_twice(client, approved):
    url = reverse("customer_consent", args=[consent_token(approved.pk)])
    client.post(url)

    response = client.post(url)

    assert "no longer active" in response.text
    assert approved.events.filter(action="claim.customer_declined").count() == 1


def test_a_tampered_link_is_refused_and_changes_nothing(client, approved):
    token = consent_token(approved.pk)
    other = signing.dumps(approved.pk + 1, salt="cpor.customer-consent")
    forged = other.split(":")[0] + ":" + token.split(":", 1)[1]

    for bad in (forged, token[:-2] + "xx", "garbage"):
        response = client.post(reverse("customer_consent", args=[bad]))
        assert response.status_code == 400
        assert "not valid" in response.text
    approved.refresh_from_db()
    assert approved.status == ClaimStatus.APPROVED


def test_an_expired_link_is_refused(client, approved, settings):
    settings.CPOR_CONSENT_LINK_DAYS = -1

    response = client.post(reverse("customer_consent", args=[consent_token(approved.pk)]))

    assert response.status_code == 400
    assert "expired" in response.text
    approved.refresh_from_db()
    assert approved.status == ClaimStatus.APPROVED


def test_a_token_signed_for_another_purpose_is_refused(client, approved):
    token = signing.dumps(approved.pk)  # the default salt, e.g. from another feature

    response = client.get(reverse("customer_consent", args=[token]))

    assert response.status_code == 400
