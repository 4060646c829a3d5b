"""The reads of the API's own data, scoped to the caller's organisation."""

from django.http import Http404
from django.utils import timezone

from api.models import ApiToken, token_digest
from partners.models import Membership


def tokens_of(membership: Membership):
    return ApiToken.objects.filter(organisation_id=membership.organisation_id).select_related(
        "created_by"
    )


def token_get_for_user(membership: Membership, token_id: int) -> ApiToken:
    token = tokens_of(membership).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token


def token_by_secret(secret: str) -> ApiToken | None:
    """The live token with this secret, with its organisation and user; None for any other."""
    if not secret or len(secret) > 200 or "\x00" in secret:
        return None
    token = (
        ApiToken.objects.select_related("organisation", "user")
        .filter(digest=token_digest(secret))
        .first()
    )
    if token is None or not token.is_live(timezone.now()):
        return None
    return token


def token_membership(token: ApiToken) -> Membership:
    """The rights of the token's scope as an (unsaved) membership, so every selector and
    permission check of the pages applies to the API unchanged."""
    return Membership(user=token.user, organisation=token.organisation, role=token.role)
