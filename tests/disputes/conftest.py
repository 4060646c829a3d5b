import pytest

from tests.builders import make_mpn, make_request


@pytest.fixture
def file_claim(tenant, sales, subscription):
    """File a request for the shared key as `user`; returns its only claim."""

    def file(user, **kwargs):
        organisation = user.membership.organisation
        request = make_request(
            organisation,
            user,
            tenant=tenant,
            products=[(sales, str(subscription.pk))],
            mpn=make_mpn(organisation),
            **kwargs,
        )
        return request.claims.get()

    return file
