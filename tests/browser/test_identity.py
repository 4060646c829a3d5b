"""Joining, signing in and the team, in a real browser: invitation, TOTP, password reset, the
reviewer's way into the admin, and a Global admin changing a role."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from partners.members import member_invite
from partners.models import Role
from tests import builders
from tests.browser.pages import log_in

pytestmark = pytest.mark.browser

PASSWORD = "a-Long-pass-phrase-42"


def _path_in(message, marker: str) -> str:
    return re.search(rf"http://\S+?({marker}\S+)", message.body).group(1)


def _set_up_authenticator(page: Page) -> None:
    """What a person does with their phone: read the secret, type the app's current code."""
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(builders.totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Authenticator app activated.")).to_be_visible()


def test_an_invited_person_joins_sets_up_mfa_and_lands_on_the_dashboard(
    page: Page, global_admin, organisation
):
    organisation.require_mfa = True
    organisation.save()
    member_invite(
        actor=global_admin,
        organisation=organisation,
        email="petra@northwind.example",
        first_name="Petra",
        last_name="Svobodova",
        role=Role.INCENTIVES_ADMIN,
    )
    (message,) = mail.outbox

    page.goto(_path_in(message, "/invitation/"))
    expect(page.get_by_text("Welcome, Petra Svobodova")).to_be_visible()
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    page.get_by_role("button", name="Set the password and continue").click()

    expect(page.get_by_text("must use two-factor authentication")).to_be_visible()
    _set_up_authenticator(page)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Dashboard"
    ).click()
    expect(page.get_by_role("heading", name="Northwind Traders")).to_be_visible()


def test_a_partner_resets_a_forgotten_password(page: Page, global_admin):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.locator("#id_email").fill(global_admin.email)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", name="Password Reset")).to_be_visible()
    (message,) = mail.outbox

    page.goto(_path_in(message, "/accounts/password/reset/key/"))
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Your password is now changed.")).to_be_visible()

    page.goto("/accounts/login/")
    page.locator("#id_login").fill(global_admin.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("[data-form=login] button[type=submit]").click()
    expect(page.get_by_role("heading", name="Northwind Traders")).to_be_visible()


def test_a_reviewer_without_mfa_is_sent_to_set_it_up_before_the_admin(page: Page, db):
    builders.make_user(None, username="new-reviewer", is_staff=True)

    page.goto("/admin/disputes/reviewclaim/")
    page.locator("#id_login").fill("new-reviewer")
    page.locator("#id_password").fill("pw")
    page.locator("[data-form=login] button[type=submit]").click()

    expect(page.get_by_text("must use two-factor authentication")).to_be_visible()
    _set_up_authenticator(page)
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_contain_text("CPOR reviews")


def test_a_global_admin_changes_a_role_and_the_members_pages_follow(
    page: Page, global_admin, billing_admin, browser, live_server
):
    member = browser.new_context(base_url=live_server.url).new_page()
    log_in(member, billing_admin.username)
    new_request = member.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="New request"
    )
    expect(new_request).to_have_count(0)

    log_in(page, global_admin.username)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Team").click()
    row = page.locator(f'tr[data-member="{billing_admin.email}"]')
    row.get_by_role("link", name="Change role").click()
    page.get_by_label("New role").select_option(Role.INCENTIVES_ADMIN)
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name=re.compile("from Billing admin to Incentives"))
    ).to_be_visible()
    page.get_by_role("button", name="Change the role").click()
    expect(page.get_by_text("is now Incentives admin")).to_be_visible()
    expect(page.locator(f'tr[data-member="{billing_admin.email}"]')).to_have_attribute(
        "data-role", Role.INCENTIVES_ADMIN
    )

    member.reload()
    expect(new_request).to_be_visible()
    member.context.close()
