"""`Authorization: Bearer <token>`: the request acts as the token's organisation, with the
rights of its scope (`request.membership`, as the pages' views get it)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api import selectors, services


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send one token after “Bearer”."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        token = selectors.token_by_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        services.token_mark_used(token=token, now=timezone.now())
        request._request.membership = selectors.token_membership(token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
