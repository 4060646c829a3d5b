"""Fast, deterministic settings for pytest.

django-q2 reads Q_CLUSTER when it is imported, so sync mode must be set here rather than
overridden inside a test; the qcluster integration test starts its own process with the main
settings instead.
"""

from cpor_portal.settings import *  # noqa: F403
from cpor_portal.settings import Q_CLUSTER

DEBUG = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the apps' folders, as in development, without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Test receivers listen on localhost.
CPOR_WEBHOOKS_ALLOW_PRIVATE = True
