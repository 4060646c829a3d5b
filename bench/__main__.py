"""`python -m bench [--scale 0.01] [--regenerate] [--only list,detail,...]`: see bench/README."""

import argparse
import os
import sys
import time


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = a million claims")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data")
    parser.add_argument("--generate-only", action="store_true", help="build the data, no timing")
    parser.add_argument("--reps", type=int, default=40, help="timed requests per page")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenario groups (pages,export,worker,bulk,webhooks,load,directory)",
    )
    parser.add_argument("--worker-claims", type=int, default=1000, help="claims in the batch")
    parser.add_argument("--latency-submissions", type=int, default=20)
    parser.add_argument("--webhook-deliveries", type=int, default=3000)
    parser.add_argument("--webhook-endpoints", type=int, default=20)
    parser.add_argument("--load-seconds", type=float, default=20.0)
    parser.add_argument("--load-concurrency", type=int, default=8)
    parser.add_argument(
        "--web-workers", type=int, default=3, help="gunicorn workers (the Procfile's default)"
    )
    parser.add_argument("--no-report", action="store_true", help="do not write bench/results")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    from bench.run import run

    started = time.perf_counter()
    code = run(args)
    print(f"bench: done in {time.perf_counter() - started:.0f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
