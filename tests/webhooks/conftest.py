import pytest
from django_q.conf import Conf

from tests.webhooks.receiver import running_receiver, write_certificate
from tests.worker import running_qcluster


@pytest.fixture(scope="session")
def receiver_certificate(tmp_path_factory):
    return write_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def receiver(receiver_certificate, settings):
    """A running HTTPS receiver whose certificate the portal trusts."""
    settings.CPOR_WEBHOOKS_CA_FILE = receiver_certificate[0]
    with running_receiver(*receiver_certificate) as running:
        yield running


@pytest.fixture
def cluster(receiver_certificate, monkeypatch):
    """A cluster process that trusts the receiver's certificate and may reach localhost."""
    monkeypatch.setenv("CPOR_WEBHOOKS_CA_FILE", receiver_certificate[0])
    monkeypatch.setenv("CPOR_WEBHOOKS_ALLOW_PRIVATE", "true")
    monkeypatch.setattr(Conf, "SYNC", False)  # go through the broker to the cluster
    with running_qcluster() as process:
        yield process
