"""allauth's OpenID Connect provider with what the portal's single sign-on needs on top."""

import secrets

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider


class PortalOpenIDConnectProvider(OpenIDConnectProvider):
    package = "allauth.socialaccount.providers.openid_connect"  # its URLs and views are allauth's

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
