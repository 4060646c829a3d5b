"""Every page's security headers, no inline script or style for the CSP to allow, and every
`next=` that stays on the site."""

import re
from urllib.parse import unquote, urlsplit

import pytest
from csp.constants import HEADER, SELF
from csp.decorators import csp_update
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from cpor_portal.middleware import CSPMiddleware
from tests.builders import make_mpn, make_product, make_request, make_subscription, make_tenant

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+=", re.I)
EVIL = [
    "//evil.example",
    "/\tevil.example",
    "/\t/evil.example",
    "https://evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "https:evil.example",
    " //evil.example",
]


@pytest.fixture
def filed(global_admin):
    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    organisation = global_admin.membership.organisation
    return make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(make_subscription(tenant, sales).pk))],
        mpn=make_mpn(organisation),
    )


def _partner_pages(request):
    return [
        reverse("dashboard"),
        reverse("request_list"),
        reverse("request_create"),
        reverse("request_detail", args=[request.reference]),
        reverse("incentives"),
        reverse("mpn_audit"),
        reverse("team"),
        reverse("team_invite"),
        reverse("team_mfa"),
        reverse("member_role", args=[request.author.pk]),
        reverse("account_change_password"),
        reverse("mfa_index"),
    ]


ANONYMOUS_PAGES = ["account_login", "account_reset_password", "account_signup"]
ADMIN_PAGES = [
    "admin:index",
    "admin:disputes_reviewclaim_changelist",
    "admin:disputes_arbitrationcase_changelist",
    "admin:partners_memberevent_changelist",
]


def _on_site(location: str) -> bool:
    """Where a browser would go: it drops tabs and line breaks and reads \\ as /."""
    seen = re.sub(r"[\t\n\r]", "", unquote(location)).replace("\\", "/").strip()
    parts = urlsplit(seen)
    return parts.netloc in ("", "testserver") and not seen.startswith("//")


def _check_page(response, *, signed_in: bool) -> None:
    url = response.wsgi_request.get_full_path()
    assert response.status_code == 200, url
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    if signed_in:
        cache_control = response.headers["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), url
    assert not INLINE_STYLE.search(html), url
    assert not EVENT_HANDLER.search(html), url


def test_every_partner_page_carries_the_headers_and_nothing_inline(client, global_admin, filed):
    client.force_login(global_admin)

    for url in _partner_pages(filed):
        _check_page(client.get(url), signed_in=True)


def test_every_anonymous_page_carries_the_headers_and_nothing_inline(client, db):
    for name in ANONYMOUS_PAGES:
        _check_page(client.get(reverse(name)), signed_in=False)


def test_the_reviewers_admin_pages_carry_the_headers_and_nothing_inline(client, reviewer, filed):
    client.force_login(reviewer)
    claim = filed.claims.get()

    for url in [reverse(name) for name in ADMIN_PAGES] + [
        reverse("admin:disputes_review", args=[claim.pk])
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy
        html = response.content.decode()
        assert not INLINE_STYLE.search(html.split("</head>", 1)[1]), url  # our own templates
        assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("target", EVIL)
def test_signing_in_never_follows_next_off_the_site(client, global_admin, target):
    response = client.post(
        reverse("account_login"), {"login": "global", "password": "pw", "next": target}
    )

    assert response.status_code == 302
    assert _on_site(response.url), response.url


@pytest.mark.parametrize("target", EVIL)
def test_no_other_next_leaves_the_site(global_admin, reviewer, target):
    checks = []
    anonymous = Client()
    checks.append(anonymous.get(f"/login/?next={target}"))
    checks.append(anonymous.get(reverse("admin:login"), {"next": target}))
    signed_in = Client()
    signed_in.force_login(global_admin)
    checks.append(signed_in.post(reverse("set_language"), {"language": "cs", "next": target}))
    checks.append(signed_in.get(reverse("account_login"), {"next": target}))
    checks.append(signed_in.post(reverse("account_logout"), {"next": target}))

    for response in checks:
        assert 300 <= response.status_code < 400, response.wsgi_request.path
        assert _on_site(response.headers["Location"]), response.headers["Location"]


def test_the_site_wide_policy_is_the_one_django_csp_builds_and_follows_the_setting(
    client, db, settings
):
    assert client.get(reverse("account_login")).headers["Content-Security-Policy"] == (
        build_policy()
    )

    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": [SELF, "https://cdn.example"]}
    }

    assert client.get(reverse("account_login")).headers["Content-Security-Policy"] == (
        "default-src 'self' https://cdn.example"
    )


def test_a_response_that_asks_for_its_own_policy_still_gets_it(rf):
    @csp_update({"img-src": "https://images.example"})
    def view(request):
        return HttpResponse("ok")

    site_wide = CSPMiddleware(lambda request: HttpResponse("ok"))
    before = site_wide(rf.get("/"))  # fills the built header
    updated = CSPMiddleware(view)(rf.get("/"))
    after = site_wide(rf.get("/"))

    assert "img-src 'self' data: https://images.example" in updated.headers[HEADER]
    assert "images.example" not in before.headers[HEADER]
    assert after.headers[HEADER] == before.headers[HEADER]
