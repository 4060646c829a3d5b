"""A bulk upload parsed by a real django-q2 cluster process, not the in-process sync mode."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_q.conf import Conf

from associations.models import Batch
from tests.builders import (
    bulk_row,
    bulk_xlsx,
    make_mpn,
    make_product,
    make_subscription,
    make_tenant,
)
from tests.worker import running_qcluster

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for_preview(batch_id: int, timeout: float = 30.0) -> Batch:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = Batch.objects.get(pk=batch_id)
        if not batch.busy:
            return batch
        time.sleep(0.2)
    raise AssertionError("the worker gave no preview in time")


def test_an_upload_is_parsed_by_the_worker_process(
    client, global_admin, organisation, shared_media, monkeypatch
):
    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    mpn = make_mpn(organisation)
    rows = [
        bulk_row(
            tenant=tenant, mpn=mpn, product=sales, subscription=make_subscription(tenant, sales)
        ),
        bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription="not-a-guid"),
    ]
    monkeypatch.setattr(Conf, "SYNC", False)  # go through the broker to the cluster
    client.force_login(global_admin)

    with running_qcluster():
        response = client.post(
            reverse("bulk_home"), {"file": SimpleUploadedFile("claims.xlsx", bulk_xlsx(rows))}
        )
        assert response.status_code == 302
        batch = wait_for_preview(Batch.objects.get().pk)

    assert (batch.status, batch.ok_count, batch.error_count) == ("ready", 1, 1)
    assert batch.progress == 2


def test_a_batch_is_filed_by_the_worker_process(
    client, global_admin, organisation, shared_media, monkeypatch
):
    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    mpn = make_mpn(organisation)
    row = bulk_row(
        tenant=tenant, mpn=mpn, product=sales, subscription=make_subscription(tenant, sales)
    )
    monkeypatch.setattr(Conf, "SYNC", False)
    client.force_login(global_admin)

    with running_qcluster():
        client.post(reverse("bulk_home"), {"file": SimpleUploadedFile("c.xlsx", bulk_xlsx([row]))})
        batch = wait_for_preview(Batch.objects.get().pk)
        response = client.post(reverse("batch_file", args=[batch.pk]))
        assert response.status_code == 302
        batch = wait_for_preview(batch.pk)

    assert batch.status == "filed"
    assert batch.requests.get().claims.count() == 1
