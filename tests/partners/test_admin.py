import pytest
from django.urls import reverse

from tests.builders import make_subscription, make_tenant

DIRECTORY_PAGES = [
    "admin:validation_tenant_changelist",
    "admin:validation_domain_changelist",
    "admin:validation_product_changelist",
    "admin:validation_subscription_changelist",
    "admin:partners_organisation_changelist",
    "admin:partners_mpnid_changelist",
    "admin:partners_enrolment_changelist",
    "admin:partners_membership_changelist",
    "admin:partners_incentiveprogram_changelist",
]


@pytest.mark.parametrize("page", DIRECTORY_PAGES)
def test_reviewer_can_inspect_the_directory(client, reviewer, page):
    make_subscription(make_tenant(domains=("contoso.com",)))
    client.force_login(reviewer)

    response = client.get(reverse(page), {"q": "contoso"})

    assert response.status_code == 200


def test_reviewer_cannot_edit_the_directory(client, reviewer):
    tenant = make_tenant()
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:validation_tenant_change", args=[tenant.pk]),
        {"display_name": "Renamed"},
    )

    assert response.status_code == 403
    tenant.refresh_from_db()
    assert tenant.display_name == "Contoso"


def test_partner_user_cannot_reach_the_admin(client, global_admin):
    client.force_login(global_admin)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert reverse("admin:login") in response.url
