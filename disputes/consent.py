"""The customer's signed, expiring link to see an approved association and decline it.

No account is needed: the link carries the claim id signed with the site's secret (salted for
this use only), so it cannot be forged or pointed at another claim, and it expires.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from disputes.errors import ReviewError

_SALT = "cpor.customer-consent"


def consent_token(claim_id: int) -> str:
    return signing.dumps(claim_id, salt=_SALT, compress=False)


def consent_url(claim_id: int) -> str:
    path = reverse("customer_consent", args=[consent_token(claim_id)])
    return settings.CPOR_BASE_URL.rstrip("/") + path


def claim_id_from_token(token: str) -> int:
    max_age = settings.CPOR_CONSENT_LINK_DAYS * 24 * 3600
    try:
        return int(signing.loads(token, salt=_SALT, max_age=max_age))
    except signing.SignatureExpired:
        raise ReviewError("link_expired") from None
    except (signing.BadSignature, TypeError, ValueError):
        raise ReviewError("bad_link") from None
