"""The worker: a real `manage.py qcluster` against the bench database.

Throughput: a batch of requests is written straight into `validating` (as submission leaves
them) for tenants the generator kept free, then every request is enqueued with
`async_task("associations.tasks.validate_request", id)`; the clock runs from the first enqueue
until no claim of the batch is `validating`. Latency: requests submitted one at a time through
`services.request_create(submit=True)` (which enqueues on commit), timed until their claims
leave `validating`. The portal's sweeps are paused meanwhile (they would act on the generated
history), and everything the scenarios wrote is deleted afterwards.
"""

import statistics
import sys
import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from bench.generate import (
    ba_slots,
    slot_product,
    subscription_uuid,
    tenant_domain,
    tenant_uuid,
)
from bench.process import LoggedProcess
from bench.scenarios import Result, percentile

THROUGHPUT_TARGET = 200.0  # claims per second
LATENCY_TARGET_S = 2.0
TIMEOUT_S = 600.0


def cleanup(marker) -> None:
    """Remove what earlier scenario runs added, so every run starts from the generated data."""
    from django_q.models import OrmQ, Task

    from associations.models import AssociationRequest
    from disputes.models import ArbitrationCase

    max_ids = marker.max_ids
    ArbitrationCase.objects.filter(pk__gt=max_ids["disputes_arbitrationcase"]).delete()
    AssociationRequest.objects.filter(pk__gt=max_ids["associations_associationrequest"]).delete()
    OrmQ.objects.all().delete()
    Task.objects.all().delete()


def pause_schedules() -> None:
    from django_q.models import Schedule

    Schedule.objects.update(next_run=timezone.now() + timedelta(days=365))


class Cluster(LoggedProcess):
    def __init__(self):
        super().__init__([sys.executable, "manage.py", "qcluster"], "qcluster", stop_timeout=60)

    def wait_ready(self, timeout: float = 60.0) -> None:
        from django_q.status import Stat

        deadline = time.monotonic() + timeout
        while not Stat.get_all():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"qcluster did not start:\n{self.tail()}")
            time.sleep(0.2)


class Tenants:
    """The tenants the generator never claimed; each submission takes the next one."""

    def __init__(self, marker):
        self.next, self.last = marker.reserved_tenants

    def take(self) -> int:
        if self.next > self.last:
            raise RuntimeError("no reserved tenant left; lower --worker-claims")
        self.next += 1
        return self.next - 1


def _filers(count: int):
    """Organisations (with their author and a Business Applications MPN ID) to file as."""
    from partners.models import Enrolment

    enrolments = (
        Enrolment.objects.filter(program__solution_area="business_applications")
        .select_related("mpn__organisation")
        .order_by("mpn_id")[: count * 3 : 3]
    )
    from django.contrib.auth.models import User

    filers = []
    for enrolment in enrolments:
        org = enrolment.mpn.organisation
        author = User.objects.get(membership__organisation=org, membership__role="global_admin")
        filers.append((org, author, enrolment.mpn))
    return filers


def _fields(ti: int, mpn) -> dict:
    domain = tenant_domain(ti)
    return {
        "mpn": mpn,
        "claim_name": f"Bench submission for customer {ti}",
        "tenant_id": tenant_uuid(ti),
        "domain": domain,
        "solution_area": "business_applications",
        "activity": "pre_sales",
        "customer_contact_name": "Jana Novakova",
        "customer_contact_title": "CIO",
        "customer_contact_email": f"cio@{domain}",
        "partner_contact_name": "Petr Svoboda",
        "partner_contact_email": "sales@partner.example",
        "proof_description": "Statement of work signed by the customer.",
        "ack_customer_signature": True,
        "ack_current_dates": True,
        "ack_partner_services": True,
        "ack_all_products": True,
    }


def _batch(tenants: Tenants, claims_wanted: int) -> tuple[list[int], int]:
    """Requests left in `validating` as submission leaves them; returns (ids, claims)."""
    from associations.choices import Event
    from associations.models import (
        REQUEST_COPIES,
        AssociationRequest,
        Claim,
        Proof,
        StatusEvent,
    )

    now = timezone.now()
    filers = _filers(50)
    requests, slots = [], []
    claims = 0
    while claims < claims_wanted:
        ti = tenants.take()
        org, author, mpn = filers[len(requests) % len(filers)]
        requests.append(
            AssociationRequest(
                organisation=org, author=author, submitted_at=now, **_fields(ti, mpn)
            )
        )
        slots.append((ti, range(ba_slots(ti))))
        claims += ba_slots(ti)
    AssociationRequest.objects.bulk_create(requests)
    claim_rows = [
        Claim(
            request=request,
            product_id=slot_product(ti, slot),
            subscription_id=subscription_uuid(ti, slot),
            **{name: getattr(request, name) for name in REQUEST_COPIES},
            filed_at=request.created_at,
            status="validating",
            status_changed_at=now,
        )
        for request, (ti, request_slots) in zip(requests, slots, strict=True)
        for slot in request_slots
    ]
    Claim.objects.bulk_create(claim_rows)
    Proof.objects.bulk_create(
        Proof(request=r, description=r.proof_description, author=r.author) for r in requests
    )
    StatusEvent.objects.bulk_create(
        StatusEvent(
            request=claim.request,
            claim=claim,
            action=Event.CLAIM_SUBMITTED,
            actor=claim.request.author,
            from_status="draft",
            to_status="validating",
            created_at=now,
        )
        for claim in claim_rows
    )
    return [r.pk for r in requests], len(claim_rows)


def _validating(request_ids: list[int]) -> int:
    from associations.models import Claim

    return Claim.objects.filter(request_id__in=request_ids, status="validating").count()


