"""The checks are plain functions over the directory: each code, one at a time."""

import uuid

import pytest

from partners.catalog import Channel, SolutionArea
from tests.builders import make_product, make_subscription, make_tenant
from validation.checks import ClaimInput, DatabaseDirectory, check_claim, check_request
from validation.models import SubscriptionState

pytestmark = pytest.mark.django_db

directory = DatabaseDirectory()


def _ba(tenant, product, subscription_id, activity="pre_sales"):
    return check_claim(
        directory,
        tenant_id=tenant.tenant_id,
        solution_area=SolutionArea.BUSINESS_APPLICATIONS,
        activity=activity,
        claim=ClaimInput(product=product, subscription_id=str(subscription_id)),
    )


def _m365(tenant_id, workload):
    return check_claim(
        directory,
        tenant_id=tenant_id,
        solution_area=SolutionArea.MICROSOFT_365,
        activity="usage",
        claim=ClaimInput(product=workload, subscription_id=None),
    )


def test_a_known_tenant_and_its_own_domain_pass(tenant):
    assert check_request(directory, tenant_id=tenant.tenant_id, domain="contoso.com") == []


def test_an_unknown_tenant_is_tenant_not_found(tenant):
    assert check_request(directory, tenant_id=uuid.uuid4(), domain="contoso.com") == [
        "tenant_not_found"
    ]


def test_another_tenants_domain_is_a_mismatch(tenant):
    make_tenant(domains=("fabrikam.cz",))

    assert check_request(directory, tenant_id=tenant.tenant_id, domain="fabrikam.cz") == [
        "domain_tenant_mismatch"
    ]


def test_an_unknown_domain_is_a_mismatch(tenant):
    assert check_request(directory, tenant_id=tenant.tenant_id, domain="nowhere.example") == [
        "domain_tenant_mismatch"
    ]


def test_an_active_volume_licensing_subscription_of_the_product_passes(tenant, sales):
    subscription = make_subscription(tenant, sales)

    assert _ba(tenant, sales, subscription.subscription_id) == []


def test_an_in_grace_web_direct_subscription_passes(tenant, sales):
    subscription = make_subscription(
        tenant, sales, channel=Channel.WEB_DIRECT, state=SubscriptionState.IN_GRACE
    )

    assert _ba(tenant, sales, subscription.subscription_id) == []


@pytest.mark.parametrize("typed", ["not-a-guid", "", "1234"])
def test_text_that_is_not_a_guid_is_not_a_subscription_id(tenant, sales, typed):
    make_subscription(tenant, sales)

    assert _ba(tenant, sales, typed) == ["not_a_subscription_id"]


def test_a_tenant_id_given_as_subscription_is_not_a_subscription_id(tenant, sales):
    make_subscription(tenant, sales)

    assert _ba(tenant, sales, tenant.tenant_id) == ["not_a_subscription_id"]


def test_an_unknown_guid_is_not_a_subscription_id(tenant, sales):
    make_subscription(tenant, sales)

    assert _ba(tenant, sales, uuid.uuid4()) == ["not_a_subscription_id"]


def test_another_tenants_subscription_is_not_in_tenant(tenant, sales):
    make_subscription(tenant, sales)
    elsewhere = make_subscription(make_tenant(name="Fabrikam"), sales)

    assert _ba(tenant, sales, elsewhere.subscription_id) == ["subscription_not_in_tenant"]


def test_a_product_the_tenant_does_not_have_is_reported_with_the_mismatch(tenant, sales):
    field_service = make_product("d365-field-service")
    subscription = make_subscription(tenant, sales)

    assert _ba(tenant, field_service, subscription.subscription_id) == [
        "product_not_in_tenant",
        "subscription_product_mismatch",
    ]


def test_a_microsoft_365_subscription_is_not_dynamics(tenant, sales):
    make_subscription(tenant, sales)
    exchange = make_subscription(tenant, make_product("exchange", SolutionArea.MICROSOFT_365))

    assert _ba(tenant, sales, exchange.subscription_id) == ["subscription_not_dynamics"]


def test_a_csp_subscription_is_refused_for_business_applications(tenant, sales):
    subscription = make_subscription(tenant, sales, channel=Channel.CSP)

    assert _ba(tenant, sales, subscription.subscription_id) == ["subscription_is_csp"]


def test_an_unprovisioned_subscription_is_reported(tenant, sales):
    subscription = make_subscription(tenant, sales, provisioned=False)

    assert _ba(tenant, sales, subscription.subscription_id) == ["subscription_not_provisioned"]


@pytest.mark.parametrize(
    "state", [SubscriptionState.EXPIRED, SubscriptionState.DISABLED, SubscriptionState.DELETED]
)
def test_a_subscription_that_is_not_active_or_in_grace_is_inactive(tenant, sales, state):
    subscription = make_subscription(tenant, sales, state=state)

    assert _ba(tenant, sales, subscription.subscription_id) == ["subscription_inactive"]


def test_every_failing_check_is_reported_not_only_the_first(tenant, sales):
    other = make_tenant(name="Fabrikam")
    subscription = make_subscription(
        other, sales, channel=Channel.CSP, state=SubscriptionState.EXPIRED, provisioned=False
    )

    assert _ba(tenant, sales, subscription.subscription_id) == [
        "product_not_in_tenant",
        "subscription_not_in_tenant",
        "subscription_is_csp",
        "subscription_not_provisioned",
        "subscription_inactive",
    ]


def test_a_microsoft_365_workload_is_checked_per_tenant_in_any_channel(tenant):
    teams = make_product("teams", SolutionArea.MICROSOFT_365)
    make_subscription(tenant, teams, channel=Channel.CSP)

    assert _m365(tenant.tenant_id, teams) == []


def test_a_workload_missing_from_the_tenant_is_product_not_in_tenant(tenant):
    intune = make_product("intune", SolutionArea.MICROSOFT_365)

    assert _m365(tenant.tenant_id, intune) == ["product_not_in_tenant"]


def test_a_workload_with_only_ended_subscriptions_is_inactive(tenant):
    sharepoint = make_product("sharepoint", SolutionArea.MICROSOFT_365)
    make_subscription(tenant, sharepoint, state=SubscriptionState.DISABLED)

    assert _m365(tenant.tenant_id, sharepoint) == ["subscription_inactive"]


def test_claim_checks_leave_an_unknown_tenant_to_the_request_check(sales):
    assert _m365(uuid.uuid4(), make_product("teams", SolutionArea.MICROSOFT_365)) == []


def test_one_verdict_reads_the_tenant_and_its_subscriptions_once(
    tenant, sales, django_assert_num_queries
):
    """The worker's throughput rests on this: a request's claims share one directory."""
    products = [sales, make_product("d365-field-service"), make_product("d365-customer-service")]
    subscriptions = [make_subscription(tenant, product) for product in products]
    one_verdict = DatabaseDirectory()

    # the tenant, then all its subscriptions (with their products)
    with django_assert_num_queries(2):
        for product, subscription in zip(products, subscriptions, strict=True):
            failed = check_claim(
                one_verdict,
                tenant_id=tenant.tenant_id,
                solution_area=SolutionArea.BUSINESS_APPLICATIONS,
                activity="pre_sales",
                claim=ClaimInput(product=product, subscription_id=str(subscription.pk)),
            )
            assert failed == []
