"""The Redis cache, degraded to no cache while Redis cannot be reached.

Everything the portal keeps in the cache can be recomputed or read from PostgreSQL (session
copies, sign-in rate limits, the identity provider's answers, django-q2's statistics), so an
unreachable Redis must cost speed, never a page: Django's RedisCache raises redis-py's
ConnectionError from every call, which answered 500 to the login and every signed-in page.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class _EmptyWhileDownClient(RedisCacheClient):
    """Django's client, answering as an empty cache that keeps nothing while Redis cannot be
    reached. After a failure Redis is left alone for `retry_after` seconds: a Redis host that
    does not answer then costs one connect timeout every few seconds, not one per cache call.

    `add` answers True (the key was absent, so it is "added"): allauth's rate-limit lock and
    its used-TOTP-code marker need that, or nobody could sign in; it means neither limits nor
    catches a replayed code until Redis is back. `incr` and `clear` still raise: nothing here
    uses them, and a counter or a flush that silently did nothing would lie."""

    retry_after = 5.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._down_until: float | None = None  # time.monotonic(); None while Redis answers

    def _call(self, method, when_down, *args):
        if self._down_until is not None and time.monotonic() < self._down_until:
            return when_down
        try:
            result = method(*args)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            if self._down_until is None:
                logger.warning("Redis cache unreachable, working without it: %s", exc)
            self._down_until = time.monotonic() + self.retry_after
            return when_down
        if self._down_until is not None:
            logger.warning("Redis cache reachable again")
            self._down_until = None
        return result

    def add(self, key, value, timeout):
        return self._call(super().add, True, key, value, timeout)

    def get(self, key, default):
        return self._call(super().get, default, key, default)

    def set(self, key, value, timeout):
        self._call(super().set, None, key, value, timeout)

    def touch(self, key, timeout):
        return self._call(super().touch, False, key, timeout)

    def delete(self, key):
        return self._call(super().delete, False, key)

    def get_many(self, keys):
        return self._call(super().get_many, {}, keys)

    def has_key(self, key):
        return self._call(super().has_key, False, key)

    def set_many(self, data, timeout):
        self._call(super().set_many, None, data, timeout)

    def delete_many(self, keys):
        self._call(super().delete_many, None, keys)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache that treats an unreachable Redis as an empty cache (a miss for
    every read, nothing kept), logging the outage once and its end once."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _EmptyWhileDownClient


class SessionCopyCache(ResilientRedisCache):
    """The cache of Django's `cached_db` sessions, whose every entry expires within TIMEOUT
    seconds (cached_db asks for the session's whole age, two weeks).

    The database row is the session and the cached copy only saves its query, so while Redis
    is down sessions are read and saved in PostgreSQL and nobody is signed out. A change made
    meanwhile (a logout, a password change's new hash) cannot reach the copy Redis held from
    before, though, and Redis still holds it when it is back: the cap makes that stale copy
    expire within a minute instead of bringing a logged-out session back for two weeks, for
    one query per active session a minute."""

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        asked = super().get_backend_timeout(timeout)
        return self.default_timeout if asked is None else min(asked, self.default_timeout)
