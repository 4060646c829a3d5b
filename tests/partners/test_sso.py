"""The rules behind single sign-on that the browser tests cannot reach: Entra's multi-tenant
issuer, and which work account is which member (the browser tests run the whole flow)."""

import time
from types import SimpleNamespace

import jwt
import pytest
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.test import RequestFactory

from partners.selectors import sso_member_for
from partners.sso.provider import PortalOpenIDConnectAdapter
from tests.builders import make_user

TENANT = "9f8e7d6c-5b4a-4c3d-8e2f-1a2b3c4d5e6f"
MULTI_TENANT_ISSUER = "https://login.microsoftonline.com/{tenantid}/v2.0"
EVA = "eva@northwind.example"


def _adapter(issuer: str) -> PortalOpenIDConnectAdapter:
    adapter = PortalOpenIDConnectAdapter(RequestFactory().get("/"), "entra")
    adapter._openid_config = {"issuer": issuer, "jwks_uri": "https://keys.invalid/"}
    adapter.did_fetch_access_token = True  # straight from the token endpoint: no signature check
    return adapter


def _token(**claims) -> str:
    now = int(time.time())
    payload = {"aud": "cpor", "exp": now + 300, "iat": now, "sub": "x", **claims}
    return jwt.encode(payload, "a signature nobody checks here: 32+ bytes", algorithm="HS256")


def test_a_multi_tenant_token_is_accepted_from_its_own_tenants_issuer():
    token = _token(tid=TENANT, iss=f"https://login.microsoftonline.com/{TENANT}/v2.0")

    claims = _adapter(MULTI_TENANT_ISSUER)._decode_id_token(
        SimpleNamespace(client_id="cpor"), token
    )

    assert claims["tid"] == TENANT


@pytest.mark.parametrize(
    "claims",
    [
        {"tid": TENANT, "iss": "https://login.microsoftonline.com/other/v2.0"},
        {"iss": f"https://login.microsoftonline.com/{TENANT}/v2.0"},
        {"tid": TENANT, "iss": "https://evil.example/" + TENANT},
        {"tid": ["list"], "iss": "https://login.microsoftonline.com/['list']/v2.0"},
    ],
)
def test_a_multi_tenant_token_from_another_issuer_is_refused(claims):
    with pytest.raises(OAuth2Error):
        _adapter(MULTI_TENANT_ISSUER)._decode_id_token(
            SimpleNamespace(client_id="cpor"), _token(**claims)
        )


def test_a_token_for_another_application_is_refused():
    token = _token(tid=TENANT, iss=f"https://login.microsoftonline.com/{TENANT}/v2.0", aud="app")

    with pytest.raises(OAuth2Error):
        _adapter(MULTI_TENANT_ISSUER)._decode_id_token(SimpleNamespace(client_id="cpor"), token)


def test_a_single_tenant_issuer_is_compared_as_allauth_does():
    issuer = f"https://login.microsoftonline.com/{TENANT}/v2.0"
    adapter = _adapter(issuer)
    app = SimpleNamespace(client_id="cpor")

    assert adapter._decode_id_token(app, _token(iss=issuer))["iss"] == issuer
    with pytest.raises(OAuth2Error):
        adapter._decode_id_token(app, _token(iss="https://login.microsoftonline.com/x/v2.0"))


@pytest.fixture
def eva(organisation):
    organisation.entra_tenant_ids = [TENANT]
    organisation.save()
    return make_user(organisation, email="eva@northwind.example")


def test_an_entra_account_matches_a_member_of_an_organisation_linked_to_its_tenant(eva):
    assert (
        sso_member_for({"tid": TENANT, "email": "EVA@northwind.example", "xms_edov": True}) == eva
    )


@pytest.mark.parametrize(
    "claims",
    [
        {"tid": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "email": EVA, "xms_edov": True},
        {"tid": "not-a-guid", "email": EVA, "xms_edov": True},
        {"tid": ["list"], "email": EVA, "xms_edov": True},
        {"tid": 7, "email": EVA, "xms_edov": True},
        {"tid": TENANT, "email": EVA},  # the domain is not verified by the tenant
        {"tid": TENANT, "preferred_username": EVA, "xms_edov": True},  # anyone may set it
        {"email": EVA},  # another issuer, address not verified
        {"email": EVA, "email_verified": "true"},  # a string is not True
        {"tid": TENANT, "xms_edov": True},
        {"tid": TENANT, "email": "e" * 300 + "@northwind.example", "xms_edov": True},
        {"tid": TENANT, "email": [EVA], "xms_edov": True},
    ],
)
def test_anything_else_matches_nobody(eva, claims):
    assert sso_member_for(claims) is None


def test_another_issuers_verified_address_matches_the_member(eva):
    assert sso_member_for({"email": "eva@northwind.example", "email_verified": True}) == eva


def test_deactivated_members_and_staff_never_match(eva, organisation):
    eva.is_active = False
    eva.save()
    staff = make_user(organisation, email="staff@northwind.example", is_staff=True)

    assert sso_member_for({"tid": TENANT, "email": EVA, "xms_edov": True}) is None
    assert sso_member_for({"tid": TENANT, "email": staff.email, "xms_edov": True}) is None
