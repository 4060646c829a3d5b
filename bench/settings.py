"""Settings of the benchmark: the portal's own, pointed at a dedicated database.

The database is `CPOR_BENCH_DB` (default `cpor_bench`) on the server DATABASE_URL names, or on
the embedded PostgreSQL when DATABASE_URL is unset. The same module serves the bench process, the
`qcluster` and the gunicorn it starts, so all three see the same data.
"""

import os
import warnings

from cpor_portal.settings import *  # noqa: F403
from cpor_portal.settings import DATABASES, LOGGING

BENCH_DATABASE_NAME = os.environ.get("CPOR_BENCH_DB", "cpor_bench")

DATABASES = {
    "default": {
        **DATABASES["default"],
        "NAME": BENCH_DATABASE_NAME,
        # Production (DATABASE_URL) keeps connections for 60 s; measure the same everywhere.
        "CONN_MAX_AGE": 60,
    }
}

ROOT_URLCONF = "bench.urls"

# Measure the production profile: no debug cursor, no debug pages. HTTPS redirects and secure
# cookies stay off because everything runs on the loopback interface.
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
WHITENOISE_USE_FINDERS = True  # static files straight from the apps, no collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A verdict mails its author; the benchmark measures the portal, not an SMTP server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}
# WhiteNoise warns that STATIC_ROOT does not exist; the benchmark serves no static file.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
