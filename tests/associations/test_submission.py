"""Filing a request through the form; the checks run in the django-q2 task (sync mode)."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from associations.models import AssociationRequest, CheckResult, Claim, ClaimStatus, StatusEvent
from partners.catalog import Channel, SolutionArea
from tests.builders import (
    form_data,
    make_mpn,
    make_product,
    make_request,
    make_subscription,
    make_tenant,
    make_validating_request,
    pdf_upload,
)
from validation.models import SubscriptionState

NEW = reverse("request_create")


@pytest.fixture
def mpn(organisation):
    return make_mpn(
        organisation,
        mpn_id="1234567",
        enrolled_in=(SolutionArea.BUSINESS_APPLICATIONS, SolutionArea.MICROSOFT_365),
    )


def _submit(client, django_capture_on_commit_callbacks, data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, {**data, "documents": pdf_upload()})
    assert response.status_code == 302, response.context and response.context["form"].errors
    return AssociationRequest.objects.get(
        pk=AssociationRequest.pk_from_reference(response.url.rstrip("/").rsplit("/", 1)[-1])
    )


def _ba_data(tenant, mpn, product, subscription, **overrides):
    return form_data(
        tenant_id=overrides.pop("tenant_id", tenant.tenant_id),
        domain=overrides.pop("domain", "contoso.com"),
        mpn=mpn,
        rows=[(product, str(subscription))],
        **overrides,
    )


def test_a_passing_request_goes_under_review_and_the_author_is_told(
    client, global_admin, tenant, sales, mpn, django_capture_on_commit_callbacks
):
    subscription = make_subscription(tenant, sales)
    client.force_login(global_admin)

    request = _submit(
        client, django_capture_on_commit_callbacks, _ba_data(tenant, mpn, sales, subscription.pk)
    )

    claim = request.claims.get()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert claim.subscription_id == subscription.pk
    assert request.submitted_at is not None
    assert list(StatusEvent.objects.filter(claim=claim).values_list("action", flat=True)) == [
        "claim.submitted",
        "claim.checks_passed",
    ]
    assert request.comments.get().kind == "system"
    assert [message.to for message in mail.outbox] == [[global_admin.email]]
    assert request.reference in mail.outbox[0].subject
    page = client.get(reverse("request_detail", args=[request.reference]))
    assert 'data-claim-status="under_review"' in page.text
    assert "data-check=" not in page.text
    assert request.proofs.get().documents.get().content_type == "application/pdf"


SCENARIOS = {
    "tenant_not_found": lambda t, p, s: {"tenant_id": uuid.uuid4()},
    "domain_tenant_mismatch": lambda t, p, s: {
        "domain": make_tenant(domains=("fabrikam.cz",), name="Fabrikam").domains.get().name
    },
    "not_a_subscription_id": lambda t, p, s: {"subscription": t.tenant_id},
    "subscription_not_in_tenant": lambda t, p, s: {
        "subscription": make_subscription(make_tenant(name="Other"), p).pk
    },
    "product_not_in_tenant": lambda t, p, s: {"product": make_product("d365-field-service")},
    "subscription_not_dynamics": lambda t, p, s: {
        "subscription": make_subscription(t, make_product("exchange", "microsoft_365")).pk
    },
    "subscription_product_mismatch": lambda t, p, s: {
        "subscription": make_subscription(t, make_product("power-apps")).pk
    },
    "subscription_is_csp": lambda t, p, s: {
        "subscription": make_subscription(t, p, channel=Channel.CSP).pk
    },
    "subscription_not_provisioned": lambda t, p, s: {
        "subscription": make_subscription(t, p, provisioned=False).pk
    },
    "subscription_inactive": lambda t, p, s: {
        "subscription": make_subscription(t, p, state=SubscriptionState.EXPIRED).pk
    },
}


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_each_failed_check_is_stored_shown_and_marked(
    client, global_admin, tenant, sales, mpn, code, django_capture_on_commit_callbacks
):
    subscription = make_subscription(tenant, sales)
    change = SCENARIOS[code](tenant, sales, subscription)
    data = _ba_data(
        tenant,
        mpn,
        change.pop("product", sales),
        change.pop("subscription", subscription.pk),
        **{k: str(v) if k == "tenant_id" else v for k, v in change.items()},
    )
    client.force_login(global_admin)

    request = _submit(client, django_capture_on_commit_callbacks, data)

    assert request.claims.get().status == ClaimStatus.ACTION_NEEDED
    assert code in set(
        CheckResult.objects.failed().filter(request=request).values_list("code", flat=True)
    )
    page = client.get(reverse("request_detail", args=[request.reference]))
    assert f'data-check="{code}"' in page.text
    assert 'data-claim-status="action_needed"' in page.text
    assert "Open the request to see what to fix" in mail.outbox[-1].body


def test_a_second_claim_for_the_same_key_is_already_claimed_and_links_the_first(
    client, global_admin, tenant, sales, mpn, django_capture_on_commit_callbacks
):
    subscription = make_subscription(tenant, sales)
    first = make_request(
        global_admin.membership.organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=mpn,
    )
    client.force_login(global_admin)

    second = _submit(
        client, django_capture_on_commit_callbacks, _ba_data(tenant, mpn, sales, subscription.pk)
    )

    result = CheckResult.objects.get(request=second, code="subscription_already_claimed")
    assert result.related_request == first
    page = client.get(reverse("request_detail", args=[second.reference]))
    assert reverse("request_detail", args=[first.reference]) in page.text
    assert first.claims.get().status == ClaimStatus.UNDER_REVIEW


def test_a_claim_another_organisation_holds_goes_to_arbitration_without_naming_it(
    client, global_admin, outsider, tenant, sales, mpn, django_capture_on_commit_callbacks
):
    subscription = make_subscription(tenant, sales)
    theirs = make_request(
        outsider.membership.organisation,
        outsider,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
    )
    client.force_login(global_admin)

    ours = _submit(
        client, django_capture_on_commit_callbacks, _ba_data(tenant, mpn, sales, subscription.pk)
    )

    claim = ours.claims.get()
    assert claim.status == ClaimStatus.IN_ARBITRATION
    event = StatusEvent.objects.get(claim=claim, action="claim.contested")
    assert event.payload["competing_claims"] == [theirs.claims.get().pk]
    page = client.get(reverse("request_detail", args=[ours.reference]))
    assert "Adatum" not in page.text
    assert "arbitration" in ours.comments.get().body


def test_microsoft_365_workloads_are_claimed_per_tenant_one_claim_each(
    client, global_admin, tenant, mpn, django_capture_on_commit_callbacks
):
    teams = make_product("teams", SolutionArea.MICROSOFT_365)
    exchange = make_product("exchange", SolutionArea.MICROSOFT_365)
    make_subscription(tenant, teams, channel=Channel.CSP)
    make_subscription(tenant, exchange)
    client.force_login(global_admin)

    request = _submit(
        client,
        django_capture_on_commit_callbacks,
        form_data(
            tenant_id=tenant.tenant_id,
            domain="contoso.onmicrosoft.com",
            mpn=mpn,
            rows=[(teams, ""), (exchange, "")],
            solution_area=SolutionArea.MICROSOFT_365,
            activity="usage",
            opt_out_of_incentives="on",
        ),
    )

    claims = list(request.claims.order_by("product__code"))
    assert [(c.product.code, c.subscription_id, c.status) for c in claims] == [
        ("exchange", None, ClaimStatus.UNDER_REVIEW),
        ("teams", None, ClaimStatus.UNDER_REVIEW),
    ]
    assert request.opt_out_of_incentives is True


def test_running_the_task_twice_stores_one_result_set(
    global_admin, tenant, sales, mpn, django_capture_on_commit_callbacks
):
    from associations.tasks import validate_request

    request = make_request(
        global_admin.membership.organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(tenant.tenant_id))],
        mpn=mpn,
        domain="elsewhere.example",
    )
    before = list(CheckResult.objects.values_list("claim", "code", "passed"))

    assert validate_request(request.pk) == "done"

    assert list(CheckResult.objects.values_list("claim", "code", "passed")) == before
    claim = request.claims.get().pk
    assert before == [
        (None, "tenant_not_found", True),
        (None, "domain_tenant_mismatch", False),
        (claim, "product_not_in_tenant", False),
        (claim, "not_a_subscription_id", False),
        (claim, "subscription_already_claimed", True),
    ]
    assert Claim.objects.get().status == ClaimStatus.ACTION_NEEDED


def test_two_requests_for_one_key_validated_out_of_order_fail_only_the_newer(
    global_admin, tenant, sales, mpn
):
    from associations.verdict import request_record_verdict

    subscription = make_subscription(tenant, sales)
    older, newer = (
        make_validating_request(
            global_admin.membership.organisation,
            global_admin,
            tenant=tenant,
            products=[(sales, str(subscription.pk))],
            mpn=mpn,
        )
        for _ in range(2)
    )

    request_record_verdict(request_id=newer.pk)
    request_record_verdict(request_id=older.pk)

    assert older.claims.get().status == ClaimStatus.UNDER_REVIEW
    assert newer.claims.get().status == ClaimStatus.ACTION_NEEDED
    assert CheckResult.objects.failed().get(request=newer).related_request == older
