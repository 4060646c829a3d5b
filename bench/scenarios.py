"""The timed scenarios: pages in-process, the export in a subprocess, the worker, the load."""

import gc
import os
import statistics
import time
import timeit
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from associations.policy import CONTESTING_STATUSES, FILING_STATUSES

PAGE_TARGET_MS = 25.0
FLOOR_RATIO_TARGET = 1.5
AUDIT_TARGET_MS = 300.0
WARMUP = 3


@dataclass
class Result:
    group: str
    name: str
    url: str = ""
    median_ms: float | None = None
    p95_ms: float | None = None
    samples: int = 0
    queries: int | None = None
    queries_small: int | None = None  # the same page on a small data set (fixed count check)
    floor: str = ""  # the name of the floor result this page is compared with
    ratio: float | None = None
    value: str = ""  # a non-time figure (claims/s, MiB, req/s)
    target: str = ""
    met: bool | None = None
    note: str = ""
    slowest_sql: list = field(default_factory=list)  # (ms, sql) of the capture run


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def cpu_reference_ms() -> float:
    """A fixed pure-Python workload (no I/O), best of five: how fast the machine runs right now.
    Shared hosts drift, so the report gives this at the start, before the load and at the end."""

    def work() -> int:
        data: dict[int, str] = {}
        total = 0
        for i in range(200_000):
            data[i % 1000] = str(i)
            total += len(data[i % 1000])
        return total

    return min(timeit.repeat(work, number=1, repeat=5)) * 1000


def pressure() -> dict[str, float]:
    """Linux pressure stall information (share of the last minute that tasks waited for CPU,
    memory or I/O), empty where the kernel has none: on a shared host, I/O pressure (reclaimed
    page cache read back from disk) slows queries that the CPU reference does not see."""
    stalls = {}
    for resource in ("cpu", "memory", "io"):
        try:
            line = Path(f"/proc/pressure/{resource}").read_text().splitlines()[0]
        except (OSError, IndexError):
            continue
        fields = dict(field.split("=") for field in line.split()[1:])
        stalls[resource] = float(fields["avg60"])
    return stalls


def client_for(username: str, *, staff: bool = False) -> Client:
    """Signed in as the user; staff get the authenticator app they must have (the MFA gate
    checks for it once per session, in the warm-up)."""
    user = User.objects.get(username=username)
    if staff and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, "BENCHBENCHBENCHBENCHBENCHBENCH23")
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def _consume(response) -> int:
    if response.streaming:
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        response.close()
        return size
    return len(response.content)


def _timed(client: Client, url: str, cold: bool = False) -> float:
    if cold:
        caches["fragments"].clear()
    started = time.perf_counter()
    response = client.get(url)
    _consume(response)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


LIST_URL = "/associations/"
SLOWDOWN_LIMIT = 1.5  # a page's median while background work runs, over its median before


def times_while(client: Client, url: str, running) -> list[float]:
    """The page's server time (ms), again and again while `running()` holds."""
    times = []
    while running():
        times.append(_timed(client, url))
    return times


def slowdown(group: str, name: str, url: str, before: list[float], during: list[float]) -> Result:
    """The page's median while the work ran against its median just before."""
    ratio = statistics.median(during) / statistics.median(before) if during else None
    return Result(
        group,
        name,
        url=url,
        median_ms=statistics.median(during) if during else None,
        p95_ms=percentile(during, 0.95) if during else None,
        samples=len(during),
        value=f"{ratio:.2f}x the median just before" if ratio else "",
        target=f"≤ {SLOWDOWN_LIMIT:g}x the median before",
        met=ratio is not None and ratio <= SLOWDOWN_LIMIT,
        note=f"before: median {statistics.median(before):.1f} ms of {len(before)}",
    )


