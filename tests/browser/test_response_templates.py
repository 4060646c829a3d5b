"""A reviewer starts an information request from a template in a real browser: the text arrives
filled in, in the partner's language, the reason follows, typed text is not lost unasked, and
the partner reads what the reviewer sent."""

import pytest
from playwright.sync_api import Page, expect

from associations.models import ClaimStatus
from disputes.models import ResponseTemplate
from tests import builders
from tests.browser.pages import log_in_admin


@pytest.mark.browser
def test_a_reviewer_asks_for_information_from_a_template(
    page: Page, organisation, global_admin, reviewer
):
    global_admin.membership.language = "cs"
    global_admin.membership.save()
    product = builders.make_product("d365-sales")
    tenant = builders.make_tenant(domains=("contoso.example",))
    subscription = builders.make_subscription(tenant, product)
    request = builders.make_request(
        organisation, global_admin, tenant=tenant, products=[(product, str(subscription.pk))]
    )
    claim = request.claims.get()
    ResponseTemplate.objects.all().delete()
    ResponseTemplate.objects.create(
        kind=ResponseTemplate.Kind.INFORMATION,
        reason="no_signature",
        name="No signature",
        text_en="Please have the proof for {product} signed.",
        text_cs="Nechte prosím doklad pro {product} podepsat.",
    )
    ResponseTemplate.objects.create(
        kind=ResponseTemplate.Kind.INFORMATION,
        reason="old_dates",
        name="Old dates",
        text_en="Please date the proof for {product}.",
        text_cs="Doplňte prosím k dokladu pro {product} aktuální data.",
    )

    log_in_admin(page, reviewer.username, reviewer.totp_secret)
    page.goto(f"/admin/disputes/reviewclaim/{claim.pk}/review/")
    picker = page.get_by_label("Start from a template").and_(page.locator("#information-template"))
    question = page.locator("#id_information-question")
    reason = page.locator("#id_information-reason")

    picker.select_option(label="No signature")
    expect(question).to_have_value("Nechte prosím doklad pro D365 Sales podepsat.")
    expect(reason).to_have_value("no_signature")

    # The reviewer's own words are replaced only when they confirm.
    question.fill("My own question.")
    page.once("dialog", lambda dialog: dialog.dismiss())
    picker.select_option(label="Old dates")
    expect(question).to_have_value("My own question.")
    expect(reason).to_have_value("no_signature")
    page.once("dialog", lambda dialog: dialog.accept())
    picker.select_option(label="Old dates")
    expect(question).to_have_value("Doplňte prosím k dokladu pro D365 Sales aktuální data.")
    expect(reason).to_have_value("old_dates")

    question.press("End")
    page.keyboard.type(" Děkujeme.")
    page.get_by_role("button", name="Send the question").click()

    expect(page.locator(".messagelist .success")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.INFO_REQUESTED
    info = claim.information_requests.get()
    assert (info.reason, info.question) == (
        "old_dates",
        "Doplňte prosím k dokladu pro D365 Sales aktuální data. Děkujeme.",
    )
