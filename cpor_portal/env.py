"""Loud readers for settings taken from the environment.

A typo in production configuration must stop the start-up, not silently fall back to a
development default, so every helper raises ImproperlyConfigured on a value it cannot read.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def check_secret_key(value: str, *, known: list[str]) -> None:
    """A production key must be long and not one published anywhere (the development key)."""
    if value in known or len(value) < 50 or len(set(value)) < 5:
        raise ImproperlyConfigured(
            "Set SECRET_KEY to a random value of at least 50 characters when DEBUG is off "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )


def origin_of(url: str) -> str:
    """scheme://host[:port] of a configured URL, for a header that names origins."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise ImproperlyConfigured(f"{url!r} is not an absolute URL.")
    return f"{parts.scheme}://{parts.netloc}"
