import pytest

from tests.webhooks.receiver import running_receiver, write_certificate


@pytest.fixture(scope="session")
def receiver_certificate(tmp_path_factory):
    return write_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def receiver(receiver_certificate, settings):
    """A running HTTPS receiver whose certificate the portal trusts."""
    settings.CPOR_WEBHOOKS_CA_FILE = receiver_certificate[0]
    with running_receiver(*receiver_certificate) as running:
        yield running
