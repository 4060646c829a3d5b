"""Optional live confirmation of a domain's tenant through the identity provider.

The public OpenID discovery document of a domain
(`<base>/<domain>/v2.0/.well-known/openid-configuration`) names the tenant in its `issuer`
(`https://login.microsoftonline.com/<tenant-id>/v2.0`). Used only for domains the imported
directory does not know, with a short timeout and a cache; a network failure is transient
(the check is retried), an unknown domain is simply not found.
"""

import json
import re
import uuid
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import urlopen

from django.conf import settings
from django.core.cache import cache

from validation.checks import DirectoryUnavailable

_ISSUER_TENANT = re.compile(r"/([0-9a-fA-F-]{36})/")
_NOT_FOUND = "-"


def resolve_domain_tenant(domain: str) -> uuid.UUID | None:
    key = f"cpor:openid:{domain}"
    cached = cache.get(key)
    if cached is not None:
        return None if cached == _NOT_FOUND else uuid.UUID(cached)
    tenant = _fetch(domain)
    cache.set(key, str(tenant) if tenant else _NOT_FOUND, settings.CPOR_OPENID_CACHE_SECONDS)
    return tenant


def _fetch(domain: str) -> uuid.UUID | None:
    base = settings.CPOR_OPENID_BASE_URL.rstrip("/")
    url = f"{base}/{quote(domain, safe='')}/v2.0/.well-known/openid-configuration"
    if not url.startswith(("https://", "http://")):
        raise DirectoryUnavailable("CPOR_OPENID_BASE_URL must be an http(s) URL")
    try:
        with urlopen(url, timeout=settings.CPOR_OPENID_TIMEOUT) as response:  # noqa: S310 (scheme checked above)
            document = json.load(response)
    except HTTPError as error:
        if error.code in (400, 404):
            return None
        raise DirectoryUnavailable(f"identity provider answered {error.code}") from error
    except (URLError, TimeoutError, ValueError) as error:
        raise DirectoryUnavailable(str(error)) from error
    match = _ISSUER_TENANT.search(str(document.get("issuer", "")))
    return uuid.UUID(match.group(1)) if match else None
