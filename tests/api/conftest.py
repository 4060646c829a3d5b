from datetime import timedelta

import pytest

from api.models import Scope
from api.services import token_create


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


def bearer(token) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token.secret}"}
