"""Arbitration through a real browser: a reviewer decides a case, both partners see the outcome."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from associations.models import ClaimStatus, Reason
from disputes.models import ArbitrationCase
from tests import builders
from tests.browser.pages import log_in, log_in_admin

RATIONALE = "The winning partner's most recent proof of execution is signed by the customer's CIO."


@pytest.mark.browser
def test_a_reviewer_decides_an_arbitration_case_and_both_partners_see_the_outcome(
    page: Page, organisation, other_organisation, global_admin, outsider, reviewer
):
    """Two organisations claim the same subscription; the reviewer, who sees who competes,
    picks Northwind. Northwind is approved and its customer is asked to confirm; Adatum is
    rejected with the rationale, without learning who won."""
    product = builders.make_product("d365-sales")
    tenant = builders.make_tenant(domains=("woodgrove.example",), name="Woodgrove Bank")
    subscription = builders.make_subscription(tenant, product)
    rows = [(product, str(subscription.subscription_id))]
    northwind = builders.make_request(organisation, global_admin, tenant=tenant, products=rows)
    adatum = builders.make_request(other_organisation, outsider, tenant=tenant, products=rows)

    northwind_claim = northwind.claims.get()
    adatum_claim = adatum.claims.get()
    assert northwind_claim.status == ClaimStatus.IN_ARBITRATION
    assert adatum_claim.status == ClaimStatus.IN_ARBITRATION
    case = ArbitrationCase.objects.get(status=ArbitrationCase.Status.OPEN)
    assert set(case.claims.values_list("pk", flat=True)) == {northwind_claim.pk, adatum_claim.pk}
    mail.outbox.clear()

    # The reviewer decides in the admin.
    log_in_admin(page, reviewer.username, reviewer.totp_secret)
    page.goto("/admin/disputes/arbitrationcase/")
    page.get_by_role("link", name=str(case)).click()
    expect(page).to_have_url(re.compile(rf"/admin/disputes/arbitrationcase/{case.pk}/arbitrate/$"))
    expect(page.locator(f'[data-claim="{northwind_claim.pk}"]')).to_contain_text(
        "Northwind Traders"
    )
    expect(page.locator(f'[data-claim="{adatum_claim.pk}"]')).to_contain_text("Adatum Consulting")

    decide = page.locator('form[data-form="decide"]')
    decide.locator(f'input[name="decide-winner"][value="{northwind_claim.pk}"]').check()
    decide.locator("#id_decide-rationale").fill(RATIONALE)
    decide.get_by_role("button", name="Decide", exact=True).click()

    expect(page.locator(".messagelist .success")).to_have_text(
        "Case decided; every party is told the outcome."
    )
    expect(page.locator('[data-case-decided="true"]')).to_be_visible()
    expect(page.locator('form[data-form="decide"]')).to_have_count(0)

    # The winner, in a fresh session.
    page.context.clear_cookies()
    log_in(page, global_admin.username)
    page.goto(f"/associations/{northwind.reference}/")
    expect(page.locator(f'[data-claim="{northwind_claim.pk}"]')).to_have_attribute(
        "data-claim-status", "approved"
    )
    expect(page.locator('[data-claim-status="approved"]')).to_have_count(1)

    # The loser learns the outcome and the rationale, never who won.
    page.context.clear_cookies()
    log_in(page, outsider.username)
    page.goto(f"/associations/{adatum.reference}/")
    claim_item = page.locator(f'[data-claim="{adatum_claim.pk}"]')
    expect(claim_item).to_have_attribute("data-claim-status", "rejected")
    expect(claim_item).to_contain_text("Lost arbitration")
    expect(claim_item).to_contain_text(RATIONALE)
    expect(page.locator("body")).not_to_contain_text("Northwind")
    assert "Northwind" not in page.content()

    northwind_claim.refresh_from_db()
    adatum_claim.refresh_from_db()
    case.refresh_from_db()
    assert northwind_claim.status == ClaimStatus.APPROVED
    assert (adatum_claim.status, adatum_claim.reason) == (
        ClaimStatus.REJECTED,
        Reason.LOST_ARBITRATION,
    )
    assert adatum_claim.reason_text == RATIONALE
    assert (case.status, case.winner_id, case.decided_by) == (
        ArbitrationCase.Status.DECIDED,
        northwind_claim.pk,
        reviewer,
    )
    customer_mails = [m for m in mail.outbox if northwind.customer_contact_email in m.to]
    assert len(customer_mails) == 1
    assert "/consent/" in customer_mails[0].body
    assert "Northwind Traders" in customer_mails[0].body