def _outcomes(request_ids: list[int]) -> str:
    from django.db.models import Count

    from associations.models import Claim

    counts = (
        Claim.objects.filter(request_id__in=request_ids)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return ", ".join(f"{status} {n}" for status, n in counts)


def _raise_failed_task() -> None:
    """A task that raised: stop at once, with its error, rather than wait for the timeout."""
    from django_q.models import Failure

    failed = Failure.objects.order_by("-stopped").first()
    if failed is not None:
        raise RuntimeError(f"task {failed.func}{failed.args} failed: {str(failed.result)[-600:]}")


def throughput(tenants: Tenants, claims_wanted: int) -> Result:
    from django_q.tasks import async_task

    request_ids, claims = _batch(tenants, claims_wanted)
    started = time.perf_counter()
    for request_id in request_ids:
        async_task("associations.tasks.validate_request", request_id, group="validation")
    enqueued = time.perf_counter() - started
    left = claims
    while left and time.perf_counter() - started < TIMEOUT_S:
        time.sleep(0.1)
        left = _validating(request_ids)
        _raise_failed_task()
    seconds = time.perf_counter() - started
    done = claims - left
    rate = done / seconds
    note = f"{len(request_ids)} requests, enqueued in {enqueued:.1f} s; {_outcomes(request_ids)}"
    if left:
        note += f"; {left} claims still validating after {TIMEOUT_S:.0f} s"
    return Result(
        "worker",
        f"worker throughput ({claims} claims)",
        median_ms=None,
        value=f"{rate:,.0f} claims/s ({seconds:.1f} s)",
        target=f"≥ {THROUGHPUT_TARGET:g} claims/s",
        met=rate >= THROUGHPUT_TARGET and not left,
        note=note,
    )


def latency(tenants: Tenants, submissions: int) -> Result:
    from associations.models import Claim
    from associations.services import ClaimRow, request_create
    from validation.models import Product

    filers = _filers(submissions)
    times = []
    for index in range(submissions):
        org, author, mpn = filers[index % len(filers)]
        ti = tenants.take()
        rows = [
            ClaimRow(
                product=Product.objects.get(pk=slot_product(ti, 0)),
                subscription_id=subscription_uuid(ti, 0),
            )
        ]
        started = time.perf_counter()
        created = request_create(
            actor=author,
            organisation=org,
            fields=_fields(ti, mpn),
            rows=rows,
            uploads=[],
            submit=True,
        )
        while Claim.objects.filter(request=created, status="validating").exists():
            _raise_failed_task()
            if time.perf_counter() - started > 60:
                raise RuntimeError(f"no verdict for {created.reference} after 60 s")
            time.sleep(0.02)
        times.append(time.perf_counter() - started)
        time.sleep(0.1)
    median = statistics.median(times)
    return Result(
        "worker",
        f"submission → verdict ({submissions} submissions)",
        median_ms=median * 1000,
        p95_ms=percentile(times, 0.95) * 1000,
        samples=len(times),
        target=f"median ≤ {LATENCY_TARGET_S:g} s",
        met=median <= LATENCY_TARGET_S,
        note="one at a time through services.request_create(submit=True); polled every 20 ms",
    )


def noop_task(number: int) -> int:
    """The reference task: what django-q2 costs per task, with no work in it."""
    return number


def broker_ceiling(tasks: int = 400) -> Result:
    """Tasks per second through the same cluster when the task does nothing."""
    from django_q.conf import Conf
    from django_q.models import OrmQ, Success
    from django_q.tasks import async_task

    if Conf.SAVE_LIMIT >= 0 and not (0 < Conf.SAVE_LIMIT < tasks):
        finished = lambda: Success.objects.filter(func="bench.worker.noop_task").count() >= tasks  # noqa: E731
    elif Conf.ORM:
        finished = lambda: not OrmQ.objects.exists()  # noqa: E731
    else:
        return Result("worker-ref", "django-q2 alone", note="skipped: cannot tell when done")
    Success.objects.filter(func="bench.worker.noop_task").delete()
    started = time.perf_counter()
    for number in range(tasks):
        async_task("bench.worker.noop_task", number)
    while not finished() and time.perf_counter() - started < 120:
        time.sleep(0.02)
    rate = tasks / (time.perf_counter() - started)
    return Result(
        "worker-ref",
        f"django-q2 alone: {tasks} tasks that do nothing",
        value=f"{rate:,.0f} tasks/s",
        target="(reference: the queue's own ceiling)",
        note=f"broker {'ORM' if Conf.ORM else 'Redis'}, save_limit {Conf.SAVE_LIMIT}, "
        f"{Conf.WORKERS} workers",
    )


def worker_scenarios(args, marker) -> list[Result]:
    print("bench: worker (a real qcluster)", flush=True)
    cleanup(marker)
    pause_schedules()
    connection.close()
    cluster = Cluster()
    results = []
    try:
        cluster.wait_ready()
        tenants = Tenants(marker)
        results.append(broker_ceiling())
        print(f"  {results[-1].name}: {results[-1].value}", flush=True)
        results.append(throughput(tenants, args.worker_claims))
        print(f"  {results[-1].name}: {results[-1].value}", flush=True)
        results.append(latency(tenants, args.latency_submissions))
        print(f"  {results[-1].name}: median {results[-1].median_ms:.0f} ms", flush=True)
    except Exception as error:
        results.append(
            Result("worker", "worker", note=f"failed: {error!r}"[:300] + f"\n{cluster.tail()}")
        )
    finally:
        cluster.stop()
        cleanup(marker)
    return results
