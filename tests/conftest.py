import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from cpor_portal.embedded_db import started_here, stop_embedded_database
from partners.models import Role
from tests import builders

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made from
# the test body itself are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _default_language():
    """A page requested in Czech leaves Czech active in the test's thread (LocaleMiddleware
    sets the language of each request, never resets it): every test starts in the default."""
    translation.deactivate()


def pytest_sessionfinish(session, exitstatus):
    """Stop the embedded PostgreSQL if this test run started it."""
    if settings.EMBEDDED_DATABASE and started_here(settings.CPOR_PGDATA):
        stop_embedded_database(settings.CPOR_PGDATA)


@pytest.fixture
def organisation(db):
    return builders.make_organisation("Northwind Traders")


@pytest.fixture
def other_organisation(db):
    return builders.make_organisation("Adatum Consulting")


@pytest.fixture
def global_admin(organisation):
    return builders.make_user(organisation, Role.GLOBAL_ADMIN, username="global")


@pytest.fixture
def incentives_admin(organisation):
    return builders.make_user(organisation, Role.INCENTIVES_ADMIN, username="incentives")


@pytest.fixture
def billing_admin(organisation):
    return builders.make_user(organisation, Role.BILLING_ADMIN, username="billing")


@pytest.fixture
def other_role(organisation):
    return builders.make_user(organisation, Role.OTHER, username="sales")


@pytest.fixture
def outsider(other_organisation):
    return builders.make_user(other_organisation, Role.GLOBAL_ADMIN, username="outsider")


@pytest.fixture
def reviewer(db):
    from disputes.roles import ensure_reviewers_group

    user = builders.make_user(None, username="reviewer", is_staff=True)
    user.groups.add(ensure_reviewers_group())
    user.totp_secret = builders.enable_totp(user)  # staff must use MFA
    return user


@pytest.fixture
def second_reviewer(db):
    """Another member of the review team: four eyes need two."""
    from disputes.roles import ensure_reviewers_group

    user = builders.make_user(None, username="second-reviewer", is_staff=True)
    user.groups.add(ensure_reviewers_group())
    user.totp_secret = builders.enable_totp(user)
    return user


@pytest.fixture
def tenant(db):
    """A customer tenant with its initial and one custom domain."""
    return builders.make_tenant(domains=("contoso.onmicrosoft.com", "contoso.com"))


@pytest.fixture
def sales(db):
    """Dynamics 365 Sales, a Business Applications product claimed per subscription."""
    return builders.make_product("d365-sales")


@pytest.fixture
def subscription(tenant, sales):
    return builders.make_subscription(tenant, sales)


@pytest.fixture
def shared_media(settings, tmp_path, monkeypatch):
    """Uploads stored where a real qcluster process reads them (the tests keep files in memory
    otherwise): the same folder for the test process and the cluster it starts."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    return tmp_path


@pytest.fixture
def file_claim(tenant, sales, subscription):
    """File a request for the shared key as `user`; returns its only claim."""

    def file(user, **kwargs):
        organisation = user.membership.organisation
        request = builders.make_request(
            organisation,
            user,
            tenant=tenant,
            products=[(sales, str(subscription.pk))],
            mpn=builders.make_mpn(organisation),
            **kwargs,
        )
        return request.claims.get()

    return file
