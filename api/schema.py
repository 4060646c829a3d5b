"""The OpenAPI schema's description of the Bearer tokens (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token of /api-tokens/.",
        }


def idempotency_header(result, generator, request, public):
    """Every POST takes an `Idempotency-Key` (api/idempotency.py): said once, here."""
    header = {
        "in": "header",
        "name": "Idempotency-Key",
        "required": False,
        "schema": {"type": "string", "maxLength": 255},
        "description": "A retry with the same key gets the first answer, kept 24 hours.",
    }
    for operations in result["paths"].values():
        if "post" in operations:
            operations["post"].setdefault("parameters", []).append(header)
    return result
