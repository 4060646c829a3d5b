"""Every write of the API's own data: tokens and the answers kept for idempotent retries."""

import secrets
import uuid
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from api.models import ApiToken, IdempotentAnswer, token_digest
from partners.models import Organisation

TOKEN_PREFIX = "cpor_"  # noqa: S105 (the marker of every token, so scanners find leaked ones)
MAX_LIFETIME = timedelta(days=365)
# The last use is written at most this often: a busy token would otherwise write on every call.
LAST_USE_PRECISION = timedelta(minutes=1)


def token_create(
    *,
    actor,
    organisation: Organisation,
    name: str,
    scope: str,
    lifetime: timedelta,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never stored."""
    now = now or timezone.now()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        user = get_user_model().objects.create(
            username=f"api-token-{uuid.uuid4().hex}",
            first_name=name[:150],
            is_active=False,  # never signs in: it only acts through the API
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        token = ApiToken.objects.create(
            organisation=organisation,
            name=name,
            scope=scope,
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            digest=token_digest(secret),
            user=user,
            created_by=actor,
            created_at=now,
            expires_at=now + min(lifetime, MAX_LIFETIME),
        )
    return token, secret


def token_revoke(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    now = now or timezone.now()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_mark_used(*, token: ApiToken, now: datetime) -> None:
    """A conditional UPDATE: concurrent calls never wait on one another's row lock."""
    if token.last_used_at is None or token.last_used_at < now - LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def idempotent_answers_expire(*, now: datetime | None = None) -> int:
    """Forget the answers kept longer than a day: a key may then be sent again."""
    from api.idempotency import KEPT_FOR

    now = now or timezone.now()
    deleted, _ = IdempotentAnswer.objects.filter(created_at__lt=now - KEPT_FOR).delete()
    return deleted


def token_count_call(*, token: ApiToken, window_start: datetime) -> int:
    """Count one call in the token's window starting at `window_start` (a new window starts
    at 1) and return the window's calls: one UPDATE, so concurrent calls of any web process
    never miss each other's."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {ApiToken._meta.db_table}
                   SET window_calls = CASE WHEN window_start = %s THEN window_calls + 1 ELSE 1 END,
                       window_start = %s
                 WHERE id = %s
             RETURNING window_calls""",  # noqa: S608 (the table name is the model's own)
            [window_start, window_start, token.pk],
        )
        return cursor.fetchone()[0]
