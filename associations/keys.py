"""The claim key (DESIGN.md section 2) and its lock.

Competing claims share a key: the customer tenant, the product or workload, the activity and
the subscription (or none). At most one claim per key is approved (a partial unique constraint
on the claims), and every service that moves a claim into or out of a contesting status holds
the key's advisory lock first, so two of them never decide a key at once.
"""

import hashlib
import uuid
from collections.abc import Iterable

from django.db import connection

KEY_FIELDS = ("tenant_id", "product_id", "activity", "subscription_id")


def claim_key(tenant_id, product_id: int, activity: str, subscription_id) -> tuple:
    """The key as stored, also of typed values (its lock id is a hash of it)."""
    return (
        _as_uuid(tenant_id),
        product_id,
        str(activity),  # a choice's value, not the enum member
        None if subscription_id is None else _as_uuid(subscription_id),
    )


def key_lookup(key: tuple) -> dict:
    """The filter of the claims (or the arbitration cases) of a key."""
    return dict(zip(KEY_FIELDS, key, strict=True))


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _lock_id(key: tuple) -> int:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_keys(keys: Iterable[tuple]) -> None:
    """The transaction's locks on claim keys.

    Taken first, before any row lock of the keys' claims, and always in one global order (by
    lock id; here in one statement, whose output PostgreSQL computes after its ORDER BY, as the
    SELECT reference says), so two transactions never wait for each other's key locks.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(lock_id) FROM unnest(%s::bigint[]) AS lock_id "
            "ORDER BY lock_id",
            [sorted({_lock_id(key) for key in keys})],
        )
