"""Every page of the portal, for every role and in both languages, and the reviewers' admin
pages, have no axe-core violation (WCAG 2.1 AA and axe's best practices).

One test per visitor and language: it signs in once, in one browser context, and walks every
page that visitor can see, so a failure lists every page's violations at once. axe-core comes
inside axe-playwright-python (nothing from a CDN); `page.evaluate` runs its source through the
DevTools protocol, which the portal's Content-Security-Policy (no inline script) does not
govern, so the tests need no `bypass_csp`.
"""

import re

import pyotp
import pytest
from axe_playwright_python.base import AXE_SCRIPT, AxeResults
from django.core import mail
from playwright.sync_api import Page, expect

from associations.models import AssociationRequest, ClaimStatus
from disputes.consent import consent_token
from partners.models import Role
from tests import builders
from tests.browser.pages import log_in
from tests.browser.scene import build_scene

pytestmark = pytest.mark.browser

LANGUAGES = ("en", "cs")
WRITERS = (Role.GLOBAL_ADMIN, Role.INCENTIVES_ADMIN)
CPOR_ROLES = (*WRITERS, Role.BILLING_ADMIN)
ACKNOWLEDGEMENTS = (
    "#id_ack_customer_signature",
    "#id_ack_current_dates",
    "#id_ack_partner_services",
    "#id_ack_all_products",
)


def _first_message(node: dict) -> str:
    checks = node["any"] + node["all"] + node["none"]
    return checks[0]["message"] if checks else node["failureSummary"]


