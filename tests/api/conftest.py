from datetime import timedelta

import pytest

from api.models import Scope
from api.services import token_create
from tests.builders import make_mpn, make_request, make_subscription, request_fields


def _token(admin, scope, name):
    token, secret = token_create(
        actor=admin,
        organisation=admin.membership.organisation,
        name=name,
        scope=scope,
        lifetime=timedelta(days=30),
    )
    token.secret = secret
    return token


@pytest.fixture
def read_token(global_admin):
    return _token(global_admin, Scope.READ, "Reporting")


@pytest.fixture
def file_token(global_admin):
    return _token(global_admin, Scope.FILE, "CRM sync")


@pytest.fixture
def outsider_token(outsider):
    return _token(outsider, Scope.FILE, "Their CRM")


def request_body(organisation, tenant, product) -> dict:
    """A complete request as the API takes it: a Business Applications claim of the tenant
    (filed for its domain contoso.com) under a new MPN ID of the organisation."""
    return {
        **request_fields(),
        "tenant_id": str(tenant.tenant_id),
        "domain": "contoso.com",
        "solution_area": "business_applications",
        "activity": "pre_sales",
        "mpn_id": make_mpn(organisation).mpn_id,
        "claims": [
            {"product": product.pk, "subscription_id": str(make_subscription(tenant, product).pk)}
        ],
    }


def bearer(token) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token.secret}"}


def file_request(user, tenant, product, **kwargs):
    """A request of the user's organisation, filed and checked."""
    organisation = user.membership.organisation
    return make_request(
        organisation,
        user,
        tenant=tenant,
        products=[(product, str(make_subscription(tenant, product).pk))],
        mpn=kwargs.pop("mpn", None) or make_mpn(organisation),
        **kwargs,
    )


@pytest.fixture
def filed(global_admin, tenant, sales):
    return file_request(global_admin, tenant, sales)


@pytest.fixture
def theirs(outsider, tenant, sales):
    return file_request(outsider, tenant, sales)
