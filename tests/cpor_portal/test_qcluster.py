"""A real django-q2 cluster process runs a queued task against PostgreSQL."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_q.tasks import async_task

from tests.worker import running_qcluster

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_queued_task_completes_in_a_real_cluster_and_healthz_sees_the_worker(client):
    cache.delete("healthz")
    with running_qcluster():
        # sync=False: the test settings run tasks in-process; this one must go through the
        # broker. The task writes to the shared cache, which is how we see it ran (successful
        # results are not stored).
        async_task("cpor_portal.health.check_cache", sync=False)

        deadline = time.monotonic() + 20
        while cache.get("healthz") != "ok":
            assert time.monotonic() < deadline, "the cluster did not run the task"
            time.sleep(0.1)
        health = client.get(reverse("healthz")).json()

    assert health["checks"]["worker"]["ok"] is True
    assert health["status"] == "ok"
