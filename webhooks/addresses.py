"""Where a webhook may go: HTTPS to a public address, checked when registered and again at
every delivery (a name may resolve elsewhere later), unless CPOR_WEBHOOKS_ALLOW_PRIVATE."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _


class UnsafeDestination(Exception):
    """The URL or an address its name resolves to is not one the portal sends to."""


# IPv6 prefixes that carry an IPv4 address a gateway may forward to (NAT64, 6to4, Teredo):
# `is_global` counts them as public, though 64:ff9b::a9fe:a9fe reaches 169.254.169.254.
_TRANSLATED = [
    ipaddress.ip_network(prefix)
    for prefix in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32")
]


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        elif any(ip in network for network in _TRANSLATED):
            return False
    # is_global excludes loopback, private, link-local (the cloud metadata 169.254.169.254),
    # shared (100.64/10), reserved and unique-local ranges.
    return ip.is_global and not ip.is_multicast


def url_problem(url: str):
    """Why `url` cannot be an endpoint (a translated message), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("Enter a valid URL.")
    if parts.scheme != "https":
        return _("The URL must start with https://.")
    if parts.username is not None or parts.password is not None:
        return _("The URL must not contain a user name or password.")
    if not parts.hostname:
        return _("Enter a valid URL.")
    try:
        resolve(parts.hostname, port or 443)
    except UnsafeDestination as error:
        return str(error)
    return None


def resolve(host: str, port: int) -> list[str]:
    """The addresses to connect to, each checked; raises UnsafeDestination."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeDestination(_("The host name could not be resolved.")) from error
    addresses = [info[4][0] for info in found]
    if not settings.CPOR_WEBHOOKS_ALLOW_PRIVATE and not all(map(_is_public, addresses)):
        raise UnsafeDestination(
            _("The URL points to a private, loopback or link-local address; use a public one.")
        )
    return addresses
