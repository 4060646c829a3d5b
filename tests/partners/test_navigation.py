"""The navigation bar: cached per process under everything it shows, so it follows the user,
the role, the organisation and the language at once; its forms carry each request's own token."""

import re

from django.conf import settings
from django.test import Client
from django.urls import reverse

from partners.models import Role
from tests.builders import enable_totp

URL = reverse("dashboard")
NEW_REQUEST = f'href="{reverse("request_create")}"'
REVIEW = f'href="{reverse("admin:index")}"'


def _navigation(html: str) -> str:
    return html[html.index('<nav class="navbar') : html.index("</nav>")]


def _signed_in_as(html: str) -> str:
    """The navigation's "who is signed in" text (the logout button's title repeats it)."""
    return re.search(r'<a class="navbar-text[^>]*>\s*(.*?)\s*</a>', html, re.S).group(1)


def test_the_navigation_follows_role_name_organisation_and_language(client, global_admin):
    """One change at a time, each after the navigation was cached as it was before."""
    client.force_login(global_admin)
    assert NEW_REQUEST in _navigation(client.get(URL).text)
    membership = global_admin.membership

    membership.role = Role.INCENTIVES_ADMIN  # may still write
    membership.save()
    assert _signed_in_as(client.get(URL).text) == "global · Northwind Traders · Incentives admin"

    membership.role = Role.BILLING_ADMIN
    membership.save()
    billing = _navigation(client.get(URL).text)
    assert NEW_REQUEST not in billing
    assert _signed_in_as(billing) == "global · Northwind Traders · Billing admin"

    membership.organisation.name = "Northwind Traders (EU)"
    membership.organisation.save()
    assert _signed_in_as(client.get(URL).text) == "global · Northwind Traders (EU) · Billing admin"

    global_admin.first_name, global_admin.last_name = "Dana", "Novak"
    global_admin.save()
    assert (
        _signed_in_as(client.get(URL).text) == "Dana Novak · Northwind Traders (EU) · Billing admin"
    )

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
    in_czech = _navigation(client.get(URL).text)
    assert ">Řídicí panel</a>" in in_czech
    assert ">Dashboard</a>" not in in_czech


def test_staff_alone_see_the_review_link(client, global_admin, reviewer):
    client.force_login(global_admin)
    assert REVIEW not in _navigation(client.get(URL).text)

    global_admin.is_staff = True
    global_admin.save()
    enable_totp(global_admin)  # staff must use MFA

    assert REVIEW in _navigation(client.get(URL).text)


def test_each_page_carries_its_own_tokens_though_the_navigation_is_cached(global_admin):
    """One user in two browsers: the second page's navigation comes from the cache the first
    filled, yet its forms post with the second browser's own tokens (inputs outside the
    cached fragment, tied to their forms by form="...")."""
    browsers = [Client(enforce_csrf_checks=True) for _ in range(2)]
    pages = []
    for browser in browsers:
        browser.force_login(global_admin)
        pages.append(browser.get(URL).text)
    first, second = (
        {
            form: token
            for token, form in re.findall(
                r'name="csrfmiddlewaretoken" value="([^"]+)" form="([^"]+)"', page
            )
        }
        for page in pages
    )

    assert sorted(first) == sorted(second) == ["language-switcher", "logout"]
    assert not set(first.values()) & set(second.values())  # each page's own tokens
    assert 'id="logout"' in pages[1] and 'id="language-switcher"' in pages[1]
    token_of = second
    switched = browsers[1].post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": token_of["language-switcher"], "language": "cs"},
    )
    assert switched.status_code == 302
    assert (
        browsers[1].post(reverse("account_logout"), {"csrfmiddlewaretoken": token_of["logout"]}).url
    )
    assert browsers[1].get(URL).status_code == 302  # signed out
    assert browsers[0].get(URL).status_code == 200  # the other browser's session is its own