class Audit:
    """Runs axe on each page visited and keeps what it found, page by page."""

    def __init__(self, page: Page):
        self.page = page
        self.found: list[str] = []

    def visit(self, path: str, *, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response.status == status, f"{path} answered {response.status}"
        self.check(path)

    def check(self, label: str) -> None:
        results = AxeResults(self.page.evaluate("axe.run({resultTypes: ['violations']})"))
        for violation in results.response["violations"]:
            nodes = "".join(
                f"\n    {' '.join(map(str, node['target']))}: {_first_message(node)}"
                for node in violation["nodes"]
            )
            self.found.append(
                f"{label}: {violation['id']} ({violation['impact']}) {violation['help']}{nodes}"
            )

    def assert_clean(self) -> None:
        assert not self.found, "axe found violations:\n" + "\n".join(self.found)


def _switch_language(page: Page, language: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#language-select").select_option(language)
    page.locator("[data-language-switcher] button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.fixture
def scene(transactional_db):
    return build_scene()


@pytest.fixture
def audit(page: Page):
    page.context.add_init_script(script=AXE_SCRIPT)  # once, not at each check
    return Audit(page)


def _partner_pages(audit: Audit, scene, role: str) -> None:
    page = audit.page
    requests = scene.requests
    if role not in CPOR_ROLES:
        audit.visit("/", status=403)
        audit.visit("/associations/", status=403)
        return
    audit.visit("/")
    audit.visit("/associations/")
    audit.visit("/associations/?q=no-such-request")
    for state, request in requests.items():
        if state == "validating":
            page.goto(f"/associations/{request.reference}/")
            page.locator("[data-refresh-stop]").click()  # or axe would run across the reload
            expect(page.locator("[data-refresh-reload]")).to_be_focused()
            audit.check(f"/associations/{request.reference}/ (validating)")
        else:
            audit.visit(f"/associations/{request.reference}/")
    audit.visit("/associations/CPOR-999999/", status=404)
    audit.visit("/incentives/")
    audit.visit("/audit/mpn/")
    audit.visit("/team/")
    if role not in WRITERS:
        audit.visit("/associations/new/", status=403)
        audit.visit("/associations/bulk/", status=403)
        return

    audit.visit("/associations/bulk/")
    audit.visit("/associations/new/")
    page.locator("form button[value=submit]").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check("/associations/new/ after a bad submit")
    reference = requests["action_needed"].reference
    audit.visit(f"/associations/{reference}/edit/")
    page.locator("form button[value=check]").click()
    expect(page.locator("#check-now")).to_be_visible()
    audit.check(f"/associations/{reference}/edit/ after Check now")
    audit.visit(f"/associations/{requests['draft'].reference}/delete/")
    audit.visit(f"/associations/{requests['under_review'].reference}/withdraw/")
    audit.visit(f"/associations/{requests['approved'].reference}/proof/")
    for state, form in (
        ("info_requested", "answer"),
        ("rejected", "dispute"),
        ("approved", "disassociate"),
    ):
        claim = scene.claim(state)
        audit.visit(f"/associations/{requests[state].reference}/claims/{claim.pk}/{form}/")
    audit.visit("/incentives/1234569/business_applications/enrol/")
    if role == Role.GLOBAL_ADMIN:
        member = scene.users[Role.BILLING_ADMIN]
        audit.visit("/team/invite/")
        page.locator("#id_email").fill("jan@northwind.example")
        page.locator("#id_first_name").fill("Jan")
        page.locator("#id_last_name").fill("Novak")
        page.locator("main form button[type=submit]").click()
        expect(page.locator("main form button[name=confirmed]")).to_be_visible()
        audit.check("/team/invite/ confirmation")
        audit.visit(f"/team/{member.pk}/role/")
        audit.visit(f"/team/{member.pk}/deactivate/")
        audit.visit("/team/mfa/")
    else:
        audit.visit("/team/invite/", status=403)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", [*CPOR_ROLES, Role.OTHER], ids=lambda role: role.replace("_", "-"))
def test_every_page_a_partner_sees_has_no_axe_violation(page: Page, audit, scene, role, language):
    _switch_language(page, language)
    log_in(page, scene.users[role].username)
    _partner_pages(audit, scene, role)
    audit.visit("/accounts/password/change/")
    audit.visit("/accounts/2fa/")
    audit.visit("/accounts/2fa/totp/activate/")
    audit.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_a_visitor_sees_without_an_account_has_no_axe_violation(
    page: Page, audit, scene, language
):
    _switch_language(page, language)
    audit.check("/accounts/login/")
    page.locator("#id_login").fill("nobody")
    page.locator("#id_password").fill("wrong")
    page.locator("[data-form=login] button[type=submit]").click()
    refusal = page.locator("[data-form=login] .alert, [data-form=login] .invalid-feedback")
    expect(refusal.first).to_be_visible()
    audit.check("/accounts/login/ after a wrong password")
    mail.outbox.clear()
    audit.visit("/accounts/password/reset/")
    page.locator("#id_email").fill(scene.users[Role.GLOBAL_ADMIN].email)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/password/reset/done/")
    audit.check("/accounts/password/reset/done/")
    (message,) = mail.outbox
    page.goto(re.search(r"http://\S+?(/accounts/password/reset/key/\S+)", message.body).group(1))
    expect(page.locator("#id_password1")).to_be_visible()
    audit.check("/accounts/password/reset/key/")
    audit.visit(f"/invitation/{scene.invitation_token}/")
    audit.visit("/invitation/not-a-token/", status=400)
    audit.visit("/accounts/email/", status=404)
    token = consent_token(scene.claim("approved").pk)
    audit.visit(f"/consent/{token}/")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[role=status]")).to_be_visible()
    audit.check("/consent/ after declining")
    audit.visit("/consent/not-a-token/", status=400)
    audit.visit("/associations/%00/", status=400)  # the portal's own 400 page
    audit.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reviewers_admin_pages_have_no_axe_violation(page: Page, audit, scene, language):
    _switch_language(page, language)
    reviewer = scene.reviewer
    page.goto("/admin/")
    page.locator("#id_login").fill(reviewer.username)
    page.locator("#id_password").fill("pw")
    page.locator("[data-form=login] button[type=submit]").click()
    expect(page.locator("#id_code")).to_be_visible()
    audit.check("the authenticator code page")
    page.locator("#id_code").fill(pyotp.TOTP(reviewer.totp_secret).now())
    page.locator("#id_code").press("Enter")
    expect(page.locator("#user-tools")).to_contain_text(reviewer.username)
    audit.check("/admin/")
    audit.visit("/admin/disputes/reviewclaim/")
    for state in ("under_review", "disputed"):  # one approvable, one not
        page.locator(f"input.action-select[value='{scene.claim(state).pk}']").check()
    page.locator("select[name=action]").select_option("approve_selected")
    page.locator("button[name=index]").click()
    expect(page.locator("[data-approvable]")).to_be_visible()
    audit.check("the bulk approval's confirmation page")
    page.goto("/admin/disputes/reviewclaim/")
    for state in ("under_review", "disputed", "in_arbitration"):
        audit.visit(f"/admin/disputes/reviewclaim/{scene.claim(state).pk}/review/")
    audit.visit("/admin/disputes/arbitrationcase/")
    audit.visit(f"/admin/disputes/arbitrationcase/{scene.case_pk}/arbitrate/")
    audit.visit("/admin/reviews/")
    audit.visit("/admin/disputes/responsetemplate/")
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator("#content h2").first).to_be_visible()
    audit.check("a response template, read only")
    audit.visit("/admin/reviews/?date_from=2026-05-02&date_to=2026-05-01")
    audit.assert_clean()


def _tab_to(page: Page, selector: str, *, presses: int = 6, key: str = "Tab") -> None:
    """Press Tab until the focus is on `selector`: failing means the control is out of the
    focus order, or further from the previous one than the form's order allows."""
    for _ in range(presses):
        page.keyboard.press(key)
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} not reached with {presses} presses of {key}")


def _type_into(page: Page, selector: str, text: str, *, presses: int = 6) -> None:
    _tab_to(page, selector, presses=presses)
    page.keyboard.type(text)


def _choose(page: Page, selector: str, value: str) -> None:
    """A select or a group of radio buttons, as the keyboard chooses: the arrow keys move
    through the options (and check each radio button they reach), Space checks the first."""
    _tab_to(page, selector)
    for _ in range(30):
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return {value: e.value, unchecked: e.type === 'radio' && !e.checked}; }"
        )
        if focused["value"] == value:
            if focused["unchecked"]:
                page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached with the arrow keys in {selector}")


