"""The API's reads: every answer scoped to the token's organisation (`request.membership`)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from api.v1 import serializers


@extend_schema(responses=serializers.Me, tags=["organisation"])
@api_view(["GET"])
def me(request):
    """The token's organisation, name and scope: the first call to try."""
    token = request.auth
    return Response(
        {
            "organisation": token.organisation.name,
            "token": token.name,
            "scope": token.scope,
            "expires_at": token.expires_at,
        }
    )
