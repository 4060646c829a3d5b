"""Production settings refuse a guessable SECRET_KEY."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

GOOD_KEY = "k3y-" + "x1Y2z3W4" * 7


def _start(secret_key: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "portal.example",
        "DATABASE_URL": "postgres://unused@localhost/unused",
    }
    return subprocess.run(
        [sys.executable, "-c", "import cpor_portal.settings"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "secret_key",
    ["short-key", "dev-only-insecure-key-do-not-use-in-production", "a" * 60],
)
def test_the_portal_refuses_to_start_with_a_weak_secret_key(secret_key):
    started = _start(secret_key)

    assert started.returncode != 0
    assert "SECRET_KEY" in started.stderr
    assert "at least 50 characters" in started.stderr


def test_a_long_random_secret_key_starts():
    assert _start(GOOD_KEY).returncode == 0
