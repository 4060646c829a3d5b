"""allauth's OpenID Connect provider with what the portal's single sign-on needs on top: a
nonce, Entra's multi-tenant issuer, and the person as tenant + object ID."""

import secrets

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter

TENANT_PLACEHOLDER = "{tenantid}"


class PortalOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app, id_token: str) -> dict:
        """Entra's multi-tenant discovery document (`/organizations/v2.0`) names its issuer
        `https://login.microsoftonline.com/{tenantid}/v2.0`: each token's `iss` must be that
        with the token's own `tid` (Microsoft's rule), which allauth's fixed comparison refuses."""
        issuer = self.openid_config["issuer"]
        if TENANT_PLACEHOLDER not in issuer:
            return super()._decode_id_token(app, id_token)
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=None,
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=not self.did_fetch_access_token,
        )
        tenant = claims.get("tid")
        if not isinstance(tenant, str) or claims.get("iss") != issuer.replace(
            TENANT_PLACEHOLDER, tenant
        ):
            raise OAuth2Error("Invalid id_token issuer")
        return claims


class PortalOpenIDConnectProvider(OpenIDConnectProvider):
    package = "partners.sso"  # its urls: allauth's views with the adapter above
    oauth2_adapter_class = PortalOpenIDConnectAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        """Send a nonce (allauth sends state and the PKCE challenge only) and keep it in the
        sign-in's state; SocialAccountAdapter.pre_social_login compares the ID token's."""
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        return super().redirect(
            request,
            process,
            next_url,
            data,
            auth_params={**auth_params, "nonce": nonce},
            nonce=nonce,
            **kwargs,
        )

    def extract_uid(self, data):
        """An Entra ID person is their tenant and object ID (stable across apps, unlike `sub`);
        elsewhere the issuer's `sub`, the app standing for the issuer."""
        claims = data.get("id_token") or {}
        if claims.get("tid") and claims.get("oid"):
            return f"{claims['tid']}/{claims['oid']}"
        return super().extract_uid(data)
