"""`Idempotency-Key` on every POST: the first answer is kept 24 hours and replayed to every
retry with the same key, so a retried submission files nothing twice.

The view and the storing of its answer run in one transaction under an advisory lock of
(token, key): a retry that arrives while the first call still runs waits for it, then replays
it. An error the client can act on (4xx) is kept too, as the first answer; a server error is
not, so its retry runs again.
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.models import IdempotentAnswer
from api.problems import exception_handler, problem

KEPT_FOR = timedelta(hours=24)
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def _lock(token_id: int, key: str) -> None:
    digest = hashlib.sha256(f"idempotency:{token_id}:{key}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)]
        )


def _answer(view, request, *args, **kwargs) -> Response:
    try:
        return view(request, *args, **kwargs)
    except Exception as error:
        response = exception_handler(error, {"request": request, "view": view})
        if response is None or response.status_code >= 500:
            raise
        return response


def idempotent(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST":
            return view(request, *args, **kwargs)
        if not _valid_key(key):
            return problem(
                status.HTTP_400_BAD_REQUEST,
                "invalid-idempotency-key",
                _("Invalid Idempotency-Key"),
                _("At most 255 printable ASCII characters."),
            )
        now = timezone.now()
        with transaction.atomic():
            _lock(request.auth.pk, key)
            kept = IdempotentAnswer.objects.filter(token=request.auth, key=key).first()
            if kept is not None and kept.created_at < now - KEPT_FOR:
                kept.delete()
                kept = None
            if kept is not None:
                if (kept.method, kept.path) != (request.method, request.path):
                    return problem(
                        status.HTTP_422_UNPROCESSABLE_ENTITY,
                        "idempotency-key-reused",
                        _("Idempotency-Key already used"),
                        _("This key was sent with another call; use a new key for each call."),
                    )
                replay = Response(kept.body, status=kept.status)
                if kept.body and "type" in kept.body and kept.status >= 400:
                    replay.content_type = "application/problem+json"
                replay[REPLAYED] = "true"
                return replay
            response = _answer(view, request, *args, **kwargs)
            IdempotentAnswer.objects.create(
                token=request.auth,
                key=key,
                method=request.method,
                path=request.path[:2000],
                status=response.status_code,
                body=json.loads(JSONRenderer().render(response.data) or b"null"),
                created_at=now,
            )
        return response

    return wrapped
