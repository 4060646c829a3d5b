"""A real django-q2 cluster process runs a queued task against PostgreSQL."""

import pytest
from django.urls import reverse
from django_q.tasks import async_task, result

from tests.worker import running_qcluster

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_queued_task_completes_in_a_real_cluster_and_healthz_sees_the_worker(client):
    with running_qcluster():
        # sync=False: the test settings run tasks in-process; this one must go through the broker.
        task_id = async_task("cpor_portal.health.check_database", sync=False)

        assert result(task_id, wait=20_000) == {"ok": True}
        health = client.get(reverse("healthz")).json()

    assert health["checks"]["worker"]["ok"] is True
    assert health["status"] == "ok"
