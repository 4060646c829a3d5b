"""Steps shared by the browser tests."""

from playwright.sync_api import Page, expect


def log_in(page: Page, username: str) -> None:
    """Sign in through the portal's login form, as a partner would."""
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw")
    page.locator("main button[type=submit]").click()
    expect(page.locator("nav form[action='/logout/'] button")).to_be_visible()


def log_in_admin(page: Page, username: str) -> None:
    """Sign in through the Django admin's login form, as a reviewer would."""
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw")
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text(username)
