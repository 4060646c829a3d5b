"""Two deliveries of one POST at the same moment (a client's retry racing its first try), in
real threads with their own connections: one request is filed, both get the same answer."""

import pytest
from django.test import Client

from api.models import Scope
from associations.models import AssociationRequest
from partners.models import Role
from tests.api.conftest import _token, bearer, request_body
from tests.builders import make_organisation, make_product, make_tenant, make_user
from tests.threads import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_retry_racing_the_first_call_files_once():
    organisation = make_organisation("Northwind Traders")
    admin = make_user(organisation, Role.GLOBAL_ADMIN)
    token = _token(admin, Scope.FILE, "CRM sync")
    tenant = make_tenant(domains=("contoso.com",))
    product = make_product()
    body = request_body(organisation, tenant, product)

    def post():
        response = Client().post(
            "/api/v1/requests",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="same",
            **bearer(token),
        )
        return response.status_code, response.json()

    first, second = race([post, post])

    assert first == second, (first, second)
    assert first[0] == 201, first
    assert AssociationRequest.objects.count() == 1
