"""The committed OpenAPI schema is the generated one, and the API keeps to it (schemathesis)."""

import io
import re
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from cpor_portal.wsgi import application

SCHEMA_FILE = Path(django_settings.BASE_DIR) / "docs" / "openapi.yaml"

schema = schemathesis.openapi.from_path(str(SCHEMA_FILE))
schema.app = application


def test_the_committed_schema_is_current():
    generated = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=generated)
    assert generated.getvalue() == SCHEMA_FILE.read_text(), (
        "Run: python manage.py spectacular --file docs/openapi.yaml"
    )


@pytest.mark.django_db  # closing a response closes old connections, which touches the database
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_swagger_ui_and_redoc_are_served_from_static_files(client, page):
    response = client.get(page)
    html = response.content.decode()
    assert not re.search(r"(src|href)=\"https?://", html), "nothing from another site"
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(src.startswith("/") for src in scripts)
    for src in scripts:
        asset = client.get(src)
        asset.close()  # a file response: its file stays open until closed
        assert asset.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert client.get("/api/schema/").status_code == 200


@pytest.fixture
def api_world(settings, file_token, filed):
    """The WSGI app called in the test's transaction: like Django's test client, it must not
    close the connection when a request ends."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.API_RATE_LIMIT = "100000/minute"
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield file_token
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_schema(case, api_world):
    """Generated calls (valid and not): never a server error, every answer as documented."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_world.secret}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
