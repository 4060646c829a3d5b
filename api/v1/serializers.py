"""The API's answers, described for the OpenAPI schema (drf-spectacular reads these)."""

from rest_framework import serializers

from api.models import Scope
from associations.choices import ClaimStatus


class Problem(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    errors = serializers.JSONField(required=False)


class Me(serializers.Serializer):
    organisation = serializers.CharField()
    token = serializers.CharField()
    scope = serializers.ChoiceField(choices=Scope.choices)
    expires_at = serializers.DateTimeField()


class ClaimSummary(serializers.Serializer):
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    product = serializers.CharField()
