"""Approved claims end when their subscription lapses (daily and after imports); partners can
disassociate; an ended claim offers a pre-filled request for the new subscription."""

import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from associations.models import ClaimStatus, Reason
from associations.tasks import recheck_approved_subscriptions
from disputes import services as reviews
from partners.catalog import SolutionArea
from tests.builders import make_mpn, make_product, make_request, make_subscription
from validation.models import Subscription, SubscriptionState


@pytest.fixture
def approved(global_admin, reviewer, tenant):
    sales = make_product("d365-sales")
    subscription = make_subscription(tenant, sales)
    request = make_request(
        global_admin.membership.organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=make_mpn(global_admin.membership.organisation, mpn_id="1234567"),
    )
    return reviews.claim_approve(actor=reviewer, claim=request.claims.get())


def test_an_approved_claim_shows_its_subscription_id(client, global_admin, approved):
    client.force_login(global_admin)

    page = client.get(reverse("request_detail", args=[approved.request.reference])).text

    assert 'data-claim-status="approved"' in page
    assert str(approved.subscription_id) in page


def test_the_daily_recheck_ends_a_claim_whose_subscription_expired(
    global_admin, approved, django_capture_on_commit_callbacks
):
    assert recheck_approved_subscriptions() == 0

    Subscription.objects.filter(pk=approved.subscription_id).update(state=SubscriptionState.EXPIRED)
    with django_capture_on_commit_callbacks(execute=True):
        assert recheck_approved_subscriptions() == 1

    approved.refresh_from_db()
    assert (approved.status, approved.reason) == (ClaimStatus.ENDED, Reason.SUBSCRIPTION_ENDED)
    assert "no longer active" in approved.request.comments.last().body
    assert any("no longer active" in m.body for m in mail.outbox if m.to == [global_admin.email])
    assert recheck_approved_subscriptions() == 0


def test_an_import_that_disables_the_subscription_ends_the_claim(
    tmp_path, approved, tenant, django_capture_on_commit_callbacks
):
    path = tmp_path / "directory.json"
    path.write_text(
        json.dumps(
            {
                "tenants": [
                    {
                        "tenant_id": str(tenant.tenant_id),
                        "display_name": tenant.display_name,
                        "subscriptions": [
                            {
                                "subscription_id": str(approved.subscription_id),
                                "product": "d365-sales",
                                "channel": "volume_licensing",
                                "state": "disabled",
                            }
                        ],
                    }
                ]
            }
        )
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_directory", str(path))

    approved.refresh_from_db()
    assert approved.status == ClaimStatus.ENDED


def test_an_ended_claim_frees_the_key_for_a_new_approval(
    global_admin, outsider, reviewer, approved, tenant
):
    Subscription.objects.filter(pk=approved.subscription_id).update(state="in_grace")
    assert recheck_approved_subscriptions() == 0  # in grace still counts
    Subscription.objects.filter(pk=approved.subscription_id).update(state="deleted")
    recheck_approved_subscriptions()
    Subscription.objects.filter(pk=approved.subscription_id).update(state="active")

    again = make_request(
        outsider.membership.organisation,
        outsider,
        tenant=tenant,
        products=[(approved.product, str(approved.subscription_id))],
    ).claims.get()
    reviews.claim_approve(actor=reviewer, claim=again)

    again.refresh_from_db()
    assert again.status == ClaimStatus.APPROVED


def test_a_microsoft_365_claim_ends_when_the_tenant_has_no_live_workload(
    global_admin, reviewer, tenant
):
    teams = make_product("teams", SolutionArea.MICROSOFT_365)
    subscription = make_subscription(tenant, teams)
    claim = make_request(
        global_admin.membership.organisation,
        global_admin,
        tenant=tenant,
        products=[(teams, None)],
        solution_area=SolutionArea.MICROSOFT_365,
        activity="usage",
    ).claims.get()
    reviews.claim_approve(actor=reviewer, claim=claim)
    subscription.state = SubscriptionState.EXPIRED
    subscription.save()

    assert recheck_approved_subscriptions() == 1


def test_claim_the_new_subscription_prefills_a_new_request(client, global_admin, approved):
    Subscription.objects.filter(pk=approved.subscription_id).update(state="expired")
    recheck_approved_subscriptions()
    client.force_login(global_admin)
    detail = client.get(reverse("request_detail", args=[approved.request.reference])).text
    link = f"{reverse('request_create')}?follow={approved.pk}"
    assert link in detail

    page = client.get(link)
    form = page.context

    request = approved.request
    assert form["form"]["tenant_id"].value() == str(request.tenant_id)
    assert form["form"]["domain"].value() == request.domain
    assert form["form"]["activity"].value() == request.activity
    assert form["form"]["mpn"].value() == request.mpn_id
    assert form["form"]["claim_name"].value().endswith("(new subscription)")
    assert form["rows"].forms[0]["product"].value() == approved.product_id
    assert form["rows"].forms[0]["subscription_id"].value() in (None, "")
    assert f'data-follow-up="{approved.pk}"' in page.text
    assert 'href="#id_claims-0-subscription_id"' in page.text
    assert 'id="id_claims-0-subscription_id"' in page.text


def test_another_organisations_claim_cannot_be_followed(client, outsider, approved):
    client.force_login(outsider)

    response = client.get(reverse("request_create"), {"follow": approved.pk})

    assert response.status_code == 404


def test_disassociating_needs_a_reason_and_confirmation(client, global_admin, approved):
    client.force_login(global_admin)
    url = reverse("claim_disassociate", args=[approved.request.reference, approved.pk])

    assert client.post(url, {"reason": "", "confirm": "on"}).status_code == 400
    assert client.post(url, {"reason": "No longer their partner"}).status_code == 400
    approved.refresh_from_db()
    assert approved.status == ClaimStatus.APPROVED

    response = client.post(url, {"reason": "No longer their partner", "confirm": "on"})

    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.status, approved.reason, approved.reason_text) == (
        ClaimStatus.ENDED,
        Reason.PARTNER_REQUEST,
        "No longer their partner",
    )
    event = approved.events.get(action="claim.disassociated")
    assert (event.actor, event.payload["text"]) == (global_admin, "No longer their partner")
    assert "Disassociated by the partner" in client.get(response.url).text


def test_billing_admin_and_outsider_cannot_disassociate(client, billing_admin, outsider, approved):
    url = reverse("claim_disassociate", args=[approved.request.reference, approved.pk])
    data = {"reason": "x", "confirm": "on"}

    client.force_login(billing_admin)
    assert client.post(url, data).status_code == 403
    client.force_login(outsider)
    assert client.post(url, data).status_code == 404
    approved.refresh_from_db()
    assert approved.status == ClaimStatus.APPROVED


def test_the_recheck_schedule_exists_after_migrate(db):
    from django_q.models import Schedule

    assert Schedule.objects.filter(
        func="associations.tasks.recheck_approved_subscriptions", schedule_type="D"
    ).exists()
