"""Two reviewers in two browsers: one takes a claim and the other sees it taken; a decision
that takes the association from its owner is proposed by one and confirmed by the other, and
the proposer cannot confirm it alone."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from associations.models import ClaimStatus
from disputes import services
from disputes.models import ArbitrationCase
from tests import builders
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.pages import log_in_admin


@pytest.mark.browser
def test_two_reviewers_share_a_claim_and_confirm_each_others_decision(
    page: Page,
    browser,
    live_server,
    organisation,
    other_organisation,
    global_admin,
    outsider,
    reviewer,
    second_reviewer,
):
    product = builders.make_product("d365-sales")
    tenant = builders.make_tenant(domains=("woodgrove.example",), name="Woodgrove Bank")
    subscription = builders.make_subscription(tenant, product)
    rows = [(product, str(subscription.subscription_id))]
    owner = builders.make_request(organisation, global_admin, tenant=tenant, products=rows)
    owner_claim = owner.claims.get()
    services.claim_approve(actor=reviewer, claim=owner_claim)
    challenger = builders.make_request(other_organisation, outsider, tenant=tenant, products=rows)
    challenger_claim = challenger.claims.get()
    case = ArbitrationCase.objects.get(status=ArbitrationCase.Status.OPEN)
    review_url = reverse("admin:disputes_review", args=[challenger_claim.pk])
    case_url = reverse("admin:disputes_case", args=[case.pk])

    # The first reviewer takes the challenger's claim.
    log_in_admin(page, reviewer.username, reviewer.totp_secret)
    page.goto(review_url)
    page.get_by_role("button", name="Take", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("You hold it now")
    expect(page.locator('[data-holder="reviewer"]')).to_contain_text("Held by reviewer")

    # The second reviewer, in another browser, sees it taken, in the queue and on its page.
    other = browser.new_context(base_url=live_server.url)
    other.set_default_timeout(TIMEOUT_MS)
    second = other.new_page()
    try:
        log_in_admin(second, second_reviewer.username, second_reviewer.totp_secret)
        second.goto(reverse("admin:disputes_reviewclaim_changelist") + "?queue=unassigned")
        expect(second.locator("#changelist")).not_to_contain_text(challenger.reference)
        second.goto(reverse("admin:disputes_reviewclaim_changelist"))
        row = second.locator("#result_list tr", has_text=challenger.reference)
        expect(row.locator("td.field-assignee")).to_have_text("reviewer")
        second.goto(review_url)
        expect(second.locator('[data-holder="reviewer"]')).to_contain_text("Held by reviewer")

        # The first reviewer decides against the owner: only a proposal.
        page.goto(case_url)
        decide = page.locator('form[data-form="decide"]')
        decide.locator(f'input[name="decide-winner"][value="{challenger_claim.pk}"]').check()
        decide.locator("#id_decide-rationale").fill("The challenger's proof is newer and signed.")
        decide.get_by_role("button", name="Decide", exact=True).click()
        expect(page.locator(".messagelist .success")).to_have_text(
            "Decision proposed; a second reviewer must confirm it."
        )
        expect(page.locator('[data-proposal="open"]')).to_be_visible()
        expect(page.locator('form[data-form="confirm"]')).to_have_count(0)

        # The proposer's own confirmation is refused.
        proposal = case.proposals.get()
        token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
        refused = page.request.post(
            reverse("admin:disputes_proposal", args=[proposal.pk]),
            form={"action": "confirm", "csrfmiddlewaretoken": token},
            headers={"X-CSRFToken": token},
        )
        assert refused.status == 403

        # The second reviewer confirms.
        second.goto(case_url)
        expect(second.locator('[data-proposal="open"]')).to_contain_text("reviewer")
        second.get_by_role("button", name="Confirm the decision").click()
        expect(second.locator(".messagelist .success")).to_contain_text("Confirmed")
        expect(second.locator('[data-case-decided="true"]')).to_contain_text("second-reviewer")
    finally:
        other.close()

    owner_claim.refresh_from_db()
    challenger_claim.refresh_from_db()
    assert (owner_claim.status, challenger_claim.status) == (
        ClaimStatus.ENDED,
        ClaimStatus.APPROVED,
    )
