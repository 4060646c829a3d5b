"""Single sign-on end to end: the portal, a real OpenID Connect provider on localhost
(oidc-provider-mock in its own process) and Chromium between them."""

import json
import re
import socket
import subprocess
import sys
import time

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from csp.constants import SELF
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from cpor_portal.settings import oidc_app
from partners.models import Role
from tests import builders
from tests.browser.pages import log_in

pytestmark = pytest.mark.browser

TENANT = "9f8e7d6c-5b4a-4c3d-8e2f-1a2b3c4d5e6f"
PEOPLE = [
    {  # an Entra work account of Northwind's tenant, signed in with MFA
        "sub": "eva-entra",
        "email": "eva@northwind.example",
        "tid": TENANT,
        "oid": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        "xms_edov": True,
        "amr": ["pwd", "mfa"],
    },
    {  # another issuer's account with a verified address
        "sub": "jan-verified",
        "email": "jan@northwind.example",
        "email_verified": True,
    },
    {  # a work account of Northwind's tenant that nobody invited
        "sub": "stranger",
        "email": "stranger@northwind.example",
        "tid": TENANT,
        "oid": "11111111-2222-4333-8444-555555555555",
        "xms_edov": True,
    },
    {  # Northwind's address, but from a tenant Northwind never linked
        "sub": "eva-elsewhere",
        "email": "eva@northwind.example",
        "tid": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        "oid": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        "xms_edov": True,
    },
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_issuer():
    port = _free_port()
    arguments = [sys.executable, "-m", "oidc_provider_mock", "-p", str(port)]
    for person in PEOPLE:
        arguments += ["--user-claims", json.dumps(person)]
    process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).raise_for_status()
            break
        except requests.RequestException:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the OpenID Connect provider did not start") from None
            time.sleep(0.1)
    yield issuer
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sso(settings, oidc_issuer, organisation):
    """The portal configured as CPOR_OIDC_* would, and Northwind linked to its tenant."""
    providers = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**providers, "APPS": [oidc_app(oidc_issuer, "cpor-test", "secret")]}
    }
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "form-action": [SELF, oidc_issuer]}
    }
    organisation.entra_tenant_ids = [TENANT]
    organisation.require_mfa = True
    organisation.save()
    return oidc_issuer


def _sign_in_as(page: Page, subject: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Microsoft").click()
    page.get_by_role("button", name=subject, exact=True).click()


def test_a_member_signs_in_with_their_work_account(page: Page, sso, organisation):
    eva = builders.make_user(organisation, Role.GLOBAL_ADMIN, email="eva@northwind.example")

    _sign_in_as(page, "eva-entra")

    # Northwind requires MFA and the ID token says it was used: no enrolment, the dashboard.
    expect(page.get_by_role("heading", name="Northwind Traders")).to_be_visible()
    account = SocialAccount.objects.get(user=eva)
    assert account.uid == f"{TENANT}/0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"

    page.get_by_role("button", name="Log out").first.click()
    _sign_in_as(page, "eva-entra")  # the second time through the linked account
    expect(page.get_by_role("heading", name="Northwind Traders")).to_be_visible()
    assert SocialAccount.objects.count() == 1


def test_another_issuers_verified_address_identifies_the_member(page: Page, sso, organisation):
    organisation.require_mfa = False
    organisation.save()
    builders.make_user(organisation, Role.BILLING_ADMIN, email="jan@northwind.example")

    _sign_in_as(page, "jan-verified")

    expect(page.get_by_role("heading", name="Northwind Traders")).to_be_visible()


def test_a_sign_in_without_mfa_must_set_up_an_authenticator_where_mfa_is_required(
    page: Page, sso, organisation
):
    builders.make_user(organisation, Role.BILLING_ADMIN, email="jan@northwind.example")

    _sign_in_as(page, "jan-verified")  # its ID token has no amr: mfa

    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    page.goto("/associations/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))


@pytest.mark.parametrize("subject", ["stranger", "eva-elsewhere"])
def test_a_work_account_that_matches_nobody_is_refused_and_nothing_is_created(
    page: Page, sso, organisation, subject
):
    builders.make_user(organisation, Role.GLOBAL_ADMIN, email="eva@northwind.example")
    users = get_user_model().objects.count()

    _sign_in_as(page, subject)

    expect(page.locator("[data-page=sso-refused]")).to_contain_text(
        "There is no CPOR account for this work account"
    )
    assert get_user_model().objects.count() == users
    assert not SocialAccount.objects.exists()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_an_id_token_with_another_nonce_is_refused(page: Page, sso, organisation):
    builders.make_user(organisation, Role.GLOBAL_ADMIN, email="eva@northwind.example")

    def replace_nonce(route):  # what the provider sees, the page and its form alike
        route.continue_(url=re.sub(r"nonce=[^&]+", "nonce=replayed", route.request.url))

    page.route(f"{sso}/oauth2/authorize*", replace_nonce)

    _sign_in_as(page, "eva-entra")

    expect(page.locator("[data-page=sso-refused]")).to_contain_text("could not be verified")
    assert not SocialAccount.objects.exists()


def test_a_signed_in_member_cannot_link_a_work_account_to_their_own(
    page: Page, sso, organisation, global_admin
):
    organisation.require_mfa = False
    organisation.save()
    builders.make_user(organisation, Role.GLOBAL_ADMIN, email="eva@northwind.example")
    log_in(page, global_admin.username)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")

    page.evaluate(
        """([action, token]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            for (const [name, value] of [["csrfmiddlewaretoken", token], ["process", "connect"]]) {
                const input = document.createElement("input");
                input.name = name;
                input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        ["/accounts/oidc/entra/login/", token],
    )
    page.get_by_role("button", name="eva-entra", exact=True).click()

    expect(page.locator("[data-page=sso-refused]")).to_be_visible()
    assert not SocialAccount.objects.exists()


def test_a_tampered_state_is_refused(page: Page, sso, organisation):
    builders.make_user(organisation, Role.GLOBAL_ADMIN, email="eva@northwind.example")

    def forge_state(route):
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)
        location = re.sub(r"state=[^&]+", "state=forged", answer.headers["location"])
        route.fulfill(status=302, headers={"location": location})

    page.route(f"{sso}/oauth2/authorize*", forge_state)

    _sign_in_as(page, "eva-entra")

    expect(page.locator("[data-page=sso-error]")).to_be_visible()
    assert not SocialAccount.objects.exists()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
