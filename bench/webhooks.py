"""Webhook delivery: a batch of outbox rows sent by a real `manage.py qcluster` to a local
HTTPS receiver that verifies every signature with `standardwebhooks`.

The rows are written straight into the outbox (as the timeline's transactions leave them) for
endpoints of several organisations, then each endpoint's sender is enqueued; the clock runs
from the first enqueue until no row waits. The receiver is a process of its own on the same
machine. Meanwhile this process times the big organisation's request list, to compare with
the same page timed just before.
"""

import multiprocessing
import os
import tempfile
import time
import uuid
from pathlib import Path

from django.db import connection
from django.utils import timezone

from bench.scenarios import LIST_URL, WARMUP, Result, _timed, client_for, slowdown, times_while
from bench.worker import Cluster, _filers, cleanup, pause_schedules

THROUGHPUT_TARGET = 200.0  # deliveries per second
TIMEOUT_S = 300.0


class ReceiverProcess:
    """The verifying receiver (tests/webhooks/receiver.py) in a child process, so that it
    takes no interpreter time from the page timed here."""

    def __init__(self, certificate: tuple[str, str], secret: str):
        from tests.webhooks.receiver import serve

        context = multiprocessing.get_context("spawn")
        self.commands, child = context.Pipe()
        self.process = context.Process(target=serve, args=(certificate, secret, child))
        self.process.start()
        self.url = self._answer()

    def _answer(self):
        if not self.commands.poll(60):
            raise RuntimeError("the receiver process did not answer")
        return self.commands.recv()

    def summary(self) -> tuple[int, int, int]:
        """(received and verified, distinct webhook-ids, refused), and the receiver stops."""
        self.commands.send("stop")
        summary = self._answer()
        self.process.join(timeout=30)
        return summary


def _outbox(receiver, secret: str, *, endpoints: int, deliveries: int) -> list:
    from webhooks.models import Delivery, Endpoint, EventType

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


def throughput(receiver, endpoints: list, deliveries: int, client) -> list[Result]:
    from django_q.tasks import async_task

    from webhooks.models import Delivery

    for _ in range(WARMUP):
        _timed(client, LIST_URL)
    before = [_timed(client, LIST_URL) for _ in range(30)]
    waiting = Delivery.objects.filter(endpoint__in=endpoints, status=Delivery.Status.PENDING)
    started = time.perf_counter()
    for endpoint in endpoints:
        async_task("webhooks.tasks.deliver_endpoint", endpoint.pk, group="webhooks")
    during = times_while(
        client,
        LIST_URL,
        lambda: time.perf_counter() - started <= TIMEOUT_S and waiting.exists(),
    )
    seconds = time.perf_counter() - started
    left = waiting.count()
    rate = (deliveries - left) / seconds
    received, distinct, refused = receiver.summary()
    once = received == distinct == deliveries - left
    note = (
        f"{len(endpoints)} endpoints; {received} received and verified, {refused} refused, "
        f"each once: {once}"
    )
    if left:
        note += f"; {left} still waiting after {TIMEOUT_S:.0f} s"
    return [
        Result(
            "webhooks",
            f"webhook deliveries ({deliveries})",
            value=f"{rate:,.0f} deliveries/s ({seconds:.1f} s)",
            target=f"≥ {THROUGHPUT_TARGET:g} deliveries/s",
            met=rate >= THROUGHPUT_TARGET and not left and once and not refused,
            note=note,
        ),
        slowdown("webhooks", "request list while deliveries run", LIST_URL, before, during),
    ]


def webhook_scenarios(args, marker) -> list[Result]:
    from tests.webhooks.receiver import write_certificate
    from webhooks.models import Endpoint
    from webhooks.services import new_secret

    print("bench: webhooks (a real qcluster, a local HTTPS receiver)", flush=True)
    cleanup(marker)
    pause_schedules()
    client = client_for(marker.big_org_users["global_admin"])
    secret = new_secret()  # one for all, so the one receiver verifies every endpoint's
    results = []
    with tempfile.TemporaryDirectory() as folder:
        certificate = write_certificate(Path(folder))
        os.environ["CPOR_WEBHOOKS_CA_FILE"] = certificate[0]  # the cluster inherits these
        os.environ["CPOR_WEBHOOKS_ALLOW_PRIVATE"] = "true"
        receiver = ReceiverProcess(certificate, secret)
        endpoints = _outbox(
            receiver, secret, endpoints=args.webhook_endpoints, deliveries=args.webhook_deliveries
        )
        connection.close()
        cluster = Cluster()
        try:
            cluster.wait_ready()
            results += throughput(receiver, endpoints, args.webhook_deliveries, client)
            for result in results:
                print(f"  {result.name}: {result.value}", flush=True)
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
            if receiver.process.is_alive():
                receiver.process.terminate()
            Endpoint.objects.filter(pk__in=[e.pk for e in endpoints]).delete()
            cleanup(marker)
    return results
