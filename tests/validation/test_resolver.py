"""The optional live resolver, run against a local HTTP server standing in for the identity
provider's OpenID discovery endpoint."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from tests.builders import make_tenant
from validation.checks import DatabaseDirectory, DirectoryUnavailable, check_request
from validation.models import Tenant

TENANT = uuid.UUID("7f2e9c4d-1a3b-4c5d-8e6f-0a1b2c3d4e02")


class _Discovery(BaseHTTPRequestHandler):
    calls: list[str] = []

    def do_GET(self):
        type(self).calls.append(self.path)
        if self.path.startswith("/fabrikam.example/"):
            body = json.dumps({"issuer": f"https://login.microsoftonline.com/{TENANT}/v2.0"})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())
        elif self.path.startswith("/broken.example/"):
            self.send_response(503)
            self.end_headers()
        else:
            self.send_response(400)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def identity_provider(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Discovery)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CPOR_OPENID_RESOLVER = True
    settings.CPOR_OPENID_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    settings.CPOR_OPENID_TIMEOUT = 2
    _Discovery.calls = []
    cache.clear()
    yield _Discovery
    server.shutdown()
    server.server_close()
    cache.clear()


@pytest.mark.django_db
def test_a_domain_unknown_to_the_directory_is_confirmed_live_and_cached(identity_provider):
    Tenant.objects.create(tenant_id=TENANT, display_name="Fabrikam live")
    directory = DatabaseDirectory()

    assert check_request(directory, tenant_id=TENANT, domain="fabrikam.example") == []
    assert check_request(directory, tenant_id=TENANT, domain="fabrikam.example") == []
    assert len(identity_provider.calls) == 1
    assert identity_provider.calls[0] == "/fabrikam.example/v2.0/.well-known/openid-configuration"


@pytest.mark.django_db
def test_a_domain_the_provider_does_not_know_is_a_mismatch(identity_provider):
    tenant = make_tenant(domains=("contoso.com",))

    assert check_request(
        DatabaseDirectory(), tenant_id=tenant.tenant_id, domain="nope.example"
    ) == ["domain_tenant_mismatch"]


@pytest.mark.django_db
def test_a_provider_outage_is_transient(identity_provider):
    tenant = make_tenant(domains=("contoso.com",))

    with pytest.raises(DirectoryUnavailable):
        check_request(DatabaseDirectory(), tenant_id=tenant.tenant_id, domain="broken.example")


@pytest.mark.django_db
def test_imported_domains_never_ask_the_provider(identity_provider):
    tenant = make_tenant(domains=("contoso.com",))

    assert (
        check_request(DatabaseDirectory(), tenant_id=tenant.tenant_id, domain="contoso.com") == []
    )
    assert identity_provider.calls == []


@pytest.mark.django_db
def test_the_resolver_is_off_by_default():
    tenant = make_tenant(domains=("contoso.com",))

    assert check_request(DatabaseDirectory(), tenant_id=tenant.tenant_id, domain="x.example") == [
        "domain_tenant_mismatch"
    ]
