"""Steps shared by the browser tests."""

from playwright.sync_api import Page, expect

from tests import builders


def log_in(page: Page, username: str) -> None:
    """Sign in through the portal's login form, as a partner would."""
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill("pw")
    page.locator("[data-form=login] button[type=submit]").click()
    expect(page.locator("nav form[action='/accounts/logout/'] button")).to_be_visible()


def log_in_admin(page: Page, username: str, totp_secret: str) -> None:
    """Sign in to the Django admin as a reviewer would: sent to the portal's sign-in, then
    asked for the authenticator app's code."""
    page.goto("/admin/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill("pw")
    page.locator("[data-form=login] button[type=submit]").click()
    page.locator("#id_code").fill(builders.totp_code(totp_secret))
    page.locator("#id_code").press("Enter")
    expect(page.locator("#user-tools")).to_contain_text(username)
