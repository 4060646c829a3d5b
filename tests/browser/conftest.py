"""Playwright fixtures for the browser tests: the system Chromium, one fresh context per test."""

import pytest
from django.db import connection
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session: starting it is the slow part."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        expect.set_options(timeout=TIMEOUT_MS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server_connections_closed(django_db_setup, django_db_blocker):
    """Drop the live server's leftover connections before the test database is dropped.

    Chromium keeps HTTP connections alive, so the live server's request threads (and their
    database connections) can outlive the server; PostgreSQL refuses to drop a database
    that still has sessions.
    """
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def page(transactional_db, server_connections_closed, browser, live_server):
    """A page in its own context (no cookies shared between tests), aimed at the live server.

    Fixture order matters: session fixtures end in reverse order, so the browser and the live
    server stop before the leftover connections are closed and the database is dropped.
    """
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
