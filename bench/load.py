"""The list page under load: gunicorn on the loopback interface, hit from client threads.

The clients run in this process (threads, one connection per request, as gunicorn's sync
workers close every connection) for a fixed time with a bounded number of requests, and count
every non-200 answer or socket error as an error.
"""

import http.client
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

from bench.process import LoggedProcess
from bench.scenarios import Result, client_for, percentile

TARGET_RPS = 300.0
MAX_REQUESTS = 200_000  # per window
LOAD_WINDOWS = 4
FLOOR_PATH = "/bench/floor/requests/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


class Gunicorn(LoggedProcess):
    def __init__(self, workers: int):
        self.port = _free_port()
        self.workers = workers
        super().__init__(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "cpor_portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--backlog",
                "256",
            ],
            "gunicorn",
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if _get(self.port, "/accounts/login/", "") == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{self.tail()}")
            time.sleep(0.2)


def hammer(port: int, path: str, cookie: str, seconds: float, concurrency: int) -> dict:
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()
    state = {"sent": 0, "ok": 0, "errors": 0, "statuses": {}, "latencies": []}

    def client() -> None:
        while time.perf_counter() < deadline:
            with lock:
                if state["sent"] >= MAX_REQUESTS:
                    return
                state["sent"] += 1
            started = time.perf_counter()
            try:
                status = _get(port, path, cookie)
            except OSError as error:
                status = type(error).__name__
            elapsed = time.perf_counter() - started
            with lock:
                state["latencies"].append(elapsed)
                if status == 200:
                    state["ok"] += 1
                else:
                    state["errors"] += 1
                    state["statuses"][status] = state["statuses"].get(status, 0) + 1

    started = time.perf_counter()
    cpu_before = time.process_time()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state["seconds"] = time.perf_counter() - started
    state["client_cpu"] = (time.process_time() - cpu_before) / state["seconds"]
    return state


def load_scenarios(args, marker) -> list[Result]:
    username = marker.big_org_users["global_admin"]
    client = client_for(username)  # a session in the database that gunicorn reads too
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    path = "/associations/"
    print(
        f"bench: load ({args.web_workers} gunicorn workers, {args.load_concurrency} client "
        f"threads, {args.load_seconds:g} s)",
        flush=True,
    )
    server = Gunicorn(args.web_workers)
    try:
        server.wait_ready()
        for url in (path, FLOOR_PATH):
            hammer(server.port, url, cookie, 3.0, args.load_concurrency)  # warm every worker
        # Page and floor take turns in short windows, so a drift of the machine's speed (seen at
        # ±20 % within an hour on shared hosts) touches both alike.
        window = args.load_seconds / LOAD_WINDOWS
        runs = {path: [], FLOOR_PATH: []}
        for _ in range(LOAD_WINDOWS):
            for url in runs:
                runs[url].append(hammer(server.port, url, cookie, window, args.load_concurrency))
        runs = {url: _merged(states) for url, states in runs.items()}
    except Exception as error:
        return [Result("load", "list page under load", path, note=f"failed: {error}"[:300])]
    finally:
        server.stop()
    results = [
        _result(args, path, runs[path], "list page under load"),
        _result(args, FLOOR_PATH, runs[FLOOR_PATH], "floor list page under the same load"),
    ]
    # The page's cost per request relative to the floor's, as for the pages' times.
    results[0].ratio = runs[FLOOR_PATH]["ok"] / runs[path]["ok"] if runs[path]["ok"] else None
    results[1].group = "load-floor"
    results[1].met = None
    results[1].target = "(comparison)"
    for result in results:
        print(f"  {result.name}: {result.value}", flush=True)
    return results


def _merged(states: list[dict]) -> dict:
    """One run's figures from its windows."""
    seconds = sum(state["seconds"] for state in states)
    statuses: dict = {}
    for state in states:
        for status, count in state["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "sent": sum(state["sent"] for state in states),
        "ok": sum(state["ok"] for state in states),
        "errors": sum(state["errors"] for state in states),
        "statuses": statuses,
        "latencies": [latency for state in states for latency in state["latencies"]],
        "seconds": seconds,
        "client_cpu": sum(state["client_cpu"] * state["seconds"] for state in states) / seconds,
    }


def _result(args, path, state, label) -> Result:
    rate = state["ok"] / state["seconds"]
    latencies = [t * 1000 for t in state["latencies"]] or [0.0]
    return Result(
        "load",
        f"{label} ({args.web_workers} gunicorn workers, {args.load_concurrency} clients)",
        path,
        median_ms=statistics.median(latencies),
        p95_ms=percentile(latencies, 0.95),
        samples=len(latencies),
        value=f"{rate:,.0f} req/s, {state['errors']} errors",
        target=f"≥ {TARGET_RPS:g} req/s, no errors",
        met=rate >= TARGET_RPS and state["errors"] == 0,
        note=(
            f"{state['ok']:,} answers in {state['seconds']:.1f} s ({LOAD_WINDOWS} windows taking "
            "turns with the other page); times are client-side, "
            f"including the connection; the client threads used {state['client_cpu']:.0%} "
            "of a core; every request runs its SQL, the rows' rendered HTML comes from each "
            "worker's fragment cache after its first request"
            + (f"; errors: {state['statuses']}" if state["errors"] else "")
        ),
    )
