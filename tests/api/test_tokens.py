"""/api-tokens/ and the Bearer authentication."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, token_digest
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_global_admin_creates_a_token_and_sees_it_once(client, global_admin):
    client.force_login(global_admin)
    response = client.post(
        reverse("api_tokens"), {"name": "CRM sync", "scope": "file", "lifetime": "365"}
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    token = ApiToken.objects.get()
    assert token.digest == token_digest(secret)
    assert secret not in {token.digest, token.prefix}
    assert secret.startswith(token.prefix)
    assert token.created_by == global_admin
    assert token.organisation == global_admin.membership.organisation
    assert timedelta(days=364) < token.expires_at - token.created_at <= timedelta(days=365)
    assert not token.user.is_active and not token.user.has_usable_password()
    listing = client.get(reverse("api_tokens"))
    assert secret not in listing.content.decode()
    assert token.prefix in listing.content.decode()


def test_token_user_is_not_a_team_member(client, global_admin, file_token):
    client.force_login(global_admin)
    response = client.get(reverse("team"))
    assert file_token.user.username not in response.content.decode()


@pytest.mark.parametrize(
    "name", ["\x00", "x" * 101, "", "a\u202eb"], ids=["nul", "long", "empty", "hidden"]
)
def test_invalid_name_is_a_form_error(client, global_admin, name):
    client.force_login(global_admin)
    response = client.post(reverse("api_tokens"), {"name": name, "scope": "read", "lifetime": 30})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_lifetime_beyond_a_year_is_refused(client, global_admin):
    client.force_login(global_admin)
    response = client.post(reverse("api_tokens"), {"name": "x", "scope": "read", "lifetime": 400})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_incentives_admin_gets_403(client, incentives_admin):
    client.force_login(incentives_admin)
    assert client.get(reverse("api_tokens")).status_code == 403
    response = client.post(reverse("api_tokens"), {"name": "x", "scope": "file", "lifetime": 30})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_revoke_asks_then_revokes(client, global_admin, file_token):
    client.force_login(global_admin)
    url = reverse("api_token_revoke", args=[file_token.pk])
    assert client.get(url).status_code == 200
    file_token.refresh_from_db()
    assert file_token.revoked_at is None
    assert client.post(url).status_code == 302
    file_token.refresh_from_db()
    assert file_token.revoked_at is not None
    assert client.get("/api/v1/me", **bearer(file_token)).status_code == 401


def test_outsider_gets_404_and_nothing_changes(client, outsider, file_token):
    client.force_login(outsider)
    response = client.post(reverse("api_token_revoke", args=[file_token.pk]))
    assert response.status_code == 404
    file_token.refresh_from_db()
    assert file_token.revoked_at is None


def test_non_numeric_token_id_is_404(client, global_admin):
    client.force_login(global_admin)
    assert client.get("/api-tokens/abc/revoke/").status_code == 404


def test_token_authenticates_as_its_organisation(client, file_token):
    response = client.get("/api/v1/me", **bearer(file_token))
    assert response.status_code == 200
    assert response.json()["organisation"] == "Northwind Traders"
    assert response.json()["scope"] == "file"
    file_token.refresh_from_db()
    assert file_token.last_used_at is not None


def test_expired_token_gets_401(client, file_token):
    ApiToken.objects.filter(pk=file_token.pk).update(expires_at=timezone.now())
    response = client.get("/api/v1/me", **bearer(file_token))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:cpor:problem:unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nope", "Bearer a b", "Basic abc", "Bearer \x00"],
)
def test_missing_or_unknown_token_gets_401(client, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["status"] == 401
