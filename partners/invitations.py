"""Invitation links: signed, expiring after CPOR_INVITATION_DAYS, and single-use.

The token signs the user's id with a digest of their password hash and last sign-in, so it is
spent as soon as the person sets a password or signs in (by SSO too), like Django's password
reset tokens, without a table of its own.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from partners.errors import InvitationError

SALT = "cpor.invitation"


def _state(user) -> str:
    return salted_hmac(SALT, f"{user.pk}|{user.password}|{user.last_login}").hexdigest()[:32]


def invitation_token(user) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user)}, salt=SALT)


def invitation_user(token: str, *, lock: bool = False):
    """The invited user (their row locked with `lock`, inside a transaction), or
    InvitationError saying why the link cannot be used."""
    max_age = timedelta(days=settings.CPOR_INVITATION_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvitationError("expired") from None
    except (signing.BadSignature, ValueError):
        raise InvitationError("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise InvitationError("invalid")
    users = get_user_model().objects.filter(pk=data["u"], is_active=True)
    if lock:
        users = users.select_for_update(of=("self",))
    user = users.select_related("membership__organisation").first()
    if user is None or not constant_time_compare(str(data.get("s")), _state(user)):
        raise InvitationError("used")
    return user
