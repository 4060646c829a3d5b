"""Outages degrade, they do not crash: with Redis down pages get slower, with PostgreSQL down
they answer a short 503 page; both work again once the service is back.

Redis is played down by a closed port (nothing listens on 127.0.0.1:1) and back up by the real
Redis on 127.0.0.1:6379 (database 15, which nothing else uses); PostgreSQL by a throwaway
embedded server holding a copy of the test database, stopped and started inside the test.
"""

import logging
import shutil
import tempfile
from pathlib import Path

import pytest
import redis
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import DataError, OperationalError, close_old_connections, connection, transaction
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client, override_settings
from django.urls import path, reverse

from cpor_portal import urls as portal_urls
from cpor_portal.cache import ResilientRedisCache
from cpor_portal.embedded_db import embedded_database, stop_embedded_database
from cpor_portal.outages import RETRY_AFTER_SECONDS, is_connection_failure
from cpor_portal.settings import redis_caches
from partners.models import Role
from tests import builders

REDIS_DOWN = "redis://127.0.0.1:1/15"
REDIS_UP = "redis://127.0.0.1:6379/15"
UNAVAILABLE = "The portal is temporarily unavailable"


def _redis_answers() -> bool:
    try:
        return redis.Redis.from_url(REDIS_UP, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(
    not _redis_answers(), reason="no Redis on 127.0.0.1:6379 to come back to"
)


@pytest.fixture
def use_redis(settings):
    """Points the caches and sessions at a Redis URL, as settings.py does for REDIS_URL."""

    def use(url: str) -> None:
        settings.CACHES = {**redis_caches(url), "fragments": django_settings.CACHES["fragments"]}
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
        settings.SESSION_CACHE_ALIAS = "sessions"

    return use


def _sign_in(client: Client, user) -> None:
    """A real sign-in through allauth's form, whose rate limits live in the cache."""
    response = client.post(reverse("account_login"), {"login": user.username, "password": "pw"})
    assert response.status_code == 302, response.content
    assert response.url == reverse("dashboard")


@pytest.mark.django_db
def test_with_redis_down_signing_in_works_and_signed_in_pages_answer(
    client, global_admin, use_redis, caplog
):
    use_redis(REDIS_DOWN)

    with caplog.at_level(logging.WARNING, logger="cpor_portal.cache"):
        _sign_in(client, global_admin)
        pages = [client.get(reverse(name)) for name in ("dashboard", "request_list", "team")]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert pages[0].context["user"] == global_admin
    unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(unreachable) == 2  # once per cache (default, sessions), not once per call


@pytest.mark.django_db
def test_with_redis_down_healthz_says_the_cache_is_down(client, use_redis):
    use_redis(REDIS_DOWN)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": True}
    assert response.json()["checks"]["cache"] == {"ok": False}


@needs_redis
@pytest.mark.django_db
def test_a_session_survives_redis_going_down_and_coming_back(client, global_admin, use_redis):
    use_redis(REDIS_UP)
    _sign_in(client, global_admin)
    assert client.get(reverse("dashboard")).status_code == 200

    use_redis(REDIS_DOWN)
    while_down = client.get(reverse("dashboard"))
    use_redis(REDIS_UP)
    back_up = client.get(reverse("dashboard"))

    assert while_down.status_code == 200
    assert while_down.context["user"] == global_admin
    assert back_up.status_code == 200
    assert back_up.context["user"] == global_admin


@needs_redis
@pytest.mark.django_db
def test_a_sign_in_while_redis_is_down_lasts_once_it_is_back(client, global_admin, use_redis):
    use_redis(REDIS_DOWN)
    _sign_in(client, global_admin)

    use_redis(REDIS_UP)
    first, second = client.get(reverse("dashboard")), client.get(reverse("dashboard"))

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.context["user"] == global_admin


@needs_redis
@pytest.mark.django_db
def test_the_cached_copy_of_a_session_expires_within_a_minute(client, global_admin, use_redis):
    """A copy missed by a change while Redis was down (a logout) is never stale for long."""
    use_redis(REDIS_UP)
    _sign_in(client, global_admin)

    session_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    ttl = redis.Redis.from_url(REDIS_UP).ttl(f":1:django.contrib.sessions.cached_db{session_key}")

    assert 0 < ttl <= 60


def test_after_a_failure_redis_is_left_alone_for_a_few_seconds_then_tried_again(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("cpor_portal.cache.time.monotonic", lambda: now[0])
    cache = ResilientRedisCache(REDIS_DOWN, redis_caches(REDIS_DOWN)["default"])
    client_class = type(cache._cache)
    attempts = []
    connect = client_class.get_client

    def counted_connect(self, *args, **kwargs):
        attempts.append(now[0])
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(client_class, "get_client", counted_connect)

    assert cache.get("k", "missing") == "missing"
    cache.set("k", "v")
    now[0] += client_class.retry_after
    assert cache.add("k", "v") is True

    assert attempts == [1000.0, 1000.0 + client_class.retry_after]


# PostgreSQL


@pytest.fixture
def throwaway_database(django_db_blocker):
    """A PostgreSQL of the test's own, with the portal's tables (created from the models as
    `--nomigrations` does: a second), which the default connection uses meanwhile; yields its
    data directory."""
    folder = Path(tempfile.mkdtemp(prefix="cpor-", dir="/tmp"))  # short: the socket is in it
    pgdata = folder / "pg"
    entry = embedded_database(pgdata)
    saved = dict(connection.settings_dict)
    try:
        with django_db_blocker.unblock():
            connection.close()
            # A persistent connection, so the outage first cuts an open one, then refuses.
            connection.settings_dict.update(
                NAME=entry["NAME"],
                HOST=entry["HOST"],
                PORT="",
                USER=entry["USER"],
                PASSWORD="",
                CONN_MAX_AGE=60,
            )
            without_migrations = {app.label: None for app in apps.get_app_configs()}
            with override_settings(MIGRATION_MODULES=without_migrations):
                call_command("migrate", run_syncdb=True, verbosity=0)
            call_command("createcachetable", verbosity=0)
            yield pgdata
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        stop_embedded_database(pgdata)
        shutil.rmtree(folder, ignore_errors=True)


def _get(client: Client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    # What a server does after each request (the test client does not): a connection that
    # failed is closed, so the next request connects anew.
    close_old_connections()
    return response


def test_with_the_database_down_pages_answer_503_and_work_again_once_it_is_back(
    throwaway_database,
):
    user = builders.make_user(builders.make_organisation(), Role.GLOBAL_ADMIN)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    dashboard = reverse("dashboard")
    assert _get(client, dashboard).status_code == 200

    stop_embedded_database(throwaway_database)
    dropped = _get(client, dashboard)  # the open connection is cut
    refused = _get(client, dashboard, headers={"accept-language": "cs"})  # a new one refused
    health = _get(Client(), reverse("healthz"))
    embedded_database(throwaway_database)
    back = _get(client, dashboard)

    for response in (dropped, refused):
        assert response.status_code == 503
        assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert UNAVAILABLE in dropped.content.decode()
    assert '<html lang="cs">' in refused.content.decode()
    assert "Portál je dočasně nedostupný" in refused.content.decode()
    assert health.status_code == 503
    assert health.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert back.status_code == 200
    assert back.context["user"] == user


def _statement_timeout(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(1)")


urlpatterns = [*portal_urls.urlpatterns, path("slow/", _statement_timeout)]
handler500 = portal_urls.handler500


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_query_that_fails_on_a_working_database_stays_a_500():
    response = Client(raise_request_exception=False).get("/slow/")

    assert response.status_code == 500
    assert "Retry-After" not in response.headers


@pytest.mark.django_db
def test_only_an_unreachable_server_counts_as_a_connection_failure():
    unreachable = DatabaseWrapper({**connection.settings_dict, "HOST": "127.0.0.1", "PORT": "1"})
    with pytest.raises(OperationalError) as refused:
        unreachable.ensure_connection()
    with pytest.raises(OperationalError) as cancelled:
        _statement_timeout(None)
    with pytest.raises(DataError) as division, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1/0")

    assert is_connection_failure(refused.value)
    assert not is_connection_failure(cancelled.value)  # a statement timeout is no outage
    assert not is_connection_failure(division.value)
    assert not is_connection_failure(None)


@pytest.mark.django_db
def test_a_submission_the_broker_refuses_is_saved_validating_and_checked_once_it_is_back(
    client,
    global_admin,
    tenant,
    sales,
    subscription,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    """The closed port plays a Redis broker down; the test settings' synchronous django-q2
    plays it back up, and the cluster's scheduler runs the one-off retry."""
    from datetime import timedelta

    from django.utils import timezone
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.models import Schedule
    from django_q.scheduler import scheduler

    from associations.models import AssociationRequest, ClaimStatus
    from associations.services import ENQUEUE_RETRY

    data = builders.form_data(
        tenant_id=tenant.tenant_id,
        domain="contoso.com",
        mpn=builders.make_mpn(global_admin.membership.organisation),
        rows=[(sales, str(subscription.pk))],
    )
    client.force_login(global_admin)
    for name, value in {"SYNC": False, "ORM": None, "REDIS": REDIS_DOWN}.items():
        monkeypatch.setattr(Conf, name, value)

    with (
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.WARNING, "associations.services"),
    ):
        response = client.post(
            reverse("request_create"), {**data, "documents": builders.pdf_upload()}
        )
    request = AssociationRequest.objects.get()
    page = client.get(response.url)

    assert response.status_code == 302
    assert 'data-claim-status="validating"' in page.text
    assert "The broker refused the checks of request" in caplog.text
    retry = Schedule.objects.get(func="associations.tasks.validate_request")
    assert retry.schedule_type == Schedule.ONCE
    assert timezone.now() + ENQUEUE_RETRY - timedelta(seconds=10) < retry.next_run
    assert retry.next_run <= timezone.now() + ENQUEUE_RETRY

    monkeypatch.undo()
    Schedule.objects.filter(pk=retry.pk).update(next_run=timezone.now())
    scheduler(broker=get_broker())

    assert request.claims.get().status == ClaimStatus.UNDER_REVIEW
    assert not Schedule.objects.filter(pk=retry.pk).exists()
