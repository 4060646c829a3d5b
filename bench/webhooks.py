"""Webhook delivery: a batch of outbox rows sent by a real `manage.py qcluster` to a local
HTTPS receiver that verifies every signature with `standardwebhooks`.

The rows are written straight into the outbox (as the timeline's transactions leave them) for
endpoints of several organisations, then each endpoint's sender is enqueued; the clock runs
from the first enqueue until no row waits. The receiver runs in this process, so it shares the
machine with the worker, as a receiver on the same host would.
"""

import os
import tempfile
import time
import uuid
from pathlib import Path

from django.db import connection
from django.utils import timezone

from bench.scenarios import Result
from bench.worker import Cluster, _filers, cleanup, pause_schedules

THROUGHPUT_TARGET = 200.0  # deliveries per second
TIMEOUT_S = 300.0


def _outbox(receiver, *, endpoints: int, deliveries: int) -> list:
    from webhooks.models import Delivery, Endpoint, EventType
    from webhooks.services import new_secret

    secret = new_secret()  # one for all, so the one receiver verifies every endpoint's
    now = timezone.now()
    created = Endpoint.objects.bulk_create(
        Endpoint(
            organisation=organisation,
            url=f"{receiver.url}/bench/{number}",
            event_types=list(EventType.values),
            secret=secret,
            created_by=author,
            created_at=now,
        )
        for number, (organisation, author, _mpn) in enumerate(_filers(endpoints))
    )
    receiver.secret = secret
    Delivery.objects.bulk_create(
        Delivery(
            endpoint=created[number % len(created)],
            event_type=EventType.CLAIM_STATUS_CHANGED,
            message_id=f"msg_{uuid.uuid4().hex}",
            payload={
                "type": EventType.CLAIM_STATUS_CHANGED,
                "timestamp": now.isoformat(),
                "data": {"claim_id": number, "from_status": "validating", "to_status": "approved"},
            },
            claim_id=number,
            created_at=now,
            next_attempt_at=now,
        )
        for number in range(deliveries)
    )
    return created


def throughput(receiver, endpoints: list, deliveries: int) -> Result:
    from django_q.tasks import async_task

    from webhooks.models import Delivery

    waiting = Delivery.objects.filter(endpoint__in=endpoints, status=Delivery.Status.PENDING)
    started = time.perf_counter()
    for endpoint in endpoints:
        async_task("webhooks.tasks.deliver_endpoint", endpoint.pk, group="webhooks")
    left = deliveries
    while left and time.perf_counter() - started < TIMEOUT_S:
        time.sleep(0.1)
        left = waiting.count()
    seconds = time.perf_counter() - started
    rate = (deliveries - left) / seconds
    once = len(set(receiver.message_ids)) == len(receiver.message_ids) == deliveries - left
    note = (
        f"{len(endpoints)} endpoints; {len(receiver.received)} received and verified, "
        f"{len(receiver.refused)} refused, each once: {once}"
    )
    if left:
        note += f"; {left} still waiting after {TIMEOUT_S:.0f} s"
    return Result(
        "webhooks",
        f"webhook deliveries ({deliveries})",
        value=f"{rate:,.0f} deliveries/s ({seconds:.1f} s)",
        target=f"≥ {THROUGHPUT_TARGET:g} deliveries/s",
        met=rate >= THROUGHPUT_TARGET and not left and once and not receiver.refused,
        note=note,
    )


def webhook_scenarios(args, marker) -> list[Result]:
    from tests.webhooks.receiver import running_receiver, write_certificate
    from webhooks.models import Endpoint

    print("bench: webhooks (a real qcluster, a local HTTPS receiver)", flush=True)
    cleanup(marker)
    pause_schedules()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        certificate = write_certificate(Path(folder))
        os.environ["CPOR_WEBHOOKS_CA_FILE"] = certificate[0]  # the cluster inherits these
        os.environ["CPOR_WEBHOOKS_ALLOW_PRIVATE"] = "true"
        with running_receiver(*certificate) as receiver:
            endpoints = _outbox(
                receiver, endpoints=args.webhook_endpoints, deliveries=args.webhook_deliveries
            )
            connection.close()
            cluster = Cluster()
            try:
                cluster.wait_ready()
                results.append(throughput(receiver, endpoints, args.webhook_deliveries))
                print(f"  {results[-1].name}: {results[-1].value}", flush=True)
            except Exception as error:
                results.append(
                    Result(
                        "webhooks",
                        "webhook deliveries",
                        note=f"failed: {error!r}"[:300] + f"\n{cluster.tail()}",
                    )
                )
            finally:
                cluster.stop()
                Endpoint.objects.filter(pk__in=[e.pk for e in endpoints]).delete()
                cleanup(marker)
    return results
