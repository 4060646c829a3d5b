"""Warnings: a claim that passes but will not last (its subscription is in grace), and a
customer contact outside the customer's domains (the decline link goes there); shown on the
claim, in "Check now" and to the reviewer, never as a failed check."""

import pytest
from django.urls import reverse

from associations.models import ClaimStatus
from tests.builders import (
    form_data,
    make_mpn,
    make_request,
    make_subscription,
    pdf_upload,
)
from validation.models import SubscriptionState

GRACE = 'data-warning="subscription_in_grace"'
OUTSIDE = 'data-warning="contact_outside_tenant"'


@pytest.fixture
def in_grace(tenant, sales):
    return make_subscription(tenant, sales, state=SubscriptionState.IN_GRACE)


def _file(user, tenant, product, subscription_id, contact="alex@contoso.com"):
    organisation = user.membership.organisation
    return make_request(
        organisation,
        user,
        tenant=tenant,
        products=[(product, subscription_id)],
        mpn=make_mpn(organisation),
        contact=contact,
    )


def _check_now(client, tenant, sales, subscription, mpn, contact):
    data = form_data(
        tenant_id=tenant.tenant_id,
        domain="contoso.com",
        mpn=mpn,
        rows=[(sales, str(subscription.pk))],
        action="check",
        customer_contact_email=contact,
    )
    return client.post(reverse("request_create"), {**data, "documents": pdf_upload()}).text


def test_a_claim_on_a_subscription_in_grace_passes_with_a_warning(
    client, global_admin, tenant, sales, in_grace
):
    request = _file(global_admin, tenant, sales, str(in_grace.pk))
    client.force_login(global_admin)

    page = client.get(reverse("request_detail", args=[request.reference])).text

    assert request.claims.get().status == ClaimStatus.UNDER_REVIEW
    assert GRACE in page and "must renew the subscription" in page
    assert 'data-check="' not in page


def test_an_active_subscription_and_a_contact_at_a_subdomain_give_no_warning(
    client, global_admin, tenant, sales, subscription
):
    request = _file(global_admin, tenant, sales, str(subscription.pk), "eva@sales.contoso.com")
    client.force_login(global_admin)

    page = client.get(reverse("request_detail", args=[request.reference])).text

    assert GRACE not in page and OUTSIDE not in page


def test_a_contact_outside_the_customers_domains_is_warned_of_to_partner_and_reviewer(
    client, global_admin, reviewer, tenant, sales, subscription
):
    request = _file(global_admin, tenant, sales, str(subscription.pk), "friend@partner.example")
    client.force_login(global_admin)

    partner_page = client.get(reverse("request_detail", args=[request.reference])).text
    client.force_login(reviewer)
    review_page = client.get(reverse("admin:disputes_review", args=[request.claims.get().pk]))

    assert OUTSIDE in partner_page
    assert OUTSIDE in review_page.text


def test_check_now_warns_of_grace_and_of_the_contact_without_failing(
    client, global_admin, organisation, tenant, sales, in_grace
):
    client.force_login(global_admin)
    mpn = make_mpn(organisation, mpn_id="1234567")

    page = _check_now(client, tenant, sales, in_grace, mpn, "friend@partner.example")
    fine = _check_now(client, tenant, sales, in_grace, mpn, "alex@contoso.com")

    assert GRACE in page and OUTSIDE in page and "Checks pass" in page
    assert OUTSIDE not in fine
