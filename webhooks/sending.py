"""One signed POST to an endpoint: Standard Webhooks headers, a short timeout, no redirects,
and a connection to the very address that was checked (no second DNS answer to trust)."""

import http.client
import json
import socket
import ssl
import time
from datetime import datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from standardwebhooks import Webhook

from webhooks.addresses import UnsafeDestination, resolve

USER_AGENT = "CPOR-Portal-Webhooks/1"


class Outcome(NamedTuple):
    status: int | None  # the HTTP status, None when no answer came
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to `address` while checking the certificate (and sending SNI) for the host."""

    def __init__(self, host, port, *, address: str, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # As http.client's own connect does: without it, Nagle's algorithm and delayed ACKs
        # hold every request on a kept-alive connection for 40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.CPOR_WEBHOOKS_CA_FILE or None)


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(*, secret: str, message_id: str, body: bytes, at: datetime) -> dict:
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


class Sender:
    """One endpoint's connection while its due deliveries go out: kept alive between them,
    opened again (its address resolved and checked again) after any failure."""

    def __init__(self, url: str):
        self.parts = urlsplit(url)
        self.target = (self.parts.path or "/") + (
            f"?{self.parts.query}" if self.parts.query else ""
        )
        self.connection: _PinnedHTTPSConnection | None = None

    def _connect(self) -> _PinnedHTTPSConnection:
        port = self.parts.port or 443
        return _PinnedHTTPSConnection(
            self.parts.hostname,
            port,
            address=resolve(self.parts.hostname, port)[0],
            timeout=settings.CPOR_WEBHOOKS_TIMEOUT,
            context=_tls_context(),
        )

    def _exchange(self, body: bytes, headers: dict) -> int:
        if self.connection is None:
            self.connection = self._connect()
        self.connection.request("POST", self.target, body, headers)
        response = self.connection.getresponse()
        response.read(65536)  # a redirect is an answer like any other: never followed
        if response.will_close:
            self.close()
        return response.status

    def post(self, body: bytes, headers: dict) -> Outcome:
        """POST once; never raises for the network's or the receiver's failures."""
        start = time.monotonic()
        reused = self.connection is not None
        try:
            try:
                status = self._exchange(body, headers)
            except (OSError, http.client.HTTPException):
                self.close()
                if not reused:
                    raise
                status = self._exchange(body, headers)  # the receiver closed an idle connection
        except UnsafeDestination as error:
            return Outcome(None, _elapsed(start), str(error)[:200])
        except (OSError, http.client.HTTPException) as error:  # refused, timed out, TLS, garbage
            self.close()
            return Outcome(None, _elapsed(start), f"{type(error).__name__}: {error}"[:200])
        return Outcome(status, _elapsed(start))

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _elapsed(start: float) -> int:
    return round((time.monotonic() - start) * 1000)
