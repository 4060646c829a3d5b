from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from api import services


class TokenRateThrottle(SimpleRateThrottle):
    """Calls per token (settings.API_RATE_LIMIT) in fixed windows, counted in the token's own
    row by one UPDATE: every web process sees the same count, and no cache is read or written
    (the database cache cost six queries a call); 429 with Retry-After past it."""

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def allow_request(self, request, view):
        if request.auth is None:
            return True
        now = timezone.now().timestamp()
        start = now // self.duration * self.duration
        self.wait_seconds = start + self.duration - now
        calls = services.token_count_call(
            token=request.auth, window_start=datetime.fromtimestamp(start, tz=UTC)
        )
        return calls <= self.num_requests

    def wait(self):
        return self.wait_seconds