def test_a_whole_request_is_filed_with_the_keyboard_alone(page: Page, global_admin, organisation):
    """Tab, Shift+Tab, typing, arrow keys, Space and Enter, no click: every control of the form
    is in the focus order, in the order it is shown, and the request is filed."""
    product = builders.make_product("d365-sales")
    tenant = builders.make_tenant(domains=("contoso.onmicrosoft.com",), name="Contoso")
    subscription = builders.make_subscription(tenant, product)
    mpn = builders.make_mpn(organisation, mpn_id="1234567")
    # Playwright turns Chromium's file-dialog interception on asynchronously when the first
    # listener subscribes; subscribing only inside expect_file_chooser() raced the key press on
    # a loaded machine (the dialog opened before the interception did). Subscribed here, early.
    page.on("filechooser", lambda chooser: None)
    log_in(page, global_admin.username)
    page.goto("/associations/new/")

    _tab_to(page, "a[href='#main']", presses=1)
    page.keyboard.press("Enter")  # the skip link: the next Tab lands in the form
    _type_into(page, "#id_claim_name", "Dynamics roll-out")
    _type_into(page, "#id_tenant_id", str(tenant.tenant_id))
    _type_into(page, "#id_domain", "contoso.onmicrosoft.co")
    _tab_to(page, "#id_tenant_id", presses=2, key="Shift+Tab")  # back and forth
    _tab_to(page, "#id_domain", presses=1)
    page.keyboard.press("End")
    page.keyboard.type("m")
    _choose(page, "input[name=solution_area]", "business_applications")
    _choose(page, "input[name=activity]", "pre_sales")
    _choose(page, "#id_mpn", str(mpn.pk))
    _choose(page, "#id_claims-0-product", str(product.pk))
    _type_into(page, "#id_claims-0-subscription_id", str(subscription.subscription_id))
    _type_into(page, "#id_customer_contact_name", "Alex Customer", presses=12)
    _type_into(page, "#id_customer_contact_title", "CIO")
    _type_into(page, "#id_customer_contact_email", "alex@contoso.example")
    _type_into(page, "#id_partner_contact_name", "Pat Partner")
    _type_into(page, "#id_partner_contact_email", "pat@northwind.example")
    _type_into(page, "#id_proof_description", "Workshops and deployment, signed by the customer.")
    _tab_to(page, "#id_documents", presses=6)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(
        {"name": "proof.pdf", "mimeType": "application/pdf", "buffer": builders.PDF_BYTES}
    )
    for acknowledgement in ACKNOWLEDGEMENTS:
        _tab_to(page, acknowledgement)
        page.keyboard.press("Space")
    _tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")

    expect(page.locator('[data-claim-status="under_review"]')).to_have_count(1)
    request = AssociationRequest.objects.get()
    assert (request.claim_name, request.domain, request.mpn) == (
        "Dynamics roll-out",
        "contoso.onmicrosoft.com",
        mpn,
    )
    assert request.submitted_at is not None
    assert request.claims.get().status == ClaimStatus.UNDER_REVIEW
    assert request.ack_all_products and request.proofs.get().documents.count() == 1
