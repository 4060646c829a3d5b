import pytest

from tests.builders import make_mpn, make_product, make_request, make_subscription, make_tenant


@pytest.fixture
def tenant(db):
    return make_tenant(domains=("contoso.com",))


@pytest.fixture
def sales(db):
    return make_product("d365-sales")


@pytest.fixture
def subscription(tenant, sales):
    return make_subscription(tenant, sales)


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
