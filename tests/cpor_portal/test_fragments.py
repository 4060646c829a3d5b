"""Cached fragments (core/fragments.py): two users, two organisations, two roles and two
languages never share an entry; each render for another viewer adds its own."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse

from partners.models import Role
from tests.builders import make_mpn, make_product, make_request, make_tenant, make_user

FRAGMENTS = {
    "navigation": "dashboard",
    "request_filters": "request_list",
    "request_rows": "request_list",
}


@pytest.fixture
def filed(global_admin, outsider):
    """One request in each organisation, so both lists have rows."""
    tenant, product = make_tenant(domains=("contoso.com",)), make_product("m365-teams")
    for user in (global_admin, outsider):
        organisation = user.membership.organisation
        make_request(
            organisation,
            user,
            tenant=tenant,
            products=[(product, None)],
            mpn=make_mpn(organisation),
        )


def _entries(fragment: str) -> set[str]:
    return {key for key in caches["fragments"]._cache if f"template.cache.{fragment}." in key}


def _render(client, user, url_name: str, language: str = "en") -> None:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert client.get(reverse(url_name)).status_code == 200


def _viewers(global_admin, billing_admin, outsider, organisation):
    colleague = make_user(organisation, Role.GLOBAL_ADMIN, username="second-global")
    return {
        "two users": ((global_admin, "en"), (colleague, "en")),
        "two organisations": ((global_admin, "en"), (outsider, "en")),
        "two roles": ((global_admin, "en"), (billing_admin, "en")),
        "two languages": ((global_admin, "en"), (global_admin, "cs")),
    }


@pytest.mark.parametrize("fragment", FRAGMENTS)
@pytest.mark.parametrize("pair", ["two users", "two organisations", "two roles", "two languages"])
def test_another_viewer_never_shares_a_fragment(
    client, fragment, pair, global_admin, billing_admin, outsider, organisation, filed
):
    (first, first_language), (second, second_language) = _viewers(
        global_admin, billing_admin, outsider, organisation
    )[pair]
    caches["fragments"].clear()
    _render(client, first, FRAGMENTS[fragment], first_language)
    before = _entries(fragment)

    _render(client, second, FRAGMENTS[fragment], second_language)

    assert len(before) == 1
    assert _entries(fragment) - before, f"{pair} shared the {fragment} fragment"


def test_the_same_viewer_reuses_its_fragments(client, global_admin, filed):
    caches["fragments"].clear()
    _render(client, global_admin, "request_list")
    entries = {fragment: _entries(fragment) for fragment in FRAGMENTS}

    _render(client, global_admin, "request_list")

    assert {fragment: _entries(fragment) for fragment in FRAGMENTS} == entries
