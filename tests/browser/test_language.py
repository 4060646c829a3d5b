"""A visitor switches the portal to Czech, and the choice is kept across pages and logins."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import log_in, log_in_admin

pytestmark = pytest.mark.browser


def test_switching_to_czech_is_kept_across_pages_and_the_login(page: Page, global_admin):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator("#language-select").select_option("cs")
    page.locator("[data-language-switcher] button").click()

    expect(page.locator("html")).to_have_attribute("lang", "cs")
    expect(page.locator("main h1")).not_to_have_text("Log in to the CPOR Portal")
    log_in(page, global_admin.username)
    page.goto("/associations/")
    expect(page.locator("html")).to_have_attribute("lang", "cs")
    expect(page.locator("#language-select")).to_have_value("cs")

    # Both forms of the (cached) navigation post with the CSRF token rendered outside them.
    page.locator("nav form[action='/accounts/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("nav form[action='/accounts/logout/']")).to_have_count(0)
    page.locator("#language-select").select_option("en")
    page.locator("[data-language-switcher] button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_reviewer_switches_the_admin_to_czech(page: Page, reviewer):
    log_in_admin(page, reviewer.username, reviewer.totp_secret)

    page.locator("#language-select").select_option("cs")
    page.locator("[data-language-switcher] button").click()

    expect(page.locator("html")).to_have_attribute("lang", "cs")
    expect(page.locator("#site-name")).to_contain_text("CPOR")


def test_the_browsers_language_is_honoured_on_the_first_visit(
    transactional_db, server_connections_closed, browser, live_server
):
    context = browser.new_context(base_url=live_server.url, locale="cs-CZ")
    page = context.new_page()

    page.goto("/accounts/login/")

    expect(page.locator("html")).to_have_attribute("lang", "cs")
    context.close()
