"""Which database errors are an outage, answered with the 503 page rather than a 500."""

import psycopg
from django.db import OperationalError

# How long a client should wait before trying again (the 503's Retry-After header).
RETRY_AFTER_SECONDS = 30

# SQLSTATEs of a server going away: class 08 (connection exception), and a server shutting
# down, crashed or still starting (57P01 to 57P03). libpq's own errors (could not connect,
# connection lost or closed) carry none.
_SERVER_GONE = ("57P01", "57P02", "57P03")


def is_connection_failure(exc: BaseException | None) -> bool:
    """Is `exc` PostgreSQL being unreachable (refused, timed out, dropped, shutting down),
    rather than a query that failed (a statement timeout, a deadlock, a lock not granted)?
    Only the first is an outage worth a 503 and a Retry-After; the others are bugs or races
    that stay 500s and get seen. With psycopg 3 a closed connection raises OperationalError;
    its InterfaceErrors are misuse (a closed cursor), so they stay 500s too."""
    if not isinstance(exc, OperationalError) or not isinstance(exc.__cause__, psycopg.Error):
        return False
    sqlstate = exc.__cause__.sqlstate
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _SERVER_GONE
