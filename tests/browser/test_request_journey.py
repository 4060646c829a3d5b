"""The partner's journey through a real browser: file a request, fix it, resubmit it."""

import pytest
from playwright.sync_api import Page, expect

from associations.models import AssociationRequest, CheckResult, ClaimStatus, ProofDocument
from tests import builders
from tests.browser.pages import log_in

pytestmark = pytest.mark.browser

ACKNOWLEDGEMENTS = (
    "#id_ack_customer_signature",
    "#id_ack_current_dates",
    "#id_ack_partner_services",
    "#id_ack_all_products",
)
PROOF_PDF = {"name": "proof.pdf", "mimeType": "application/pdf", "buffer": builders.PDF_BYTES}


def main_navigation(page: Page):
    return page.get_by_role("navigation", name="Main navigation")


@pytest.fixture
def customer(live_server):
    """Contoso with an active volume-licensing Dynamics 365 Sales subscription, and Fabrikam,
    whose domain is the one the partner types by mistake."""
    product = builders.make_product("d365-sales")
    contoso = builders.make_tenant(domains=("contoso.onmicrosoft.com",), name="Contoso")
    builders.make_tenant(domains=("fabrikam.cz",), name="Fabrikam")
    subscription = builders.make_subscription(contoso, product)
    return contoso, product, subscription


def test_a_partner_fixes_a_wrong_domain_and_the_resubmitted_claim_goes_to_review(
    page: Page, global_admin, organisation, customer
):
    """The main path of the portal: the checks catch a domain of another tenant, the partner
    sees why, fixes only that, and the claim moves on to review without retyping the rest."""
    tenant, product, subscription = customer
    mpn = builders.make_mpn(organisation, mpn_id="1234567")

    log_in(page, global_admin.username)
    main_navigation(page).get_by_role("link", name="New request").click()
    expect(page.get_by_role("heading", name="New association request")).to_be_visible()

    page.locator("#id_claim_name").fill("Dynamics roll-out")
    page.locator("#id_tenant_id").fill(str(tenant.tenant_id))
    page.locator("#id_domain").fill("fabrikam.cz")
    page.check("input[name=solution_area][value=business_applications]")
    page.check("input[name=activity][value=pre_sales]")
    page.locator("#id_mpn").select_option(str(mpn.pk))
    page.locator('[data-claim-row="0"] select').select_option(label=product.name)
    page.locator("#id_claims-0-subscription_id").fill(str(subscription.subscription_id))
    page.locator("#id_customer_contact_name").fill("Alex Customer")
    page.locator("#id_customer_contact_title").fill("CIO")
    page.locator("#id_customer_contact_email").fill("alex@contoso.example")
    page.locator("#id_partner_contact_name").fill("Pat Partner")
    page.locator("#id_partner_contact_email").fill("pat@northwind.example")
    page.locator("#id_proof_description").fill("Workshops and deployment, signed by the customer.")
    page.locator("#id_documents").set_input_files(PROOF_PDF)
    for acknowledgement in ACKNOWLEDGEMENTS:
        page.check(acknowledgement)
    page.get_by_role("button", name="Submit", exact=True).click()

    expect(page.locator('[data-check="domain_tenant_mismatch"]')).to_be_visible()
    expect(page.locator('[data-claim-status="action_needed"]')).to_have_count(1)

    request = AssociationRequest.objects.get()
    assert request.organisation == organisation
    assert request.author == global_admin
    assert (request.tenant_id, request.domain, request.mpn) == (
        tenant.tenant_id,
        "fabrikam.cz",
        mpn,
    )
    assert request.submitted_at is not None
    claim = request.claims.get()
    assert (claim.product, claim.subscription_id) == (product, subscription.subscription_id)
    assert claim.status == ClaimStatus.ACTION_NEEDED
    assert list(request.check_results.failed().values_list("code", "claim")) == [
        ("domain_tenant_mismatch", None)
    ]
    document = ProofDocument.objects.get(proof__request=request)
    assert (document.original_name, document.content_type) == ("proof.pdf", "application/pdf")

    page.get_by_role("link", name="Fix and resubmit").click()
    expect(page.get_by_role("heading", name=f"Edit {request.reference}")).to_be_visible()
    page.locator("#id_domain").fill("contoso.onmicrosoft.com")
    for acknowledgement in ACKNOWLEDGEMENTS:
        # Stored as booleans on the request, so the edit form keeps them ticked.
        expect(page.locator(acknowledgement)).to_be_checked()
    page.get_by_role("button", name="Resubmit", exact=True).click()

    expect(page.locator('[data-claim-status="under_review"]')).to_have_count(1)
    expect(page.locator("[data-check]")).to_have_count(0)
    expect(page.locator('[data-claim-status="action_needed"]')).to_have_count(0)

    request.refresh_from_db()
    assert request.domain == "contoso.onmicrosoft.com"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert not CheckResult.objects.failed().filter(request=request).exists()
    assert ProofDocument.objects.filter(proof__request=request).count() == 1


def test_a_billing_admin_can_follow_requests_but_is_not_offered_a_new_one(
    page: Page, organisation, global_admin, billing_admin, customer
):
    """Billing admins audit the organisation's requests; filing them is not their role."""
    tenant, product, subscription = customer
    filed = builders.make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(product, str(subscription.subscription_id))],
    )

    log_in(page, billing_admin.username)
    navigation = main_navigation(page)
    expect(navigation.get_by_role("link", name="Requests")).to_be_visible()
    expect(navigation.get_by_role("link", name="New request")).to_have_count(0)

    navigation.get_by_role("link", name="Requests").click()
    expect(page.get_by_role("heading", name="Association requests")).to_be_visible()
    expect(page.locator(f'[data-request="{filed.reference}"]')).to_be_visible()
    expect(page.get_by_role("link", name="New request")).to_have_count(0)
