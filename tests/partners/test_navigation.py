"""The navigation bar: cached per process under everything it shows, so it follows the user,
the role, the organisation and the language at once; its forms carry each request's own token."""

import re

from django.conf import settings
from django.test import Client
from django.urls import reverse

from partners.models import Role

URL = reverse("dashboard")
NEW_REQUEST = f'href="{reverse("request_create")}"'
REVIEW = f'href="{reverse("admin:index")}"'


def _navigation(html: str) -> str:
    return html[html.index('<nav class="navbar') : html.index("</nav>")]


def _signed_in_as(html: str) -> str:
    """The navigation's "who is signed in" text (the logout button's title repeats it)."""
    return re.search(r'<span class="navbar-text[^>]*>\s*(.*?)\s*</span>', html, re.S).group(1)


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

    assert REVIEW in _navigation(client.get(URL).text)


def test_each_page_carries_its_own_token_and_logging_out_with_it_works(global_admin, outsider):
    """The cached navigation holds no CSRF token: the logout and language forms get the
    visitor's own on every page."""
    pages = {}
    for user in (global_admin, outsider):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        html = browser.get(URL).text
        pages[user.username] = (browser, html)

    tokens = {
        name: re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        for name, (_browser, html) in pages.items()
    }
    assert all(len(found) == 2 for found in tokens.values())  # logout and language switcher
    browser, _html = pages["global"]
    assert browser.post(reverse("logout"), {"csrfmiddlewaretoken": tokens["global"][0]}).url
    assert browser.get(URL).status_code == 302  # signed out
    # The second visitor's page came after the first's was cached: its tokens are its own.
    browser, _html = pages["outsider"]
    switched = browser.post(
        reverse("set_language"), {"csrfmiddlewaretoken": tokens["outsider"][1], "language": "cs"}
    )
    assert switched.status_code == 302
    assert browser.get(URL).status_code == 200
