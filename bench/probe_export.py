"""Run in a subprocess by bench.export: one CSV export, consumed chunk by chunk.

Prints one JSON line: rows, bytes, seconds, the growth of the peak resident set during the export
and, with --tracemalloc, the peak of Python allocations (which slows the export, so the time of
that run is not reported).
"""

import argparse
import json
import os
import resource
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--username", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    import tracemalloc

    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(raise_request_exception=True)
    client.force_login(User.objects.get(username=args.username))
    # Warm up imports, templates and the connection with a one-row export page.
    warm = client.get(args.url + ("&" if "?" in args.url else "?") + "q=CPOR-000001")
    b"".join(warm.streaming_content)
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(args.url)
    assert response.status_code == 200, response.status_code
    rows = size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    after_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        "PROBE "
        + json.dumps(
            {
                "rows": rows - 1,  # the header
                "bytes": size,
                "seconds": seconds,
                "rss_before_mib": before_kib / 1024,
                "rss_growth_mib": (after_kib - before_kib) / 1024,
                "traced_peak_mib": traced_peak / 2**20 if traced_peak is not None else None,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
