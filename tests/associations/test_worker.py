"""A submission validated by a real django-q2 cluster process, not the in-process sync mode."""

import time

import pytest
from django.urls import reverse
from django_q.conf import Conf

from associations.models import AssociationRequest, ClaimStatus
from tests.builders import (
    form_data,
    make_mpn,
    make_product,
    make_subscription,
    make_tenant,
    pdf_upload,
)
from tests.worker import running_qcluster

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for_verdict(request: AssociationRequest, timeout: float = 30.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = list(request.claims.values_list("status", flat=True))
        if ClaimStatus.VALIDATING not in statuses:
            return statuses
        time.sleep(0.2)
    raise AssertionError("the worker gave no verdict in time")


def test_a_submitted_request_is_validated_by_the_worker_process(
    client, global_admin, organisation, monkeypatch
):
    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    good = make_subscription(tenant, sales)
    csp = make_subscription(tenant, make_product("d365-field-service"), channel="csp")
    mpn = make_mpn(organisation)
    monkeypatch.setattr(Conf, "SYNC", False)  # go through the broker to the cluster
    client.force_login(global_admin)

    with running_qcluster():
        response = client.post(
            reverse("request_create"),
            {
                **form_data(
                    tenant_id=tenant.tenant_id,
                    domain="contoso.com",
                    mpn=mpn,
                    rows=[(sales, str(good.pk)), (csp.product, str(csp.pk))],
                ),
                "documents": pdf_upload(),
            },
        )
        assert response.status_code == 302
        request = AssociationRequest.objects.get()

        statuses = sorted(_wait_for_verdict(request))

    assert statuses == [ClaimStatus.ACTION_NEEDED, ClaimStatus.UNDER_REVIEW]
    page = client.get(reverse("request_detail", args=[request.reference]))
    assert 'data-check="subscription_is_csp"' in page.text