def time_pages(
    client: Client, urls: list[str], reps: int, *, cold: bool = False
) -> list[tuple[list[float], int, list]]:
    """Server time of `reps` requests (ms) per URL, the URLs taking turns so that any drift of
    the machine touches them alike; then one more request each under CaptureQueriesContext.
    `cold` empties the rendered-fragment cache before each request (rows rendered afresh)."""
    for url in urls:
        for _ in range(WARMUP):
            _timed(client, url, cold)
    gc.collect()
    times: list[list[float]] = [[] for _ in urls]
    for _ in range(reps):
        for index, url in enumerate(urls):
            times[index].append(_timed(client, url, cold))
    found = []
    for index, url in enumerate(urls):
        with CaptureQueriesContext(connection) as captured:
            _consume(client.get(url))
        slowest = sorted(
            ((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries),
            reverse=True,
        )[:3]
        found.append((times[index], len(captured), slowest))
    return found


def time_page(client: Client, url: str, reps: int) -> tuple[list[float], int, list]:
    return time_pages(client, [url], reps)[0]


def count_queries(client: Client, url: str) -> int:
    _consume(client.get(url))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        _consume(response)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def page(
    group, name, client, url, reps, *, target_ms=PAGE_TARGET_MS, floor="", small=None, timed=None
):
    """One page: median, p95, query count (and on a small data set when given)."""
    try:
        times, queries, slowest = timed or time_page(client, url, reps)
    except Exception as error:
        traceback.print_exc()
        return Result(group, name, url, note=f"failed: {error!r}"[:300])
    result = Result(
        group,
        name,
        url,
        median_ms=statistics.median(times),
        p95_ms=percentile(times, 0.95),
        samples=len(times),
        queries=queries,
        floor=floor,
        target=f"median < {target_ms:g} ms",
        slowest_sql=slowest,
    )
    if small is not None:
        small_client, small_url = small
        result.queries_small = count_queries(small_client, small_url)
    result.met = result.median_ms < target_ms
    if result.queries_small is not None and result.queries_small != result.queries:
        result.met = False
        result.note = f"query count varies with the data: {result.queries_small} vs {queries}"
    print(
        f"  {name:<46} median {result.median_ms:7.1f} ms  p95 {result.p95_ms:7.1f} ms  "
        f"{queries:3d} queries",
        flush=True,
    )
    return result


def resolves(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def _one(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _assign_work(username: str, count: int) -> list[int]:
    from associations.policy import REVIEW_QUEUE_STATUSES

    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE associations_claim SET assignee_id = (SELECT id FROM auth_user
                   WHERE username = %s), assigned_at = now()
               WHERE id IN (SELECT id FROM associations_claim
                   WHERE status = ANY(%s) AND assignee_id IS NULL ORDER BY id LIMIT %s)
               RETURNING id""",
            [username, list(REVIEW_QUEUE_STATUSES), count],
        )
        return [row[0] for row in cursor.fetchall()]


def _release_work(claim_ids: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE associations_claim SET assignee_id = NULL, assigned_at = NULL"
            " WHERE id = ANY(%s)",
            [claim_ids],
        )


def _api_client(organisation_id: int) -> Client:
    """A read token of the organisation, made anew each run (its secret is shown once)."""
    from api.services import token_create
    from partners.models import Organisation

    _token, secret = token_create(
        actor=None,
        organisation=Organisation.objects.get(pk=organisation_id),
        name="bench",
        scope="read",
        lifetime=timedelta(days=1),
    )
    return Client(raise_request_exception=True, headers={"Authorization": f"Bearer {secret}"})


def page_scenarios(args, marker) -> list[Result]:
    big = marker.big_org_id
    users = marker.big_org_users
    reps = args.reps
    results: list[Result] = []
    big_global = client_for(users["global_admin"])
    # A small organisation for the "fixed number of queries whatever the data size" check.
    small_org, small_count = _one(
        """SELECT organisation_id, count(*) FROM associations_associationrequest
            GROUP BY organisation_id HAVING count(*) BETWEEN 3 AND 30 ORDER BY 1 LIMIT 1"""
    )
    small_client = client_for(f"org{small_org}-global")
    small_last = _one(
        "SELECT max(id) FROM associations_associationrequest WHERE organisation_id = %s",
        [small_org],
    )[0]
    requests_of_big = _one(
        "SELECT count(*) FROM associations_associationrequest WHERE organisation_id = %s", [big]
    )[0]
    deep = _one(
        """SELECT id FROM associations_associationrequest WHERE organisation_id = %s
            ORDER BY id DESC OFFSET %s LIMIT 1""",
        [big, int(requests_of_big * 0.9)],
    )[0]
    print(
        f"bench: pages (big organisation: {requests_of_big} requests; deep cursor {deep}; "
        f"small organisation {small_org}: {small_count} requests)",
        flush=True,
    )
    lists = "/associations/"
    floor = "/bench/floor/requests/"
    variants = [
        ("first page", "", False),
        ("first page, rows rendered afresh", "", True),
        ("deep page (?before, 90% back)", f"?before={deep}", False),
        ("filtered status=approved", "?status=approved", False),
        ("filtered status=under_review", "?status=under_review", False),
        ("filtered status=disputed (rare)", "?status=disputed", False),
        ("filtered status=approved, deep page", f"?status=approved&before={deep}", False),
    ]
    for label, query, cold in variants:
        floor_name = f"floor: {label}"
        try:
            floor_timed, page_timed = time_pages(
                big_global, [floor + query, lists + query], reps, cold=cold
            )
        except Exception as error:
            traceback.print_exc()
            results.append(Result("list", f"request list: {label}", note=f"failed: {error!r}"))
            continue
        results.append(
            page("floor", floor_name, big_global, floor + query, reps, timed=floor_timed)
        )
        results[-1].target = "one SQL query + the same template"
        results[-1].met = None
        # The query count is compared on the small organisation's page with rows in it.
        small_url = {"": lists, f"?before={deep}": f"{lists}?before={small_last + 1}"}.get(query)
        results.append(
            page(
                "list",
                f"request list: {label}",
                big_global,
                lists + query,
                reps,
                floor=floor_name,
                small=(small_client, small_url) if small_url else None,
                timed=page_timed,
            )
        )
    # Filters the floor has no SQL for: a date range years back and a domain search (with its
    # subdomains), both far from the organisation's newest requests.
    newest = _one(
        "SELECT max(created_at) FROM associations_associationrequest WHERE organisation_id = %s",
        [big],
    )[0]
    start = (newest - timedelta(days=4 * 365)).date()
    quarter = f"?date_from={start}&date_to={start + timedelta(days=90)}"
    domain = _one(
        "SELECT domain FROM associations_associationrequest WHERE id = %s",
        [deep],
    )[0]
    for label, query in (
        ("filed in one quarter four years back", quarter),
        ("filed in that quarter, status=approved", f"{quarter}&status=approved"),
        ("filed since four years back (open range)", f"?date_from={start}"),
        ("domain search (and subdomains)", f"?q={domain}"),
    ):
        results.append(
            page(
                "search",
                f"request list: {label}",
                big_global,
                lists + query,
                reps,
                floor="floor: first page",
                small=(small_client, lists + query),
            )
        )
    # The detail page of a request with three claims, and the same page for one claim: both
    # submitted, with documents, and with a claim whose warnings the page reads from the
    # directory (two queries), so the query counts compare pages of the same shape.
    warned = sorted(CONTESTING_STATUSES | FILING_STATUSES)
    detail_of = """SELECT r.id FROM associations_associationrequest r
            WHERE r.organisation_id = %s AND r.submitted_at IS NOT NULL
              AND (SELECT count(*) FROM associations_claim c WHERE c.request_id = r.id) = %s
              AND EXISTS (SELECT 1 FROM associations_claim c
                          WHERE c.request_id = r.id AND c.status = ANY(%s))
              AND EXISTS (SELECT 1 FROM associations_proofdocument d
                          JOIN associations_proof p ON p.id = d.proof_id WHERE p.request_id = r.id)
            ORDER BY r.id DESC LIMIT 1"""
    three = _one(detail_of, [big, 3, warned])[0]
    one = _one(detail_of, [big, 1, warned])[0]
    results.append(
        page(
            "detail",
            "request detail (3 claims)",
            big_global,
            f"/associations/CPOR-{three:06d}/",
            reps,
            floor="floor: first page",
            small=(big_global, f"/associations/CPOR-{one:06d}/"),
        )
    )
    # The partners' landing page: claims by status (100,000 of them) and the latest requests.
    results.append(
        page(
            "dashboard",
            "dashboard (claims by status, latest requests)",
            big_global,
            "/",
            reps,
            floor="floor: first page",
            small=(small_client, "/"),
        )
    )
    # The reviewers' queue in the admin, as a reviewer with the authenticator app staff must use;
    # "my work" holds 2,000 claims of the queue (the generator assigns none), released after.
    reviewer = client_for(marker.reviewer, staff=True)
    held = _assign_work(marker.reviewer, 2000)
    for label, url in (
        ("review queue: claims", "/admin/disputes/reviewclaim/"),
        (
            "review queue: claims in arbitration",
            "/admin/disputes/reviewclaim/?status=in_arbitration",
        ),
        ("review queue: arbitration cases", "/admin/disputes/arbitrationcase/"),
        ("review queue: open cases", "/admin/disputes/arbitrationcase/?status__exact=open"),
        ("review queue: my work", "/admin/disputes/reviewclaim/?queue=mine"),
        ("review queue: unassigned", "/admin/disputes/reviewclaim/?queue=unassigned"),
        ("review queue: overdue", "/admin/disputes/reviewclaim/?queue=overdue"),
        ("review queue: due in 2 business days", "/admin/disputes/reviewclaim/?queue=due_soon"),
        ("review queue: my cases", "/admin/disputes/arbitrationcase/?queue=mine"),
        ("review queues: counts on the admin index", "/admin/"),
    ):
        results.append(page("queue", label, reviewer, url, reps, floor="floor: first page"))
    _release_work(held)
    # The admin's lists of every record, on the biggest tables.
    for label, url in (
        ("admin records: status events (timeline)", "/admin/associations/statusevent/"),
        ("admin records: check results", "/admin/associations/checkresult/"),
        ("admin records: claims", "/admin/associations/claim/"),
    ):
        results.append(page("records", label, reviewer, url, reps, floor="floor: first page"))
    # The review team's SLA dashboard: the backlog, the decisions per week and per reviewer.
    year_ago = _one("SELECT (now() - interval '365 days')::date")[0].isoformat()
    for label, query in (
        ("SLA dashboard (last 12 weeks)", ""),
        ("SLA dashboard (last 365 days)", f"?date_from={year_ago}"),
    ):
        results.append(
            page(
                "sla",
                label,
                reviewer,
                "/admin/reviews/" + query,
                max(5, reps // 4),
                target_ms=AUDIT_TARGET_MS,
            )
        )
    # The partner API's request list, as the big organisation's read token: the same rows as
    # the page, against the same floor.
    api = _api_client(big)
    for label, query in (("first page", ""), ("filtered status=approved", "?status=approved")):
        results.append(
            page(
                "api",
                f"API request list: {label}",
                api,
                "/api/v1/requests" + query,
                reps,
                floor="floor: first page",
            )
        )
    # The MPN audit of the organisation with 100,000 claims.
    if resolves("mpn_audit"):
        billing = client_for(users.get("billing_admin", users["global_admin"]))
        url = reverse("mpn_audit")
        for label, query in (
            ("MPN audit (all time)", ""),
            ("MPN audit (last 365 days)", f"?date_from={year_ago}"),
        ):
            results.append(
                page(
                    "audit",
                    label,
                    billing,
                    url + query,
                    max(5, reps // 4),
                    target_ms=AUDIT_TARGET_MS,
                )
            )
    else:
        results.append(
            Result(
                "audit",
                "MPN audit",
                "/audit/mpn/",
                note="skipped: URL name mpn_audit does not resolve",
            )
        )
    for result in results:
        if result.floor:
            floor_result = next((r for r in results if r.name == result.floor), None)
            if floor_result and floor_result.median_ms and result.median_ms:
                result.ratio = result.median_ms / floor_result.median_ms
                if result.group in ("list", "api"):
                    result.target += f", ≤ {FLOOR_RATIO_TARGET:g}x floor, fixed queries"
                    if result.ratio > FLOOR_RATIO_TARGET:
                        result.met = False
    return results


def run_all(args, marker) -> int:
    from bench import explain, report

    groups = {g.strip() for g in args.only.split(",") if g.strip()} or {
        "pages",
        "export",
        "worker",
        "webhooks",
        "bulk",
        "load",
        "directory",
    }
    args.load_before = os.getloadavg()
    args.cpu_reference = [("at the start", cpu_reference_ms())]
    args.pressure = [("at the start", pressure())]
    results: list[Result] = []
    if "pages" in groups:
        results += page_scenarios(args, marker)
    if "export" in groups:
        from bench.export import export_scenarios

        results += export_scenarios(args, marker)
    if "worker" in groups:
        from bench.worker import worker_scenarios

        results += worker_scenarios(args, marker)
    if "directory" in groups:
        from bench.directory import directory_scenarios

        results += directory_scenarios(args, marker)
    if "webhooks" in groups:
        from bench.webhooks import webhook_scenarios

        results += webhook_scenarios(args, marker)
    if "bulk" in groups:
        from bench.bulk import bulk_scenarios

        results += bulk_scenarios(args, marker)
    if "load" in groups:
        from bench.load import load_scenarios

        args.cpu_reference.append(("before the load", cpu_reference_ms()))
        args.pressure.append(("before the load", pressure()))
        results += load_scenarios(args, marker)
    args.load_after = os.getloadavg()
    args.cpu_reference.append(("at the end", cpu_reference_ms()))
    args.pressure.append(("at the end", pressure()))
    explained = explain.explain_misses(results)
    text = report.render(args, marker, results, explained)
    print(text)
    if not args.no_report:
        report.write(text)
    return 0
